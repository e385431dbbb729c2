// AssemblyScript (compiled to WebAssembly by `npm run build:wasm`).
//
// The hot path of `FlowLogScanner`: splits flow-log lines, validates them and
// accumulates per-ENI, per-window rollups and top-list sketches in linear
// memory, without an object or string per record. It follows, step for step,
// the typed reference path (`parseFlowLogLine` + `RecordRollup` with
// `RollupAccumulator` and `TopSketch`); the test suite holds both to the same
// output. Only raw memory is used (no managed objects): a bump allocator
// hands out zeroed memory that lives as long as the instance (one per input):
// heap.ts; the top-list sketches are sketch.ts.
//
// Layouts (byte offsets) are mirrored in ../flowLogScanner.ts.

import {
  alloc,
  allocHot,
  heapUsed,
  reserveBelowHeap,
  restartRollups,
  startHeap,
  WINDOW_ARENA,
} from './heap';
import {
  appendLabel,
  initSketch,
  MAX_LABEL,
  makeRoom,
  REJECTED_FLOW_SETS,
  sketchAdd,
  touchSet,
  writePacked,
} from './sketch';

const SPACE: i32 = 0x20;
const NEWLINE: i32 = 0x0a;
const RETURN: i32 = 0x0d;
const DASH: i32 = 0x2d;
const ZERO: i32 = 0x30;
const ABSENT: f64 = -1;
const INVALID: f64 = -2;
const MAX_SAFE: f64 = 9007199254740991;
const MILLISECONDS_FROM: f64 = 1e12;
const WINDOW_SECONDS: f64 = 300;
const MAX_RECORD_SECONDS: f64 = 86400;
const MAX_LINE_BYTES: i32 = 65536;
const HASH_SEED: u32 = 0x811c9dc5;
const HASH_PRIME: u32 = 0x01000193;
const WORD_PRIME: u32 = 0x9e3779b1;
const SEPARATORS: v128 = i8x16.splat(0x20);

const _KIND_TEXT: i32 = 0;
const KIND_INTEGER: i32 = 1;
const KIND_HASHED: i32 = 2;
const KIND_KEY: i32 = 3;

// Roles: indexes into the role -> column table.
const R_ENI = 0;
const R_RESOURCE = 1;
const R_SRC = 2;
const R_DST = 3;
const R_SRCPORT = 4;
const R_DSTPORT = 5;
const R_PROTOCOL = 6;
const R_PACKETS = 7;
const R_BYTES = 8;
const R_START = 9;
const R_END = 10;
const R_ACTION = 11;
const R_STATUS = 12;
const R_TCPFLAGS = 13;
const R_DIRECTION = 14;
const R_ACCOUNT = 15;
const R_VPC = 16;
const R_SUBNET = 17;
const R_INSTANCE = 18;
const ROLES = 19;

// Bad-record reasons (same order as REASONS in ../flowLogScanner.ts).
const BAD_FIELD_COUNT = 0;
const BAD_INTEGER = 1;
const BAD_ACTION = 2;
const BAD_LOG_STATUS = 3;
const BAD_END_BEFORE_START = 4;
const BAD_MISSING_ENI = 5;
const BAD_MISSING_TIME = 6;
const BAD_SPAN = 7;
const BAD_LINE_TOO_LONG = 8;
const REASONS = 9;

const ACTION_NONE = 0;
const ACTION_ACCEPT = 1;
const ACTION_REJECT = 2;
const STATUS_OK = 0;
const STATUS_NODATA = 1;
const STATUS_SKIPDATA = 2;
const DIRECTION_UNKNOWN = 0;
const DIRECTION_INGRESS = 1;
const DIRECTION_EGRESS = 2;

// Shape flags.
const HAS_TALKERS = 1;
const HAS_REJECTED = 2;
const HAS_ACCOUNT = 4;
const HAS_VPC = 8;
const HAS_SUBNET = 16;
const HAS_INSTANCE = 32;

// Window struct: four cache lines; the key and both sketch headers fill the first.
const W_START = 0; // f64
const W_ENI = 8; // i32 ENI index
const W_TALKER_SKETCH = 16; // sketch header
const W_REJECTED_SKETCH = 40; // sketch header
const W_IDS = 64; // 4 x (pointer u32, length i32; -1 = none)
const W_COUNTERS = 96; // 20 x f64
const W_REJECTED_FLOW_SKETCH = 256; // sketch header (source, port, protocol)
const W_REJECTED_PORT_SKETCH = 280; // sketch header (port, protocol)
const W_SIZE = 320;
const C_FLOWS = 0;
const C_PACKETS = 1;
const C_BYTES = 2;
const C_ACCEPT_FLOWS = 3;
const C_ACCEPT_PACKETS = 4;
const C_ACCEPT_BYTES = 5;
const C_REJECT_FLOWS = 6;
const C_REJECT_PACKETS = 7;
const C_REJECT_BYTES = 8;
const C_NODATA = 9;
const C_SKIPDATA = 10;
const C_INGRESS_PACKETS = 11;
const C_INGRESS_BYTES = 12;
const C_EGRESS_PACKETS = 13;
const C_EGRESS_BYTES = 14;
const C_TCP_BYTES = 15;
const C_UDP_BYTES = 16;
const C_ICMP_BYTES = 17;
const C_OTHER_BYTES = 18;
const C_SYN_ONLY = 19;

