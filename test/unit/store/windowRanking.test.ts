import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyRollup } from '../../../shared/aggregate/mergeRollups.js';
import {
  candidatesOf,
  decodeRanking,
  encodeRanking,
  RANKING_METRICS,
  type RankingMetric,
  rankingsOf,
  type WindowRanking,
} from '../../../shared/store/windowRanking.js';
import type { Rollup } from '../../../shared/types.js';

/** 2026-11-01T00:05:00Z */
const WINDOW = 1793491500;

const eni = (n: number): string => `eni-${n.toString(16).padStart(17, '0')}`;

const rollup = (
  interfaceId: string,
  values: Partial<Record<RankingMetric, number>>,
  windowStart = WINDOW
): Rollup => ({ ...emptyRollup(interfaceId, windowStart), ...values });

describe('rankingsOf', () => {
  it('keeps every ENI of a window with at most size ENIs, sorted by interface id', () => {
    // Prepare
    const rollups = [
      rollup(eni(3), { bytes: 30 }),
      rollup(eni(1), { bytes: 10, flows: 2 }),
      rollup(eni(2), { bytes: 20 }, WINDOW + 300),
    ];

    // Act
    const rankings = rankingsOf(rollups, 2);

    // Assess
    expect(rankings).toEqual([
      {
        windowStart: WINDOW,
        enis: 2,
        size: 2,
        entries: [
          {
            interfaceId: eni(1),
            bytes: 10,
            packets: 0,
            flows: 2,
            rejectFlows: 0,
          },
          {
            interfaceId: eni(3),
            bytes: 30,
            packets: 0,
            flows: 0,
            rejectFlows: 0,
          },
        ],
      },
      {
        windowStart: WINDOW + 300,
        enis: 1,
        size: 2,
        entries: [
          {
            interfaceId: eni(2),
            bytes: 20,
            packets: 0,
            flows: 0,
            rejectFlows: 0,
          },
        ],
      },
    ]);
  });

  it('keeps the union of the top size ENIs by each metric when a window has more', () => {
    // Prepare
    const rollups = [
      rollup(eni(1), { bytes: 100 }),
      rollup(eni(2), { bytes: 90 }),
      rollup(eni(3), { packets: 50 }),
      rollup(eni(4), { flows: 7 }),
      rollup(eni(5), { rejectFlows: 3 }),
      rollup(eni(6), { bytes: 1, packets: 1, flows: 1, rejectFlows: 1 }),
    ];

    // Act
    const [ranking] = rankingsOf(rollups, 1);

    // Assess
    expect(ranking?.enis).toBe(6);
    expect(ranking?.entries.map((entry) => entry.interfaceId)).toEqual([
      eni(1),
      eni(3),
      eni(4),
      eni(5),
    ]);
  });

  it('gives the same rankings for the rollups in any order', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.nat({ max: 500 }), { maxLength: 60 }),
        fc.array(fc.nat({ max: 9 }), { minLength: 60, maxLength: 60 }),
        fc.nat(),
        (ids, values, seed) => {
          // Prepare
          const rollups = ids.map((id, i) =>
            rollup(eni(id), {
              bytes: values[i % 60] ?? 0,
              flows: values[(i * 7) % 60] ?? 0,
            })
          );
          const shuffled = [...rollups].sort(
            (a, b) =>
              ((a.bytes * 31 + seed) % 17) - ((b.bytes * 31 + seed) % 17)
          );

          // Act
          const [a, b] = [rankingsOf(rollups, 5), rankingsOf(shuffled, 5)];

          // Assess
          expect(a).toEqual(b);
        }
      )
    );
  });

  it('throws RangeError on an ENI twice in one window', () => {
    // Act
    const rank = () =>
      rankingsOf([rollup(eni(1), { bytes: 1 }), rollup(eni(1), { bytes: 2 })]);

    // Assess
    expect(rank).toThrow(RangeError);
  });
});

const rankingArbitrary: fc.Arbitrary<WindowRanking> = fc
  .record({
    extra: fc.nat({ max: 1000 }),
    size: fc.integer({ min: 1, max: 200 }),
    entries: fc.uniqueArray(
      fc
        .record({
          interfaceId: fc.oneof(
            fc.nat().map(eni),
            fc.stringMatching(/^eni-[0-9a-f]{8}$/),
            fc.string({ maxLength: 30 })
          ),
          bytes: fc.maxSafeNat(),
          packets: fc.nat(),
          flows: fc.nat({ max: 1000 }),
          rejectFlows: fc.nat({ max: 1000 }),
        })
        .map((entry) => ({ ...entry })),
      { selector: (entry) => entry.interfaceId, maxLength: 40 }
    ),
  })
  .map(({ extra, size, entries }) => ({
    windowStart: WINDOW,
    enis: entries.length + extra,
    size,
    entries,
  }));

