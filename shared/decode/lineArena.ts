import { MAX_LINE_BYTES } from '../flowLogRules.js';
import { type WasmMemory, wasmApi } from '../wasmApi.js';

const PAGE_BYTES = 65_536;
/** Bytes after every region: the copy loop moves eight bytes at a time. */
const SLACK_BYTES = 16;
/** Arenas kept for the next input (one per input read at once). */
const MAX_IDLE_ARENAS = 2;
/** An arena grown past this is not kept for the next input. */
const MAX_POOLED_BYTES = 64 * 1024 * 1024;

/** Unsigned LEB128. */
function uleb(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  do {
    const byte = rest & 0x7f;
    rest = Math.floor(rest / 128);
    bytes.push(rest === 0 ? byte : byte | 0x80);
  } while (rest !== 0);
  return bytes;
}

/** Signed LEB128 (small values). */
function sleb(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  for (;;) {
    const byte = rest & 0x7f;
    rest >>= 7;
    const isDone =
      (rest === 0 && (byte & 0x40) === 0) ||
      (rest === -1 && (byte & 0x40) !== 0);
    bytes.push(isDone ? byte : byte | 0x80);
    if (isDone) return bytes;
  }
}

/** Signed LEB128 of a 64-bit value. */
function sleb64(value: bigint): number[] {
  const bytes: number[] = [];
  let rest = BigInt.asIntN(64, value);
  for (;;) {
    const byte = Number(rest & 0x7fn);
    rest >>= 7n;
    const isDone =
      (rest === 0n && (byte & 0x40) === 0) ||
      (rest === -1n && (byte & 0x40) !== 0);
    bytes.push(isDone ? byte : byte | 0x80);
    if (isDone) return bytes;
  }
}

const section = (id: number, body: number[]): number[] => [
  id,
  ...uleb(body.length),
  ...body,
];
const name = (text: string): number[] => [
  ...uleb(text.length),
  ...[...text].map((char) => char.charCodeAt(0)),
];

// Opcodes (WebAssembly core spec, binary format).
const BLOCK = 0x02;
const LOOP = 0x03;
const IF = 0x04;
const ELSE = 0x05;
const END = 0x0b;
const BR = 0x0c;
const BR_IF = 0x0d;
const VOID = 0x40;
const GET = 0x20;
const SET = 0x21;
const TEE = 0x22;
const I32_LOAD = 0x28;
const I64_LOAD = 0x29;
const I32_LOAD8_U = 0x2d;
const I32_STORE = 0x36;
const I64_STORE = 0x37;
const I32_STORE8 = 0x3a;
const I32_CONST = 0x41;
const I32_EQZ = 0x45;
const I32_EQ = 0x46;
const I32_NE = 0x47;
const I32_LT_S = 0x48;
const I32_GT_S = 0x4a;
const I32_GE_S = 0x4e;
const I32_ADD = 0x6a;
const I32_SUB = 0x6b;
const I32_MUL = 0x6c;
const I32_AND = 0x71;
const I32_SHL = 0x74;
const I32_OR = 0x72;
const I32_SHR_U = 0x76;
const I32_LT_U = 0x49;
const I32_GT_U = 0x4b;
const I32_WRAP_I64 = 0xa7;
const I64_EXTEND_I32_U = 0xad;
const I64_SHR_U = 0x88;
const SELECT = 0x1b;
const RETURN = 0x0f;
const I64_CONST = 0x42;
const I64_LOAD32_S = 0x34;
const I64_EQZ = 0x50;
const I64_LT_S = 0x53;
const I64_SUB = 0x7d;
const I64_MUL = 0x7e;
const I64_DIV_U = 0x80;
const I64_AND = 0x83;
const I64_OR = 0x84;
const I64_XOR = 0x85;
const I32_WRAP = I32_WRAP_I64;

// writeRows's parameters and locals, by index.
const TABLE = 0;
const COLUMNS = 1;
const ROW = 2;
const ROWS = 3;
const OUT = 4;
const AT = 5;
const LAST_ROW_START = 6;
const HEADER = 7;
const HEADER_LENGTH = 8;
const COLUMN = 9;
const ENTRY = 10;
const ROW_START = 11;
const END_AT = 12;
const START = 13;
const LENGTH = 14;
const SOURCE = 15;
const INDEX = 16;
const TARGET = 17;
const WIDTH = 18;

/** Bytes per column in the table writeRows reads. */
const ENTRY_BYTES = 20;

