import {
  mergeRejections,
  type Rejections,
} from '../aggregate/mergeRejections.js';
import { COUNTERS } from '../aggregate/mergeRollups.js';
import type { Rollup } from '../types.js';
import { ByteReader, ByteWriter } from './byteCodec.js';
import { decodeTopLists, encodeTopLists } from './topListCodec.js';
import {
  RANKING_METRICS,
  type RankingMetric,
  readInterfaceId,
  writeInterfaceId,
} from './windowRanking.js';

/** The counters a ranking keeps of each ENI it lists (every counter every rollup has). */
type RankCounters = Record<(typeof COUNTERS)[number], number>;
/**
 * What a ranking bounds: the four ranking metrics, and the NODATA plus
 * SKIPDATA records (which an ENI idle in all four may still have).
 */
const TRACKED = [...RANKING_METRICS, 'statusRecords'] as const;
type Tracked = (typeof TRACKED)[number];
/** One number per tracked value. */
type Bounds = Record<Tracked, number>;

/**
 * How many ENIs a scope ranking keeps per metric: the top 100 by bytes,
 * by packets, by flows and by rejectFlows (their union: at most 400).
 */
const SCOPE_RANKING_SIZE = 100;

/** Rejected flows and sources a scope ranking keeps (each list). */
const SCOPE_REJECTIONS_SIZE = 50;

/** One ENI in a scope ranking. */
interface RankedEni {
  readonly interfaceId: string;
  /** Exact when every `slack` is 0; else at least these. */
  readonly counters: RankCounters;
  /** How much more of each tracked value it may have had than `counters` says. */
  readonly slack: Bounds;
}

/**
 * The busiest ENIs of a scope over some time (a window of one
 * contribution, an hour, a day), with their counters, and a bound on any
 * ENI it leaves out. Approximate where it was cut: an ENI is left out only
 * when it ranked below `size` in every metric.
 */
interface ScopeRanking {
  /** Sorted by interfaceId. */
  readonly entries: readonly RankedEni[];
  /** No ENI outside `entries` had more than this of each tracked value (all 0: none was left out). */
  readonly bounds: Bounds;
  /**
   * What its ENIs rejected: their rejected flows and sources summed and
   * cut to `SCOPE_REJECTIONS_SIZE` (approximate). Absent: none.
   */
  readonly rejections?: Rejections;
}

/** What rankings merged say of every ENI they name, before any cut. */
interface MergedRanking {
  /** By interfaceId. */
  readonly candidates: Map<string, RankedEni>;
  /** The most of each metric that an ENI none of them names may have. */
  readonly unseen: Bounds;
}

const FORMAT_VERSION = 1;

const compareIds = (a: string, b: string): number =>
  a < b ? -1 : a > b ? 1 : 0;

const zeroBounds = (): Bounds => ({
  bytes: 0,
  packets: 0,
  flows: 0,
  rejectFlows: 0,
  statusRecords: 0,
});

/** A tracked value of counters. */
const trackedValue = (counters: RankCounters, tracked: Tracked): number =>
  tracked === 'statusRecords'
    ? counters.nodataRecords + counters.skipdataRecords
    : counters[tracked];

const isExact = (eni: RankedEni): boolean =>
  TRACKED.every((tracked) => eni.slack[tracked] === 0);

/** Larger `metric` first, ties by interface id: the order rankings cut in. */
const byCounter =
  (metric: RankingMetric) =>
  (a: RankedEni, b: RankedEni): number =>
    b.counters[metric] - a.counters[metric] ||
    compareIds(a.interfaceId, b.interfaceId);

/**
 * The ENIs to keep (the union of the top `size` by each metric) and the
 * bound of what is left out: the most any left-out ENI may have.
 */
function cut(
  all: readonly RankedEni[],
  unseen: Bounds,
  size: number,
  rejections: Rejections
): ScopeRanking {
  const kept = new Map<string, RankedEni>();
  if (all.length <= size) {
    for (const eni of all) kept.set(eni.interfaceId, eni);
  } else {
    for (const metric of RANKING_METRICS) {
      for (const eni of [...all].sort(byCounter(metric)).slice(0, size)) {
        kept.set(eni.interfaceId, eni);
      }
    }
  }
  const bounds = { ...unseen };
  for (const eni of all) {
    if (kept.has(eni.interfaceId)) continue;
    for (const tracked of TRACKED) {
      const atMost = trackedValue(eni.counters, tracked) + eni.slack[tracked];
      if (atMost > bounds[tracked]) bounds[tracked] = atMost;
    }
  }
  const entries = [...kept.values()].sort((a, b) =>
    compareIds(a.interfaceId, b.interfaceId)
  );
  const isEmpty =
    rejections.flows.length === 0 &&
    rejections.sources.length === 0 &&
    rejections.ports.length === 0;
  return { entries, bounds, ...(isEmpty ? {} : { rejections }) };
}

