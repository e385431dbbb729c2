import { type WasmMemory, wasmApi } from '../wasmApi.js';
import { SPREAD_BODY, SUM_INTS_BODY } from './levelBodies.js';
import { CHECK_TEXT_BODY, WRITE_INTEGERS_BODY } from './parquetValueBodies.js';
import { READ_HYBRID_BODY, READ_HYBRID_LOCALS } from './readHybridBody.js';
import { name, section, uleb } from './wasmAssembly.js';
import { WRITE_ROWS_BODY, WRITE_ROWS_LOCALS } from './writeRowsBody.js';

const PAGE_BYTES = 65_536;
/** Bytes after every region: the copy loop moves eight bytes at a time. */
const SLACK_BYTES = 16;
/** Arenas kept for the next input (one per input read at once). */
const MAX_IDLE_ARENAS = 2;
/** An arena grown past this is not kept for the next input. */
const MAX_POOLED_BYTES = 64 * 1024 * 1024;

/** The module: memory imported (shared), writeRows exported. */
function lineWriterModule(): Uint8Array {
  const I32 = 0x7f;
  const type = (params: number) => [
    0x60,
    params,
    ...Array<number>(params).fill(I32),
    1,
    I32,
  ];
  const I64 = 0x7e;
  /** A body with its locals: runs of [count, type]. */
  const code = (locals: [number, number][], body: number[]) => {
    const entry = [
      locals.length,
      ...locals.flatMap(([count, kind]) => [...uleb(count), kind]),
      ...body,
    ];
    return [...uleb(entry.length), ...entry];
  };
  const functions: [string, number, [number, number][], number[]][] = [
    ['writeRows', 9, [[WRITE_ROWS_LOCALS, I32]], WRITE_ROWS_BODY],
    ['readHybrid', 3, [[READ_HYBRID_LOCALS, I32]], READ_HYBRID_BODY],
    ['sumInts', 2, [[1, I32]], SUM_INTS_BODY],
    ['spread', 4, [], SPREAD_BODY],
    [
      'writeIntegers',
      9,
      [
        [3, I32],
        [2, I64],
      ],
      WRITE_INTEGERS_BODY,
    ],
    [
      'checkText',
      6,
      [
        [2, I32],
        [1, I64],
        [2, I32],
      ],
      CHECK_TEXT_BODY,
    ],
  ];
  // biome-ignore format: a module's sections
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [functions.length, ...functions.flatMap(([, params]) => type(params))]),
    // env.memory: shared, 1 page, at most 65,536 (4 GiB, reserved only).
    ...section(2, [1, ...name('env'), ...name('memory'), 0x02, 0x03, 1, ...uleb(65_536)]),
    ...section(3, [functions.length, ...functions.map((_, index) => index)]),
    ...section(7, [functions.length, ...functions.flatMap(([label], index) => [...name(label), 0x00, index])]),
    ...section(10, [functions.length, ...functions.flatMap(([, , locals, body]) => code(locals, body))]),
  ]);
}

let compiled: object | null = null;

/** The module's exports. */
interface LineWriterExports {
  writeRows: WriteRows;
  writeIntegers(
    values: number,
    levels: number,
    rows: number,
    is64: number,
    text: number,
    at: number,
    starts: number,
    lengths: number,
    digits: number
  ): number;
  checkText(
    at: number,
    levels: number,
    rows: number,
    base: number,
    starts: number,
    lengths: number
  ): number;
  readHybrid(state: number, out: number, count: number): number;
  sumInts(at: number, count: number): number;
  spread(levels: number, values: number, out: number, rows: number): number;
}

/** writeRows, as exported. */
type WriteRows = (
  table: number,
  columns: number,
  row: number,
  rows: number,
  out: number,
  at: number,
  lastRowStart: number,
  header: number,
  headerLength: number
) => number;

/**
 * WebAssembly memory that a Parquet reader keeps its text in (decoded
 * pages, dictionaries written as text, a batch's positions, the lines),
 * and the line writer that runs over it: assembling a batch's lines is a
 * copy of a few bytes per value, which WebAssembly does several times
 * faster than JavaScript. Regions are allocated from the bottom up and
 * never freed one by one: the arena is reset for the next input. Arenas
 * are pooled (`acquire`, `release`); one grown past 64 MiB is dropped.
 * The memory is shared, so growing it leaves every view valid.
 */
class LineArena {
  private static readonly idle: LineArena[] = [];

  private readonly memory: WasmMemory;
  private readonly exports: LineWriterExports;
  private top = 0;
  private isIdle = false;
  /** writeIntegers's scratch. */
  private digits: Uint8Array | null = null;

  private constructor() {
    this.memory = new wasmApi.Memory({
      initial: 16,
      maximum: 65_536,
      shared: true,
    });
    compiled ??= new wasmApi.Module(lineWriterModule());
    const instance = new wasmApi.Instance(compiled, {
      env: { memory: this.memory },
    });
    this.exports = instance.exports as LineWriterExports;
  }

