// AssemblyScript: packs the addresses of top-list labels
// (topListUpdates.ts) into 5 or 17 bytes, when the host's PackedAddresses
// (../packedAddresses.ts) gives the same text back; other text stays text.

import { alloc } from './heap';

const ZERO: i32 = 0x30;
const COLON: i32 = 0x3a;
const DOT: i32 = 0x2e;

/** Scratch for an IPv6 address's eight groups. */
let groups: usize = 0;

/** Allocates the scratch (at each init: the heap starts anew). */
export function initAddresses(): void {
  groups = alloc(16);
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
