import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import { messageOf, StoreError } from '../errors.js';
import { isoOfSeconds } from '../flowLogRules.js';
import type { Rollup } from '../types.js';
import {
  ATTR,
  partitionKey,
  rollupFromItem,
  rollupsFromItems,
  sortKey,
  WINDOW_INDEX,
} from './rollupItem.js';
import type { PageKey, RollupReader } from './rollupStore.js';

type Item = Record<string, AttributeValue>;

/** The table key (pk, sk) of an item, as a page key. */
const keyOf = (item: Item): PageKey => ({
  [ATTR.pk]: item[ATTR.pk]?.S ?? '',
  [ATTR.sk]: item[ATTR.sk]?.S ?? '',
});

/** Throws `RangeError` unless `key` is a counters key of the ENI within the windows. */
function checkPageKey(
  key: PageKey,
  interfaceId: string,
  fromWindow: number,
  toWindow: number
): void {
  const { pk, sk } = key;
  if (
    Object.keys(key).length !== 2 ||
    pk !== partitionKey(interfaceId) ||
    sk === undefined ||
    sk < sortKey(fromWindow) ||
    sk > sortKey(toWindow)
  ) {
    throw new RangeError('page end outside the query');
  }
}

/** A checked page key (pk, sk: strings) as a DynamoDB key. */
const fromPageKey = (key: PageKey): Item =>
  Object.fromEntries(
    Object.entries(key).map(([name, value]) => [name, { S: value }])
  );

/**
 * Reads rollups for the query API: Query on the ENI's partition (counters
 * items `W#…`, detail items `T#…`), Query on the `byWindow` index for a
 * window's ENIs. Any failure after the SDK's retries is a `StoreError`.
 * @example const reader = createDynamoRollupReader(new DynamoDBClient({}), 'flowlog-rollups-dev-rollups');
 */
function createDynamoRollupReader(
  client: DynamoDBClient,
  tableName: string
): RollupReader {
  async function query(input: Omit<QueryCommandInput, 'TableName'>) {
    try {
      return await client.send(
        new QueryCommand({ TableName: tableName, ...input })
      );
    } catch (error) {
      const message = messageOf(error);
      throw new StoreError(`reading ${tableName} failed: ${message}`, {
        cause: error,
      });
    }
  }

  async function queryAll(input: Omit<QueryCommandInput, 'TableName'>) {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const page = await query({ ...input, ExclusiveStartKey: startKey });
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
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

  return {
    async rollupPage(interfaceId, fromWindow, toWindow, limit, startAfter) {
      if (startAfter !== null) {
        checkPageKey(startAfter, interfaceId, fromWindow, toWindow);
      }
      // One item more than asked: a next page exists only if it arrives
      // (DynamoDB may return a LastEvaluatedKey with nothing after it).
      const page = await query({
        ...between(interfaceId, sortKey(fromWindow), sortKey(toWindow)),
        Limit: limit + 1,
        ExclusiveStartKey: startAfter ? fromPageKey(startAfter) : undefined,
      });
      const items = page.Items ?? [];
      const last = items.length > limit ? items[limit - 1] : undefined;
      return {
        rollups: items.slice(0, limit).map((item) => rollupFromItem(item)),
        lastKey: last ? keyOf(last) : null,
      };
    },

    async allRollups(interfaceId, fromWindow, toWindow) {
      const [counters, details] = await Promise.all([
        queryAll(between(interfaceId, sortKey(fromWindow), sortKey(toWindow))),
        // `~` sorts after every contribution id character (base64url).
        queryAll(
          between(
            interfaceId,
            `T#${isoOfSeconds(fromWindow)}`,
            `T#${isoOfSeconds(toWindow)}#~`
          )
        ),
      ]);
      return rollupsFromItems([...counters, ...details]);
    },

    async topOfWindow(windowStart, by, limit) {
      const input = {
        IndexName: WINDOW_INDEX,
        KeyConditionExpression: '#w = :w',
        ExpressionAttributeNames: { '#w': ATTR.windowStart },
        ExpressionAttributeValues: { ':w': { N: String(windowStart) } },
        ScanIndexForward: false,
      };
      if (by === 'bytes') {
        const page = await query({ ...input, Limit: limit });
        return (page.Items ?? []).map((item) => rollupFromItem(item));
      }
      const rollups = (await queryAll(input)).map((item) =>
        rollupFromItem(item)
      );
      return rollups
        .sort(
          (a: Rollup, b: Rollup) =>
            b[by] - a[by] ||
            b.bytes - a.bytes ||
            (a.interfaceId < b.interfaceId ? -1 : 1)
        )
        .slice(0, limit);
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