const get = (local: number) => [GET, local];
const set = (local: number) => [SET, local];
const i32 = (value: number) => [I32_CONST, ...sleb(value)];
const load = (offset: number) => [I32_LOAD, 2, ...uleb(offset)];
/** `local += value`. */
const add = (local: number, value: number) => [
  ...get(local),
  ...i32(value),
  I32_ADD,
  ...set(local),
];
/** out[at] = byte; at += 1. */
const putByte = (byte: number) => [
  ...get(OUT),
  ...get(AT),
  I32_ADD,
  ...i32(byte),
  I32_STORE8,
  0,
  0,
  ...add(AT, 1),
];

/**
 * writeRows(table, columns, row, rows, out, at, lastRowStart, header,
 * headerLength) -> the first row not written. Writes rows [row, rows) of
 * a batch as lines at out + at: per column (an entry of `table`: source,
 * starts, lengths, slot width, blankable) the value
 * `source[starts[r] .. + lengths[r]]` (with a slot width w: slot
 * `starts[r]`, at `source + starts[r] * w`, its length in its last byte,
 * -1 for null; a length of -1, or any other negative in a blankable
 * column: `-`), single spaces, `\n`. Stops before a row once at > lastRowStart, and at a row
 * that has a value it cannot write (a negative length otherwise), is over
 * MAX_LINE_BYTES or equals the header; stores where it stopped writing at
 * table - 8. Values are copied eight bytes at a time: regions need 8
 * bytes of slack after them.
 */
// biome-ignore format: one WebAssembly instruction (and its operands) per line
const WRITE_ROWS_BODY: number[] = [
  BLOCK, VOID, // exit
  LOOP, VOID, // rows
  ...get(ROW), ...get(ROWS), I32_GE_S, BR_IF, 1,
  ...get(AT), ...get(LAST_ROW_START), I32_GT_S, BR_IF, 1,
  ...get(AT), ...set(ROW_START),
  ...get(AT), ...i32(MAX_LINE_BYTES + 1), I32_ADD, ...set(END_AT),
  ...i32(0), ...set(COLUMN),
  BLOCK, VOID, // odd
  LOOP, VOID, // columns
  ...get(COLUMN), IF, VOID, ...putByte(0x20), END,
  ...get(TABLE), ...get(COLUMN), ...i32(ENTRY_BYTES), I32_MUL, I32_ADD, ...set(ENTRY),
  ...get(ENTRY), ...load(0), ...set(SOURCE),
  ...get(ENTRY), ...load(4), ...get(ROW), ...i32(2), I32_SHL, I32_ADD, ...load(0), ...set(START),
  ...get(ENTRY), ...load(12), TEE, WIDTH,
  IF, VOID,
  // Slots: START is an index (-1: null); the length is the slot's last byte.
  ...get(START), ...i32(0), I32_LT_S,
  IF, VOID,
  ...i32(-1), ...set(LENGTH),
  ELSE,
  ...get(START), ...get(WIDTH), I32_MUL, ...set(START),
  ...get(SOURCE), ...get(START), I32_ADD, ...get(WIDTH), I32_ADD, ...i32(1), I32_SUB,
  I32_LOAD8_U, 0, 0, ...set(LENGTH),
  END,
  ELSE,
  ...get(ENTRY), ...load(8), ...get(ROW), ...i32(2), I32_SHL, I32_ADD, ...load(0), ...set(LENGTH),
  END,
  ...get(LENGTH), ...i32(0), I32_GE_S,
  IF, VOID,
  ...get(AT), ...get(LENGTH), I32_ADD, ...get(END_AT), I32_GT_S, BR_IF, 2,
  ...get(OUT), ...get(AT), I32_ADD, ...set(TARGET),
  ...get(SOURCE), ...get(START), I32_ADD, ...set(START),
  ...i32(0), ...set(INDEX),
  BLOCK, VOID, // copied
  LOOP, VOID, // copy
  ...get(INDEX), ...get(LENGTH), I32_GE_S, BR_IF, 1,
  ...get(TARGET), ...get(INDEX), I32_ADD,
  ...get(START), ...get(INDEX), I32_ADD, I64_LOAD, 0, 0,
  I64_STORE, 0, 0,
  ...add(INDEX, 8),
  BR, 0,
  END, // copy
  END, // copied
  ...get(AT), ...get(LENGTH), I32_ADD, ...set(AT),
  ELSE,
  // Null, or a blankable column's odd value: `-`; else the row is odd.
  ...get(LENGTH), ...i32(-1), I32_NE,
  ...get(ENTRY), ...load(16), I32_EQZ, I32_AND, BR_IF, 2,
  ...putByte(0x2d),
  END,
  ...get(COLUMN), ...i32(1), I32_ADD, TEE, COLUMN, ...get(COLUMNS), I32_LT_S, BR_IF, 0,
  END, // columns
  ...get(AT), ...get(ROW_START), I32_SUB, ...i32(MAX_LINE_BYTES), I32_GT_S, BR_IF, 0,
  // A line equal to the header: a scanner would skip it.
  ...get(AT), ...get(ROW_START), I32_SUB, ...get(HEADER_LENGTH), I32_EQ,
  IF, VOID,
  ...i32(0), ...set(INDEX),
  BLOCK, VOID, // differ
  LOOP, VOID, // compare
  ...get(INDEX), ...get(HEADER_LENGTH), I32_GE_S, BR_IF, 3,
  ...get(OUT), ...get(ROW_START), I32_ADD, ...get(INDEX), I32_ADD, I32_LOAD8_U, 0, 0,
  ...get(HEADER), ...get(INDEX), I32_ADD, I32_LOAD8_U, 0, 0,
  I32_NE, BR_IF, 1,
  ...add(INDEX, 1),
  BR, 0,
  END, // compare
  END, // differ
  END,
  ...putByte(0x0a),
  ...add(ROW, 1),
  BR, 1,
  END, // odd
  ...get(ROW_START), ...set(AT),
  BR, 1,
  END, // rows
  END, // exit
  ...get(TABLE), ...i32(8), I32_SUB, ...get(AT), I32_STORE, 2, 0,
  ...get(ROW),
  END,
];