// ENI struct.
const E_HASH = 0;
const E_KEY = 4;
const E_LENGTH = 8;
const E_INDEX = 12;
// The ENI's windows last looked up, by window number mod CACHED_WINDOWS
// (records of a file cover a few consecutive windows): 16-byte slots of the
// window start (f64, -1 = none) and the window pointer.
const CACHED_WINDOWS = 4;
const E_WINDOWS = 16;
const E_SIZE = E_WINDOWS + CACHED_WINDOWS * 16;

const MAX_ADDRESS = 40;
/** A rejected-flow label: an address and its tail (port in 3 bytes, protocol in 2). */
const REJECTED_TAIL_BYTES = 5;
const MAX_REJECTED_FLOW = MAX_ADDRESS + REJECTED_TAIL_BYTES;
const COLON: i32 = 0x3a;
const DOT: i32 = 0x2e;
const TAIL_BYTES = 6;

// Sample struct (a bad record the caller turns into a ParseError).
const B_LINE = 0;
const B_REASON = 4;
const B_COLUMN = 8;
const B_VALUE = 12;
const B_VALUE_LENGTH = 16;
const B_A = 24;
const B_B = 32;
const B_SIZE = 40;

const INPUT_BYTES: i32 = 512 * 1024 + MAX_LINE_BYTES + 16;

// Configuration and per-line scratch.
let columns: i32 = 0;
let isProrate: bool = true;
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
let fStart: f64 = 0;
let fEnd: f64 = 0;
let fPackets: f64 = 0;
let fBytes: f64 = 0;
let fAction: i32 = 0;
let fStatus: i32 = 0;
let fProtocol: f64 = -1;
let fTcpFlags: f64 = -1;
let fDirection: i32 = 0;
let fSrcport: f64 = -1;
let fDstport: f64 = -1;

// Top-list updates are held back and applied in batches: first every
// batch entry's sketch set is loaded, so that their (likely) cache misses
// overlap, then the updates run in record order (so the result is the same).
// A batch is always applied before scan returns (labels are copied from the
// scanned text, whose memory the host reuses).
const BATCH = 16;
const U_WINDOW = 0; // u32 window
const U_TALKER = 4; // u32 talker hash
const U_IS_TALKER = 8; // u32
const U_IS_REJECTED = 12; // u32
const U_SRC_HASH = 16; // u32
const U_SRC_FROM = 20; // u32
const U_SRC_TO = 24; // u32
const U_DST_FROM = 28; // u32
const U_DST_TO = 32; // u32
const U_FLOW_HASH = 36; // u32 rejected-flow hash
const U_TAIL = 40; // u64 talker label tail
const U_PACKETS = 48; // f64
const U_BYTES = 56; // f64
const U_FLOW_TAIL = 64; // u64 rejected-flow label tail (a port's whole label)
const U_PORT_HASH = 72; // u32 rejected-port hash
const U_SIZE = 80;
let batch: usize = 0;
let batchCount: i32 = 0;

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

// Proration scratch (parts and remainders for up to 289 windows).
let packetParts: usize = 0;
let byteParts: usize = 0;
let remainders: usize = 0;
let tail: usize = 0;
/** Scratch for an IPv6 address's eight groups. */
let groups: usize = 0;
/** Scratch for a packed label. */
let packed: usize = 0;

