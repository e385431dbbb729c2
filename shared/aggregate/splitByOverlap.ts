import { WINDOW_SECONDS, windowStartOf } from '../flowLogRules.js';

/**
 * Splits `total` over the windows that the active seconds [start, end + 1)
 * overlap, in proportion to the seconds of overlap, with the largest-remainder
 * method (ties go to the earlier window): the parts always sum to `total`.
 * Writes parts[0..n) for windows firstWindow, firstWindow + 300, ... and
 * returns n. Exact for any safe integer total (no product exceeds 2^53).
 * `total` must be a non-negative safe integer and start <= end.
 */
function splitByOverlap(
  total: number,
  start: number,
  end: number,
  parts: number[],
  remainders: number[]
): number {
  const seconds = end - start + 1;
  const firstWindow = windowStartOf(start);
  const count = Math.floor((end - firstWindow) / WINDOW_SECONDS) + 1;
  const whole = Math.floor(total / seconds);
  const rest = total % seconds;
  let assigned = 0;
  for (let k = 0; k < count; k++) {
    const from = Math.max(start, firstWindow + k * WINDOW_SECONDS);
    const to = Math.min(end + 1, firstWindow + (k + 1) * WINDOW_SECONDS);
    const overlap = to - from;
    // total * overlap / seconds, split so that every product stays below 2^53.
    const scaled = rest * overlap;
    const part = whole * overlap + Math.floor(scaled / seconds);
    parts[k] = part;
    remainders[k] = scaled % seconds;
    assigned += part;
  }
  for (let left = total - assigned; left > 0; left--) {
    let best = 0;
    for (let k = 1; k < count; k++) {
      if ((remainders[k] ?? 0) > (remainders[best] ?? 0)) best = k;
    }
    parts[best] = (parts[best] ?? 0) + 1;
    remainders[best] = -1;
  }
  return count;
}

export { splitByOverlap };
