// The body of the line writer's writeRows (lineArena.ts assembles the
// module): a batch's rows, column by column, written as flow-log lines.

import { MAX_LINE_BYTES } from '../flowLogRules.js';
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
  I32_EQ,
  I32_EQZ,
  I32_GE_S,
  I32_GT_S,
  I32_LOAD8_U,
  I32_LT_S,
  I32_MUL,
  I32_NE,
  I32_SHL,
  I32_STORE,
  I32_STORE8,
  I32_SUB,
  I64_LOAD,
  I64_STORE,
  IF,
  i32,
  LOOP,
  load,
  set,
  TEE,
  VOID,
} from './wasmAssembly.js';

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
/** writeRows's locals past its nine parameters. */
const WRITE_ROWS_LOCALS = WIDTH - HEADER_LENGTH;

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

export { ENTRY_BYTES, WRITE_ROWS_BODY, WRITE_ROWS_LOCALS };