export function init(
  columnCount: i32,
  prorate: bool,
  shapeFlags: i32,
  sampleLimit: i32
): void {
  startHeap();
  columns = columnCount;
  isProrate = prorate;
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
  packetParts = alloc(300 * 8);
  byteParts = alloc(300 * 8);
  remainders = alloc(300 * 8);
  tail = alloc(8);
  groups = alloc(16);
  packed = alloc(48);
  batch = alloc(BATCH * U_SIZE, 64);
  batchCount = 0;
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

export function getWindowCount(): i32 {
  return windowCount;
}

export function windowAt(index: i32): usize {
  return load<u32>(windowList + index * 4);
}

export function eniAt(index: i32): usize {
  return load<u32>(eniList + index * 4);
}

// Reading ------------------------------------------------------------------

/**
 * A cheap hash for the ENI table: ENI ids differ in their last characters,
 * and every hit is confirmed by a full byte compare.
 */
function keyHash(from: usize, to: usize): u32 {
  let word: u64 = 0;
  if (to - from >= 8) {
    word = load<u64>(to - 8);
  } else {
    for (let p = from; p < to; p++) word = (word << 8) | <u64>load<u8>(p);
  }
  return mixHash(<u32>word ^ <u32>(word >> 32) ^ <u32>(to - from));
}

/** MurmurHash3's finaliser, as mixHash in topSketch.ts. */
function mixHash(value: u32): u32 {
  let h = value;
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  return h ^ (h >> 16);
}

/**
 * The hash of [from, to), as hashBytes in topSketch.ts. The last, partial
 * word is read whole and masked (fields end before a newline, and scanned
 * text has 16 readable bytes after it).
 */
function hashRange(from: usize, to: usize): u32 {
  let h = HASH_SEED;
  let p = from;
  for (; p + 4 <= to; p += 4) h = foldWord(h, load<u32>(p));
  const left = <u32>(to - p);
  if (left !== 0) {
    h = foldWord(h, load<u32>(p) & (((<u32>1) << (left << 3)) - 1));
  }
  return mixHash(h ^ <u32>(to - from));
}

/** One word of hashRange, as foldWord in topSketch.ts. */
function foldWord(h: u32, word: u32): u32 {
  const folded = (h ^ word) * WORD_PRIME;
  return folded ^ (folded >> 15);
}

/**
 * The value of the 1 to 15 decimal digits in [from, to), or -1 when the
 * field is empty, longer or holds anything else. Always exact; converted
 * eight digits at a time in a 64-bit word (SWAR, no loop or branch per
 * digit). Reads up to 7 bytes past `to`: every field read here ends before a
 * newline, and scanned text has 16 readable bytes after it.
 */
function shortDigits(from: usize, to: usize): i64 {
  const length = <i32>(to - from);
  if (<u32>(length - 1) < 8) return eightDigits(from, length);
  if (<u32>(length - 9) >= 7) return -1;
  const high = eightDigits(from, length - 8);
  const low = eightDigits(to - 8, 8);
  return (high | low) < 0 ? -1 : high * 100000000 + low;
}

/**
 * The value of a field shortDigits did not take: ABSENT for "-", INVALID for
 * an empty field or one with a non-digit, else (16 digits or more) the digits
 * accumulated in doubles exactly as the typed path does.
 */
function otherDigits(from: usize, to: usize): f64 {
  if (to - from === 1 && <i32>load<u8>(from) === DASH) return ABSENT;
  if (to === from) return INVALID;
  let value: f64 = 0;
  for (let p = from; p < to; p++) {
    const digit = <i32>load<u8>(p) - ZERO;
    if (<u32>digit > 9) return INVALID;
    value = value * 10 + <f64>digit;
  }
  return value;
}

/**
 * The value of the 1 to 8 decimal digits at `at`, or -1. The word is shifted
 * so that the digits fill its top bytes (the bottom ones act as leading
 * zeros), checked to be digits in two masked compares, then folded in pairs,
 * quads and halves by three multiplications.
 */
function eightDigits(at: usize, length: i32): i64 {
  const shift = <u64>((8 - length) << 3);
  const word = load<u64>(at) << shift;
  const ones = (<u64>0x3030303030303030) << shift;
  const high = (<u64>0xf0f0f0f0f0f0f0f0) << shift;
  if (
    (word & high) !== ones ||
    ((word + ((<u64>0x0606060606060606) << shift)) & high) !== ones
  ) {
    return -1;
  }
  let value = word - ones;
  value = value * 10 + (value >> 8);
  value =
    ((value & 0x000000ff000000ff) * 0x000f424000000064 +
      ((value >> 16) & 0x000000ff000000ff) * 0x0000271000000001) >>
    32;
  return <i64>value;
}

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

function equalBytes(a: usize, b: usize, length: i32): bool {
  let i: i32 = 0;
  for (; i + 8 <= length; i += 8) {
    if (load<u64>(a + i) !== load<u64>(b + i)) return false;
  }
  for (; i < length; i++) {
    if (load<u8>(a + i) !== load<u8>(b + i)) return false;
  }
  return true;
}

// Enumerations, compared as little-endian words.
function matchAction(from: usize, to: usize): i32 {
  if (to - from !== 6) return -1;
  const head = load<u32>(from);
  const end = load<u16>(from + 4);
  if (head === 0x45434341 && end === 0x5450) return ACTION_ACCEPT; // ACCEPT
  if (head === 0x454a4552 && end === 0x5443) return ACTION_REJECT; // REJECT
  return -1;
}

function matchStatus(from: usize, to: usize): i32 {
  const length = to - from;
  if (length === 2 && load<u16>(from) === 0x4b4f) return STATUS_OK; // OK
  if (
    length === 6 &&
    load<u32>(from) === 0x41444f4e &&
    load<u16>(from + 4) === 0x4154
  ) {
    return STATUS_NODATA; // NODATA
  }
  if (length === 8 && load<u64>(from) === 0x4154414450494b53) {
    return STATUS_SKIPDATA; // SKIPDATA
  }
  return -1;
}

function matchDirection(from: usize, to: usize): i32 {
  const length = to - from;
  if (
    length === 7 &&
    load<u32>(from) === 0x72676e69 &&
    load<u16>(from + 4) === 0x7365 &&
    load<u8>(from + 6) === 0x73
  ) {
    return DIRECTION_INGRESS; // ingress
  }
  if (
    length === 6 &&
    load<u32>(from) === 0x65726765 &&
    load<u16>(from + 4) === 0x7373
  ) {
    return DIRECTION_EGRESS; // egress
  }
  return DIRECTION_UNKNOWN;
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
  fStart = start;
  fEnd = end;
  const packets = valueAt(role(R_PACKETS));
  const bytes = valueAt(role(R_BYTES));
  fPackets = Math.max(packets, 0);
  fBytes = Math.max(bytes, 0);
  fProtocol = valueAt(role(R_PROTOCOL));
  fTcpFlags = valueAt(role(R_TCPFLAGS));
  fSrcport = valueAt(role(R_SRCPORT));
  fDstport = valueAt(role(R_DSTPORT));
  const window = windowOf(eni, windowStartOf(start));
  addRecord(eni, window);
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
  const u = batch + <usize>batchCount * U_SIZE;
  store<u32>(u + U_WINDOW, <u32>window);
  store<u32>(u + U_IS_TALKER, isTalker ? 1 : 0);
  store<u32>(u + U_IS_REJECTED, isRejected ? 1 : 0);
  store<u32>(u + U_SRC_HASH, srcHash);
  store<u32>(u + U_SRC_FROM, <u32>startOf(cSrc));
  store<u32>(u + U_SRC_TO, <u32>endOf(cSrc));
  store<f64>(u + U_PACKETS, fPackets);
  store<f64>(u + U_BYTES, fBytes);
  if (isRejected) {
    store<u32>(u + U_FLOW_HASH, rejectedFlowHash(srcHash));
    store<u32>(u + U_PORT_HASH, rejectedPortHash());
    store<u64>(u + U_FLOW_TAIL, rejectedFlowTail());
  }
  if (isTalker) {
    store<u32>(u + U_TALKER, talkerHash(srcHash, load<u32>(hashes + cDst * 4)));
    store<u32>(u + U_DST_FROM, <u32>startOf(cDst));
    store<u32>(u + U_DST_TO, <u32>endOf(cDst));
    store<u64>(u + U_TAIL, talkerTail());
  }
  batchCount++;
  if (batchCount === BATCH) applyBatch();
}

/** Applies the held-back top-list updates (see BATCH). */
function applyBatch(): void {
  const count = batchCount;
  if (count === 0) return;
  batchCount = 0;
  for (let k: i32 = 0; k < count; k++) {
    const u = batch + <usize>k * U_SIZE;
    const window = <usize>load<u32>(u + U_WINDOW);
    if (load<u32>(u + U_IS_TALKER) !== 0) {
      touchSet(window + W_TALKER_SKETCH, load<u32>(u + U_TALKER));
    }
    if (load<u32>(u + U_IS_REJECTED) !== 0) {
      touchSet(window + W_REJECTED_SKETCH, load<u32>(u + U_SRC_HASH));
      touchSet(window + W_REJECTED_FLOW_SKETCH, load<u32>(u + U_FLOW_HASH));
      touchSet(window + W_REJECTED_PORT_SKETCH, load<u32>(u + U_PORT_HASH));
    }
  }
  for (let k: i32 = 0; k < count; k++) {
    const u = batch + <usize>k * U_SIZE;
    const window = <usize>load<u32>(u + U_WINDOW);
    if (load<u32>(u + U_IS_TALKER) !== 0) addTalker(window, u);
    if (load<u32>(u + U_IS_REJECTED) !== 0) {
      addRejected(window, u);
      addRejectedFlow(window, u);
      addRejectedPort(window, u);
    }
  }
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

function lookupEni(from: usize, to: usize, hash: u32): usize {
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

function windowOf(eni: usize, windowStart: f64): usize {
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

/**
 * The start of the window holding second x. Timestamps below 2^32 take a
 * 32-bit path (division by a constant compiles to a multiply).
 */
function windowStartOf(x: f64): f64 {
  if (x < 4294967296) {
    const value = <u32>x;
    return <f64>(value - (value % 300));
  }
  return x - modulo(x, WINDOW_SECONDS);
}

/** x mod m for non-negative integers held in doubles, in native i64 arithmetic. */
function modulo(x: f64, m: f64): f64 {
  return <f64>(<i64>x % <i64>m);
}

/** floor(x / m) for non-negative integers held in doubles. */
function quotient(x: f64, m: f64): f64 {
  return <f64>(<i64>x / <i64>m);
}

function addTo(window: usize, counter: i32, value: f64): void {
  const at = window + W_COUNTERS + counter * 8;
  store<f64>(at, load<f64>(at) + value);
}

/** As RollupAccumulator.add, given the window of start. */
function addRecord(eni: usize, first: usize): void {
  if (fStatus === STATUS_NODATA) {
    addTo(first, C_NODATA, 1);
    return;
  }
  if (fStatus === STATUS_SKIPDATA) {
    addTo(first, C_SKIPDATA, 1);
    return;
  }
  addTo(first, C_FLOWS, 1);
  if (fAction === ACTION_ACCEPT) addTo(first, C_ACCEPT_FLOWS, 1);
  else if (fAction === ACTION_REJECT) addTo(first, C_REJECT_FLOWS, 1);
  if (fTcpFlags === 2) addTo(first, C_SYN_ONLY, 1);
  const firstStart = load<f64>(first + W_START);
  const lastStart = windowStartOf(fEnd);
  if (!isProrate || lastStart === firstStart) {
    addTraffic(first, fPackets, fBytes);
    return;
  }
  if (lastStart === firstStart + WINDOW_SECONDS) {
    // Two windows (the usual crossing): the first part alone decides both.
    // record() keeps spans within MAX_RECORD_SECONDS, so they fit a u32.
    const seconds = <u32>(fEnd - fStart + 1);
    const overlap = <u32>(firstStart + WINDOW_SECONDS - fStart);
    const packets = firstOfTwo(fPackets, overlap, seconds);
    const bytes = firstOfTwo(fBytes, overlap, seconds);
    if (packets >= 0 && bytes >= 0) {
      addTraffic(first, packets, bytes);
      addTraffic(windowOf(eni, lastStart), fPackets - packets, fBytes - bytes);
      return;
    }
  }
  const count = splitByOverlap(fPackets, packetParts);
  splitByOverlap(fBytes, byteParts);
  for (let k: i32 = 0; k < count; k++) {
    const window =
      k === 0 ? first : windowOf(eni, firstStart + <f64>k * WINDOW_SECONDS);
    addTraffic(
      window,
      load<f64>(packetParts + k * 8),
      load<f64>(byteParts + k * 8)
    );
  }
}

/**
 * The first of the two parts splitByOverlap gives `total` over two windows
 * (`overlap` of the record's `seconds` in the first), or -1 when the total is
 * too large for this shortcut. The remainders of the two parts sum to 0 or
 * to `seconds`; in the second case the unit left over goes to the first part
 * when its remainder is at least the second's (ties go to the earlier
 * window), that is when twice its remainder reaches `seconds`.
 */
function firstOfTwo(total: f64, overlap: u32, seconds: u32): f64 {
  if (total < 14316557) {
    // total * overlap < 2^32.
    const scaled = <u32>total * overlap;
    const part = scaled / seconds;
    const remainder = scaled - part * seconds;
    return <f64>(part + (remainder * 2 >= seconds ? 1 : 0));
  }
  if (total < 17592186044416) {
    // total * overlap < 2^53.
    const scaled = <u64>total * <u64>overlap;
    const part = scaled / <u64>seconds;
    const remainder = scaled - part * <u64>seconds;
    return <f64>(part + (remainder * 2 >= <u64>seconds ? 1 : 0));
  }
  return -1;
}

/**
 * As splitByOverlap.ts, with the same exact integer results: 32-bit
 * arithmetic when the total fits (the usual case), 64-bit otherwise.
 */
function splitByOverlap(total: f64, parts: usize): i32 {
  const seconds = fEnd - fStart + 1;
  const firstWindow = windowStartOf(fStart);
  const count = <i32>((fEnd - firstWindow) / WINDOW_SECONDS) + 1;
  const isSmall = total < 4294967296;
  const d32 = <u32>seconds;
  const whole32 = isSmall ? <u32>total / d32 : 0;
  const whole = isSmall ? <f64>whole32 : quotient(total, seconds);
  const rest = isSmall
    ? <f64>(<u32>total - whole32 * d32)
    : modulo(total, seconds);
  let assigned: f64 = 0;
  for (let k: i32 = 0; k < count; k++) {
    const from = Math.max(fStart, firstWindow + <f64>k * WINDOW_SECONDS);
    const to = Math.min(fEnd + 1, firstWindow + <f64>(k + 1) * WINDOW_SECONDS);
    const overlap = to - from;
    // rest < seconds <= 86400 and overlap <= 300: scaled fits in 32 bits.
    const scaled = <u32>(rest * overlap);
    const share = scaled / d32;
    const part = whole * overlap + <f64>share;
    store<f64>(parts + k * 8, part);
    store<f64>(remainders + k * 8, <f64>(scaled - share * d32));
    assigned += part;
  }
  for (let left = total - assigned; left > 0; left--) {
    let best: i32 = 0;
    for (let k: i32 = 1; k < count; k++) {
      if (load<f64>(remainders + k * 8) > load<f64>(remainders + best * 8))
        best = k;
    }
    store<f64>(parts + best * 8, load<f64>(parts + best * 8) + 1);
    store<f64>(remainders + best * 8, -1);
  }
  return count;
}

function addTraffic(window: usize, packets: f64, bytes: f64): void {
  addTo(window, C_PACKETS, packets);
  addTo(window, C_BYTES, bytes);
  if (fAction === ACTION_ACCEPT) {
    addTo(window, C_ACCEPT_PACKETS, packets);
    addTo(window, C_ACCEPT_BYTES, bytes);
  } else if (fAction === ACTION_REJECT) {
    addTo(window, C_REJECT_PACKETS, packets);
    addTo(window, C_REJECT_BYTES, bytes);
  }
  if (fDirection === DIRECTION_INGRESS) {
    addTo(window, C_INGRESS_PACKETS, packets);
    addTo(window, C_INGRESS_BYTES, bytes);
  } else if (fDirection === DIRECTION_EGRESS) {
    addTo(window, C_EGRESS_PACKETS, packets);
    addTo(window, C_EGRESS_BYTES, bytes);
  }
  const protocol = fProtocol;
  if (protocol === 6) addTo(window, C_TCP_BYTES, bytes);
  else if (protocol === 17) addTo(window, C_UDP_BYTES, bytes);
  else if (protocol === 1 || protocol === 58)
    addTo(window, C_ICMP_BYTES, bytes);
  else if (protocol >= 0) addTo(window, C_OTHER_BYTES, bytes);
}

// Top lists -----------------------------------------------------------------

/** ToInt32 of a safe integer held in a double, as JavaScript's bit operators. */
function toInt32(value: f64): i32 {
  return <i32>(<i64>value);
}

/** The service port as talkerHash computes it: lower port, or 0xffffff. */
function servicePort(): f64 {
  return fSrcport < 0 || fDstport < 0 ? 0xffffff : Math.min(fSrcport, fDstport);
}

/** As talkerHash in rollupAccumulator.ts. */
function talkerHash(srcHash: u32, dstHash: u32): u32 {
  const port = servicePort();
  let hash = (srcHash ^ 0x20) * HASH_PRIME;
  hash = (hash ^ dstHash) * HASH_PRIME;
  hash = (hash ^ <u32>(fDirection | (toInt32(port) << 2))) * HASH_PRIME;
  return mixHash((hash ^ protocolKey()) * HASH_PRIME);
}

/** As rejectedFlowHash in rollupAccumulator.ts: source, destination port, protocol. */
function rejectedFlowHash(srcHash: u32): u32 {
  const port: u32 = fDstport < 0 ? 0xffffff : <u32>toInt32(fDstport);
  let hash = (srcHash ^ 0x52) * HASH_PRIME;
  hash = (hash ^ port) * HASH_PRIME;
  return mixHash((hash ^ protocolKey()) * HASH_PRIME);
}

/** As rejectedPortHash in rollupAccumulator.ts: destination port, protocol. */
function rejectedPortHash(): u32 {
  const port: u32 = fDstport < 0 ? 0xffffff : <u32>toInt32(fDstport);
  const hash = (port ^ 0x50) * HASH_PRIME;
  return mixHash((hash ^ protocolKey()) * HASH_PRIME);
}

/**
 * The five bytes that end a rejected-flow label (destination port in three
 * bytes, protocol in two; all ones when absent), in the low bytes of a word.
 */
function rejectedFlowTail(): u64 {
  const port: u64 = fDstport < 0 ? 0xffffff : <u64>(<i64>fDstport);
  const protocol = <u64>protocolKey();
  return (
    ((port >> 16) & 0xff) |
    (((port >> 8) & 0xff) << 8) |
    ((port & 0xff) << 16) |
    (((protocol >> 8) & 0xff) << 24) |
    ((protocol & 0xff) << 32)
  );
}

/** The protocol as talker keys hold it: ToInt32 of it, or 0xffff if absent. */
function protocolKey(): u32 {
  return fProtocol < 0 ? 0xffff : <u32>toInt32(fProtocol);
}

/**
 * The six bytes that end a talker label (direction, service port in three
 * bytes, protocol in two), as TopSketch keys do, in the low bytes of a word.
 */
function talkerTail(): u64 {
  const port = <u64>(<i64>servicePort());
  const protocol = <u64>protocolKey();
  return (
    <u64>fDirection |
    (((port >> 16) & 0xff) << 8) |
    (((port >> 8) & 0xff) << 16) |
    ((port & 0xff) << 24) |
    (((protocol >> 8) & 0xff) << 32) |
    ((protocol & 0xff) << 40)
  );
}

/** The talker update of batch entry `u`. */
function addTalker(window: usize, u: usize): void {
  const sketch = window + W_TALKER_SKETCH;
  const bytes = load<f64>(u + U_BYTES);
  const entry = sketchAdd(
    sketch,
    load<u32>(u + U_TALKER),
    bytes,
    1,
    load<f64>(u + U_PACKETS),
    bytes
  );
  if (entry < 0) return;
  const srcFrom = <usize>load<u32>(u + U_SRC_FROM);
  const srcTo = <usize>load<u32>(u + U_SRC_TO);
  const dstFrom = <usize>load<u32>(u + U_DST_FROM);
  const dstTo = <usize>load<u32>(u + U_DST_TO);
  store<u64>(tail, load<u64>(u + U_TAIL));
  // Packed: [4|6][address][4|6][address][tail], when both round-trip.
  const scratch = packed;
  const src = packAddress(srcFrom, srcTo, scratch);
  const dst = src > 0 ? packAddress(dstFrom, dstTo, scratch + src) : 0;
  if (dst > 0) {
    memory.copy(scratch + src + dst, tail, TAIL_BYTES);
    const length = src + dst + TAIL_BYTES;
    writePacked(sketch, entry, scratch, length);
    return;
  }
  const room = MAX_LABEL - TAIL_BYTES;
  makeRoom(
    sketch,
    entry,
    min(srcTo - srcFrom + 1 + dstTo - dstFrom + TAIL_BYTES, MAX_LABEL)
  );
  appendLabel(sketch, entry, srcFrom, srcTo, room);
  const space = tail + TAIL_BYTES;
  store<u8>(space, SPACE);
  appendLabel(sketch, entry, space, space + 1, room);
  appendLabel(sketch, entry, dstFrom, dstTo, room);
  appendLabel(sketch, entry, tail, tail + TAIL_BYTES, MAX_LABEL);
}

/** The rejected-source update of batch entry `u`. */
function addRejected(window: usize, u: usize): void {
  const sketch = window + W_REJECTED_SKETCH;
  const entry = sketchAdd(
    sketch,
    load<u32>(u + U_SRC_HASH),
    1,
    1,
    load<f64>(u + U_PACKETS),
    load<f64>(u + U_BYTES)
  );
  if (entry < 0) return;
  const srcFrom = <usize>load<u32>(u + U_SRC_FROM);
  const srcTo = <usize>load<u32>(u + U_SRC_TO);
  const scratch = packed;
  const length = packAddress(srcFrom, srcTo, scratch);
  if (length > 0) {
    writePacked(sketch, entry, scratch, length);
    return;
  }
  makeRoom(sketch, entry, min(srcTo - srcFrom, MAX_ADDRESS));
  appendLabel(sketch, entry, srcFrom, srcTo, MAX_ADDRESS);
}

/** The rejected-flow update of batch entry `u`: its source, port and protocol. */
function addRejectedFlow(window: usize, u: usize): void {
  const sketch = window + W_REJECTED_FLOW_SKETCH;
  const entry = sketchAdd(
    sketch,
    load<u32>(u + U_FLOW_HASH),
    1,
    1,
    load<f64>(u + U_PACKETS),
    load<f64>(u + U_BYTES),
    REJECTED_FLOW_SETS
  );
  if (entry < 0) return;
  const srcFrom = <usize>load<u32>(u + U_SRC_FROM);
  const srcTo = <usize>load<u32>(u + U_SRC_TO);
  store<u64>(tail, load<u64>(u + U_FLOW_TAIL));
  const scratch = packed;
  const length = packAddress(srcFrom, srcTo, scratch);
  if (length > 0) {
    memory.copy(scratch + length, tail, REJECTED_TAIL_BYTES);
    writePacked(sketch, entry, scratch, length + REJECTED_TAIL_BYTES);
    return;
  }
  makeRoom(
    sketch,
    entry,
    min(srcTo - srcFrom, MAX_ADDRESS) + REJECTED_TAIL_BYTES
  );
  appendLabel(sketch, entry, srcFrom, srcTo, MAX_ADDRESS);
  appendLabel(
    sketch,
    entry,
    tail,
    tail + REJECTED_TAIL_BYTES,
    MAX_REJECTED_FLOW
  );
}

/** The rejected-port update of batch entry `u`: its label is the flow's tail. */
function addRejectedPort(window: usize, u: usize): void {
  const sketch = window + W_REJECTED_PORT_SKETCH;
  const entry = sketchAdd(
    sketch,
    load<u32>(u + U_PORT_HASH),
    1,
    1,
    load<f64>(u + U_PACKETS),
    load<f64>(u + U_BYTES)
  );
  if (entry < 0) return;
  store<u64>(tail, load<u64>(u + U_FLOW_TAIL));
  makeRoom(sketch, entry, REJECTED_TAIL_BYTES);
  appendLabel(
    sketch,
    entry,
    tail,
    tail + REJECTED_TAIL_BYTES,
    REJECTED_TAIL_BYTES
  );
}

/**
 * Packs an address whose text the JS side gives back byte for byte: a
 * dotted quad with no leading zeros (4, then 4 bytes), or an IPv6 address
 * as RFC 5952 writes it (6, then 16 bytes: lower-case hex, no leading
 * zeros, `::` for the longest run of two or more zero groups, the first of
 * equals). Returns the bytes written at `out` (5 or 17), 0 for any other
 * text (kept as text).
 */
function packAddress(from: usize, to: usize, out: usize): usize {
  if (packIpv4(from, to, out + 1)) {
    store<u8>(out, 4);
    return 5;
  }
  if (packIpv6(from, to, out + 1)) {
    store<u8>(out, 6);
    return 17;
  }
  return 0;
}

function packIpv4(from: usize, to: usize, out: usize): bool {
  let octet: i32 = 0;
  let digits: i32 = 0;
  let dots: i32 = 0;
  for (let p = from; p < to; p++) {
    const c = <i32>load<u8>(p);
    if (c === DOT) {
      if (digits === 0 || dots === 3) return false;
      store<u8>(out + <usize>dots, <u8>octet);
      dots++;
      octet = 0;
      digits = 0;
      continue;
    }
    const d = c - ZERO;
    if (d < 0 || d > 9 || (digits > 0 && octet === 0)) return false;
    octet = octet * 10 + d;
    digits++;
    if (octet > 255) return false;
  }
  if (digits === 0 || dots !== 3) return false;
  store<u8>(out + 3, <u8>octet);
  return true;
}

function packIpv6(from: usize, to: usize, out: usize): bool {
  if (to - from < 2 || to - from > 39) return false;
  let count: i32 = 0;
  let gap: i32 = -1;
  let p = from;
  if (<i32>load<u8>(p) === COLON) {
    if (<i32>load<u8>(p + 1) !== COLON) return false;
    gap = 0;
    p += 2;
  }
  while (p < to) {
    let value: i32 = 0;
    let digits: i32 = 0;
    while (p < to) {
      const c = <i32>load<u8>(p);
      let d: i32 = -1;
      if (c >= ZERO && c <= ZERO + 9) d = c - ZERO;
      else if (c >= 0x61 && c <= 0x66) d = c - 0x61 + 10;
      if (d < 0) break;
      if (digits === 4 || (digits > 0 && value === 0)) return false;
      value = (value << 4) | d;
      digits++;
      p++;
    }
    if (digits === 0 || count === 8) return false;
    store<u16>(groups + <usize>count * 2, <u16>value);
    count++;
    if (p === to) break;
    if (<i32>load<u8>(p) !== COLON) return false;
    p++;
    if (p === to) return false;
    if (<i32>load<u8>(p) === COLON) {
      if (gap >= 0) return false;
      gap = count;
      p++;
    }
  }
  const zeros = 8 - count;
  if (gap < 0 ? zeros !== 0 : zeros < 2) return false;
  // The eight groups, big-endian, and the longest zero run (first of equals).
  let at: i32 = 0;
  let bestStart: i32 = -1;
  let bestLength: i32 = 0;
  let runStart: i32 = 0;
  for (let g: i32 = 0; g <= count; g++) {
    if (g === gap) {
      for (let z: i32 = 0; z < zeros; z++) {
        store<u16>(out + <usize>at * 2, 0);
        at++;
      }
    }
    if (g === count) break;
    const value = <i32>load<u16>(groups + <usize>g * 2);
    store<u8>(out + <usize>at * 2, <u8>(value >> 8));
    store<u8>(out + <usize>at * 2 + 1, <u8>value);
    at++;
  }
  for (let k: i32 = 0; k < 8; k++) {
    if (load<u16>(out + <usize>k * 2) !== 0) {
      runStart = k + 1;
    } else if (k + 1 - runStart > bestLength) {
      bestStart = runStart;
      bestLength = k + 1 - runStart;
    }
  }
  return gap < 0 ? bestLength < 2 : bestStart === gap && bestLength === zeros;
}

/** Bytes of the heap in use (past the ring): what this input's rollups hold. */
export function heapBytes(): usize {
  return heapUsed();
}
