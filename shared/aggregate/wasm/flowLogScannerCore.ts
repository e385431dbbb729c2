// AssemblyScript (compiled to WebAssembly by `npm run build:wasm`).
//
// The hot path of `FlowLogScanner`: splits flow-log lines, validates them and
// accumulates per-ENI, per-window rollups and top-list sketches in linear
// memory, without an object or string per record. It follows, step for step,
// the typed reference path (`parseFlowLogLine` + `RecordRollup` with
// `RollupAccumulator` and `TopSketch`); the test suite holds both to the same
// output. Only raw memory is used (no managed objects): a bump allocator
// hands out zeroed memory that lives as long as the instance (one per input):
// heap.ts. This file reads lines and records; its helpers: bytes.ts (hashes,
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
import {
  ABSENT,
  ACTION_NONE,
  ACTION_REJECT,
  DIRECTION_EGRESS,
  DIRECTION_UNKNOWN,
  equalBytes,
  hashRange,
  keyHash,
  matchAction,
  matchDirection,
  matchStatus,
  otherDigits,
  STATUS_NODATA,
  STATUS_OK,
  STATUS_SKIPDATA,
  shortDigits,
} from './bytes';
import {
  alloc,
  heapUsed,
  reserveBelowHeap,
  restartRollups,
  startHeap,
} from './heap';
import { lookupEni, startTables, windowOf } from './itemTables';
import { initProrate, windowStartOf } from './prorate';
import { initRejectedRanking } from './rankRejected';
import { initRanking } from './rankTalkers';
import {
  B_A,
  B_B,
  B_COLUMN,
  B_LINE,
  B_REASON,
  B_SIZE,
  B_VALUE,
  B_VALUE_LENGTH,
  BAD_ACTION,
  BAD_END_BEFORE_START,
  BAD_FIELD_COUNT,
  BAD_INTEGER,
  BAD_LINE_TOO_LONG,
  BAD_LOG_STATUS,
  BAD_MISSING_ENI,
  BAD_MISSING_TIME,
  BAD_SPAN,
  HAS_ACCOUNT,
  HAS_INSTANCE,
  HAS_REJECTED,
  HAS_SUBNET,
  HAS_TALKERS,
  HAS_VPC,
  KIND_HASHED,
  KIND_INTEGER,
  KIND_KEY,
  R_ACCOUNT,
  R_ACTION,
  R_BYTES,
  R_DIRECTION,
  R_DST,
  R_DSTPORT,
  R_END,
  R_ENI,
  R_INSTANCE,
  R_PACKETS,
  R_PROTOCOL,
  R_RESOURCE,
  R_SRC,
  R_SRCPORT,
  R_START,
  R_STATUS,
  R_SUBNET,
  R_TCPFLAGS,
  R_VPC,
  REASONS,
  ROLES,
} from './scannerLayout';
import {
  rejectedFlowHash,
  rejectedFlowTail,
  rejectedPortHash,
  talkerHash,
  talkerTail,
} from './topListKeys';
import {
  applyBatch,
  commitUpdate,
  initUpdates,
  nextUpdate,
  U_BYTES,
  U_DST_FROM,
  U_DST_TO,
  U_FLOW_HASH,
  U_FLOW_TAIL,
  U_IS_REJECTED,
  U_IS_TALKER,
  U_PACKETS,
  U_PORT_HASH,
  U_SRC_FROM,
  U_SRC_HASH,
  U_SRC_TO,
  U_TAIL,
  U_TALKER,
  U_WINDOW,
} from './topListUpdates';
import { addRecord, initCounters } from './windowCounters';
import { W_IDS } from './windowLayout';

// The host reads the items through these (see ../windowReader.ts).
export { eniAt, getWindowCount, windowAt } from './itemTables';
export { rankRejected, rejectedResult } from './rankRejected';
export { rankingResult, rankTalkers } from './rankTalkers';
export { beginJson, jsonLength, jsonOut, writeJson } from './rollupJson';