// readHybrid's parameters and locals, by index.
const STATE = 0;
const OUTPUT = 1;
const COUNT = 2;
const I = 3;
const LEFT = 4;
const TAKE = 5;
const VALUE = 6;
const BIT = 7;
const BITS = 8;
const MAX = 9;
const CURSOR = 10;
const RUN = 11;
const SHIFT = 12;
const BYTE = 13;
const STOP = 14;
const MASK = 15;
const BASE = 16;
const BYTES = 17;

/** state field `at` (a byte offset in the state struct): store. */
const storeState = (offset: number, value: number[]) => [
  ...get(STATE),
  ...value,
  I32_STORE,
  2,
  ...uleb(offset),
];
/** out[i] = value (32-bit). */
const putInt = (out: number, index: number, value: number) => [
  ...get(out),
  ...get(index),
  ...i32(2),
  I32_SHL,
  I32_ADD,
  ...get(value),
  I32_STORE,
  2,
  0,
];
/** max = value when it is more (unsigned). */
const keepMax = () => [
  ...get(VALUE),
  ...get(MAX),
  I32_GT_U,
  IF,
  VOID,
  ...get(VALUE),
  ...set(MAX),
  END,
];

/**
 * readHybrid(state, out, count) -> the largest value read, or -1 when
 * the data ends before a run header. Reads `count` values of an RLE /
 * bit-packed hybrid stream into out (32-bit each). The state (32-bit
 * fields): 0 next byte, 4 end, 8 bit width, 12 values left in the run,
 * 16 whether the run is bit-packed, 20 a run's value, 24 a packed run's
 * first byte, 28 its next bit. Packed values are read eight bytes at a
 * time: the data needs 8 bytes of slack after it.
 * @see https://parquet.apache.org/docs/file-format/data-pages/encodings/
 */
