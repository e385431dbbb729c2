import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitByOverlap } from '../../../shared/aggregate/splitByOverlap.js';

const split = (total: number, start: number, end: number): number[] => {
  const parts: number[] = [];
  const count = splitByOverlap(total, start, end, parts, []);
  return parts.slice(0, count);
};

describe('splitByOverlap', () => {
  it.each([
    ['one window', 100, 1793491200, 1793491259, [100]],
    ['10 s then 20 s', 100, 1793491490, 1793491519, [33, 67]],
    [
      'an exact tie goes to the earlier window',
      1,
      1793491499,
      1793491500,
      [1, 0],
    ],
    ['three windows', 1000, 1793491400, 1793491899, [200, 600, 200]],
    ['zero', 0, 1793491490, 1793491519, [0, 0]],
    ['a single second on a window edge', 7, 1793491500, 1793491500, [7]],
  ])('splits %s', (_, total, start, end, expected) => {
    // Act
    const parts = split(total, start, end);
    // Assess
    expect(parts).toEqual(expected);
  });

  it('keeps the parts exact for totals near 2^53', () => {
    // Prepare
    const total = Number.MAX_SAFE_INTEGER;
    // Act
    const parts = split(total, 1793491490, 1793491519);
    // Assess
    expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
    expect(BigInt(parts[0] ?? 0)).toBe((BigInt(total) * 10n) / 30n);
    expect(BigInt(parts[1] ?? 0)).toBe((BigInt(total) * 20n) / 30n + 1n);
  });

  it('always sums to the total, each part within one of its exact share', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: 1_700_000_000, max: 1_800_000_000 }),
        fc.integer({ min: 0, max: 86_399 }),
        (total, start, duration) => {
          // Act
          const end = start + duration;
          const parts = split(total, start, end);
          // Assess
          expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
          const seconds = BigInt(duration + 1);
          const first = start - (start % 300);
          parts.forEach((part, k) => {
            const from = Math.max(start, first + k * 300);
            const to = Math.min(end + 1, first + (k + 1) * 300);
            const floor = (BigInt(total) * BigInt(to - from)) / seconds;
            expect(BigInt(part) - floor).toBeGreaterThanOrEqual(0n);
            expect(BigInt(part) - floor).toBeLessThanOrEqual(1n);
          });
        }
      )
    );
  });
});