const SPACE: i32 = 0x20;
const NEWLINE: i32 = 0x0a;
const DASH: i32 = 0x2d;
const SEPARATORS: v128 = i8x16.splat(0x20);
const RETURN: i32 = 0x0d;
const MAX_SAFE: f64 = 9007199254740991;
const MILLISECONDS_FROM: f64 = 1e12;
const MAX_RECORD_SECONDS: f64 = 86400;
const MAX_LINE_BYTES: i32 = 65536;

const INPUT_BYTES: i32 = 512 * 1024 + MAX_LINE_BYTES + 16;

// Configuration and per-line scratch.
let columns: i32 = 0;
let shape: i32 = 0;
let kinds: usize = 0;
let roles: usize = 0;
let checkedColumns: usize = 0;
/** Columns to read, by kind: integers, then hashed and key columns. */
let integerColumns: usize = 0;
let integerCount: i32 = 0;
let hashedColumns: usize = 0;
let hashedCount: i32 = 0;
let checkedCount: i32 = 0;
/**
 * Where each field of the split line ends: bounds[c] is the offset of the
 * space (or line end) after column c, and bounds[-1] is one before the line.
 */
let bounds: usize = 0;
let values: usize = 0;
let hashes: usize = 0;
let header: usize = 0;
let headerLength: i32 = 0;
let defaultEni: usize = 0;
let input: usize = 0;

// Record facts.
/** Some integer column of the line holds no non-negative safe integer. */
let hasBadInteger: bool = false;
let fPackets: f64 = 0;
let fBytes: f64 = 0;
let fAction: i32 = 0;
let fStatus: i32 = 0;
let fProtocol: f64 = -1;
let fTcpFlags: f64 = -1;
let fDirection: i32 = 0;
let fSrcport: f64 = -1;
let fDstport: f64 = -1;

// Parts (see setPartLines).
/** Lines numbered below this are skipped: a part ingested before. */
let skipBelow: i32 = 0;
/** The scan stops before the line of this number (a part's end); -1: none. */
let stopAt: i32 = -1;
let defaultEniKey: usize = 0;
let defaultEniLength: i32 = 0;

// Statistics.
let lineNumber: i32 = 1;
let lines: i32 = 0;
let records: i32 = 0;
let nodataRecords: i32 = 0;
let skipdataRecords: i32 = 0;
let badCounts: usize = 0;
let samples: usize = 0;
let samplesLeft: i32 = 0;
let samplesWritten: i32 = 0;

