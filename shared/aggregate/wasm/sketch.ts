// AssemblyScript: the top-list sketches of the scanner (see
// flowLogScannerCore.ts), step for step as the typed path's TopSketch:
// weighted Unbiased Space-Saving in a 2-way set-associative table that
// starts at one set and doubles, only when a key meets a full set. Keys
// are 32-bit hashes; each entry carries a label (the key's bytes, or its
// packed addresses) for the read-out (../windowReader.ts mirrors the
// layout).

import {
  allocHot,
  BLOCK_KIND,
  DIRECTORY_KIND,
  ENTRY_ARENA,
  keepFree,
  LABEL_KIND,
  takeFree,
  takeLabelBlock,
} from './heap';

// Sketch struct (2-way set-associative Unbiased Space-Saving, as TopSketch).
// The sets are a directory of (hash, entry) pairs; the entries sit densely,
// in the order their keys arrived, in a block that grows by steps of a half
// or a third, and each label in a block of its own size. Memory then
// follows the keys a sketch holds and the labels they carry, not the sets
// its hashes spread over (a 2-way sketch grows when one set overflows,
// with about 40% of its ways in use) nor its longest label.
export const S_SETS = 0; // u8: sets of the directory, 0 until the first add
export const S_COUNT = 2; // u8: entries in use
export const S_CAPACITY = 3; // u8: entries the block holds
export const S_RANDOM = 4;
export const S_ENTRIES = 8; // the block: N_SIZE bytes per entry, then its label sizes
// A u16 per entry: the label's length, then its block's size in 8 bytes.
export const S_LABEL_LENGTHS = 16;
export const S_DIRECTORY = 20; // D_SIZE bytes per set
// Directory set: the hashes of its two ways and their entries (position
// + 1, 0 = empty).
export const D_HASH = 0; // u32 per way
export const D_ENTRY = 8; // u8 per way
export const D_SIZE = 16;
// Entry: weight f64, packets f64, bytes f64, label block u32, flows u32.
export const N_WEIGHT = 0;
export const N_PACKETS = 8;
export const N_BYTES = 16;
export const N_LABEL = 24;
export const N_FLOWS = 28;
export const N_SIZE = 32;
export const FULL_SETS = 32;
/** Sets of a full rejected-flow sketch: 16 (source, port) keys, a quarter of the memory. */
export const REJECTED_FLOW_SETS = 8;
export const FIRST_SETS = 1;
/** Entries of a new sketch's block. */
export const FIRST_CAPACITY = 2;
export const WAYS = 2;
export const MAX_LABEL = 96;
/** A label's length byte with this bit set: addresses packed (see packAddress). */
export const PACKED: i32 = 0x80;

/** An empty sketch (its entries are allocated by the first add). */
export function initSketch(sketch: usize): void {
  store<u32>(sketch + S_RANDOM, 0x9e3779b9);
}

/**
 * Reads the directory set a hash maps to (if the sketch has entries yet)
 * and the entries the update will touch, to have them in cache. The loads
 * stay in the compiled code: they may trap.
 */
export function touchSet(sketch: usize, hash: u32): void {
  const sets = <i32>load<u8>(sketch + S_SETS);
  if (sets === 0) return;
  const set =
    <usize>load<u32>(sketch + S_DIRECTORY) +
    <usize>(<i32>hash & (sets - 1)) * D_SIZE;
  const a = <i32>load<u8>(set + D_ENTRY);
  const b = <i32>load<u8>(set + D_ENTRY + 1);
  // The entry the key holds, or the ways a new key would evict from, or
  // the entry it would take.
  load<u32>(entryOf(sketch, a !== 0 ? a - 1 : <i32>load<u8>(sketch + S_COUNT)));
  if (b !== 0) load<u32>(entryOf(sketch, b - 1));
}

/**
 * Gives the entry's label a block of at least `bytes` bytes (its old one
 * when big enough: an evicted key's block serves the key that replaces it).
 */
export function makeRoom(sketch: usize, entry: i32, bytes: usize): void {
  const sizes = labelSizesOf(sketch, entry) + 1;
  const size = max<usize>((bytes + 7) >> 3, 1);
  const had = <usize>load<u8>(sizes);
  if (had >= size) return;
  const at = entryOf(sketch, entry);
  if (had > 0) keepFree(<usize>load<u32>(at + N_LABEL), LABEL_KIND + had);
  store<u32>(at + N_LABEL, <u32>takeLabelBlock(size));
  store<u8>(sizes, <u8>size);
}

/** Writes a packed label (its length byte flagged PACKED). */
export function writePacked(
  sketch: usize,
  entry: i32,
  from: usize,
  length: usize
): void {
  makeRoom(sketch, entry, length);
  memory.copy(<usize>load<u32>(entryOf(sketch, entry) + N_LABEL), from, length);
  store<u8>(labelSizesOf(sketch, entry), <u8>(<i32>length | PACKED));
}

