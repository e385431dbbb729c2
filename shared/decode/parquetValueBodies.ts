// The bodies of the line writer's Parquet value decoders (lineArena.ts
// assembles the module): RLE / bit-packed hybrid levels (readHybrid), their
// sum and spread, and PLAIN INT32 / INT64 and BYTE_ARRAY values read
// straight into text (writeIntegers, checkText).

import {
  add,
  BLOCK,
  BR,
  BR_IF,
  ELSE,
  END,
  get,
  I32_ADD,
  I32_AND,
  I32_EQZ,
  I32_GE_S,
  I32_GT_S,
  I32_GT_U,
  I32_LOAD8_U,
  I32_LT_S,
  I32_LT_U,
  I32_MUL,
  I32_OR,
  I32_SHL,
  I32_SHR_U,
  I32_STORE,
  I32_STORE8,
  I32_SUB,
  I32_WRAP,
  I32_WRAP_I64,
  I64_AND,
  I64_DIV_U,
  I64_EQZ,
  I64_EXTEND_I32_U,
  I64_LOAD,
  I64_LOAD32_S,
  I64_LT_S,
  I64_MUL,
  I64_OR,
  I64_SHR_U,
  I64_SUB,
  I64_XOR,
  IF,
  i32,
  i64,
  LOOP,
  load,
  RETURN,
  SELECT,
  set,
  uleb,
  VOID,
} from './wasmAssembly.js';

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
/** readHybrid's locals past its three parameters. */
const READ_HYBRID_LOCALS = BYTES - COUNT;

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

export {
  CHECK_TEXT_BODY,
  READ_HYBRID_BODY,
  READ_HYBRID_LOCALS,
  SPREAD_BODY,
  SUM_INTS_BODY,
  WRITE_INTEGERS_BODY,
};