// biome-ignore format: one WebAssembly instruction (and its operands) per line
const READ_HYBRID_BODY: number[] = [
  ...get(STATE), ...load(8), ...set(BITS),
  ...i32(1), ...get(BITS), I32_SHL, ...i32(1), I32_SUB,
  ...i32(-1),
  ...get(BITS), ...i32(32), I32_LT_U,
  SELECT, ...set(MASK),
  ...get(STATE), ...load(12), ...set(LEFT),
  ...i32(0), ...set(MAX),
  ...i32(0), ...set(I),
  BLOCK, VOID, // done
  LOOP, VOID, // values
  ...get(I), ...get(COUNT), I32_GE_S, BR_IF, 1,
  ...get(LEFT), I32_EQZ,
  IF, VOID,
  // A run header: an unsigned LEB128.
  ...get(STATE), ...load(0), ...set(CURSOR),
  ...i32(0), ...set(RUN),
  ...i32(0), ...set(SHIFT),
  LOOP, VOID, // varint
  ...get(CURSOR), ...get(STATE), ...load(4), I32_GE_S,
  IF, VOID, ...i32(-1), RETURN, END,
  ...get(CURSOR), I32_LOAD8_U, 0, 0, ...set(BYTE),
  ...add(CURSOR, 1),
  ...get(RUN), ...get(BYTE), ...i32(0x7f), I32_AND, ...get(SHIFT), I32_SHL, I32_OR, ...set(RUN),
  ...add(SHIFT, 7),
  ...get(BYTE), ...i32(0x80), I32_AND, BR_IF, 0,
  END, // varint
  ...get(RUN), ...i32(1), I32_AND,
  IF, VOID,
  // Bit-packed: groups of eight values.
  ...get(RUN), ...i32(1), I32_SHR_U, ...i32(3), I32_SHL, ...set(LEFT),
  ...storeState(16, i32(1)),
  ...storeState(24, get(CURSOR)),
  ...storeState(28, i32(0)),
  ...get(CURSOR), ...get(RUN), ...i32(1), I32_SHR_U, ...get(BITS), I32_MUL, I32_ADD, ...set(CURSOR),
  ELSE,
  // A run of one value, in (width + 7) / 8 bytes, little-endian.
  ...get(RUN), ...i32(1), I32_SHR_U, ...set(LEFT),
  ...storeState(16, i32(0)),
  ...i32(0), ...set(VALUE),
  ...get(BITS), ...i32(7), I32_ADD, ...i32(3), I32_SHR_U, ...set(BYTES),
  ...i32(0), ...set(SHIFT),
  BLOCK, VOID,
  LOOP, VOID,
  ...get(BYTES), I32_EQZ, BR_IF, 1,
  ...get(VALUE), ...get(CURSOR), I32_LOAD8_U, 0, 0, ...get(SHIFT), I32_SHL, I32_OR, ...set(VALUE),
  ...add(CURSOR, 1),
  ...add(SHIFT, 8),
  ...add(BYTES, -1),
  BR, 0,
  END,
  END,
  ...storeState(20, get(VALUE)),
  END,
  ...storeState(0, get(CURSOR)),
  BR, 1, // the next values
  END,
  ...get(COUNT), ...get(I), I32_SUB, ...set(TAKE),
  ...get(LEFT), ...get(TAKE), I32_LT_S, IF, VOID, ...get(LEFT), ...set(TAKE), END,
  ...get(LEFT), ...get(TAKE), I32_SUB, ...set(LEFT),
  ...get(I), ...get(TAKE), I32_ADD, ...set(STOP),
  ...get(STATE), ...load(16),
  IF, VOID,
  ...get(STATE), ...load(24), ...set(BASE),
  ...get(STATE), ...load(28), ...set(BIT),
  BLOCK, VOID,
  LOOP, VOID,
  ...get(I), ...get(STOP), I32_GE_S, BR_IF, 1,
  ...get(BASE), ...get(BIT), ...i32(3), I32_SHR_U, I32_ADD, I64_LOAD, 0, 0,
  ...get(BIT), ...i32(7), I32_AND, I64_EXTEND_I32_U, I64_SHR_U, I32_WRAP_I64,
  ...get(MASK), I32_AND, ...set(VALUE),
  ...putInt(OUTPUT, I, VALUE),
  ...keepMax(),
  ...add(I, 1),
  ...get(BIT), ...get(BITS), I32_ADD, ...set(BIT),
  BR, 0,
  END,
  END,
  ...storeState(28, get(BIT)),
  ELSE,
  ...get(STATE), ...load(20), ...set(VALUE),
  ...keepMax(),
  BLOCK, VOID,
  LOOP, VOID,
  ...get(I), ...get(STOP), I32_GE_S, BR_IF, 1,
  ...putInt(OUTPUT, I, VALUE),
  ...add(I, 1),
  BR, 0,
  END,
  END,
  END,
  BR, 0, // values
  END, // values
  END, // done
  ...storeState(12, get(LEFT)),
  ...get(MAX),
  END,
];

// sumInts(at, count) -> the sum of `count` 32-bit integers from `at`.
// biome-ignore format: one WebAssembly instruction (and its operands) per line
const SUM_INTS_BODY: number[] = [
  BLOCK, VOID,
  LOOP, VOID,
  ...get(1), I32_EQZ, BR_IF, 1,
  ...get(2), ...get(0), ...load(0), I32_ADD, ...set(2),
  ...add(0, 4),
  ...add(1, -1),
  BR, 0,
  END,
  END,
  ...get(2),
  END,
];

