// AssemblyScript: the bad records of the scanner (flowLogScannerCore.ts):
// a count per reason and the first samples, with their line numbers, for
// the host (../scannerStats.ts mirrors the layout).

import { alloc } from './heap';
import { endOf, lineNumber, startOf } from './lineFields';
import {
  B_A,
  B_B,
  B_COLUMN,
  B_LINE,
  B_REASON,
  B_SIZE,
  B_VALUE,
  B_VALUE_LENGTH,
  REASONS,
} from './scannerLayout';

let badCounts: usize = 0;
let samples: usize = 0;
let samplesLeft: i32 = 0;
let samplesWritten: i32 = 0;

/** Room for the counts and `sampleLimit` samples (at init). */
export function initBadRecords(sampleLimit: i32): void {
  badCounts = alloc(REASONS * 4);
  samples = alloc(<usize>max(sampleLimit, 1) * B_SIZE);
}

/** The bad records counted for a reason. */
export function badCount(reason: i32): i32 {
  return load<i32>(badCounts + reason * 4);
}

export function setSamplesLeft(value: i32): void {
  samplesLeft = value;
  samplesWritten = 0;
}

export function getSamplesWritten(): i32 {
  return samplesWritten;
}

export function samplesPointer(): usize {
  return samples;
}

/**
 * Counts a bad record of the line being read, and samples it while
 * samples are left: the column at fault (-1: the line) and two figures.
 */
export function bad(reason: i32, column: i32, a: f64, b: f64): void {
  const at = badCounts + reason * 4;
  store<i32>(at, load<i32>(at) + 1);
  if (samplesLeft <= 0) return;
  samplesLeft--;
  const s = samples + samplesWritten * B_SIZE;
  samplesWritten++;
  store<i32>(s + B_LINE, lineNumber);
  store<i32>(s + B_REASON, reason);
  store<i32>(s + B_COLUMN, column);
  store<u32>(s + B_VALUE, column >= 0 ? <u32>startOf(column) : 0);
  store<i32>(
    s + B_VALUE_LENGTH,
    column >= 0 ? <i32>(endOf(column) - startOf(column)) : 0
  );
  store<f64>(s + B_A, a);
  store<f64>(s + B_B, b);
}
