// AssemblyScript (compiled to WebAssembly by `npm run build:wasm`).
//
// The hot path of `FlowLogScanner`: splits flow-log lines, validates them and
// accumulates per-ENI, per-window rollups and top-list sketches in linear
// memory, without an object or string per record. It follows, step for step,
// the typed reference path (`parseFlowLogLine` + `RecordRollup` with
// `RollupAccumulator` and `TopSketch`); the test suite holds both to the same
// output. Only raw memory is used (no managed objects): a bump allocator
// hands out zeroed memory that lives as long as the instance (one per input):
// heap.ts. This file splits the lines; its helpers: lineFields.ts (the
// format and the fields of the line), recordLine.ts (a line's checks and
// record), badRecords.ts (counts and samples), bytes.ts (hashes,
// digits, enumerations), itemTables.ts (ENIs and windows), windowCounters.ts
// with prorate.ts (the counters, prorated), topListKeys.ts and
// topListUpdates.ts with sketch.ts and addresses.ts (the top lists),
// scannerLayout.ts and windowLayout.ts (what the host mirrors), and for the
// read-out rankTalkers.ts and rankRejected.ts (the top lists ranked) and
// rollupJson.ts (the rollups as JSON lines).
//
// Layouts (byte offsets) are mirrored in ../configureScanner.ts,
// ../scannerStats.ts, ../windowReader.ts and ../rollupJsonLines.ts.

import { initAddresses } from './addresses';
import { bad, badCount, initBadRecords } from './badRecords';
import { equalBytes, keyHash } from './bytes';
import {
  alloc,
  heapUsed,
  reserveBelowHeap,
  restartRollups,
  startHeap,
} from './heap';
import { lookupEni, startTables } from './itemTables';
import {
  bounds,
  columns,
  configureFields,
  lineNumber,
  nextLine,
  readFields,
} from './lineFields';
import { initProrate } from './prorate';
import { initRejectedRanking } from './rankRejected';
import { initRanking } from './rankTalkers';
import {
  check,
  nodataRecords,
  records,
  setDefaultEniItem,
  skipdataRecords,
} from './recordLine';
import { BAD_FIELD_COUNT, BAD_LINE_TOO_LONG } from './scannerLayout';
import { applyBatch, initUpdates } from './topListUpdates';
import { initCounters } from './windowCounters';

// The host also calls these: the format's columns and roles, the samples,
// and the read-out of the items (see ../windowReader.ts).
export {
  getSamplesWritten,
  samplesPointer,
  setSamplesLeft,
} from './badRecords';
export { eniAt, getWindowCount, windowAt } from './itemTables';
export { getLineNumber, setColumn, setLineNumber, setRole } from './lineFields';
export { rankRejected, rejectedResult } from './rankRejected';
export { rankingResult, rankTalkers } from './rankTalkers';
export { beginJson, jsonLength, jsonOut, writeJson } from './rollupJson';

const SPACE: i32 = 0x20;
const NEWLINE: i32 = 0x0a;
const SEPARATORS: v128 = i8x16.splat(0x20);
const RETURN: i32 = 0x0d;
const MAX_LINE_BYTES: i32 = 65536;

const INPUT_BYTES: i32 = 512 * 1024 + MAX_LINE_BYTES + 16;

// Configuration.
let header: usize = 0;
let headerLength: i32 = 0;
let input: usize = 0;

// Parts (see setPartLines).
/** Lines numbered below this are skipped: a part ingested before. */
let skipBelow: i32 = 0;
/** The scan stops before the line of this number (a part's end); -1: none. */
let stopAt: i32 = -1;
let defaultEniKey: usize = 0;
let defaultEniLength: i32 = 0;

// Statistics.
let lines: i32 = 0;

export function init(
  columnCount: i32,
  prorate: bool,
  shapeFlags: i32,
  sampleLimit: i32
): void {
  startHeap();
  configureFields(columnCount, shapeFlags);
  initBadRecords(sampleLimit);
  initCounters(prorate);
  initProrate();
  initAddresses();
  initUpdates();
  initRanking();
  initRejectedRanking();
  input = alloc(INPUT_BYTES);
  skipBelow = 0;
  stopAt = -1;
  defaultEniLength = 0;
}

/**
 * Starts (after the configuration) or starts again (after a part's
 * rollups were read) with no ENI and no window: what the last part held
 * is zeroed and its memory serves the next. Line numbers and statistics
 * go on counting.
 */
export function beginRollups(): void {
  restartRollups();
  startTables();
  setDefaultEniItem(
    defaultEniLength > 0
      ? lookupEni(
          defaultEniKey,
          defaultEniKey + defaultEniLength,
          keyHash(defaultEniKey, defaultEniKey + defaultEniLength)
        )
      : 0
  );
}

/**
 * The lines of the part to roll up: those numbered below `skipUntil` are
 * skipped (a part ingested before), and the scan stops before line
 * `stopBefore` (-1: at the end of the input).
 */
export function setPartLines(skipUntil: i32, stopBefore: i32): void {
  skipBelow = skipUntil;
  stopAt = stopBefore;
}

/** The header is in the input buffer: keep a copy. */
export function setHeader(length: i32): void {
  header = alloc(length + 1);
  memory.copy(header, input, length);
  headerLength = length;
}

/** The default ENI id is in the input buffer: kept for every part. */
export function setDefaultEni(length: i32): void {
  defaultEniKey = alloc(length);
  memory.copy(defaultEniKey, input, length);
  defaultEniLength = length;
}

