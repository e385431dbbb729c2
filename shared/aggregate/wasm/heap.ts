// AssemblyScript: the memory of the scanner's WebAssembly instance (see
// flowLogScannerCore.ts). A bump allocator hands out zeroed memory that
// lives as long as the instance (one per input), or until the next part's
// rollups begin; what records touch is packed in hot arenas of its own,
// and freed blocks wait on free lists for the next sketch of their size.

let top: usize = 0;
/** Where init starts allocating: past the text ring, if one was reserved. */
let heapStart: usize = __heap_base;

/**
 * Zeroed memory that lives as long as the instance. The memory is imported
 * and may have served an earlier instance: init zeroes the heap first.
 */
export function alloc(size: usize, alignment: usize = 8): usize {
  const ptr = (top + alignment - 1) & ~(alignment - 1);
  // In 64 bits: a full memory (65536 pages) has 2^32 bytes.
  const end = <u64>ptr + <u64>size;
  const have = (<u64>memory.size()) << 16;
  if (end > have) {
    const pages = <i32>((end - have + 0xffff) >> 16);
    const extra = max(pages, memory.size());
    if (memory.grow(extra) < 0 && memory.grow(pages) < 0) unreachable();
  }
  top = <usize>end;
  return ptr;
}

/** Bytes of a block of hot memory. */
const HOT_BLOCK: usize = 256 * 1024;
/** Arenas of hot memory: [top, end) of the current block, as two u32s. */
export const WINDOW_ARENA: usize = 0;
export const ENTRY_ARENA: usize = 8;
export const LABEL_ARENA: usize = 16;
let arenas: usize = 0;

/**
 * Zeroed memory (64-byte aligned unless told) for what records touch,
 * packed in blocks of its own: windows and ENIs (with their ids) in one
 * arena, sketch directories and entries in another, labels in a third.
 * What a record touches then spans few pages (fewer TLB misses).
 */
export function allocHot(
  arena: usize,
  size: usize,
  alignment: usize = 64
): usize {
  const at = arenas + arena;
  const bytes = (size + alignment - 1) & ~(alignment - 1);
  let top = <usize>load<u32>(at);
  if (top + bytes > <usize>load<u32>(at + 4)) {
    const block = max(HOT_BLOCK, bytes);
    top = alloc(block, 64);
    store<u32>(at + 4, <u32>(top + block));
  }
  store<u32>(at, <u32>(top + bytes));
  return top;
}

// Freed blocks, for the next sketch that needs one of their size: the
// memory then follows what the sketches hold, not how often they grew.
// One list per kind of block, its first block as a u32, the next in each.
/** The kind of a sketch's entry block: its capacity (2 to 64). */
export const BLOCK_KIND: usize = 0;
/** The kind of a directory: 65 + its sets (1 to 32). */
export const DIRECTORY_KIND: usize = 65;
/** The kind of a label block: 98 + its size in 8-byte words (1 to 12). */
export const LABEL_KIND: usize = 98;
const FREE_KINDS: usize = 111;
let freeBlocks: usize = 0;

/** A freed block of `kind`, or 0 when none is free. */
export function takeFree(kind: usize): usize {
  const head = freeBlocks + kind * 4;
  const block = <usize>load<u32>(head);
  if (block !== 0) store<u32>(head, load<u32>(block));
  return block;
}

/** Keeps a block (of at least 4 bytes) of `kind` for reuse. */
export function keepFree(block: usize, kind: usize): void {
  const head = freeBlocks + kind * 4;
  store<u32>(block, load<u32>(head));
  store<u32>(head, <u32>block);
}

/** A label block of `size` 8-byte words: a freed one, or new. */
export function takeLabelBlock(size: usize): usize {
  const block = takeFree(LABEL_KIND + size);
  return block !== 0 ? block : allocHot(LABEL_ARENA, size << 3, 8);
}

/** Rollups begin here, after the configuration (0 until the first part). */
let rollupsMark: usize = 0;
/** The furthest any part's rollups reached: zeroed again on a restart. */
let rollupsEnd: usize = 0;

/**
 * Starts an instance's heap: a reused memory holds an earlier instance's,
 * so all of it past the ring is zeroed first; then the arenas and free
 * lists.
 */
export function startHeap(): void {
  top = heapStart;
  memory.fill(top, 0, <usize>(((<u64>memory.size()) << 16) - <u64>top));
  arenas = alloc(24);
  freeBlocks = alloc(FREE_KINDS * 4);
  rollupsMark = 0;
  rollupsEnd = 0;
}

/**
 * Reserves `bytes` (64-byte aligned) below the heap, which then starts
 * past them: for text the host writes into this memory. Before startHeap.
 */
export function reserveBelowHeap(bytes: usize): usize {
  top = heapStart;
  const ring = alloc(bytes, 64);
  heapStart = top;
  return ring;
}

/**
 * Starts (after the configuration) or starts again (after a part's
 * rollups were read) the memory of rollups: what the last part held is
 * zeroed and serves the next, arenas and free lists empty.
 */
export function restartRollups(): void {
  if (rollupsMark === 0) {
    rollupsMark = top;
  } else {
    rollupsEnd = max(rollupsEnd, top);
    top = rollupsMark;
    memory.fill(top, 0, rollupsEnd - top);
  }
  store<u64>(arenas + WINDOW_ARENA, 0);
  store<u64>(arenas + ENTRY_ARENA, 0);
  store<u64>(arenas + LABEL_ARENA, 0);
  memory.fill(freeBlocks, 0, FREE_KINDS * 4);
}

/** Bytes of the heap in use (past the ring). */
export function heapUsed(): usize {
  return top - heapStart;
}
