import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
} from '@aws-sdk/client-dynamodb';

type Item = Record<string, AttributeValue>;

/** BatchGetItem takes at most 100 keys. */
const BATCH_GET_KEYS = 100;
/** Rounds of UnprocessedKeys (throttling inside a batch) before giving up. */
const BATCH_GET_ROUNDS = 8;

/** Runs `task` over `items` with at most `limit` in flight; stops at the first failure. */
async function forEachBounded<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++] as T;
      try {
        await task(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const workers = Array.from({ length: Math.min(limit, items.length) }, worker);
  const results = await Promise.allSettled(workers);
  for (const result of results) {
    if (result.status === 'rejected') throw result.reason;
  }
}

/**
 * The items of `keys` that exist (in no particular order), by BatchGetItem
 * in batches of 100, retrying unprocessed keys with backoff. `projection`
 * names the attributes wanted (all when absent). Throws what `client.send`
 * throws, or an `Error` when keys stay unprocessed after 8 rounds.
 */
async function batchGetItems(
  client: DynamoDBClient,
  tableName: string,
  keys: readonly Item[],
  projection?: readonly string[]
): Promise<Item[]> {
  const names: Record<string, string> = {};
  const expression = projection
    ?.map((name, i) => {
      names[`#p${i}`] = name;
      return `#p${i}`;
    })
    .join(', ');
  const items: Item[] = [];
  for (let at = 0; at < keys.length; at += BATCH_GET_KEYS) {
    let batch = keys.slice(at, at + BATCH_GET_KEYS);
    for (let round = 0; batch.length > 0; round++) {
      if (round === BATCH_GET_ROUNDS) {
        throw new Error(`${batch.length} keys left unprocessed`);
      }
      if (round > 0) {
        await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** round));
      }
      const output: BatchGetItemCommandOutput = await client.send(
        new BatchGetItemCommand({
          RequestItems: {
            [tableName]: {
              Keys: batch,
              ...(expression === undefined
                ? {}
                : {
                    ProjectionExpression: expression,
                    ExpressionAttributeNames: names,
                  }),
            },
          },
        })
      );
      items.push(...(output.Responses?.[tableName] ?? []));
      batch = output.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
  }
  return items;
}

/**
 * The items of a Query, page after page: all of them, or the first
 * `maxItems` (each page asks for no more than are left), or those of the
 * first `maxPages` pages. `isComplete` tells whether the query ended.
 * Throws what `client.send` throws.
 */
async function queryItems(
  client: DynamoDBClient,
  input: QueryCommandInput,
  bounds: { readonly maxItems?: number; readonly maxPages?: number } = {}
): Promise<{ items: Item[]; isComplete: boolean }> {
  const maxItems = bounds.maxItems ?? Number.POSITIVE_INFINITY;
  const maxPages = bounds.maxPages ?? Number.POSITIVE_INFINITY;
  const items: Item[] = [];
  let startKey = input.ExclusiveStartKey;
  let pages = 0;
  do {
    const left = maxItems - items.length;
    const page: QueryCommandOutput = await client.send(
      new QueryCommand({
        ...input,
        ...(Number.isFinite(left) ? { Limit: left } : {}),
        ExclusiveStartKey: startKey,
      })
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
    pages++;
  } while (startKey && items.length < maxItems && pages < maxPages);
  return { items, isComplete: startKey === undefined };
}

/** A partition and a range of its sort keys (`pk`, `sk` attributes). */
interface KeyRange {
  readonly tableName: string;
  readonly pk: string;
  readonly low: string;
  readonly high: string;
}

/**
 * The items of partition `pk` with sort keys in [low, high], in order:
 * all of them or the first `maxItems`, after `startKey`, strongly
 * consistent when asked. Throws what `client.send` throws.
 */
async function queryBetween(
  client: DynamoDBClient,
  range: KeyRange,
  options: {
    readonly isConsistent?: boolean;
    readonly maxItems?: number;
    readonly startKey?: Item;
  } = {}
): Promise<Item[]> {
  const { items } = await queryItems(
    client,
    {
      TableName: range.tableName,
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :low AND :high',
      ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
      ExpressionAttributeValues: {
        ':pk': { S: range.pk },
        ':low': { S: range.low },
        ':high': { S: range.high },
      },
      ...(options.isConsistent ? { ConsistentRead: true } : {}),
      ExclusiveStartKey: options.startKey,
    },
    { maxItems: options.maxItems }
  );
  return items;
}

/** The write capacity units a write's response reports (0 when it reports none). */
const unitsOf = (output: {
  readonly ConsumedCapacity?: { readonly CapacityUnits?: number };
}): number => output.ConsumedCapacity?.CapacityUnits ?? 0;

/**
 * Puts `item` with version `version` (attribute `ver`) unless the stored
 * item has that version or a newer one: how recomputed items (a scope's
 * hours and days, their rankings) stay exact when recomputations race.
 * A failed condition is no error (a write call, no units counted). Throws
 * what `client.send` throws otherwise.
 */
async function putNewerVersion(
  client: DynamoDBClient,
  tableName: string,
  item: Item,
  version: number
): Promise<{ writeCalls: number; writeCapacityUnits: number }> {
  try {
    const output = await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { ...item, ver: { N: String(version) } },
        ConditionExpression: 'attribute_not_exists(#v) OR #v < :v',
        ExpressionAttributeNames: { '#v': 'ver' },
        ExpressionAttributeValues: { ':v': { N: String(version) } },
        ReturnConsumedCapacity: 'TOTAL',
      })
    );
    return { writeCalls: 1, writeCapacityUnits: unitsOf(output) };
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      return { writeCalls: 1, writeCapacityUnits: 0 };
    }
    throw error;
  }
}

export type { Item, KeyRange };
export {
  BATCH_GET_KEYS,
  batchGetItems,
  forEachBounded,
  putNewerVersion,
  queryBetween,
  queryItems,
  unitsOf,
};