  /** An arena, empty: from the pool or new. */
  static acquire(): LineArena {
    const arena = LineArena.idle.pop() ?? new LineArena();
    arena.isIdle = false;
    arena.top = 0;
    arena.digits = null;
    return arena;
  }

  /** Back to the pool, once nothing reads or writes its regions. */
  release(): void {
    if (this.isIdle) throw new Error('a LineArena released twice');
    this.isIdle = true;
    if (this.memory.buffer.byteLength > MAX_POOLED_BYTES) return;
    if (LineArena.idle.length < MAX_IDLE_ARENAS) LineArena.idle.push(this);
  }

  /** A new region of `bytes` bytes (8-byte aligned, with slack after it). */
  bytes(bytes: number): Uint8Array {
    const at = this.allocate(bytes);
    return new Uint8Array(this.memory.buffer, at, bytes);
  }

  /** A new region of `count` 32-bit integers. */
  ints(count: number): Int32Array {
    const at = this.allocate(count * 4);
    return new Int32Array(this.memory.buffer, at, count);
  }

  /**
   * Writes rows [row, rows) of a batch (see WRITE_ROWS_BODY), the column
   * entries in `table` (ENTRY_BYTES each, after 8 bytes for the result),
   * into `out` from `at`; returns the first row not written and where the
   * writing stopped.
   */
  writeRows(
    table: Int32Array,
    columns: number,
    row: number,
    rows: number,
    out: Uint8Array,
    at: number,
    lastRowStart: number,
    header: Uint8Array
  ): { row: number; at: number } {
    const stopped = this.exports.writeRows(
      table.byteOffset + 8,
      columns,
      row,
      rows,
      out.byteOffset,
      at,
      lastRowStart,
      header.byteOffset,
      header.length
    );
    return { row: stopped, at: table[0] ?? 0 };
  }

  /**
   * Reads `count` values of an RLE / bit-packed hybrid stream (see
   * READ_HYBRID_BODY; `state` holds where it is) into `out`; returns the
   * largest, or -1 when the data ended early.
   */
  readHybrid(state: Int32Array, out: Int32Array, count: number): number {
    return this.exports.readHybrid(state.byteOffset, out.byteOffset, count);
  }

  /**
   * Writes `rows` rows of PLAIN INT32 or INT64 values from `values[at]`
   * as decimal text into `text` from `textAt` (see WRITE_INTEGERS_BODY;
   * `levels` null: no nulls); returns the end of the text.
   */
  writeIntegers(
    values: Uint8Array,
    at: number,
    levels: Int32Array | null,
    rows: number,
    is64: boolean,
    text: Uint8Array,
    textAt: number,
    starts: Int32Array,
    lengths: Int32Array
  ): number {
    this.digits ??= this.bytes(24);
    return this.exports.writeIntegers(
      values.byteOffset + at,
      levels?.byteOffset ?? 0,
      rows,
      is64 ? 1 : 0,
      text.byteOffset,
      textAt,
      starts.byteOffset,
      lengths.byteOffset,
      this.digits.byteOffset
    );
  }

  /**
   * Checks `rows` rows of PLAIN BYTE_ARRAY values from `page[at]` (see
   * CHECK_TEXT_BODY): their starts (in `page`) and lengths, and where they
   * end; -1 when one is not printable ASCII.
   */
  checkText(
    page: Uint8Array,
    at: number,
    levels: Int32Array | null,
    rows: number,
    starts: Int32Array,
    lengths: Int32Array
  ): number {
    const end = this.exports.checkText(
      page.byteOffset + at,
      levels?.byteOffset ?? 0,
      rows,
      page.byteOffset,
      starts.byteOffset,
      lengths.byteOffset
    );
    return end < 0 ? -1 : end - page.byteOffset;
  }

  /** The sum of the first `count` values. */
  sum(values: Int32Array, count: number): number {
    return this.exports.sumInts(values.byteOffset, count);
  }

  /**
   * out[r] = the next of `values` where levels[r] is not 0, else -1, for
   * `rows` rows.
   */
  spread(
    levels: Int32Array,
    values: Int32Array,
    out: Int32Array,
    rows: number
  ): void {
    this.exports.spread(
      levels.byteOffset,
      values.byteOffset,
      out.byteOffset,
      rows
    );
  }

  private allocate(bytes: number): number {
    const at = this.top;
    this.top = at + Math.ceil((bytes + SLACK_BYTES) / 8) * 8;
    const missing = this.top - this.memory.buffer.byteLength;
    if (missing > 0) {
      this.memory.grow(
        Math.max(
          Math.ceil(missing / PAGE_BYTES),
          this.memory.buffer.byteLength / PAGE_BYTES
        )
      );
    }
    return at;
  }
}

export { LineArena };