// spread(levels, values, out, rows) -> 0: out[r] = the next of `values`
// where levels[r] is not 0, else -1 (a row's entry, or null).
// biome-ignore format: one WebAssembly instruction (and its operands) per line
const SPREAD_BODY: number[] = [
  BLOCK, VOID,
  LOOP, VOID,
  ...get(3), I32_EQZ, BR_IF, 1,
  ...get(2),
  ...get(0), ...load(0),
  IF, 0x7f,
  ...get(1), ...load(0),
  ...add(1, 4),
  ELSE,
  ...i32(-1),
  END,
  I32_STORE, 2, 0,
  ...add(0, 4),
  ...add(2, 4),
  ...add(3, -1),
  BR, 0,
  END,
  END,
  ...i32(0),
  END,
];

// writeIntegers's parameters and locals, by index.
const VALUES = 0;
const LEVELS = 1;
const ROW_COUNT = 2;
const IS_64 = 3;
const TEXT = 4;
const TEXT_AT = 5;
const STARTS = 6;
const LENGTHS = 7;
const DIGITS = 8;
const R = 9;
const FIRST = 10;
const N = 11;
const NUMBER = 12; // i64
const QUOTIENT = 13; // i64

const i64 = (value: number | bigint) => [I64_CONST, ...sleb64(BigInt(value))];
/** array[row] = value (32-bit). */
const putAt = (array: number, row: number, value: number[]) => [
  ...get(array),
  ...get(row),
  ...i32(2),
  I32_SHL,
  I32_ADD,
  ...value,
  I32_STORE,
  2,
  0,
];
/** levels[row] === 0 (levels 0, for none: never). */
const isNullRow = (levels: number, row: number) => [
  ...get(levels),
  IF,
  0x7f,
  ...get(levels),
  ...get(row),
  ...i32(2),
  I32_SHL,
  I32_ADD,
  ...load(0),
  I32_EQZ,
  ELSE,
  ...i32(0),
  END,
];

/**
 * writeIntegers(values, levels, rows, is64, text, at, starts, lengths,
 * digits) -> the end of the text: writes `rows` rows of PLAIN INT32 or
 * INT64 values (little-endian from `values`; a row whose level is 0 is
 * null: length -1, and takes no value; levels 0: no nulls) as decimal
 * text from text + at, `-` first for a negative one (what String gives a
 * number or bigint), each row's start (from `text`) and length in starts
 * and lengths. `digits`: 24 bytes of scratch.
 */
// biome-ignore format: one WebAssembly instruction (and its operands) per line
const WRITE_INTEGERS_BODY: number[] = [
  ...i32(0), ...set(R),
  BLOCK, VOID,
  LOOP, VOID,
  ...get(R), ...get(ROW_COUNT), I32_GE_S, BR_IF, 1,
  ...isNullRow(LEVELS, R),
  IF, VOID,
  ...putAt(LENGTHS, R, i32(-1)),
  ELSE,
  ...get(IS_64),
  IF, 0x7e,
  ...get(VALUES), I64_LOAD, 0, 0, ...add(VALUES, 8),
  ELSE,
  ...get(VALUES), I64_LOAD32_S, 0, 0, ...add(VALUES, 4),
  END,
  ...set(NUMBER),
  ...putAt(STARTS, R, get(TEXT_AT)),
  ...get(TEXT_AT), ...set(FIRST),
  ...get(NUMBER), ...i64(0), I64_LT_S,
  IF, VOID,
  ...get(TEXT), ...get(TEXT_AT), I32_ADD, ...i32(0x2d), I32_STORE8, 0, 0,
  ...add(TEXT_AT, 1),
  ...i64(0), ...get(NUMBER), I64_SUB, ...set(NUMBER),
  END,
  // Digits backwards into the scratch, then forwards into the text.
  ...i32(24), ...set(N),
  LOOP, VOID,
  ...get(NUMBER), ...i64(10), I64_DIV_U, ...set(QUOTIENT),
  ...add(N, -1),
  ...get(DIGITS), ...get(N), I32_ADD,
  ...get(NUMBER), ...get(QUOTIENT), ...i64(10), I64_MUL, I64_SUB, I32_WRAP, ...i32(0x30), I32_ADD,
  I32_STORE8, 0, 0,
  ...get(QUOTIENT), ...set(NUMBER),
  ...get(NUMBER), I64_EQZ, I32_EQZ, BR_IF, 0,
  END,
  BLOCK, VOID,
  LOOP, VOID,
  ...get(N), ...i32(24), I32_GE_S, BR_IF, 1,
  ...get(TEXT), ...get(TEXT_AT), I32_ADD,
  ...get(DIGITS), ...get(N), I32_ADD, I32_LOAD8_U, 0, 0,
  I32_STORE8, 0, 0,
  ...add(TEXT_AT, 1),
  ...add(N, 1),
  BR, 0,
  END,
  END,
  ...putAt(LENGTHS, R, [...get(TEXT_AT), ...get(FIRST), I32_SUB]),
  END,
  ...add(R, 1),
  BR, 0,
  END,
  END,
  ...get(TEXT_AT),
  END,
];