export function init(
  columnCount: i32,
  prorate: bool,
  shapeFlags: i32,
  sampleLimit: i32
): void {
  startHeap();
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
  badCounts = alloc(REASONS * 4);
  samples = alloc(<usize>max(sampleLimit, 1) * B_SIZE);
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
  defaultEni =
    defaultEniLength > 0
      ? lookupEni(
          defaultEniKey,
          defaultEniKey + defaultEniLength,
          keyHash(defaultEniKey, defaultEniKey + defaultEniLength)
        )
      : 0;
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

export function getLineNumber(): i32 {
  return lineNumber;
}

export function setLineNumber(value: i32): void {
  lineNumber = value;
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

export function statistic(which: i32): i32 {
  if (which === 0) return lines;
  if (which === 1) return records;
  if (which === 2) return nodataRecords;
  if (which === 3) return skipdataRecords;
  return load<i32>(badCounts + (which - 4) * 4);
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

function role(r: i32): i32 {
  return load<i32>(roles + r * 4);
}

function startOf(column: i32): usize {
  return startIn(bounds, <usize>column);
}

function endOf(column: i32): usize {
  return endIn(bounds, <usize>column);
}

/** Where a column starts, given the bounds (held in a local in loops). */
function startIn(at: usize, column: usize): usize {
  return <usize>load<u32>(at + (column << 2) - 4) + 1;
}

function endIn(at: usize, column: usize): usize {
  return <usize>load<u32>(at + (column << 2));
}

function valueAt(column: i32): f64 {
  return load<f64>(values + column * 8);
}

/** True when the column is absent from the format or holds "-". */
function isDash(column: i32): bool {
  if (column === columns) return true;
  const from = startOf(column);
  return endOf(column) - from === 1 && <i32>load<u8>(from) === DASH;
}

// Bad records ---------------------------------------------------------------

function bad(reason: i32, column: i32, a: f64, b: f64): void {
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
    lineNumber++;
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

/**
 * Reads the integer columns (noting whether each holds a non-negative safe
 * integer or "-") and hashes the address and key columns of a split line.
 */
function readFields(): void {
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

function check(): void {
  let isValid = !hasBadInteger;
  fAction = ACTION_NONE;
  fStatus = STATUS_OK;
  fDirection = DIRECTION_UNKNOWN;
  const cAction = role(R_ACTION);
  const cStatus = role(R_STATUS);
  const cDirection = role(R_DIRECTION);
  if (!isDash(cAction)) {
    fAction = matchAction(startOf(cAction), endOf(cAction));
    if (fAction < 0) isValid = false;
  }
  if (!isDash(cStatus)) {
    fStatus = matchStatus(startOf(cStatus), endOf(cStatus));
    if (fStatus < 0) isValid = false;
  }
  if (!isDash(cDirection)) {
    fDirection = matchDirection(startOf(cDirection), endOf(cDirection));
  }
  if (!isValid) {
    firstProblem(cAction, cStatus);
    return;
  }
  const cStart = role(R_START);
  const cEnd = role(R_END);
  if (valueAt(cStart) >= MILLISECONDS_FROM) {
    store<f64>(values + cStart * 8, Math.floor(valueAt(cStart) / 1000));
  }
  if (valueAt(cEnd) >= MILLISECONDS_FROM) {
    store<f64>(values + cEnd * 8, Math.floor(valueAt(cEnd) / 1000));
  }
  const start = valueAt(cStart);
  const end = valueAt(cEnd);
  if (start !== ABSENT && end !== ABSENT && end < start) {
    bad(BAD_END_BEFORE_START, -1, start, end);
    return;
  }
  record();
}

function firstProblem(cAction: i32, cStatus: i32): void {
  for (let k: i32 = 0; k < checkedCount; k++) {
    const column = load<i32>(checkedColumns + k * 4);
    if (<i32>load<u8>(kinds + column) === KIND_INTEGER) {
      const value = valueAt(column);
      if (value < ABSENT || value > MAX_SAFE) {
        bad(BAD_INTEGER, column, 0, 0);
        return;
      }
    } else if (!isDash(column)) {
      if (
        column === cAction &&
        matchAction(startOf(column), endOf(column)) < 0
      ) {
        bad(BAD_ACTION, column, 0, 0);
        return;
      }
      if (
        column === cStatus &&
        matchStatus(startOf(column), endOf(column)) < 0
      ) {
        bad(BAD_LOG_STATUS, column, 0, 0);
        return;
      }
    }
  }
  unreachable();
}

// Records -------------------------------------------------------------------

function record(): void {
  let eni = defaultEni;
  const cEni = role(R_ENI);
  const cResource = role(R_RESOURCE);
  const keyColumn = !isDash(cEni) ? cEni : !isDash(cResource) ? cResource : -1;
  if (keyColumn >= 0) {
    eni = lookupEni(
      startOf(keyColumn),
      endOf(keyColumn),
      load<u32>(hashes + keyColumn * 4)
    );
  }
  if (eni === 0) {
    bad(BAD_MISSING_ENI, -1, 0, 0);
    return;
  }
  const start = valueAt(role(R_START));
  const end = valueAt(role(R_END));
  if (start === ABSENT || end === ABSENT) {
    bad(BAD_MISSING_TIME, -1, 0, 0);
    return;
  }
  if (end - start + 1 > MAX_RECORD_SECONDS) {
    bad(BAD_SPAN, -1, end - start + 1, 0);
    return;
  }
  records++;
  if (fStatus === STATUS_NODATA) nodataRecords++;
  else if (fStatus === STATUS_SKIPDATA) skipdataRecords++;
  const packets = valueAt(role(R_PACKETS));
  const bytes = valueAt(role(R_BYTES));
  fPackets = Math.max(packets, 0);
  fBytes = Math.max(bytes, 0);
  fProtocol = valueAt(role(R_PROTOCOL));
  fTcpFlags = valueAt(role(R_TCPFLAGS));
  fSrcport = valueAt(role(R_SRCPORT));
  fDstport = valueAt(role(R_DSTPORT));
  const window = windowOf(eni, windowStartOf(start));
  addRecord(
    eni,
    window,
    fStatus,
    fAction,
    fTcpFlags === 2,
    start,
    end,
    fPackets,
    fBytes,
    fDirection,
    fProtocol
  );
  if ((shape & HAS_ACCOUNT) !== 0) setId(window, 0, role(R_ACCOUNT));
  if ((shape & HAS_VPC) !== 0) setId(window, 1, role(R_VPC));
  if ((shape & HAS_SUBNET) !== 0) setId(window, 2, role(R_SUBNET));
  if ((shape & HAS_INSTANCE) !== 0) setId(window, 3, role(R_INSTANCE));
  if (fStatus !== STATUS_OK) return;
  const isTalker = (shape & HAS_TALKERS) !== 0;
  const isRejected =
    (shape & HAS_REJECTED) !== 0 &&
    fAction === ACTION_REJECT &&
    fDirection !== DIRECTION_EGRESS;
  if (!isTalker && !isRejected) return;
  const cSrc = role(R_SRC);
  const cDst = role(R_DST);
  const srcHash = load<u32>(hashes + cSrc * 4);
  const u = nextUpdate();
  store<u32>(u + U_WINDOW, <u32>window);
  store<u32>(u + U_IS_TALKER, isTalker ? 1 : 0);
  store<u32>(u + U_IS_REJECTED, isRejected ? 1 : 0);
  store<u32>(u + U_SRC_HASH, srcHash);
  store<u32>(u + U_SRC_FROM, <u32>startOf(cSrc));
  store<u32>(u + U_SRC_TO, <u32>endOf(cSrc));
  store<f64>(u + U_PACKETS, fPackets);
  store<f64>(u + U_BYTES, fBytes);
  if (isRejected) {
    store<u32>(u + U_FLOW_HASH, rejectedFlowHash(srcHash, fDstport, fProtocol));
    store<u32>(u + U_PORT_HASH, rejectedPortHash(fDstport, fProtocol));
    store<u64>(u + U_FLOW_TAIL, rejectedFlowTail(fDstport, fProtocol));
  }
  if (isTalker) {
    store<u32>(
      u + U_TALKER,
      talkerHash(
        srcHash,
        load<u32>(hashes + cDst * 4),
        fSrcport,
        fDstport,
        fDirection,
        fProtocol
      )
    );
    store<u32>(u + U_DST_FROM, <u32>startOf(cDst));
    store<u32>(u + U_DST_TO, <u32>endOf(cDst));
    store<u64>(
      u + U_TAIL,
      talkerTail(fSrcport, fDstport, fDirection, fProtocol)
    );
  }
  commitUpdate();
}

/** The first non-absent value of an id is kept, as the typed path does. */
function setId(window: usize, which: i32, column: i32): void {
  const at = window + W_IDS + which * 8;
  if (load<i32>(at + 4) >= 0 || isDash(column)) return;
  const from = startOf(column);
  const length = <i32>(endOf(column) - from);
  const copy = alloc(length);
  memory.copy(copy, from, length);
  store<u32>(at, <u32>copy);
  store<i32>(at + 4, length);
}

/** Bytes of the heap in use (past the ring): what this input's rollups hold. */
export function heapBytes(): usize {
  return heapUsed();
}
