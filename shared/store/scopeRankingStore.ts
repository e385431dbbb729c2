import {
  type AttributeValue,
  type DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { messageOf } from '../errors.js';
import type { Rollup } from '../types.js';
import {
  forEachBounded,
  putNewerVersion,
  queryBetween,
  unitsOf,
} from './dynamoCalls.js';
import {
  ACCOUNTS_KEY,
  ATTR,
  lastWindowRankingKey,
  STEP_SECONDS,
  type Step,
  scopeRankingSortKey,
  stepStartOf,
} from './rollupLayout.js';
import type { Contribution } from './rollupStore.js';
import {
  combineRankings,
  decodeScopeRanking,
  encodeScopeRanking,
  rankRollups,
  type ScopeRanking,
  unionRankings,
} from './scopeRanking.js';
import { scopeKeysOf } from './scopeRollups.js';

type Item = Record<string, AttributeValue>;

const DAY_SECONDS = 86_400;

interface ScopeRankingOptions {
  readonly tableName: string;
  readonly retentionDays: number;
  readonly concurrency: number;
}

/** Write requests sent and the units the table reported for them. */
interface WriteCount {
  writeCalls: number;
  writeCapacityUnits: number;
}

/** One ranking to store: where, and what. */
interface RankingPut {
  readonly partitionKey: string;
  readonly windowStart: number;
  readonly ranking: ScopeRanking;
}

/**
 * A contribution's rankings, one per (scope, window) it touches: its
 * account, VPC and subnet (`placed`: its rollups as `withScopeIds` gives
 * them).
 * Deterministic: the same contribution gives the same rankings. Each
 * ENI-window is ranked once, in its own group (same account, VPC, subnet
 * and window); a scope's ranking joins its groups' (`unionRankings`).
 * Throws `RangeError` when an ENI appears twice in a window.
 */
function scopeRankingsOf(placed: readonly Rollup[]): RankingPut[] {
  const groups = new Map<string, { keys: string[]; rollups: Rollup[] }>();
  for (const rollup of placed) {
    const keys = scopeKeysOf(rollup).map(({ key }) => key);
    if (keys.length === 0) continue;
    const group = `${keys.join(' ')} ${rollup.windowStart}`;
    const members = groups.get(group);
    if (members) members.rollups.push(rollup);
    else groups.set(group, { keys, rollups: [rollup] });
  }
  const parts = new Map<
    string,
    { partitionKey: string; windowStart: number; rankings: ScopeRanking[] }
  >();
  for (const { keys, rollups } of groups.values()) {
    const ranking = rankRollups(rollups);
    const windowStart = (rollups[0] as Rollup).windowStart;
    for (const partitionKey of keys) {
      const key = `${partitionKey} ${windowStart}`;
      const part = parts.get(key);
      if (part) part.rankings.push(ranking);
      else parts.set(key, { partitionKey, windowStart, rankings: [ranking] });
    }
  }
  return [...parts.values()].map(({ partitionKey, windowStart, rankings }) => ({
    partitionKey,
    windowStart,
    ranking:
      rankings.length === 1
        ? (rankings[0] as ScopeRanking)
        : unionRankings(rankings),
  }));
}

/**
 * Recomputes the ranking of one hour (from its windows' rankings, one per
 * contribution) or one day (from its hours'), read with a strongly
 * consistent Query and written with a PutItem that only replaces an
 * older version: `ver` counts the window rankings summed, which only ever
 * grow (as in scopeTiers). Throws what the client throws, except a failed
 * condition (an equal or newer ranking is stored).
 */
async function recomputeRanking(
  client: DynamoDBClient,
  options: ScopeRankingOptions,
  partitionKey: string,
  step: Exclude<Step, '5m'>,
  start: number
): Promise<WriteCount> {
  const last = start + STEP_SECONDS[step];
  const [low, high] =
    step === '1h'
      ? [
          scopeRankingSortKey('5m', start),
          lastWindowRankingKey(last - STEP_SECONDS['5m']),
        ]
      : [
          scopeRankingSortKey('1h', start),
          scopeRankingSortKey('1h', last - STEP_SECONDS['1h']),
        ];
  const items = await queryBetween(
    client,
    { tableName: options.tableName, pk: partitionKey, low, high },
    { isConsistent: true }
  );
  if (items.length === 0) return { writeCalls: 0, writeCapacityUnits: 0 };
  const version = items.reduce(
    (sum, item) => sum + Number(item[ATTR.version]?.N ?? 1),
    0
  );
  const ranking = combineRankings(items.map(rankingOfItem));
  return await putNewerVersion(
    client,
    options.tableName,
    {
      [ATTR.pk]: { S: partitionKey },
      [ATTR.sk]: { S: scopeRankingSortKey(step, start) },
      [ATTR.ranking]: { B: encodeScopeRanking(ranking) },
      [ATTR.expiresAt]: {
        N: String(last + options.retentionDays * DAY_SECONDS),
      },
    },
    version
  );
}

/**
 * The ranking a scope-ranking item holds. Throws `RangeError` when its
 * `r` is missing or not what `encodeScopeRanking` writes.
 */
function rankingOfItem(item: Item): ScopeRanking {
  const bytes = item[ATTR.ranking]?.B;
  if (bytes === undefined) {
    throw new RangeError(`no ranking in ${item.pk?.S}/${item.sk?.S}`);
  }
  return decodeScopeRanking(bytes);
}

/**
 * The update that adds the accounts, VPCs, subnets and days (UTC day
 * starts) of these rankings to the scope list (`ACCOUNTS_KEY`): sets, so
 * adding again changes nothing. Null when they name no account.
 */
function scopeListOf(puts: readonly RankingPut[]) {
  const sets = {
    accounts: new Set<string>(),
    vpcs: new Set<string>(),
    subnets: new Set<string>(),
  };
  const days = new Set<number>();
  const prefixes = [
    ['ACCOUNT#', sets.accounts],
    ['VPC#', sets.vpcs],
    ['SUBNET#', sets.subnets],
  ] as const;
  for (const { partitionKey, windowStart } of puts) {
    for (const [prefix, set] of prefixes) {
      if (partitionKey.startsWith(prefix))
        set.add(partitionKey.slice(prefix.length));
    }
    days.add(stepStartOf('1d', windowStart));
  }
  if (sets.accounts.size === 0) return null;
  const names: Record<string, string> = {};
  const values: Record<string, AttributeValue> = {};
  const adds: string[] = [];
  const add = (name: string, value: AttributeValue) => {
    names[`#${name}`] = name;
    values[`:${name}`] = value;
    adds.push(`#${name} :${name}`);
  };
  add(ATTR.accounts, { SS: [...sets.accounts].sort() });
  if (sets.vpcs.size > 0) add(ATTR.vpcs, { SS: [...sets.vpcs].sort() });
  if (sets.subnets.size > 0)
    add(ATTR.subnets, { SS: [...sets.subnets].sort() });
  add(ATTR.days, { NS: [...days].sort().map(String) });
  return {
    Key: {
      [ATTR.pk]: { S: ACCOUNTS_KEY.pk },
      [ATTR.sk]: { S: ACCOUNTS_KEY.sk },
    },
    UpdateExpression: `ADD ${adds.join(', ')}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ReturnConsumedCapacity: 'TOTAL' as const,
  };
}

/** What `call` gives; its failure as an error that names `where`. */
async function named<T>(where: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new Error(`${where}: ${messageOf(error)}`, { cause: error });
  }
}

/**
 * Stores a contribution's scope rankings: one idempotent PutItem per
 * (scope, window) it touches (`R#W#<window>#<id hash>`), then each
 * touched hour and day recomputed (`recomputeRanking`). Every attempt
 * recomputes, so a retry after a crash mends what the crash left stale.
 * `placed` are its rollups as `withScopeIds` gives them. Throws what the
 * client throws after its retries, with the item named.
 */
async function writeScopeRankings(
  client: DynamoDBClient,
  options: ScopeRankingOptions,
  contribution: Pick<Contribution, 'id'>,
  placed: readonly Rollup[]
): Promise<WriteCount> {
  const count: WriteCount = { writeCalls: 0, writeCapacityUnits: 0 };
  const puts = scopeRankingsOf(placed);
  const listed = scopeListOf(puts);
  if (listed !== null) {
    // The scopes and days the table knows: what "everything" ranks over,
    // and what the dashboard offers.
    count.writeCalls++;
    const output = await named('the scope list', () =>
      client.send(
        new UpdateItemCommand({ ...listed, TableName: options.tableName })
      )
    );
    count.writeCapacityUnits += unitsOf(output);
  }
  await forEachBounded(puts, options.concurrency, async (put) => {
    count.writeCalls++;
    const sk = scopeRankingSortKey('5m', put.windowStart, contribution.id);
    const output = await named(`${put.partitionKey} ${sk}`, () =>
      client.send(
        new PutItemCommand({
          TableName: options.tableName,
          Item: {
            [ATTR.pk]: { S: put.partitionKey },
            [ATTR.sk]: { S: sk },
            [ATTR.ranking]: { B: encodeScopeRanking(put.ranking) },
            [ATTR.expiresAt]: {
              N: String(put.windowStart + options.retentionDays * DAY_SECONDS),
            },
          },
          ReturnConsumedCapacity: 'TOTAL',
        })
      )
    );
    count.writeCapacityUnits += unitsOf(output);
  });
  for (const step of ['1h', '1d'] as const) {
    const tiers = new Map<string, { partitionKey: string; start: number }>();
    for (const { partitionKey, windowStart } of puts) {
      const start = stepStartOf(step, windowStart);
      tiers.set(`${partitionKey} ${start}`, { partitionKey, start });
    }
    await forEachBounded(
      [...tiers.values()],
      options.concurrency,
      async ({ partitionKey, start }) => {
        const written = await named(
          `${partitionKey} ${scopeRankingSortKey(step, start)}`,
          () => recomputeRanking(client, options, partitionKey, step, start)
        );
        count.writeCalls += written.writeCalls;
        count.writeCapacityUnits += written.writeCapacityUnits;
      }
    );
  }
  return count;
}

export type { RankingPut };
export { rankingOfItem, scopeRankingsOf, writeScopeRankings };
