// AssemblyScript: the scanner's items (flowLogScannerCore.ts): ENIs by id,
// and (ENI, window) structs (windowLayout.ts) by ENI and window start, in
// open-addressing hash tables, with lists in the order they came (what the
// host reads out). Every lookup that finds nothing adds.

import { equalBytes } from './bytes';
import { alloc, allocHot, WINDOW_ARENA } from './heap';
import { quotient, WINDOW_SECONDS } from './prorate';
import { initSketch } from './sketch';
import {
  W_ENI,
  W_IDS,
  W_REJECTED_FLOW_SKETCH,
  W_REJECTED_PORT_SKETCH,
  W_REJECTED_SKETCH,
  W_SIZE,
  W_START,
  W_TALKER_SKETCH,
} from './windowLayout';

// ENI struct.
const E_HASH = 0;
export const E_KEY = 4;
export const E_LENGTH = 8;
const E_INDEX = 12;
// The ENI's windows last looked up, by window number mod CACHED_WINDOWS
// (records of a file cover a few consecutive windows): 16-byte slots of the
// window start (f64, -1 = none) and the window pointer.
const CACHED_WINDOWS = 4;
const E_WINDOWS = 16;
const E_SIZE = E_WINDOWS + CACHED_WINDOWS * 16;

// ENIs and windows.
let eniTable: usize = 0;
let eniTableSize: i32 = 0;
let eniList: usize = 0;
let eniCount: i32 = 0;
let eniListCapacity: i32 = 0;
let windowTable: usize = 0;
let windowTableSize: i32 = 0;
let windowList: usize = 0;
let windowCount: i32 = 0;
let windowListCapacity: i32 = 0;

/** Starts with no ENI and no window (each part's rollups begin so). */
export function startTables(): void {
  eniCount = 0;
  windowCount = 0;
  eniTableSize = 256;
  eniTable = alloc(eniTableSize * 4);
  eniListCapacity = 64;
  eniList = alloc(eniListCapacity * 4);
  windowTableSize = 1024;
  windowTable = alloc(windowTableSize * 4);
  windowListCapacity = 256;
  windowList = alloc(windowListCapacity * 4);
}

export function getWindowCount(): i32 {
  return windowCount;
}

export function windowAt(index: i32): usize {
  return load<u32>(windowList + index * 4);
}

export function eniAt(index: i32): usize {
  return load<u32>(eniList + index * 4);
}

export function lookupEni(from: usize, to: usize, hash: u32): usize {
  const length = <i32>(to - from);
  const mask = eniTableSize - 1;
  let at = <i32>hash & mask;
  while (true) {
    const eni = <usize>load<u32>(eniTable + at * 4);
    if (eni === 0) break;
    if (
      load<u32>(eni + E_HASH) === hash &&
      load<i32>(eni + E_LENGTH) === length &&
      equalBytes(from, load<u32>(eni + E_KEY), length)
    ) {
      return eni;
    }
    at = (at + 1) & mask;
  }
  // The key follows the struct (most ENI ids end in its second cache line).
  const eni = allocHot(WINDOW_ARENA, <usize>(E_SIZE + length));
  const key = eni + E_SIZE;
  memory.copy(key, from, length);
  store<u32>(eni + E_HASH, hash);
  store<u32>(eni + E_KEY, <u32>key);
  store<i32>(eni + E_LENGTH, length);
  store<i32>(eni + E_INDEX, eniCount);
  for (let k = 0; k < CACHED_WINDOWS; k++) {
    store<f64>(eni + E_WINDOWS + k * 16, -1);
  }
  store<u32>(eniTable + at * 4, <u32>eni);
  if (eniCount === eniListCapacity) {
    const bigger = alloc(eniListCapacity * 8);
    memory.copy(bigger, eniList, eniListCapacity * 4);
    eniList = bigger;
    eniListCapacity *= 2;
  }
  store<u32>(eniList + eniCount * 4, <u32>eni);
  eniCount++;
  if (eniCount * 2 > eniTableSize) growEniTable();
  return eni;
}

function growEniTable(): void {
  eniTableSize *= 2;
  eniTable = alloc(eniTableSize * 4);
  const mask = eniTableSize - 1;
  for (let k: i32 = 0; k < eniCount; k++) {
    const eni = load<u32>(eniList + k * 4);
    let at = <i32>load<u32>(eni + E_HASH) & mask;
    while (load<u32>(eniTable + at * 4) !== 0) at = (at + 1) & mask;
    store<u32>(eniTable + at * 4, eni);
  }
}

/** The number of the window starting at `windowStart` (wrapping at 2^32). */
function windowNumber(windowStart: f64): u32 {
  return windowStart < 4294967296
    ? <u32>windowStart / 300
    : <u32>(<i64>quotient(windowStart, WINDOW_SECONDS));
}

function windowHash(eniIndex: i32, number: u32): i32 {
  return <i32>((number * 0x9e3779b1) ^ (<u32>eniIndex * 0x85ebca6b));
}

export function windowOf(eni: usize, windowStart: f64): usize {
  const number = windowNumber(windowStart);
  const slot = eni + E_WINDOWS + ((<usize>number & (CACHED_WINDOWS - 1)) << 4);
  if (load<f64>(slot) === windowStart) return load<u32>(slot + 8);
  const eniIndex = load<i32>(eni + E_INDEX);
  const mask = windowTableSize - 1;
  let at = windowHash(eniIndex, number) & mask;
  let window: usize = 0;
  while (true) {
    const found = <usize>load<u32>(windowTable + at * 4);
    if (found === 0) break;
    if (
      load<i32>(found + W_ENI) === eniIndex &&
      load<f64>(found + W_START) === windowStart
    ) {
      window = found;
      break;
    }
    at = (at + 1) & mask;
  }
  if (window === 0) {
    window = allocHot(WINDOW_ARENA, W_SIZE);
    store<f64>(window + W_START, windowStart);
    store<i32>(window + W_ENI, eniIndex);
    initSketch(window + W_TALKER_SKETCH);
    initSketch(window + W_REJECTED_SKETCH);
    initSketch(window + W_REJECTED_FLOW_SKETCH);
    initSketch(window + W_REJECTED_PORT_SKETCH);
    for (let k = 0; k < 4; k++) store<i32>(window + W_IDS + k * 8 + 4, -1);
    store<u32>(windowTable + at * 4, <u32>window);
    if (windowCount === windowListCapacity) {
      const bigger = alloc(windowListCapacity * 8);
      memory.copy(bigger, windowList, windowListCapacity * 4);
      windowList = bigger;
      windowListCapacity *= 2;
    }
    store<u32>(windowList + windowCount * 4, <u32>window);
    windowCount++;
    if (windowCount * 2 > windowTableSize) growWindowTable();
  }
  store<f64>(slot, windowStart);
  store<u32>(slot + 8, <u32>window);
  return window;
}

function growWindowTable(): void {
  windowTableSize *= 2;
  windowTable = alloc(windowTableSize * 4);
  const mask = windowTableSize - 1;
  for (let k: i32 = 0; k < windowCount; k++) {
    const window = load<u32>(windowList + k * 4);
    let at =
      windowHash(
        load<i32>(window + W_ENI),
        windowNumber(load<f64>(window + W_START))
      ) & mask;
    while (load<u32>(windowTable + at * 4) !== 0) at = (at + 1) & mask;
    store<u32>(windowTable + at * 4, window);
  }
}
