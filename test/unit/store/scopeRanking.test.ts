import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  COUNTERS,
  emptyRollup,
} from '../../../shared/aggregate/mergeRollups.js';
import {
  type Bounds,
  combineRankings,
  decodeScopeRanking,
  encodeScopeRanking,
  isExact,
  type MergedRanking,
  mergeRankings,
  type RankCounters,
  type RankedEni,
  rankRollups,
  type ScopeRanking,
  zeroBounds,
} from '../../../shared/store/scopeRanking.js';
import { RANKING_METRICS } from '../../../shared/store/windowRanking.js';
import type { Rollup } from '../../../shared/types.js';

/** 2026-11-01T00:05:00Z */
const WINDOW = 1793491500;

const eni = (n: number): string => `eni-${n.toString(16).padStart(17, '0')}`;

const rollup = (
  interfaceId: string,
  values: Partial<RankCounters>,
  windowStart = WINDOW
): Rollup => ({ ...emptyRollup(interfaceId, windowStart), ...values });

const countersOf = (values: Partial<RankCounters>): RankCounters => {
  const counters = {} as RankCounters;
  for (const name of COUNTERS) counters[name] = values[name] ?? 0;
  return counters;
};

const bounds = (values: Partial<Bounds>): Bounds => ({
  ...zeroBounds(),
  ...values,
});

const exactEni = (n: number, values: Partial<RankCounters>): RankedEni => ({
  interfaceId: eni(n),
  counters: countersOf(values),
  slack: zeroBounds(),
});

/** A merged ranking as a plain value: candidates sorted by interface id. */
const plain = (merged: MergedRanking) => ({
  candidates: [...merged.candidates.values()].sort((a, b) =>
    a.interfaceId < b.interfaceId ? -1 : a.interfaceId > b.interfaceId ? 1 : 0
  ),
  unseen: merged.unseen,
});

/**
 * What one ENI got in one input (one contribution's window), as a flow-log
 * rollup has it: every flow accepted or rejected, NODATA and SKIPDATA
 * records counted apart from traffic. Small values, so ties are common;
 * an idle ENI (only NODATA or SKIPDATA records) now and then.
 */
const eniRollupArbitrary = (maxEni: number): fc.Arbitrary<Rollup> => {
  const traffic = fc.record({
    acceptFlows: fc.nat({ max: 4 }),
    rejectFlows: fc.nat({ max: 4 }),
    acceptPackets: fc.nat({ max: 6 }),
    rejectPackets: fc.nat({ max: 6 }),
    acceptBytes: fc.nat({ max: 9 }),
    rejectBytes: fc.nat({ max: 9 }),
  });
  const idle = fc.constant({
    acceptFlows: 0,
    rejectFlows: 0,
    acceptPackets: 0,
    rejectPackets: 0,
    acceptBytes: 0,
    rejectBytes: 0,
  });
  return fc
    .record({
      n: fc.nat({ max: maxEni }),
      traffic: fc.oneof({ arbitrary: traffic, weight: 4 }, idle),
      nodataRecords: fc.nat({ max: 2 }),
      skipdataRecords: fc.nat({ max: 1 }),
    })
    .map(({ n, traffic, nodataRecords, skipdataRecords }) =>
      rollup(eni(n), {
        ...traffic,
        flows: traffic.acceptFlows + traffic.rejectFlows,
        packets: traffic.acceptPackets + traffic.rejectPackets,
        bytes: traffic.acceptBytes + traffic.rejectBytes,
        nodataRecords,
        skipdataRecords,
      })
    );
};

/** One input: each ENI at most once. */
const inputArbitrary = fc.uniqueArray(eniRollupArbitrary(29), {
  selector: (r) => r.interfaceId,
  maxLength: 15,
});

/** How the per-input rankings are combined, level by level. */
const planArbitrary = fc.record({
  inputs: fc.array(
    fc.record({
      rollups: inputArbitrary,
      size: fc.integer({ min: 1, max: 5 }),
    }),
    { minLength: 1, maxLength: 6 }
  ),
  levels: fc.array(
    fc.record({
      group: fc.integer({ min: 1, max: 4 }),
      size: fc.integer({ min: 1, max: 5 }),
    }),
    { maxLength: 3 }
  ),
});