describe('encodeRanking', () => {
  it('reads back exactly what it wrote', () => {
    fc.assert(
      fc.property(rankingArbitrary, (ranking) => {
        // Act
        const read = decodeRanking(encodeRanking(ranking), WINDOW);

        // Assess
        expect(read).toStrictEqual(ranking);
      })
    );
  });

  it('writes an eni- id of 17 hex digits in 9 bytes', () => {
    // Prepare
    const one = encodeRanking(
      rankingsOf([rollup(eni(1), {})])[0] as WindowRanking
    );
    const two = encodeRanking(
      rankingsOf([
        rollup(eni(1), {}),
        rollup('eni-0fedcba9876543210', {}),
      ])[0] as WindowRanking
    );

    // Act
    const perEntry = two.length - one.length;

    // Assess
    // kind 1, id 9, four zero counters 4
    expect(perEntry).toBe(14);
  });

  it.each([
    ['another format version', Uint8Array.of(2, 0, 0, 0)],
    ['a truncated entry', Uint8Array.of(1, 1, 1, 1, 0, 1)],
    ['more entries than ENIs', Uint8Array.of(1, 0, 1, 1, 2, 0, 0, 0, 0, 0)],
    ['trailing bytes', Uint8Array.of(1, 0, 1, 0, 7)],
    ['an unknown id kind', Uint8Array.of(1, 1, 1, 1, 9)],
  ])('throws RangeError on %s', (_, bytes) => {
    // Act
    const decode = () => decodeRanking(bytes, WINDOW);

    // Assess
    expect(decode).toThrow(RangeError);
  });
});

describe('candidatesOf', () => {
  /** Contributions to one window: per contribution, ENI number -> value of every metric. */
  const contributionsArbitrary = fc.array(
    fc.dictionary(fc.nat({ max: 40 }).map(String), fc.nat({ max: 50 }), {
      maxKeys: 30,
    }),
    { minLength: 1, maxLength: 5 }
  );

  it('bounds the total of every ENI of the window, named or not', () => {
    fc.assert(
      fc.property(
        contributionsArbitrary,
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom(...RANKING_METRICS),
        (contributions, size, by) => {
          // Prepare
          // Each metric in its own order, so the union differs from each list.
          const metricsOf = (value: number) => ({
            bytes: value,
            packets: (value * 7) % 13,
            flows: (value * 3) % 11,
            rejectFlows: value % 5,
          });
          const rankings = contributions.flatMap((values) =>
            rankingsOf(
              Object.entries(values).map(([n, value]) =>
                rollup(eni(Number(n)), metricsOf(value))
              ),
              size
            )
          );
          const exact = new Map<string, number>();
          for (const values of contributions) {
            for (const [n, value] of Object.entries(values)) {
              const id = eni(Number(n));
              exact.set(id, (exact.get(id) ?? 0) + metricsOf(value)[by]);
            }
          }

          // Act
          const { candidates, unseenAtMost, isAnyCut } = candidatesOf(
            rankings,
            by
          );

          // Assess
          const named = new Map(candidates.map((c) => [c.interfaceId, c]));
          for (const [id, total] of exact) {
            const candidate = named.get(id);
            if (candidate) {
              expect(candidate.atLeast).toBeLessThanOrEqual(total);
              expect(candidate.atMost).toBeGreaterThanOrEqual(total);
            } else {
              expect(isAnyCut).toBe(true);
              expect(total).toBeLessThanOrEqual(unseenAtMost);
            }
          }
          for (let i = 1; i < candidates.length; i++) {
            expect(candidates[i - 1]?.atMost).toBeGreaterThanOrEqual(
              candidates[i]?.atMost ?? 0
            );
          }
          if (!isAnyCut) {
            expect(unseenAtMost).toBe(0);
            for (const candidate of candidates) {
              expect(candidate.atMost).toBe(exact.get(candidate.interfaceId));
              expect(candidate.atLeast).toBe(candidate.atMost);
            }
          }
        }
      ),
      { numRuns: 300 }
    );
  });

  it('adds the cut value of a cut ranking to the ENIs it left out', () => {
    // Prepare
    const first = rankingsOf(
      [
        rollup(eni(1), { bytes: 100 }),
        rollup(eni(2), { bytes: 40 }),
        rollup(eni(3), { bytes: 10 }),
      ],
      1
    );
    const second = rankingsOf([rollup(eni(3), { bytes: 50 })], 1);

    // Act
    const result = candidatesOf([...first, ...second], 'bytes');

    // Assess
    // The first ranking keeps eni 1 only (size 1): eni 3 got at most 100 there.
    expect(result).toEqual({
      candidates: [
        { interfaceId: eni(3), atLeast: 50, atMost: 150 },
        { interfaceId: eni(1), atLeast: 100, atMost: 100 },
      ],
      unseenAtMost: 100,
      isAnyCut: true,
    });
  });

  it('returns no candidates for no rankings', () => {
    // Act
    const result = candidatesOf([], 'flows');

    // Assess
    expect(result).toEqual({
      candidates: [],
      unseenAtMost: 0,
      isAnyCut: false,
    });
  });
});
