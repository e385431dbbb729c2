// The bodies of the line writer's Parquet value decoders (lineArena.ts
// assembles the module): PLAIN INT32 / INT64 and BYTE_ARRAY values read
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
  I32_EQZ,
  I32_GE_S,
  I32_GT_S,
  I32_LOAD8_U,
  I32_LT_U,
  I32_OR,
  I32_SHL,
  I32_STORE,
  I32_STORE8,
  I32_SUB,
  I32_WRAP,
  I64_AND,
  I64_DIV_U,
  I64_EQZ,
  I64_LOAD,
  I64_LOAD32_S,
  I64_LT_S,
  I64_MUL,
  I64_OR,
  I64_SUB,
  I64_XOR,
  IF,
  i32,
  i64,
  LOOP,
  load,
  RETURN,
  set,
  VOID,
} from './wasmAssembly.js';

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

export { CHECK_TEXT_BODY, WRITE_INTEGERS_BODY };