type Plan = typeof planArbitrary extends fc.Arbitrary<infer T> ? T : never;

/** The inputs ranked, combined group by group at each level, then merged. */
function rankPlan(plan: Plan): {
  merged: MergedRanking;
  truth: Map<string, RankCounters>;
} {
  let rankings = plan.inputs.map(({ rollups, size }) =>
    rankRollups(rollups, size)
  );
  for (const { group, size } of plan.levels) {
    const next: ScopeRanking[] = [];
    for (let i = 0; i < rankings.length; i += group) {
      next.push(combineRankings(rankings.slice(i, i + group), size));
    }
    rankings = next;
  }
  const truth = new Map<string, RankCounters>();
  for (const { rollups } of plan.inputs) {
    for (const r of rollups) {
      const total = truth.get(r.interfaceId) ?? countersOf({});
      for (const name of COUNTERS) total[name] += r[name];
      truth.set(r.interfaceId, total);
    }
  }
  return { merged: mergeRankings(rankings), truth };
}

describe('scopeRanking', () => {
  describe('rankRollups', () => {
    it('lists every ENI exactly, with no bounds, when there are at most size', () => {
      // Prepare
      const rollups = [
        rollup(eni(3), { bytes: 30, nodataRecords: 1 }),
        rollup(eni(1), { bytes: 10, flows: 2, acceptFlows: 2 }),
      ];

      // Act
      const ranking = rankRollups(rollups, 2);

      // Assess
      expect(ranking).toEqual({
        entries: [
          exactEni(1, { bytes: 10, flows: 2, acceptFlows: 2 }),
          exactEni(3, { bytes: 30, nodataRecords: 1 }),
        ],
        bounds: zeroBounds(),
      });
    });

    it('keeps the union of the top size by each metric and bounds the rest by their largest values', () => {
      // Prepare
      const rollups = [
        rollup(eni(1), { bytes: 100 }),
        rollup(eni(2), { bytes: 90, rejectFlows: 2 }),
        rollup(eni(3), { packets: 50 }),
        rollup(eni(4), { flows: 7, packets: 40 }),
        rollup(eni(5), { rejectFlows: 3 }),
        rollup(eni(6), { bytes: 1, packets: 1, flows: 6, rejectFlows: 1 }),
      ];

      // Act
      const ranking = rankRollups(rollups, 1);

      // Assess
      expect(ranking.entries.map((e) => e.interfaceId)).toEqual([
        eni(1),
        eni(3),
        eni(4),
        eni(5),
      ]);
      expect(ranking.entries.every(isExact)).toBe(true);
      expect(ranking.bounds).toEqual({
        bytes: 90,
        packets: 1,
        flows: 6,
        rejectFlows: 2,
        statusRecords: 0,
      });
    });

    it('breaks ties by interface id, smallest first', () => {
      // Prepare
      const rollups = [
        rollup(eni(9), { bytes: 5 }),
        rollup(eni(2), { bytes: 5 }),
        rollup(eni(7), { bytes: 5 }),
      ];

      // Act
      const ranking = rankRollups(rollups, 1);

      // Assess
      // Every metric ties (packets, flows and rejectFlows are all 0).
      expect(ranking.entries.map((e) => e.interfaceId)).toEqual([eni(2)]);
      expect(ranking.bounds).toEqual(bounds({ bytes: 5 }));
    });

    it('keeps exactly the union of the top size by each metric', () => {
      fc.assert(
        fc.property(
          inputArbitrary,
          fc.integer({ min: 1, max: 5 }),
          (rollups, size) => {
            // Act
            const ranking = rankRollups(rollups, size);

            // Assess
            const ids = ranking.entries.map((e) => e.interfaceId);
            expect(ids).toEqual([...ids].sort());
            expect(ranking.entries.every(isExact)).toBe(true);
            if (rollups.length <= size) {
              expect(ids).toHaveLength(rollups.length);
              expect(ranking.bounds).toEqual(zeroBounds());
              return;
            }
            const expected = new Set<string>();
            for (const metric of RANKING_METRICS) {
              const top = [...rollups]
                .sort(
                  (a, b) =>
                    b[metric] - a[metric] ||
                    (a.interfaceId < b.interfaceId ? -1 : 1)
                )
                .slice(0, size);
              for (const r of top) expected.add(r.interfaceId);
            }
            expect(ids).toEqual([...expected].sort());
            for (const entry of ranking.entries) {
              const source = rollups.find(
                (r) => r.interfaceId === entry.interfaceId
              );
              expect(entry.counters).toEqual(countersOf(source ?? {}));
            }
            const dropped = rollups.filter((r) => !expected.has(r.interfaceId));
            for (const metric of RANKING_METRICS) {
              expect(ranking.bounds[metric]).toBe(
                Math.max(0, ...dropped.map((r) => r[metric]))
              );
            }
          }
        ),
        { numRuns: 300 }
      );
    });

    it('throws RangeError on an ENI twice', () => {
      // Prepare
      const rollups = [
        rollup(eni(1), { bytes: 1 }),
        rollup(eni(1), { bytes: 2 }),
      ];

      // Act
      const rank = () => rankRollups(rollups);

      // Assess
      expect(rank).toThrow(RangeError);
    });
  });

  describe('mergeRankings', () => {
    it('adds the bounds of a ranking that does not list an ENI to its slack', () => {
      // Prepare
      const first: ScopeRanking = {
        entries: [exactEni(1, { bytes: 100, flows: 1 })],
        bounds: bounds({ bytes: 40, packets: 3 }),
      };
      const second: ScopeRanking = {
        entries: [
          exactEni(1, { bytes: 5 }),
          exactEni(3, { bytes: 50, rejectFlows: 2 }),
        ],
        bounds: bounds({ bytes: 7, flows: 1 }),
      };

      // Act
      const merged = mergeRankings([first, second]);

      // Assess
      expect(plain(merged)).toEqual({
        candidates: [
          {
            interfaceId: eni(1),
            counters: countersOf({ bytes: 105, flows: 1 }),
            slack: zeroBounds(),
          },
          {
            interfaceId: eni(3),
            counters: countersOf({ bytes: 50, rejectFlows: 2 }),
            slack: bounds({ bytes: 40, packets: 3 }),
          },
        ],
        unseen: bounds({ bytes: 47, packets: 3, flows: 1 }),
      });
    });

    it('returns no candidates for no rankings', () => {
      // Act
      const merged = mergeRankings([]);

      // Assess
      expect(plain(merged)).toEqual({ candidates: [], unseen: zeroBounds() });
    });

    it('leaves the rankings it merges unchanged', () => {
      fc.assert(
        fc.property(planArbitrary, ({ inputs }) => {
          // Prepare
          const rankings = inputs.map(({ rollups, size }) =>
            rankRollups(rollups, size)
          );
          const before = structuredClone(rankings);

          // Act
          mergeRankings(rankings);
          combineRankings(rankings, 2);

          // Assess
          expect(rankings).toEqual(before);
        })
      );
    });

    it('gives the same candidates and unseen bounds for the rankings in any order', () => {
      fc.assert(
        fc.property(
          planArbitrary.chain(({ inputs }) => {
            const rankings = inputs.map(({ rollups, size }) =>
              combineRankings([rankRollups(rollups, size)], size)
            );
            return fc.tuple(
              fc.constant(rankings),
              fc.shuffledSubarray(rankings, {
                minLength: rankings.length,
                maxLength: rankings.length,
              })
            );
          }),
          ([rankings, shuffled]) => {
            // Act
            const [a, b] = [mergeRankings(rankings), mergeRankings(shuffled)];

            // Assess
            expect(plain(b)).toEqual(plain(a));
          }
        ),
        { numRuns: 300 }
      );
    });
  });

  describe('combineRankings', () => {
    it('bounds the true total of every ENI, listed or not, however the rankings were combined', () => {
      fc.assert(
        fc.property(planArbitrary, (plan) => {
          // Prepare
          const { merged, truth } = rankPlan(plan);

          // Act
          const { candidates, unseen } = merged;

          // Assess
          for (const [id, total] of truth) {
            const candidate = candidates.get(id);
            for (const metric of RANKING_METRICS) {
              if (candidate === undefined) {
                expect(total[metric]).toBeLessThanOrEqual(unseen[metric]);
              } else {
                expect(candidate.counters[metric]).toBeLessThanOrEqual(
                  total[metric]
                );
                expect(total[metric]).toBeLessThanOrEqual(
                  candidate.counters[metric] + candidate.slack[metric]
                );
              }
            }
          }
          for (const id of candidates.keys()) expect(truth.has(id)).toBe(true);
          // The busiest ENI by bytes is never ranked below any upper bound.
          const most = Math.max(0, ...[...truth.values()].map((t) => t.bytes));
          const upper = Math.max(
            unseen.bytes,
            ...[...candidates.values()].map(
              (c) => c.counters.bytes + c.slack.bytes
            )
          );
          expect(upper).toBeGreaterThanOrEqual(most);
        }),
        { numRuns: 1000 }
      );
    });

    it('gives the exact counters of an ENI with no slack', () => {
      fc.assert(
        fc.property(planArbitrary, (plan) => {
          // Prepare
          const { merged, truth } = rankPlan(plan);

          // Act
          const exact = [...merged.candidates.values()].filter(isExact);

          // Assess
          for (const candidate of exact) {
            expect(candidate.counters).toEqual(
              truth.get(candidate.interfaceId)
            );
          }
        }),
        { numRuns: 1000 }
      );
    });

    it('gives no exact counters for an idle ENI one ranking cut', () => {
      // Prepare
      // Size 1 and every ranking metric 0: eni 0 wins every tie and eni 5,
      // with one NODATA record, is cut while the bounds stay 0.
      const rankings = [
        rankRollups([rollup(eni(5), {})], 1),
        rankRollups(
          [rollup(eni(5), { nodataRecords: 1 }), rollup(eni(0), {})],
          1
        ),
      ];

      // Act
      const candidate = mergeRankings(rankings).candidates.get(eni(5));

      // Assess
      expect(candidate).toBeDefined();
      if (candidate && isExact(candidate)) {
        expect(candidate.counters).toEqual(countersOf({ nodataRecords: 1 }));
      }
    });

    it('lists every ENI exactly when nothing was cut', () => {
      // Prepare
      const hour = [
        rankRollups([rollup(eni(1), { bytes: 10, nodataRecords: 1 })], 5),
        rankRollups(
          [rollup(eni(1), { bytes: 5 }), rollup(eni(2), { packets: 3 })],
          5
        ),
      ];

      // Act
      const ranking = combineRankings(hour, 5);

      // Assess
      expect(ranking).toEqual({
        entries: [
          exactEni(1, { bytes: 15, nodataRecords: 1 }),
          exactEni(2, { packets: 3 }),
        ],
        bounds: zeroBounds(),
      });
    });
  });

  describe('encodeScopeRanking', () => {
    const interfaceIdArbitrary = fc.oneof(
      fc.stringMatching(/^eni-[0-9a-f]{17}$/),
      fc.stringMatching(/^eni-[0-9a-f]{8}$/),
      fc.string({ maxLength: 30 })
    );
    const boundsArbitrary = fc
      .record({
        bytes: fc.maxSafeNat(),
        packets: fc.maxSafeNat(),
        flows: fc.nat(),
        rejectFlows: fc.nat({ max: 1000 }),
        statusRecords: fc.nat({ max: 1000 }),
      })
      .map((b) => ({ ...b }));
    const countersArbitrary = fc
      .array(fc.maxSafeNat(), {
        minLength: COUNTERS.length,
        maxLength: COUNTERS.length,
      })
      .map((values) => {
        const counters = {} as RankCounters;
        COUNTERS.forEach((name, i) => {
          counters[name] = values[i] ?? 0;
        });
        return counters;
      });
    const rankingArbitrary: fc.Arbitrary<ScopeRanking> = fc
      .record({
        entries: fc
          .uniqueArray(
            fc
              .record({
                interfaceId: interfaceIdArbitrary,
                counters: countersArbitrary,
                slack: fc.oneof(fc.constant(zeroBounds()), boundsArbitrary),
              })
              .map((entry) => ({ ...entry })),
            { selector: (e) => e.interfaceId, maxLength: 20 }
          )
          .map((entries) =>
            entries.sort((a, b) =>
              a.interfaceId < b.interfaceId
                ? -1
                : a.interfaceId > b.interfaceId
                  ? 1
                  : 0
            )
          ),
        bounds: boundsArbitrary,
      })
      .map((ranking) => ({ ...ranking }));

    it('reads back exactly what it wrote', () => {
      fc.assert(
        fc.property(rankingArbitrary, (ranking) => {
          // Act
          const read = decodeScopeRanking(encodeScopeRanking(ranking));

          // Assess
          expect(read).toStrictEqual(ranking);
        }),
        { numRuns: 300 }
      );
    });

    it('reads back a ranking of long, short and text interface ids', () => {
      // Prepare
      const ranking: ScopeRanking = {
        entries: [
          {
            interfaceId: 'eni-0123abcd',
            counters: countersOf({ bytes: 1 }),
            slack: bounds({ flows: 2 }),
          },
          {
            interfaceId: 'eni-0fedcba9876543210',
            counters: countersOf({ skipdataRecords: 3 }),
            slack: zeroBounds(),
          },
          {
            interfaceId: 'eni-Not-Hex',
            counters: countersOf({ rejectBytes: 2 ** 40 }),
            slack: bounds({ bytes: Number.MAX_SAFE_INTEGER }),
          },
        ],
        bounds: bounds({ packets: 9 }),
      };

      // Act
      const read = decodeScopeRanking(encodeScopeRanking(ranking));

      // Assess
      expect(read).toStrictEqual(ranking);
    });

    it('writes an eni- id of 17 hex digits in 9 bytes and no slack for an exact ENI', () => {
      // Prepare
      const none: ScopeRanking = { entries: [], bounds: zeroBounds() };
      const one: ScopeRanking = {
        entries: [exactEni(1, {})],
        bounds: zeroBounds(),
      };

      // Act
      const perEntry =
        encodeScopeRanking(one).length - encodeScopeRanking(none).length;

      // Assess
      // kind 1, id 9, counters 11, slack flag 1
      expect(perEntry).toBe(1 + 9 + COUNTERS.length + 1);
    });

    it('throws RangeError on a value that is not a non-negative safe integer', () => {
      // Prepare
      const ranking: ScopeRanking = {
        entries: [exactEni(1, { bytes: -1 })],
        bounds: zeroBounds(),
      };

      // Act
      const encode = () => encodeScopeRanking(ranking);

      // Assess
      expect(encode).toThrow(RangeError);
    });

    const exactOne = encodeScopeRanking({
      entries: [exactEni(1, { bytes: 1 })],
      bounds: zeroBounds(),
    });
    const withVersion = Uint8Array.from(exactOne);
    withVersion[0] = 2;
    const withFlag = Uint8Array.from(exactOne);
    withFlag[withFlag.length - 1] = 2;

    it.each([
      ['another format version', withVersion],
      ['trailing bytes', Uint8Array.from([...exactOne, 0])],
      ['a bad slack flag', withFlag],
      ['a truncated entry', exactOne.subarray(0, exactOne.length - 1)],
      ['no bytes', new Uint8Array(0)],
    ])('throws RangeError on %s', (_, bytes) => {
      // Act
      const decode = () => decodeScopeRanking(bytes);

      // Assess
      expect(decode).toThrow(RangeError);
    });
  });
});