/** The rejections of rankings (or rollups' lists) summed and cut. */
const rejectionsOf = (parts: readonly (Rejections | undefined)[]) =>
  mergeRejections(
    parts.filter((part): part is Rejections => part !== undefined),
    SCOPE_REJECTIONS_SIZE
  );

/**
 * The `size` rollups with the most of `metric`, ties by interface id: the
 * size-th value found by a numeric sort, then only the ties at it sorted.
 */
function topBy(
  rollups: readonly Rollup[],
  metric: RankingMetric,
  size: number
): Rollup[] {
  const values = Float64Array.from(rollups, (rollup) => rollup[metric]);
  values.sort();
  const threshold = values[values.length - size] as number;
  const above = rollups.filter((rollup) => rollup[metric] > threshold);
  const ties = rollups
    .filter((rollup) => rollup[metric] === threshold)
    .sort((a, b) => compareIds(a.interfaceId, b.interfaceId));
  return [...above, ...ties.slice(0, size - above.length)];
}

/**
 * The ranking of one contribution's ENI rollups in one scope and window:
 * exact counters of its busiest ENIs, cut to `size` per metric. Only the
 * kept ENIs become entries: a big scope costs a sort per metric, no object
 * per ENI. Throws `RangeError` when an ENI appears twice.
 */
function rankRollups(
  rollups: readonly Rollup[],
  size = SCOPE_RANKING_SIZE
): ScopeRanking {
  const seen = new Set<string>();
  for (const rollup of rollups) {
    if (seen.has(rollup.interfaceId)) {
      throw new RangeError(
        `${rollup.interfaceId} twice in window ${rollup.windowStart}`
      );
    }
    seen.add(rollup.interfaceId);
  }
  let kept: Set<Rollup>;
  if (rollups.length <= size) {
    kept = new Set(rollups);
  } else {
    kept = new Set();
    for (const metric of RANKING_METRICS) {
      for (const rollup of topBy(rollups, metric, size)) kept.add(rollup);
    }
  }
  const entries = [...kept].map((rollup): RankedEni => {
    const counters = {} as RankCounters;
    for (const name of COUNTERS) counters[name] = rollup[name];
    return { interfaceId: rollup.interfaceId, counters, slack: zeroBounds() };
  });
  // Every ENI left out is exact: the bound is the most it had.
  const unseen = zeroBounds();
  for (const rollup of rollups) {
    if (kept.has(rollup)) continue;
    for (const tracked of TRACKED) {
      const value = trackedValue(rollup, tracked);
      if (value > unseen[tracked]) unseen[tracked] = value;
    }
  }
  const rejections = rejectionsOf(
    rollups.map((rollup) => ({
      flows: rollup.topRejectedFlows ?? [],
      sources: rollup.topRejectedSources ?? [],
      ports: rollup.topRejectedPorts ?? [],
    }))
  );
  return cut(entries, unseen, size, rejections);
}

/**
 * Rankings of disjoint sets of ENIs (the subnets of a VPC, in one window
 * and contribution) as one: their entries together, cut to `size` per
 * metric. The top `size` of the whole are among the parts' top `size`, so
 * it keeps what `rankRollups` of all their rollups keeps, with the same
 * bounds; the rejections are summed and cut (approximate). Throws
 * `RangeError` when an ENI is in two parts.
 */
function unionRankings(
  parts: readonly ScopeRanking[],
  size = SCOPE_RANKING_SIZE
): ScopeRanking {
  const seen = new Set<string>();
  const unseen = zeroBounds();
  const all: RankedEni[] = [];
  for (const part of parts) {
    for (const tracked of TRACKED) {
      unseen[tracked] = Math.max(unseen[tracked], part.bounds[tracked]);
    }
    for (const eni of part.entries) {
      if (seen.has(eni.interfaceId)) {
        throw new RangeError(`${eni.interfaceId} in two disjoint rankings`);
      }
      seen.add(eni.interfaceId);
      all.push(eni);
    }
  }
  return cut(
    all,
    unseen,
    size,
    rejectionsOf(parts.map((part) => part.rejections))
  );
}

/**
 * Rankings of disjoint inputs (contributions, or times) summed: each ENI's
 * listed counters add up; a ranking that leaves it out adds its bounds to
 * the ENI's slack. Order-free.
 */
