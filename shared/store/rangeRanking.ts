import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  mergeRejections,
  type Rejections,
} from '../aggregate/mergeRejections.js';
import { COUNTERS } from '../aggregate/mergeRollups.js';
import { messageOf, StoreError } from '../errors.js';
import { queryBetween } from './dynamoCalls.js';
import { rollupFromItem } from './rollupItem.js';
import {
  ACCOUNTS_KEY,
  ATTR,
  lastWindowRankingKey,
  partitionKey,
  STEP_SECONDS,
  scopeRankingSortKey,
  sortKey,
  startOfSortKey,
} from './rollupLayout.js';
import {
  type Bounds,
  combineRankings,
  isExact,
  mergeRankings,
  type RankCounters,
  type RankedEni,
  type ScopeRanking,
  TRACKED,
  zeroBounds,
} from './scopeRanking.js';
import { rankingOfItem } from './scopeRankingStore.js';
import { coverOf } from './seriesReader.js';
import { RANKING_METRICS, type RankingMetric } from './windowRanking.js';

/**
 * The 5-minute windows of ENIs that one ranking over a range may read to
 * make its listed totals exact (a week of one ENI).
 */
const WINDOW_READ_BUDGET = 2016;

/** What the table holds rollups of. */
interface ScopeList {
  readonly accounts: readonly string[];
  readonly vpcs: readonly string[];
  readonly subnets: readonly string[];
  /** UTC day starts (epoch seconds), oldest first. */
  readonly days: readonly number[];
}

/** One ENI of a ranking over a range. */
interface RangeTopEni {
  readonly interfaceId: string;
  /** Its counters over the range: exact when `isExact`, else at least these. */
  readonly counters: RankCounters;
  readonly isExact: boolean;
  /** When not exact: the most each ranking metric may be. */
  readonly atMost?: Readonly<Record<RankingMetric, number>>;
}

/** The busiest ENIs of some scopes over a range. */
interface RangeTop {
  /** Busiest first by the metric asked for (ties by interface id). */
  readonly enis: readonly RangeTopEni[];
  /** True when no ENI left out can have more of the metric than the last one listed. */
  readonly isMembershipExact: boolean;
  /** Ranking items and 5-minute ENI windows read. */
  readonly itemsRead: { readonly rankings: number; readonly windows: number };
}

/** Ranks ENIs over ranges; every failure after retries is a `StoreError`. */
interface RangeRanker {
  /** The accounts the table holds rollups of (sorted). */
  accounts(): Promise<string[]>;
  /** The accounts, VPCs and subnets the table holds rollups of, and the days with data (sorted). */
  scopes(): Promise<ScopeList>;
  /**
   * The top `limit` ENIs by `by` over [from, to) (5-minute aligned) of the
   * scopes whose partition keys are given (disjoint: one scope, or every
   * account for everything).
   */
  rankRange(
    scopeKeys: readonly string[],
    from: number,
    to: number,
    by: RankingMetric,
    limit: number
  ): Promise<RangeTop>;
  /**
   * What the ENIs of one scope rejected over [from, to) (5-minute
   * aligned), from the same stored rankings: rejected flows and sources
   * summed, each list cut to `size` (approximate).
   */
  rejectionsOf(
    scopeKey: string,
    from: number,
    to: number,
    size: number
  ): Promise<{ rejections: Rejections; itemsRead: number }>;
}

/** A stretch of time whose ranking is stored whole: a window, an hour, a day. */
interface Piece {
  readonly start: number;
  readonly end: number;
  readonly ranking: ScopeRanking;
  readonly byId: ReadonlyMap<string, RankedEni>;
}

/** A candidate of one scope, and the pieces of that scope. */
interface Candidate {
  readonly eni: RankedEni;
  readonly pieces: readonly Piece[];
}

const hasBounds = (bounds: Bounds): boolean =>
  TRACKED.some((tracked) => bounds[tracked] > 0);