// checkText's parameters and locals, by index.
const PAGE = 0;
const CHECK_LEVELS = 1;
const CHECK_ROWS = 2;
const PAGE_BASE = 3;
const CHECK_STARTS = 4;
const CHECK_LENGTHS = 5;
const LENGTH_AT = 6;
const VALUE_END = 7;
const WORD = 8; // i64
const TAIL = 9;
const CHECK_ROW = 10;

/**
 * checkText(at, levels, rows, base, starts, lengths) -> the end of the
 * rows' values, or -1: reads `rows` rows of PLAIN BYTE_ARRAY values from
 * `at` (a 4-byte little-endian length, then the bytes; levels as
 * writeIntegers's) and gives each row's start (from `base`) and length,
 * unless a value has a byte under 0x21 or over 0x7f (a space, a control,
 * a byte beyond ASCII), checked eight bytes at a time: then -1.
 */
// biome-ignore format: one WebAssembly instruction (and its operands) per line
const CHECK_TEXT_BODY: number[] = [
  ...i32(0), ...set(CHECK_ROW),
  BLOCK, VOID,
  LOOP, VOID,
  ...get(CHECK_ROW), ...get(CHECK_ROWS), I32_GE_S, BR_IF, 1,
  ...isNullRow(CHECK_LEVELS, CHECK_ROW),
  IF, VOID,
  ...putAt(CHECK_LENGTHS, CHECK_ROW, i32(-1)),
  ELSE,
  ...get(PAGE), ...load(0), ...set(LENGTH_AT),
  ...add(PAGE, 4),
  ...putAt(CHECK_STARTS, CHECK_ROW, [...get(PAGE), ...get(PAGE_BASE), I32_SUB]),
  ...putAt(CHECK_LENGTHS, CHECK_ROW, get(LENGTH_AT)),
  ...get(PAGE), ...get(LENGTH_AT), I32_ADD, ...set(VALUE_END),
  // Whole words: a byte under 0x21 (SWAR) or over 0x7f (its high bit).
  BLOCK, VOID,
  LOOP, VOID,
  ...get(PAGE), ...i32(8), I32_ADD, ...get(VALUE_END), I32_GT_S, BR_IF, 1,
  ...get(PAGE), I64_LOAD, 0, 0, ...set(WORD),
  ...get(WORD), ...i64(0x2121212121212121n), I64_SUB,
  ...get(WORD), ...i64(-1), I64_XOR, I64_AND,
  ...get(WORD), I64_OR,
  ...i64(0x8080808080808080n), I64_AND,
  I64_EQZ, I32_EQZ,
  IF, VOID, ...i32(-1), RETURN, END,
  ...add(PAGE, 8),
  BR, 0,
  END,
  END,
  // The tail, byte by byte.
  BLOCK, VOID,
  LOOP, VOID,
  ...get(PAGE), ...get(VALUE_END), I32_GE_S, BR_IF, 1,
  ...get(PAGE), I32_LOAD8_U, 0, 0, ...set(TAIL),
  ...get(TAIL), ...i32(0x21), I32_LT_U,
  ...get(TAIL), ...i32(0x80), I32_GE_S,
  I32_OR,
  IF, VOID, ...i32(-1), RETURN, END,
  ...add(PAGE, 1),
  BR, 0,
  END,
  END,
  END,
  ...add(CHECK_ROW, 1),
  BR, 0,
  END,
  END,
  ...get(PAGE),
  END,
];

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
    ['writeRows', 9, [[WIDTH - HEADER_LENGTH, I32]], WRITE_ROWS_BODY],
    ['readHybrid', 3, [[BYTES - COUNT, I32]], READ_HYBRID_BODY],
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

export { ENTRY_BYTES, LineArena };
