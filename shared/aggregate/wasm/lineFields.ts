// AssemblyScript: the line being read by the scanner (flowLogScannerCore.ts):
// the format's columns and roles, where each field of the split line lies,
// the integers and hashes read from its fields, and its number.

import {
  ABSENT,
  hashRange,
  keyHash,
  MAX_SAFE,
  otherDigits,
  shortDigits,
} from './bytes';
import { alloc } from './heap';
import { KIND_HASHED, KIND_INTEGER, KIND_KEY, ROLES } from './scannerLayout';

const DASH: i32 = 0x2d;

// The format.
export let columns: i32 = 0;
export let shape: i32 = 0;
export let kinds: usize = 0;
export let roles: usize = 0;
export let checkedColumns: usize = 0;
export let checkedCount: i32 = 0;
/** Columns to read, by kind: integers, then hashed and key columns. */
let integerColumns: usize = 0;
let integerCount: i32 = 0;
let hashedColumns: usize = 0;
let hashedCount: i32 = 0;

// The line.
/**
 * Where each field of the split line ends: bounds[c] is the offset of the
 * space (or line end) after column c, and bounds[-1] is one before the line.
 */
export let bounds: usize = 0;
export let values: usize = 0;
export let hashes: usize = 0;
/** Some integer column of the line holds no non-negative safe integer. */
export let hasBadInteger: bool = false;
export let lineNumber: i32 = 1;

/** The format's columns and shape (at init: the heap starts anew). */
export function configureFields(columnCount: i32, shapeFlags: i32): void {
  columns = columnCount;
  shape = shapeFlags;
  const n = <usize>(columnCount + 1);
  kinds = alloc(n);
  roles = alloc(ROLES * 4);
  for (let r = 0; r < ROLES; r++) store<i32>(roles + r * 4, columnCount);
  checkedColumns = alloc(n * 4);
  integerColumns = alloc(n * 4);
  hashedColumns = alloc(n * 4);
  // Room for bounds[-1] and the 16 fields a block may end past the last column.
  bounds = alloc((n + 17) * 4) + 4;
  values = alloc(n * 8);
  for (let c: i32 = 0; c <= columnCount; c++)
    store<f64>(values + c * 8, ABSENT);
  hashes = alloc(n * 4);
}

export function setColumn(column: i32, kind: i32, isChecked: bool): void {
  store<u8>(kinds + column, <u8>kind);
  if (kind === KIND_INTEGER) {
    store<i32>(integerColumns + integerCount * 4, column);
    integerCount++;
  } else if (kind === KIND_HASHED || kind === KIND_KEY) {
    store<i32>(hashedColumns + hashedCount * 4, column);
    hashedCount++;
  }
  if (isChecked) {
    store<i32>(checkedColumns + checkedCount * 4, column);
    checkedCount++;
  }
}

export function setRole(role: i32, column: i32): void {
  store<i32>(roles + role * 4, column);
}

export function getLineNumber(): i32 {
  return lineNumber;
}

export function setLineNumber(value: i32): void {
  lineNumber = value;
}

/** Past the line read: the next one's number. */
export function nextLine(): void {
  lineNumber++;
}

export function role(r: i32): i32 {
  return load<i32>(roles + r * 4);
}

export function startOf(column: i32): usize {
  return startIn(bounds, <usize>column);
}

export function endOf(column: i32): usize {
  return endIn(bounds, <usize>column);
}

/** Where a column starts, given the bounds (held in a local in loops). */
export function startIn(at: usize, column: usize): usize {
  return <usize>load<u32>(at + (column << 2) - 4) + 1;
}

export function endIn(at: usize, column: usize): usize {
  return <usize>load<u32>(at + (column << 2));
}

export function valueAt(column: i32): f64 {
  return load<f64>(values + column * 8);
}

/** True when the column is absent from the format or holds "-". */
export function isDash(column: i32): bool {
  if (column === columns) return true;
  const from = startOf(column);
  return endOf(column) - from === 1 && <i32>load<u8>(from) === DASH;
}

/**
 * Reads the integer columns (noting whether each holds a non-negative safe
 * integer or "-") and hashes the address and key columns of a split line.
 */
export function readFields(): void {
  let isBad = false;
  const at = bounds;
  const integers = integerColumns;
  const integersEnd = integers + <usize>integerCount * 4;
  const valuesAt = values;
  for (let k = integers; k < integersEnd; k += 4) {
    const column = <usize>load<i32>(k);
    const from = startIn(at, column);
    const to = endIn(at, column);
    const digits = shortDigits(from, to);
    let value = <f64>digits;
    if (digits < 0) {
      value = otherDigits(from, to);
      if (value < ABSENT || value > MAX_SAFE) isBad = true;
    }
    store<f64>(valuesAt + (column << 3), value);
  }
  hasBadInteger = isBad;
  const hashed = hashedColumns;
  const hashedEnd = hashed + <usize>hashedCount * 4;
  for (let k = hashed; k < hashedEnd; k += 4) {
    const column = <usize>load<i32>(k);
    const from = startIn(at, column);
    const to = endIn(at, column);
    store<u32>(
      hashes + (column << 2),
      <i32>load<u8>(kinds + column) === KIND_HASHED
        ? hashRange(from, to)
        : keyHash(from, to)
    );
  }
}
