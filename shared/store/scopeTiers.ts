import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IDS, mergeRollups } from '../aggregate/mergeRollups.js';
import type { Rollup } from '../types.js';
import { putNewerVersion, queryBetween } from './dynamoCalls.js';
import { rollupFromItem } from './rollupItem.js';
import {
  ALL_COUNTERS,
  ATTR,
  COUNTER_ATTR,
  STEP_SECONDS,
  type Step,
  stepSortKey,
} from './rollupLayout.js';
import type { TierKey } from './scopeRollups.js';

type Item = Record<string, AttributeValue>;

const DAY_SECONDS = 86_400;

/** What a tier's parts are, and which attribute gives each part's version. */
const PARTS: Readonly<
  Record<TierKey['step'], { step: Step; version: string }>
> = {
  '1h': { step: '5m', version: ATTR.contributionCount },
  '1d': { step: '1h', version: ATTR.version },
};

/** The counters and ids of a rollup as item attributes (no top lists). */
function countersItem(rollup: Rollup): Item {
  const item: Item = {};
  for (const name of ALL_COUNTERS) {
    const value = rollup[name];
    if (value !== undefined) item[COUNTER_ATTR[name]] = { N: String(value) };
  }
  for (const name of IDS) {
    const value = rollup[name];
    if (value !== undefined) item[COUNTER_ATTR[name]] = { S: value };
  }
  return item;
}

/**
 * Recomputes one hour (or day) of a scope from its parts as stored: the
 * 5-minute windows of the hour (the hours of the day), read with a
 * strongly consistent Query, summed exactly, and written with PutItem.
 * Its version `v` is the count of contributions the parts hold (each
 * window's `nc`, each hour's `v`); the write only replaces an older
 * version, so of two racing recomputations the one that read more wins,
 * and equal versions hold equal sums (contributions are only ever added).
 * Every caller recomputes after its own writes, so the last one leaves
 * the tier complete; a crash before it is made good by the retry. Throws
 * what the client throws, except a failed condition (a newer or equal
 * tier is stored: nothing to do).
 */
async function recomputeTier(
  client: DynamoDBClient,
  options: { tableName: string; retentionDays: number },
  tier: TierKey
): Promise<{ writeCalls: number; writeCapacityUnits: number }> {
  const parts = PARTS[tier.step];
  const last = tier.start + STEP_SECONDS[tier.step] - STEP_SECONDS[parts.step];
  const items = await queryBetween(
    client,
    {
      tableName: options.tableName,
      pk: tier.partitionKey,
      low: stepSortKey(parts.step, tier.start),
      high: stepSortKey(parts.step, last),
    },
    { isConsistent: true }
  );
  let sum: Rollup | null = null;
  let version = 0;
  let windows = 0;
  for (const item of items) {
    const part = { ...rollupFromItem(item, false), windowStart: tier.start };
    sum = sum === null ? part : mergeRollups(sum, part);
    version += Number(item[parts.version]?.N ?? 0);
    windows += parts.step === '5m' ? 1 : Number(item[ATTR.windowCount]?.N ?? 0);
  }
  if (sum === null || version === 0) {
    return { writeCalls: 0, writeCapacityUnits: 0 };
  }
  const expiresAt =
    tier.start + STEP_SECONDS[tier.step] + options.retentionDays * DAY_SECONDS;
  return await putNewerVersion(
    client,
    options.tableName,
    {
      [ATTR.pk]: { S: tier.partitionKey },
      [ATTR.sk]: { S: stepSortKey(tier.step, tier.start) },
      ...countersItem(sum),
      [ATTR.windowCount]: { N: String(windows) },
      [ATTR.expiresAt]: { N: String(expiresAt) },
    },
    version
  );
}

export { recomputeTier };