/**
 * Appends [from, to) to the entry's label, as far as `limit` bytes in all
 * (makeRoom gave the label a block that holds them).
 */
export function appendLabel(
  sketch: usize,
  entry: i32,
  from: usize,
  to: usize,
  limit: i32
): void {
  const lengthAt = labelSizesOf(sketch, entry);
  const length = <i32>load<u8>(lengthAt);
  const end = min(to, from + <usize>(limit - length));
  const base =
    <usize>load<u32>(entryOf(sketch, entry) + N_LABEL) + <usize>length;
  let n: i32 = 0;
  // Labels are short: a byte loop beats a bulk-memory call.
  for (let p = from; p < end; p++, n++) store<u8>(base + n, load<u8>(p));
  store<u8>(lengthAt, <u8>(length + n));
}

/** As TopSketch.add: the entry whose label to write, or -1. */
export function sketchAdd(
  sketch: usize,
  hash: u32,
  weight: f64,
  flows: f64,
  packets: f64,
  bytes: f64,
  maxSets: i32 = FULL_SETS
): i32 {
  if (load<u8>(sketch + S_SETS) === 0) startSketch(sketch);
  while (true) {
    const sets = <i32>load<u8>(sketch + S_SETS);
    const set =
      <usize>load<u32>(sketch + S_DIRECTORY) +
      <usize>(<i32>hash & (sets - 1)) * D_SIZE;
    const a = <i32>load<u8>(set + D_ENTRY);
    const b = <i32>load<u8>(set + D_ENTRY + 1);
    if (a !== 0 && load<u32>(set + D_HASH) === hash) {
      count(entryOf(sketch, a - 1), weight, flows, packets, bytes);
      return -1;
    }
    if (b !== 0 && load<u32>(set + D_HASH + 4) === hash) {
      count(entryOf(sketch, b - 1), weight, flows, packets, bytes);
      return -1;
    }
    if (a === 0) {
      return takeNew(sketch, set, 0, hash, weight, flows, packets, bytes);
    }
    if (b === 0) {
      return takeNew(sketch, set, 1, hash, weight, flows, packets, bytes);
    }
    if (sets < maxSets) {
      growDirectory(sketch);
      continue;
    }
    const isB =
      load<f64>(entryOf(sketch, b - 1) + N_WEIGHT) <
      load<f64>(entryOf(sketch, a - 1) + N_WEIGHT);
    const victim = (isB ? b : a) - 1;
    const at = entryOf(sketch, victim);
    const total = load<f64>(at + N_WEIGHT) + weight;
    if (total > 0 && draw(sketch) * total >= weight) {
      store<f64>(at + N_WEIGHT, total);
      return -1;
    }
    store<u32>(set + D_HASH + (isB ? 4 : 0), hash);
    return take(sketch, victim, total, flows, packets, bytes);
  }
}

/** Entry `entry` (a position in the sketch's block). */
export function entryOf(sketch: usize, entry: i32): usize {
  return <usize>load<u32>(sketch + S_ENTRIES) + <usize>entry * N_SIZE;
}

/** Where entry `entry`'s label length (u8) and block size (u8, in 8 bytes) are. */
export function labelSizesOf(sketch: usize, entry: i32): usize {
  return <usize>load<u32>(sketch + S_LABEL_LENGTHS) + <usize>entry * 2;
}

export function count(
  at: usize,
  weight: f64,
  flows: f64,
  packets: f64,
  bytes: f64
): void {
  store<f64>(at + N_WEIGHT, load<f64>(at + N_WEIGHT) + weight);
  store<u32>(at + N_FLOWS, load<u32>(at + N_FLOWS) + <u32>flows);
  store<f64>(at + N_PACKETS, load<f64>(at + N_PACKETS) + packets);
  store<f64>(at + N_BYTES, load<f64>(at + N_BYTES) + bytes);
}

/**
 * Gives a new key way `way` of `set` and the next entry of the block,
 * which grows when full: 2, 3, 4, 6, 8, 12, ... entries, every power of
 * two (the ways of a full sketch) a step.
 */
export function takeNew(
  sketch: usize,
  set: usize,
  way: usize,
  hash: u32,
  weight: f64,
  flows: f64,
  packets: f64,
  bytes: f64
): i32 {
  const entry = <i32>load<u8>(sketch + S_COUNT);
  const capacity = <i32>load<u8>(sketch + S_CAPACITY);
  if (entry === capacity) {
    const isPowerOfTwo = (capacity & (capacity - 1)) === 0;
    resizeBlock(
      sketch,
      capacity + (isPowerOfTwo ? capacity >> 1 : capacity / 3)
    );
  }
  store<u8>(sketch + S_COUNT, <u8>(entry + 1));
  store<u32>(set + D_HASH + way * 4, hash);
  store<u8>(set + D_ENTRY + way, <u8>(entry + 1));
  return take(sketch, entry, weight, flows, packets, bytes);
}

