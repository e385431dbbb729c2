import {
  type DynamoDBClient,
  GetItemCommand,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import { IDS } from '../aggregate/mergeRollups.js';
import { messageOf, StoreError } from '../errors.js';
import type { Rollup } from '../types.js';
import { BATCH_GET_KEYS, batchGetItems, queryItems } from './dynamoCalls.js';
import {
  rankingFromItem,
  rollupFromItem,
  rollupsFromItems,
} from './rollupItem.js';
import {
  ALL_COUNTERS,
  ATTR,
  COUNTER_ATTR,
  partitionKey,
  rankingPartitionKey,
  sortKey,
} from './rollupLayout.js';
import type { RollupReader, WindowTop } from './rollupStore.js';
import { createSeriesReader } from './seriesReader.js';
import { candidatesOf, type RankingMetric } from './windowRanking.js';

/** Pages of one window's ranking items read at most (1 MB each). */
const MAX_RANKING_PAGES = 4;
/** Counters items read at most to rank one window. */
const MAX_CANDIDATE_READS = 300;

/** Busiest first by `by`, then by bytes, then by interface id. */
const busiestFirst =
  (by: RankingMetric) =>
  (a: Rollup, b: Rollup): number =>
    b[by] - a[by] ||
    b.bytes - a.bytes ||
    (a.interfaceId < b.interfaceId
      ? -1
      : a.interfaceId > b.interfaceId
        ? 1
        : 0);

/**
 * Reads rollups for the query API: a Query on the ENI's partition for its
 * counters items (each with its top lists); for a window's top ENIs, a
 * Query of the window's ranking items (`TOP#<window>`, one per
 * contribution) and BatchGetItem of the counters of the best candidates,
 * so the counters are exact and the reads bounded. Any failure after the
 * SDK's retries is a `StoreError`.
 * @example const reader = createDynamoRollupReader(new DynamoDBClient({}), 'flowlog-rollups-dev-rollups');
 */
function createDynamoRollupReader(
  client: DynamoDBClient,
  tableName: string
): RollupReader {
  const storeError = (error: unknown) =>
    new StoreError(`reading ${tableName} failed: ${messageOf(error)}`, {
      cause: error,
    });

  /** Every item of a query, or the first `maxPages` pages of it. */
  async function queryPages(
    input: Omit<QueryCommandInput, 'TableName'>,
    maxPages = Number.POSITIVE_INFINITY
  ) {
    try {
      return await queryItems(
        client,
        { TableName: tableName, ...input },
        { maxPages }
      );
    } catch (error) {
      throw storeError(error);
    }
  }

  /** The counters (no top lists) of these ENIs in one window; missing items are left out. */
  async function countersOf(
    interfaceIds: readonly string[],
    windowStart: number
  ): Promise<Rollup[]> {
    const keys = interfaceIds.map((interfaceId) => ({
      [ATTR.pk]: { S: partitionKey(interfaceId) },
      [ATTR.sk]: { S: sortKey(windowStart) },
    }));
    const wanted = [
      ATTR.pk,
      ATTR.sk,
      ...[...ALL_COUNTERS, ...IDS].map((name) => COUNTER_ATTR[name]),
    ];
    try {
      const items = await batchGetItems(client, tableName, keys, wanted);
      return items.map((item) => rollupFromItem(item, false));
    } catch (error) {
      throw storeError(error);
    }
  }

  const between = (interfaceId: string, low: string, high: string) => ({
    KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :low AND :high',
    ExpressionAttributeNames: { '#pk': ATTR.pk, '#sk': ATTR.sk },
    ExpressionAttributeValues: {
      ':pk': { S: partitionKey(interfaceId) },
      ':low': { S: low },
      ':high': { S: high },
    },
  });

  async function rankWindow(
    windowStart: number,
    by: RankingMetric,
    limit: number
  ): Promise<WindowTop> {
    const rankings = await queryPages(
      {
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': ATTR.pk },
        ExpressionAttributeValues: {
          ':pk': { S: rankingPartitionKey(windowStart) },
        },
      },
      MAX_RANKING_PAGES
    );
    const { candidates, unseenAtMost, isAnyCut } = candidatesOf(
      rankings.items.map(rankingFromItem),
      by
    );
    // Read counters in the order of the candidates' upper bounds until
    // the `limit`-th exact value beats every bound still unread.
    const fetched: Rollup[] = [];
    let read = 0;
    let best: Rollup[] = [];
    const isSettled = () => {
      const next = candidates[read];
      const last = best[limit - 1];
      return (
        next === undefined || (last !== undefined && last[by] >= next.atMost)
      );
    };
    while (!isSettled() && read < MAX_CANDIDATE_READS) {
      const size = Math.min(
        read === 0 ? limit : BATCH_GET_KEYS,
        BATCH_GET_KEYS,
        MAX_CANDIDATE_READS - read
      );
      const batch = candidates.slice(read, read + size);
      read += batch.length;
      fetched.push(
        ...(await countersOf(
          batch.map((candidate) => candidate.interfaceId),
          windowStart
        ))
      );
      best = [...fetched].sort(busiestFirst(by)).slice(0, limit);
    }
    const last = best[limit - 1];
    const isUnseenBelow =
      last === undefined ? !isAnyCut : last[by] >= unseenAtMost;
    return {
      rollups: best,
      isMembershipExact: rankings.isComplete && isSettled() && isUnseenBelow,
    };
  }

  const series = createSeriesReader(client, tableName);
  return {
    ...series,

    // An ENI's 5-minute windows are a series like any other.
    rollupPage: (interfaceId, fromWindow, toWindow, limit, startAfter) =>
      series.seriesPage(
        { kind: 'eni', id: interfaceId, step: '5m' },
        fromWindow,
        toWindow,
        limit,
        startAfter
      ),

    async allRollups(interfaceId, fromWindow, toWindow) {
      const { items } = await queryPages(
        between(interfaceId, sortKey(fromWindow), sortKey(toWindow))
      );
      return rollupsFromItems(items);
    },

    rankWindow,

    async topOfWindow(windowStart, by, limit) {
      return [...(await rankWindow(windowStart, by, limit)).rollups];
    },

    async ping() {
      try {
        await client.send(
          new GetItemCommand({
            TableName: tableName,
            Key: { [ATTR.pk]: { S: 'HEALTH' }, [ATTR.sk]: { S: 'HEALTH' } },
          })
        );
      } catch (error) {
        const message = messageOf(error);
        throw new StoreError(`${tableName} does not answer: ${message}`, {
          cause: error,
        });
      }
    },
  };
}

export { createDynamoRollupReader };
