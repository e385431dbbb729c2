// AssemblyScript: packs the addresses of top-list labels
// (topListUpdates.ts) into 5 or 17 bytes, when the host's PackedAddresses
// (../packedAddresses.ts) gives the same text back; other text stays text.
// The read-out's rankings (rankTalkers.ts, rankRejected.ts) compare packed
// addresses here: as bytes, and as their texts where counts tie.

import { alloc } from './heap';

const ZERO: i32 = 0x30;
const COLON: i32 = 0x3a;
const DOT: i32 = 0x2e;

/** Scratch for an IPv6 address's eight groups. */
let groups: usize = 0;
/** Two addresses' texts, where the read-out compares them. */
let textA: usize = 0;
let textB: usize = 0;

/** Allocates the scratch (at each init: the heap starts anew). */
export function initAddresses(): void {
  groups = alloc(16);
  textA = alloc(64);
  textB = alloc(64);
}

/**
 * Packs an address whose text the JS side gives back byte for byte: a
 * dotted quad with no leading zeros (4, then 4 bytes), or an IPv6 address
 * as RFC 5952 writes it (6, then 16 bytes: lower-case hex, no leading
 * zeros, `::` for the longest run of two or more zero groups, the first of
 * equals). Returns the bytes written at `out` (5 or 17), 0 for any other
 * text (kept as text).
 */
export function packAddress(from: usize, to: usize, out: usize): usize {
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

export function packIpv4(from: usize, to: usize, out: usize): bool {
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

export function packIpv6(from: usize, to: usize, out: usize): bool {
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

/** Bytes of the packed address at `at`, its tag included. */
export function addressBytes(at: usize): usize {
  return load<u8>(at) === 4 ? 5 : 17;
}

/** Whether two packed addresses are the same (so are their texts). */
export function isSameAddress(a: usize, b: usize): bool {
  const tag = load<u8>(a);
  if (tag !== load<u8>(b)) return false;
  if (tag === 4) return load<u32>(a + 1) === load<u32>(b + 1);
  return (
    load<u64>(a + 1) === load<u64>(b + 1) &&
    load<u64>(a + 9) === load<u64>(b + 9)
  );
}

/** A 32-bit hash of the packed address at `at` (its tag left out). */
export function hashAddress(at: usize): u32 {
  let h = load<u32>(at + 1);
  if (load<u8>(at) !== 4) {
    h ^= rotl<u32>(load<u32>(at + 5), 7);
    h ^= rotl<u32>(load<u32>(at + 9), 13);
    h ^= rotl<u32>(load<u32>(at + 13), 19) ^ 0x5bd1e995;
  }
  return h;
}

/** Writes a value below 256 in decimal; returns the digits written. */
function writeDecimal(value: i32, out: usize): usize {
  if (value >= 100) {
    store<u8>(out, <u8>(0x30 + value / 100));
    store<u8>(out + 1, <u8>(0x30 + ((value / 10) % 10)));
    store<u8>(out + 2, <u8>(0x30 + (value % 10)));
    return 3;
  }
  if (value >= 10) {
    store<u8>(out, <u8>(0x30 + value / 10));
    store<u8>(out + 1, <u8>(0x30 + (value % 10)));
    return 2;
  }
  store<u8>(out, <u8>(0x30 + value));
  return 1;
}

/** Writes a 16-bit group in lower-case hex, no leading zeros. */
function writeHex(value: i32, out: usize): usize {
  let digits: usize = 1;
  while (digits < 4 && value >> (<i32>digits * 4) !== 0) digits++;
  for (let k: usize = 0; k < digits; k++) {
    const d = (value >> (<i32>(digits - 1 - k) * 4)) & 0xf;
    store<u8>(out + k, <u8>(d < 10 ? 0x30 + d : 0x61 + d - 10));
  }
  return digits;
}

/**
 * Writes the text of the packed address at `at` (the host's PackedAddresses
 * gives the same: a dotted quad, or IPv6 as RFC 5952 writes it); returns
 * its length.
 */
export function addressText(at: usize, out: usize): usize {
  let n: usize = 0;
  if (load<u8>(at) === 4) {
    for (let k: usize = 0; k < 4; k++) {
      if (k > 0) {
        store<u8>(out + n, 0x2e);
        n++;
      }
      n += writeDecimal(<i32>load<u8>(at + 1 + k), out + n);
    }
    return n;
  }
  // The longest run of zero groups (the first of equals), if of two or more.
  let bestStart: i32 = -1;
  let bestLength: i32 = 0;
  let runStart: i32 = 0;
  for (let k: i32 = 0; k < 8; k++) {
    if (load<u16>(at + 1 + <usize>k * 2) !== 0) {
      runStart = k + 1;
    } else if (k + 1 - runStart > bestLength) {
      bestStart = runStart;
      bestLength = k + 1 - runStart;
    }
  }
  if (bestLength < 2) bestStart = 8;
  for (let k: i32 = 0; k < 8; k++) {
    if (k === bestStart) {
      store<u8>(out + n, COLON);
      store<u8>(out + n + 1, COLON);
      n += 2;
      k += bestLength - 1;
      continue;
    }
    if (n > 0 && <i32>load<u8>(out + n - 1) !== COLON) {
      store<u8>(out + n, COLON);
      n++;
    }
    const group =
      ((<i32>load<u8>(at + 1 + <usize>k * 2)) << 8) |
      <i32>load<u8>(at + 2 + <usize>k * 2);
    n += writeHex(group, out + n);
  }
  return n;
}

/** The code-unit order of two packed addresses' texts (-1, 0, 1). */
export function compareAddresses(a: usize, b: usize): i32 {
  if (isSameAddress(a, b)) return 0;
  const lengthA = addressText(a, textA);
  const lengthB = addressText(b, textB);
  const length = min(lengthA, lengthB);
  for (let k: usize = 0; k < length; k++) {
    const x = <i32>load<u8>(textA + k);
    const y = <i32>load<u8>(textB + k);
    if (x !== y) return x < y ? -1 : 1;
  }
  return lengthA < lengthB ? -1 : lengthA > lengthB ? 1 : 0;
}