export function take(
  sketch: usize,
  entry: i32,
  weight: f64,
  flows: f64,
  packets: f64,
  bytes: f64
): i32 {
  const at = entryOf(sketch, entry);
  store<f64>(at + N_WEIGHT, weight);
  store<u32>(at + N_FLOWS, <u32>flows);
  store<f64>(at + N_PACKETS, packets);
  store<f64>(at + N_BYTES, bytes);
  // The label's length; its block stays, for makeRoom to reuse.
  store<u8>(labelSizesOf(sketch, entry), 0);
  return entry;
}

export function draw(sketch: usize): f64 {
  let x = load<u32>(sketch + S_RANDOM);
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  store<u32>(sketch + S_RANDOM, x);
  return <f64>x / 4294967296;
}

/** Bytes of a sketch's block: the entries, then a u16 each (padded to 8) for their labels' sizes. */
export function blockSize(capacity: i32): usize {
  return <usize>capacity * N_SIZE + ((<usize>capacity * 2 + 7) & ~7);
}

/** The first directory set and block of a sketch. */
export function startSketch(sketch: usize): void {
  store<u32>(sketch + S_DIRECTORY, <u32>allocDirectory(FIRST_SETS));
  store<u8>(sketch + S_SETS, <u8>FIRST_SETS);
  resizeBlock(sketch, FIRST_CAPACITY);
}

/** A zeroed directory of `sets` sets, reused from a grown sketch when one fits. */
export function allocDirectory(sets: i32): usize {
  const size = <usize>sets * D_SIZE;
  const directory = takeFree(DIRECTORY_KIND + <usize>sets);
  if (directory === 0) return allocHot(ENTRY_ARENA, size, D_SIZE);
  memory.fill(directory, 0, size);
  return directory;
}

/**
 * Moves the sketch's entries and their label sizes, in order, to a block
 * of `capacity` entries, and frees the old block for the next sketch of
 * its size. The labels stay where they are.
 */
export function resizeBlock(sketch: usize, capacity: i32): void {
  let block = takeFree(BLOCK_KIND + <usize>capacity);
  const isNew = block === 0;
  if (isNew) block = allocHot(ENTRY_ARENA, blockSize(capacity));
  const lengths = block + <usize>capacity * N_SIZE;
  // Entries past the used ones are written whole when taken; their label
  // sizes must read 0 (no label block yet). New memory is zeroed.
  if (!isNew) memory.fill(lengths, 0, <usize>capacity * 2);
  const old = <i32>load<u8>(sketch + S_CAPACITY);
  if (old > 0) {
    const used = <usize>load<u8>(sketch + S_COUNT);
    const oldBlock = <usize>load<u32>(sketch + S_ENTRIES);
    memory.copy(block, oldBlock, used * N_SIZE);
    memory.copy(lengths, <usize>load<u32>(sketch + S_LABEL_LENGTHS), used * 2);
    keepFree(oldBlock, BLOCK_KIND + <usize>old);
  }
  store<u32>(sketch + S_ENTRIES, <u32>block);
  store<u32>(sketch + S_LABEL_LENGTHS, <u32>lengths);
  store<u8>(sketch + S_CAPACITY, <u8>capacity);
}

/**
 * As TopSketch.grow: twice the sets, each old set's keys (in way order)
 * going to the first free way of their new set, so none is ever dropped
 * and every key keeps the way TopSketch gives it. The entries stay put.
 */
export function growDirectory(sketch: usize): void {
  const oldSets = <i32>load<u8>(sketch + S_SETS);
  const old = <usize>load<u32>(sketch + S_DIRECTORY);
  const sets = oldSets * 2;
  const directory = allocDirectory(sets);
  for (let s: i32 = 0; s < oldSets; s++) {
    const from = old + <usize>s * D_SIZE;
    for (let way: usize = 0; way < <usize>WAYS; way++) {
      const entry = load<u8>(from + D_ENTRY + way);
      if (entry === 0) continue;
      const hash = load<u32>(from + D_HASH + way * 4);
      const to = directory + <usize>(<i32>hash & (sets - 1)) * D_SIZE;
      const target: usize = load<u8>(to + D_ENTRY) === 0 ? 0 : 1;
      store<u32>(to + D_HASH + target * 4, hash);
      store<u8>(to + D_ENTRY + target, entry);
    }
  }
  keepFree(old, DIRECTORY_KIND + <usize>oldSets);
  store<u32>(sketch + S_DIRECTORY, <u32>directory);
  store<u8>(sketch + S_SETS, <u8>sets);
}
