import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { messageOf, StoreError } from '../errors.js';
import type { Rollup } from '../types.js';
import { forEachBounded, unitsOf } from './dynamoCalls.js';
import { ATTR, partitionKey, sortKey, stepSortKey } from './rollupLayout.js';
import type { ApplyResult, Contribution, RollupStore } from './rollupStore.js';
import { compactionFor, rankingPutsFor, updateFor } from './rollupWrites.js';
import { writeScopeRankings } from './scopeRankingStore.js';
import { scopeRollupsOf, tiersOf, withScopeIds } from './scopeRollups.js';
import { recomputeTier } from './scopeTiers.js';

type Item = Record<string, AttributeValue>;

/** The table, the retention and the write concurrency of a `createDynamoRollupStore`. */
interface DynamoRollupStoreOptions {
  readonly tableName: string;
  /** Items expire this many days after their window starts. */
  readonly retentionDays: number;
  /** Writes in flight at once. */
  readonly concurrency: number;
}

/**
 * Tries per item when its top lists are full: merge them, write again. A
 * merge fails only when another writer changed the item in between.
 */
const MAX_APPLY_ATTEMPTS = 5;

/**
 * A `RollupStore` on one DynamoDB table. Per contribution: first one
 * PutItem per window it touches (its ranking item), then per (ENI, window)
 * one conditional UpdateItem of the counters item that also stores the
 * contribution's top lists; `concurrency` writes in flight, throttling
 * retried by the SDK client (give it enough `maxAttempts`). A failed
 * condition means "already applied" and is counted, unless the item's
 * top lists are full: then they are merged (one more UpdateItem) and the
 * write is sent again. Any other failure stops the contribution and throws
 * `StoreError` naming the input and the item (retrying the whole
 * contribution later is safe: applied items are skipped, ranking items
 * rewritten as they were).
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
    let writeCapacityUnits = 0;
    const failed = (where: string, error: unknown) =>
      new StoreError(
        `${contribution.label}: writing ${where} failed: ${messageOf(error)}`,
        { cause: error }
      );

    /** The item after a failed condition: from the error (DynamoDB) or a consistent read (stand-ins that do not return it). */
    async function itemAfterFailure(
      error: ConditionalCheckFailedException,
      key: Item
    ): Promise<Item | undefined> {
      if (error.Item) return error.Item;
      const read = await client.send(
        new GetItemCommand({
          TableName: options.tableName,
          Key: key,
          ConsistentRead: true,
        })
      );
      return read.Item;
    }

    async function applyRollup(
      rollup: Rollup,
      scopePartitionKey?: string
    ): Promise<void> {
      const update = updateFor(
        rollup,
        contribution.id,
        options,
        scopePartitionKey
      );
      const key = update.Key as Item;
      // Only (ENI, window) items count as the object's rollup items.
      const isEni = scopePartitionKey === undefined;
      for (let attempt = 1; ; attempt++) {
        try {
          writeCalls++;
          const output = await client.send(new UpdateItemCommand(update));
          writeCapacityUnits += unitsOf(output);
          if (isEni) itemsWritten++;
          return;
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
          if (update.ReturnValuesOnConditionCheckFailure === undefined) {
            if (isEni) itemsAlreadyApplied++;
            return;
          }
          const item = await itemAfterFailure(error, key);
          if (item?.[ATTR.contributions]?.SS?.includes(contribution.id)) {
            if (isEni) itemsAlreadyApplied++;
            return;
          }
          if (attempt === MAX_APPLY_ATTEMPTS) {
            throw new Error(
              `its top lists stayed full after ${attempt} attempts`
            );
          }
          const compaction = item && compactionFor(item, options);
          if (!compaction) continue;
          try {
            writeCalls++;
            const output = await client.send(new UpdateItemCommand(compaction));
            writeCapacityUnits += unitsOf(output);
          } catch (raced) {
            // Another writer changed the item: read it again.
            if (!(raced instanceof ConditionalCheckFailedException))
              throw raced;
          }
        }
      }
    }

    // Rankings first: a counters item never holds a contribution whose
    // ranking is missing, so the window's top ENIs see every applied one.
    await forEachBounded(
      rankingPutsFor(contribution, options),
      options.concurrency,
      async (put) => {
        try {
          writeCalls++;
          const output = await client.send(new PutItemCommand(put));
          writeCapacityUnits += unitsOf(output);
        } catch (error) {
          throw failed(`${put.Item?.pk?.S} ${put.Item?.sk?.S}`, error);
        }
      }
    );
    // The ENI windows, then the scopes' (account, VPC, subnet), all under
    // the same id; then the scopes' hours and days, recomputed from what is
    // stored (every attempt: a retry after a crash recomputes what the
    // crash left stale).
    // Every window's scopes, placed once for the scopes and their rankings.
    const placed = withScopeIds(contribution.rollups, contribution.placements);
    const scopes = scopeRollupsOf(placed);
    const counters = [
      ...contribution.rollups.map((rollup) => ({
        rollup,
        scopeKey: undefined,
      })),
      ...scopes.map((scope) => ({
        rollup: scope.rollup,
        scopeKey: scope.partitionKey,
      })),
    ];
    await forEachBounded(
      counters,
      options.concurrency,
      async ({ rollup, scopeKey }) => {
        try {
          await applyRollup(rollup, scopeKey);
        } catch (error) {
          const pk = scopeKey ?? partitionKey(rollup.interfaceId);
          throw failed(`${pk} ${sortKey(rollup.windowStart)}`, error);
        }
      }
    );
    const { hours, days } = tiersOf(scopes);
    for (const tiers of [hours, days]) {
      await forEachBounded(tiers, options.concurrency, async (tier) => {
        try {
          const written = await recomputeTier(client, options, tier);
          writeCalls += written.writeCalls;
          writeCapacityUnits += written.writeCapacityUnits;
        } catch (error) {
          throw failed(
            `${tier.partitionKey} ${stepSortKey(tier.step, tier.start)}`,
            error
          );
        }
      });
    }
    try {
      const ranked = await writeScopeRankings(
        client,
        options,
        contribution,
        placed
      );
      writeCalls += ranked.writeCalls;
      writeCapacityUnits += ranked.writeCapacityUnits;
    } catch (error) {
      throw failed('the scope rankings', error);
    }
    return {
      itemsWritten,
      itemsAlreadyApplied,
      writeCalls,
      writeCapacityUnits,
    };
  }
  return { applyContribution };
}

/**
 * The DynamoDB client of the handlers: the SDK's own endpoint and
 * credential resolution (`AWS_ENDPOINT_URL_DYNAMODB` included), with room
 * for throttling retries (exponential backoff with jitter). It resolves
 * each command's middleware stack once (`cacheMiddleware`), not on every
 * send: a fleet's object sends tens of thousands of UpdateItems, and
 * building the stack again for each cost about 60 of the SDK's 210 µs of
 * CPU per UpdateItem (measured with an HTTP handler that answers at once).
 * Middleware (the Tracer's, the tests' faults) must therefore be added
 * before the first send.
 */
function createDynamoClient(maxAttempts: number): DynamoDBClient {
  return new DynamoDBClient({ maxAttempts, cacheMiddleware: true });
}

export type { DynamoRollupStoreOptions };
export { createDynamoClient, createDynamoRollupStore };
