// The body of the line writer's readHybrid (lineArena.ts assembles the
// module): RLE / bit-packed hybrid levels and dictionary indices, read in
// batches.

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
  I32_GT_U,
  I32_LOAD8_U,
  I32_LT_S,
  I32_LT_U,
  I32_MUL,
  I32_OR,
  I32_SHL,
  I32_SHR_U,
  I32_STORE,
  I32_SUB,
  I32_WRAP_I64,
  I64_EXTEND_I32_U,
  I64_LOAD,
  I64_SHR_U,
  IF,
  i32,
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

export { READ_HYBRID_BODY, READ_HYBRID_LOCALS };
