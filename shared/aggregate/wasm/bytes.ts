// AssemblyScript: byte-level reading for the scanner (flowLogScannerCore.ts):
// hashes of fields, decimal digits and the
// enumerations (action, log-status, flow-direction) matched as words. Pure
// functions of the bytes they are given; they keep no state.

const DASH: i32 = 0x2d;
const ZERO: i32 = 0x30;
const HASH_SEED: u32 = 0x811c9dc5;
const WORD_PRIME: u32 = 0x9e3779b1;
/** What otherDigits gives for "-". */
export const ABSENT: f64 = -1;
/** What otherDigits gives for an empty field or one with a non-digit. */
export const INVALID: f64 = -2;
/** The largest integer a double holds exactly (2^53 - 1), as the typed path's Number.isSafeInteger. */
export const MAX_SAFE: f64 = 9007199254740991;

export const ACTION_NONE = 0;
export const ACTION_ACCEPT = 1;
export const ACTION_REJECT = 2;
export const STATUS_OK = 0;
export const STATUS_NODATA = 1;
export const STATUS_SKIPDATA = 2;
export const DIRECTION_UNKNOWN = 0;
export const DIRECTION_INGRESS = 1;
export const DIRECTION_EGRESS = 2;

/**
 * A cheap hash for the ENI table: ENI ids differ in their last characters,
 * and every hit is confirmed by a full byte compare.
 */
export function keyHash(from: usize, to: usize): u32 {
  let word: u64 = 0;
  if (to - from >= 8) {
    word = load<u64>(to - 8);
  } else {
    for (let p = from; p < to; p++) word = (word << 8) | <u64>load<u8>(p);
  }
  return mixHash(<u32>word ^ <u32>(word >> 32) ^ <u32>(to - from));
}

/** MurmurHash3's finaliser, as mixHash in topSketch.ts. */
export function mixHash(value: u32): u32 {
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
export function hashRange(from: usize, to: usize): u32 {
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
export function foldWord(h: u32, word: u32): u32 {
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
export function shortDigits(from: usize, to: usize): i64 {
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
export function otherDigits(from: usize, to: usize): f64 {
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
export function eightDigits(at: usize, length: i32): i64 {
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

export function equalBytes(a: usize, b: usize, length: i32): bool {
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
export function matchAction(from: usize, to: usize): i32 {
  if (to - from !== 6) return -1;
  const head = load<u32>(from);
  const end = load<u16>(from + 4);
  if (head === 0x45434341 && end === 0x5450) return ACTION_ACCEPT; // ACCEPT
  if (head === 0x454a4552 && end === 0x5443) return ACTION_REJECT; // REJECT
  return -1;
}

export function matchStatus(from: usize, to: usize): i32 {
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

export function matchDirection(from: usize, to: usize): i32 {
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
