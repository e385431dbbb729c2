// AssemblyScript: windows and proration for the scanner
// (flowLogScannerCore.ts), as DESIGN.md's rules and splitByOverlap.ts: the
// window of a second, and a record's total split over the windows its
// seconds overlap by the largest-remainder method (ties to the earlier one).

import { alloc } from './heap';

export const WINDOW_SECONDS: f64 = 300;
/** Room for the windows one record may span: 289 (a day's seconds, plus one). */
export const MAX_SPAN_WINDOWS = 300;

/** Scratch: the remainder of each window's part. */
let remainders: usize = 0;

/** Allocates the scratch (at each init: the heap starts anew). */
export function initProrate(): void {
  remainders = alloc(MAX_SPAN_WINDOWS * 8);
}

/**
 * The start of the window holding second x. Timestamps below 2^32 take a
 * 32-bit path (division by a constant compiles to a multiply).
 */
export function windowStartOf(x: f64): f64 {
  if (x < 4294967296) {
    const value = <u32>x;
    return <f64>(value - (value % 300));
  }
  return x - modulo(x, WINDOW_SECONDS);
}

/** x mod m for non-negative integers held in doubles, in native i64 arithmetic. */
export function modulo(x: f64, m: f64): f64 {
  return <f64>(<i64>x % <i64>m);
}

/** floor(x / m) for non-negative integers held in doubles. */
export function quotient(x: f64, m: f64): f64 {
  return <f64>(<i64>x / <i64>m);
}

/**
 * The first of the two parts splitByOverlap gives `total` over two windows
 * (`overlap` of the record's `seconds` in the first), or -1 when the total is
 * too large for this shortcut. The remainders of the two parts sum to 0 or
 * to `seconds`; in the second case the unit left over goes to the first part
 * when its remainder is at least the second's (ties go to the earlier
 * window), that is when twice its remainder reaches `seconds`.
 */
export function firstOfTwo(total: f64, overlap: u32, seconds: u32): f64 {
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
export function splitByOverlap(
  total: f64,
  parts: usize,
  start: f64,
  end: f64
): i32 {
  const seconds = end - start + 1;
  const firstWindow = windowStartOf(start);
  const count = <i32>((end - firstWindow) / WINDOW_SECONDS) + 1;
  const isSmall = total < 4294967296;
  const d32 = <u32>seconds;
  const whole32 = isSmall ? <u32>total / d32 : 0;
  const whole = isSmall ? <f64>whole32 : quotient(total, seconds);
  const rest = isSmall
    ? <f64>(<u32>total - whole32 * d32)
    : modulo(total, seconds);
  let assigned: f64 = 0;
  for (let k: i32 = 0; k < count; k++) {
    const from = Math.max(start, firstWindow + <f64>k * WINDOW_SECONDS);
    const to = Math.min(end + 1, firstWindow + <f64>(k + 1) * WINDOW_SECONDS);
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