function mergeRankings(rankings: readonly ScopeRanking[]): MergedRanking {
  const candidates = new Map<string, RankedEni>();
  const unseen = zeroBounds();
  for (const ranking of rankings) {
    for (const tracked of TRACKED) unseen[tracked] += ranking.bounds[tracked];
  }
  for (const ranking of rankings) {
    for (const eni of ranking.entries) {
      const known = candidates.get(eni.interfaceId);
      if (known === undefined) {
        // Every ranking's bound counts, until a ranking lists it.
        const slack = { ...unseen };
        for (const tracked of TRACKED) {
          slack[tracked] += eni.slack[tracked] - ranking.bounds[tracked];
        }
        candidates.set(eni.interfaceId, {
          interfaceId: eni.interfaceId,
          counters: { ...eni.counters },
          slack,
        });
        continue;
      }
      for (const name of COUNTERS) known.counters[name] += eni.counters[name];
      for (const tracked of TRACKED) {
        known.slack[tracked] += eni.slack[tracked] - ranking.bounds[tracked];
      }
    }
  }
  return { candidates, unseen };
}

/**
 * Rankings summed (`mergeRankings`) and cut again to `size` per metric:
 * what an hour keeps of its windows, a day of its hours.
 */
function combineRankings(
  rankings: readonly ScopeRanking[],
  size = SCOPE_RANKING_SIZE
): ScopeRanking {
  const { candidates, unseen } = mergeRankings(rankings);
  const rejections = rejectionsOf(
    rankings.map((ranking) => ranking.rejections)
  );
  return cut([...candidates.values()], unseen, size, rejections);
}

/**
 * A ranking as stored (binary): format byte, the five bounds, then each
 * entry's interface id (`windowRanking`'s short form), its counters and
 * its slack, as varints; then, when it has rejections, their length and
 * their top lists. Throws `RangeError` on a value that is not a
 * non-negative safe integer.
 */
function encodeScopeRanking(ranking: ScopeRanking): Uint8Array {
  const out = new ByteWriter();
  out.byte(FORMAT_VERSION);
  for (const tracked of TRACKED) out.varint(ranking.bounds[tracked]);
  out.varint(ranking.entries.length);
  for (const eni of ranking.entries) {
    writeInterfaceId(out, eni.interfaceId);
    for (const name of COUNTERS) out.varint(eni.counters[name]);
    const isExactEni = isExact(eni);
    out.byte(isExactEni ? 0 : 1);
    if (!isExactEni) {
      for (const tracked of TRACKED) out.varint(eni.slack[tracked]);
    }
  }
  if (ranking.rejections) {
    // Then the rejections, as top lists (`topListCodec`).
    const lists = encodeTopLists({
      topRejectedSources: ranking.rejections.sources,
      topRejectedFlows: ranking.rejections.flows,
      topRejectedPorts: ranking.rejections.ports,
    });
    out.varint(lists.length);
    out.bytes(lists);
  }
  return out.finish();
}

/** Reads what `encodeScopeRanking` wrote. Throws `RangeError` on other bytes. */
function decodeScopeRanking(bytes: Uint8Array): ScopeRanking {
  const input = new ByteReader(bytes);
  const version = input.byte();
  if (version !== FORMAT_VERSION) {
    throw new RangeError(`unknown scope ranking format ${version}`);
  }
  const bounds = zeroBounds();
  for (const tracked of TRACKED) bounds[tracked] = input.varint();
  const entries: RankedEni[] = [];
  for (let n = input.varint(); n > 0; n--) {
    const interfaceId = readInterfaceId(input);
    const counters = {} as RankCounters;
    for (const name of COUNTERS) counters[name] = input.varint();
    const slack = zeroBounds();
    const flag = input.byte();
    if (flag > 1) throw new RangeError(`bad slack flag ${flag}`);
    if (flag === 1) {
      for (const tracked of TRACKED) slack[tracked] = input.varint();
    }
    entries.push({ interfaceId, counters, slack });
  }
  if (input.isAtEnd) return { entries, bounds };
  const lists = decodeTopLists(input.bytes(input.varint()));
  if (!input.isAtEnd) throw new RangeError('bytes after the scope ranking');
  const rejections = {
    flows: lists.topRejectedFlows ?? [],
    sources: lists.topRejectedSources ?? [],
    ports: lists.topRejectedPorts ?? [],
  };
  return { entries, bounds, rejections };
}

export type {
  Bounds,
  MergedRanking,
  RankCounters,
  RankedEni,
  ScopeRanking,
  Tracked,
};
export {
  combineRankings,
  decodeScopeRanking,
  encodeScopeRanking,
  isExact,
  mergeRankings,
  rankRollups,
  SCOPE_RANKING_SIZE,
  SCOPE_REJECTIONS_SIZE,
  TRACKED,
  unionRankings,
  zeroBounds,
};
