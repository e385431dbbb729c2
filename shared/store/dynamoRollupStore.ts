import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DynamoDBClient,
  PutItemCommand,
  type PutItemCommandInput,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { IDS } from '../aggregate/mergeRollups.js';
import { messageOf, StoreError } from '../errors.js';
import type { Rollup } from '../types.js';
import {
  ALL_COUNTERS,
  ATTR,
  detailSortKey,
  partitionKey,
  sortKey,
  topListsOf,
} from './rollupItem.js';
import type { ApplyResult, Contribution, RollupStore } from './rollupStore.js';

interface DynamoRollupStoreOptions {
  readonly tableName: string;
  /** Items expire this many days after their window starts. */
  readonly retentionDays: number;
  /** Writes in flight at once. */
  readonly concurrency: number;
}

const DAY_SECONDS = 86_400;

const expiresAt = (rollup: Rollup, options: DynamoRollupStoreOptions) =>
  rollup.windowStart + options.retentionDays * DAY_SECONDS;

/**
 * The detail item of one contribution to one (ENI, window): its top lists.
 * Null when it has none. PutItem of it is idempotent.
 */
function detailFor(
  rollup: Rollup,
  contributionId: string,
  options: DynamoRollupStoreOptions
): PutItemCommandInput | null {
  const topLists = topListsOf(rollup);
  if (topLists === null) return null;
  return {
    TableName: options.tableName,
    Item: {
      [ATTR.pk]: { S: partitionKey(rollup.interfaceId) },
      [ATTR.sk]: { S: detailSortKey(rollup.windowStart, contributionId) },
      [ATTR.interfaceId]: { S: rollup.interfaceId },
      [ATTR.windowStart]: { N: String(rollup.windowStart) },
      [ATTR.contributionId]: { S: contributionId },
      [ATTR.topLists]: { S: topLists },
      [ATTR.expiresAt]: { N: String(expiresAt(rollup, options)) },
    },
  };
}

/**
 * The one conditional UpdateItem that applies a contribution to a
 * counters item: `ADD` the counters and the contribution id, `SET` the
 * keys and expiry, on condition that the id is not in the item's
 * `contributions` set yet. Ids of the ENI are set once.
 */
function updateFor(
  rollup: Rollup,
  contributionId: string,
  options: DynamoRollupStoreOptions
): UpdateItemCommandInput {
  const names: Record<string, string> = {};
  const values: Record<string, AttributeValue> = {};
  const sets: string[] = [];
  const adds: string[] = [];
  const bind = (name: string, value: AttributeValue, index: number) => {
    names[`#a${index}`] = name;
    values[`:v${index}`] = value;
    return [`#a${index}`, `:v${index}`] as const;
  };
  let index = 0;
  for (const [name, value] of [
    [ATTR.interfaceId, { S: rollup.interfaceId }],
    [ATTR.windowStart, { N: String(rollup.windowStart) }],
    [ATTR.expiresAt, { N: String(expiresAt(rollup, options)) }],
  ] as const) {
    const [n, v] = bind(name, value, index++);
    sets.push(`${n} = ${v}`);
  }
  for (const name of IDS) {
    const value = rollup[name];
    if (value === undefined) continue;
    const [n, v] = bind(name, { S: value }, index++);
    sets.push(`${n} = if_not_exists(${n}, ${v})`);
  }
  for (const name of ALL_COUNTERS) {
    const value = rollup[name];
    if (value === undefined) continue;
    const [n, v] = bind(name, { N: String(value) }, index++);
    adds.push(`${n} ${v}`);
  }
  names['#c'] = ATTR.contributions;
  values[':cs'] = { SS: [contributionId] };
  values[':c'] = { S: contributionId };
  adds.push('#c :cs');
  return {
    TableName: options.tableName,
    Key: {
      [ATTR.pk]: { S: partitionKey(rollup.interfaceId) },
      [ATTR.sk]: { S: sortKey(rollup.windowStart) },
    },
    UpdateExpression: `SET ${sets.join(', ')} ADD ${adds.join(', ')}`,
    ConditionExpression: 'NOT contains(#c, :c)',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

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
 * A `RollupStore` on one DynamoDB table: per (ENI, window) one PutItem of
 * the contribution's top lists (when it has any) and one conditional
 * UpdateItem of the counters, `concurrency` items in flight, throttling retried by the SDK
 * client (give it enough `maxAttempts`). A failed condition means "already
 * applied" and is counted; any other failure stops the contribution and
 * throws `StoreError` naming the input and the item (retrying the whole
 * contribution later is safe: applied items are skipped).
 * @example
 * const store = createDynamoRollupStore(new DynamoDBClient({}), {
 *   tableName: 'flowlog-rollups-dev-rollups', retentionDays: 30, concurrency: 16,
 * });
 */
function createDynamoRollupStore(
  client: DynamoDBClient,
  options: DynamoRollupStoreOptions
): RollupStore {
  async function applyContribution(
    contribution: Contribution
  ): Promise<ApplyResult> {
    let itemsWritten = 0;
    let itemsAlreadyApplied = 0;
    let writeCalls = 0;
    await forEachBounded(
      contribution.rollups,
      options.concurrency,
      async (rollup) => {
        try {
          // Details first: a retry after a crash between the two writes
          // finds the counters applied, and the details already there.
          const detail = detailFor(rollup, contribution.id, options);
          if (detail !== null) {
            writeCalls++;
            await client.send(new PutItemCommand(detail));
          }
          writeCalls++;
          await client.send(
            new UpdateItemCommand(updateFor(rollup, contribution.id, options))
          );
          itemsWritten++;
        } catch (error) {
          if (error instanceof ConditionalCheckFailedException) {
            itemsAlreadyApplied++;
            return;
          }
          const message = messageOf(error);
          throw new StoreError(
            `${contribution.label}: writing ${partitionKey(rollup.interfaceId)} ${sortKey(rollup.windowStart)} failed: ${message}`,
            { cause: error }
          );
        }
      }
    );
    return { itemsWritten, itemsAlreadyApplied, writeCalls };
  }
  return { applyContribution };
}

/**
 * The DynamoDB client of the handlers: the SDK's own endpoint and
 * credential resolution (`AWS_ENDPOINT_URL_DYNAMODB` included), with room
 * for throttling retries (exponential backoff with jitter).
 */
function createDynamoClient(maxAttempts: number): DynamoDBClient {
  return new DynamoDBClient({ maxAttempts });
}

export type { DynamoRollupStoreOptions };
export { createDynamoClient, createDynamoRollupStore, detailFor, updateFor };