/**
 * Reserves `bytes` for text the host writes into this (shared) memory and
 * scans in place; called before init. Returns their offset.
 */
export function reserveRing(bytes: i32): usize {
  return reserveBelowHeap(<usize>bytes);
}

export function inputPointer(): usize {
  return input;
}

export function inputCapacity(): i32 {
  return INPUT_BYTES;
}

export function statistic(which: i32): i32 {
  if (which === 0) return lines;
  if (which === 1) return records;
  if (which === 2) return nodataRecords;
  if (which === 3) return skipdataRecords;
  return badCount(which - 4);
}

// Reading ------------------------------------------------------------------

/** Bit k set when byte block + k is a space. */
function spaces(bytes: v128): i32 {
  return i8x16.bitmask(i8x16.eq(bytes, SEPARATORS));
}

/** Bit k set when byte block + k is a control byte (< 0x20: \n, \r, \t...). */
function stops(bytes: v128): i32 {
  return i8x16.bitmask(i8x16.lt_u(bytes, SEPARATORS));
}

// Lines ---------------------------------------------------------------------

/**
 * Scans the whole lines of [from, from + length) (the input buffer, or text
 * in a reserved ring); returns how many bytes they took (the start of the
 * unfinished last line). The 16 bytes after the text must be readable.
 */
export function scan(from: usize, length: i32): i32 {
  const end = from + length;
  let last = end;
  while (last > from) {
    last--;
    if (<i32>load<u8>(last) === NEWLINE) break;
  }
  if (length === 0 || <i32>load<u8>(last) !== NEWLINE) return 0;
  let lineStart = from;
  while (lineStart <= last) {
    if (lineNumber === stopAt) break;
    lineStart =
      lineNumber < skipBelow ? skipLine(lineStart) : fastLine(lineStart, end);
    nextLine();
  }
  applyBatch();
  return <i32>(lineStart - from);
}

/** Past a line of a part already ingested: numbered, not read. */
function skipLine(lineStart: usize): usize {
  let at = lineStart;
  while (<i32>load<u8>(at) !== NEWLINE) at++;
  return at + 1;
}

function afterHeader(at: usize, bufferEnd: usize): usize {
  const end = at + headerLength;
  if (end >= bufferEnd || !equalBytes(at, header, headerLength)) return 0;
  if (<i32>load<u8>(end) === NEWLINE) return end + 1;
  return <i32>load<u8>(end) === RETURN && <i32>load<u8>(end + 1) === NEWLINE
    ? end + 2
    : 0;
}

function fastLine(lineStart: usize, bufferEnd: usize): usize {
  if (headerLength > 0 && load<u8>(lineStart) === load<u8>(header)) {
    const next = afterHeader(lineStart, bufferEnd);
    if (next > 0) return next;
  }
  // Split only, a 16-byte block at a time: each field ends at a space and
  // the next starts one byte later; the line's fields end at its first
  // control byte. Values are read once the field count is right.
  // Globals in locals: the loop stores to memory, which may not alias them,
  // but the compilers reload them unless told.
  const at = bounds;
  const columnCount = columns;
  store<u32>(at - 4, <u32>(lineStart - 1));
  let column: i32 = 0;
  let block = lineStart;
  let i: usize = 0;
  while (true) {
    const bytes = v128.load(block);
    const stop = stops(bytes);
    let space = spaces(bytes);
    if (stop !== 0) space &= (stop & -stop) - 1;
    while (space !== 0) {
      store<u32>(at + ((<usize>column) << 2), <u32>(block + ctz<i32>(space)));
      space &= space - 1;
      column++;
    }
    if (column >= columnCount) return slowLine(lineStart);
    if (stop !== 0) {
      i = block + <usize>ctz<i32>(stop);
      break;
    }
    block += 16;
  }
  store<u32>(at + ((<usize>column) << 2), <u32>i);
  column++;
  const c = <i32>load<u8>(i);
  const newline = c === RETURN ? i + 1 : i;
  if (
    <i32>load<u8>(newline) !== NEWLINE ||
    i === lineStart ||
    <i32>(newline - lineStart) > MAX_LINE_BYTES
  ) {
    return slowLine(lineStart);
  }
  lines++;
  if (column !== columns) {
    bad(BAD_FIELD_COUNT, -1, <f64>column, 0);
  } else {
    readFields();
    check();
  }
  return newline + 1;
}

function slowLine(lineStart: usize): usize {
  let newline = lineStart;
  while (<i32>load<u8>(newline) !== NEWLINE) newline++;
  if (<i32>(newline - lineStart) > MAX_LINE_BYTES) {
    lines++;
    bad(BAD_LINE_TOO_LONG, -1, 0, 0);
    return newline + 1;
  }
  let end = newline;
  if (end > lineStart && <i32>load<u8>(end - 1) === RETURN) end--;
  if (end === lineStart) return newline + 1;
  let count: i32 = 0;
  store<u32>(bounds - 4, <u32>(lineStart - 1));
  for (let i = lineStart; i <= end; i++) {
    if (i === end || <i32>load<u8>(i) === SPACE) {
      if (count < columns) store<u32>(bounds + count * 4, <u32>i);
      count++;
    }
  }
  lines++;
  if (count !== columns) {
    bad(BAD_FIELD_COUNT, -1, <f64>count, 0);
  } else {
    readFields();
    check();
  }
  return newline + 1;
}

/** Bytes of the heap in use (past the ring): what this input's rollups hold. */
export function heapBytes(): usize {
  return heapUsed();
}
