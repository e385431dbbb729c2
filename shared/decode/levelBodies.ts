// The bodies of the line writer's level helpers (lineArena.ts assembles
// the module): the sum of a batch's definition levels (sumInts) and its
// dictionary indices spread over the rows they mark present (spread).

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
  I32_STORE,
  IF,
  i32,
  LOOP,
  load,
  set,
  VOID,
} from './wasmAssembly.js';

/** sumInts(at, count) -> the sum of `count` 32-bit integers from `at`. */
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

/**
 * spread(levels, values, out, rows) -> 0: out[r] = the next of `values`
 * where levels[r] is not 0, else -1 (a row's entry, or null).
 */
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

export { SPREAD_BODY, SUM_INTS_BODY };