/**
 * Ranks ENIs over ranges from the scope rankings that the store keeps
 * (`scopeRankingStore`): the coarsest stored rankings that cover the range
 * (days inside, hours and windows at the edges), summed. A listed ENI that
 * some ranking cut is made exact by reading its own windows of that
 * stretch, up to `WINDOW_READ_BUDGET` windows per request.
 */
function createRangeRanker(
  client: DynamoDBClient,
  tableName: string
): RangeRanker {
  const failed = (error: unknown) =>
    new StoreError(`reading ${tableName} failed: ${messageOf(error)}`, {
      cause: error,
    });

  const query = (pk: string, low: string, high: string) =>
    queryBetween(client, { tableName, pk, low, high });

  /** The stored rankings of one scope that cover [from, to), one per piece. */
  async function piecesOf(pk: string, from: number, to: number) {
    const lists = await Promise.all(
      coverOf(from, to).map(async ({ step, first, last }) => {
        const high =
          step === '5m'
            ? lastWindowRankingKey(last)
            : scopeRankingSortKey(step, last);
        return {
          step,
          items: await query(pk, scopeRankingSortKey(step, first), high),
        };
      })
    );
    const byStart = new Map<
      number,
      { end: number; rankings: ScopeRanking[] }
    >();
    let read = 0;
    for (const { step, items } of lists) {
      for (const item of items) {
        read++;
        // `R#W#<iso>#<hash>`, `R#H#<iso>`, `R#D#<iso>`: the step's key after `R#`.
        const start = startOfSortKey((item[ATTR.sk]?.S ?? '').slice(2, 24));
        const piece = byStart.get(start) ?? {
          end: start + STEP_SECONDS[step],
          rankings: [],
        };
        piece.rankings.push(rankingOfItem(item));
        byStart.set(start, piece);
      }
    }
    const pieces: Piece[] = [...byStart].map(([start, { end, rankings }]) => {
      const ranking = combineRankings(rankings, Number.POSITIVE_INFINITY);
      const byId = new Map(ranking.entries.map((e) => [e.interfaceId, e]));
      return { start, end, ranking, byId };
    });
    return { pieces, read };
  }

  /** An ENI's exact counters over [start, end), from its 5-minute windows. */
  async function exactCounters(
    interfaceId: string,
    start: number,
    end: number
  ) {
    const items = await query(
      partitionKey(interfaceId),
      sortKey(start),
      sortKey(end - STEP_SECONDS['5m'])
    );
    const counters = Object.fromEntries(
      COUNTERS.map((name) => [name, 0])
    ) as RankCounters;
    for (const item of items) {
      const rollup = rollupFromItem(item, false);
      for (const name of COUNTERS) counters[name] += rollup[name];
    }
    return { counters, read: items.length };
  }

  /**
   * The candidate with every inexact piece replaced by the ENI's own
   * windows of it, while the budget lasts.
   */
  async function resolve(
    { eni, pieces }: Candidate,
    budget: { windows: number; read: number }
  ): Promise<RankedEni> {
    const counters = { ...eni.counters };
    const slack = { ...eni.slack };
    for (const piece of pieces) {
      const listed = piece.byId.get(eni.interfaceId);
      const pieceSlack = listed ? listed.slack : piece.ranking.bounds;
      if (!hasBounds(pieceSlack)) continue;
      const windows = (piece.end - piece.start) / STEP_SECONDS['5m'];
      if (windows > budget.windows) continue;
      budget.windows -= windows;
      const exact = await exactCounters(
        eni.interfaceId,
        piece.start,
        piece.end
      );
      budget.read += exact.read;
      for (const name of COUNTERS) {
        counters[name] += exact.counters[name] - (listed?.counters[name] ?? 0);
      }
      for (const tracked of TRACKED) slack[tracked] -= pieceSlack[tracked];
    }
    return { interfaceId: eni.interfaceId, counters, slack };
  }

  async function rankRange(
    scopeKeys: readonly string[],
    from: number,
    to: number,
    by: RankingMetric,
    limit: number
  ): Promise<RangeTop> {
    try {
      const scopes = await Promise.all(
        scopeKeys.map((pk) => piecesOf(pk, from, to))
      );
      // Scopes hold disjoint ENIs: their candidates join, their unseen
      // bounds do not add up (an ENI is in one scope only).
      const candidates: Candidate[] = [];
      const unseen = zeroBounds();
      let rankingsRead = 0;
      for (const { pieces, read } of scopes) {
        rankingsRead += read;
        const merged = mergeRankings(pieces.map((piece) => piece.ranking));
        for (const eni of merged.candidates.values()) {
          candidates.push({ eni, pieces });
        }
        for (const tracked of TRACKED) {
          unseen[tracked] = Math.max(unseen[tracked], merged.unseen[tracked]);
        }
      }
      const order = (a: RankedEni, b: RankedEni) =>
        b.counters[by] - a.counters[by] ||
        (a.interfaceId < b.interfaceId ? -1 : 1);
      candidates.sort((a, b) => order(a.eni, b.eni));
      const budget = { windows: WINDOW_READ_BUDGET, read: 0 };
      const chosen: RankedEni[] = [];
      for (const candidate of candidates.slice(0, limit)) {
        chosen.push(
          isExact(candidate.eni)
            ? candidate.eni
            : await resolve(candidate, budget)
        );
      }
      chosen.sort(order);
      // Exact membership: the last listed has at least what any other
      // candidate, or any ENI no ranking names, may have.
      const floor =
        chosen.length < limit ? 0 : (chosen.at(-1)?.counters[by] ?? 0);
      const isMembershipExact =
        chosen.every((eni) => eni.slack[by] === 0) &&
        unseen[by] <= floor &&
        candidates
          .slice(limit)
          .every(({ eni }) => eni.counters[by] + eni.slack[by] <= floor);
      return {
        enis: chosen.map((eni) => {
          const exact = isExact(eni);
          const atMost = {} as Record<RankingMetric, number>;
          for (const metric of RANKING_METRICS) {
            atMost[metric] = eni.counters[metric] + eni.slack[metric];
          }
          return {
            interfaceId: eni.interfaceId,
            counters: eni.counters,
            isExact: exact,
            ...(exact ? {} : { atMost }),
          };
        }),
        isMembershipExact,
        itemsRead: { rankings: rankingsRead, windows: budget.read },
      };
    } catch (error) {
      throw failed(error);
    }
  }

  async function rejectionsOf(
    scopeKey: string,
    from: number,
    to: number,
    size: number
  ) {
    try {
      const { pieces, read } = await piecesOf(scopeKey, from, to);
      const rejections = mergeRejections(
        pieces.flatMap(({ ranking }) =>
          ranking.rejections ? [ranking.rejections] : []
        ),
        size
      );
      return { rejections, itemsRead: read };
    } catch (error) {
      throw failed(error);
    }
  }

  async function accounts(): Promise<string[]> {
    return [...(await scopes()).accounts];
  }

  async function scopes(): Promise<ScopeList> {
    try {
      const { Item: item } = await client.send(
        new GetItemCommand({
          TableName: tableName,
          Key: {
            [ATTR.pk]: { S: ACCOUNTS_KEY.pk },
            [ATTR.sk]: { S: ACCOUNTS_KEY.sk },
          },
        })
      );
      const sorted = (name: string) => [...(item?.[name]?.SS ?? [])].sort();
      return {
        accounts: sorted(ATTR.accounts),
        vpcs: sorted(ATTR.vpcs),
        subnets: sorted(ATTR.subnets),
        days: (item?.[ATTR.days]?.NS ?? []).map(Number).sort((a, b) => a - b),
      };
    } catch (error) {
      throw failed(error);
    }
  }

  return { accounts, rankRange, rejectionsOf, scopes };
}

export type { RangeRanker, RangeTop, RangeTopEni, ScopeList };
export { createRangeRanker, WINDOW_READ_BUDGET };
