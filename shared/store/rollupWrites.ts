import type {
  AttributeValue,
  PutItemCommandInput,
  UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { IDS } from '../aggregate/mergeRollups.js';
import type { Rollup } from '../types.js';
import {
  ALL_COUNTERS,
  ATTR,
  COUNTER_ATTR,
  partitionKey,
  rankingPartitionKey,
  sortKey,
} from './rollupLayout.js';
import type { Contribution } from './rollupStore.js';
import {
  isTopListAttribute,
  MAX_INLINE_TOP_LISTS,
  mergedTopListsOf,
  topListAttribute,
  topListsOf,
} from './topListAttributes.js';
import { encodeTopLists } from './topListCodec.js';
import { encodeRanking, rankingsOf } from './windowRanking.js';

type Item = Record<string, AttributeValue>;

/** What the write requests take of the store's options (`DynamoRollupStoreOptions`). */
interface RollupWriteOptions {
  readonly tableName: string;
  /** Items expire this many days after their window starts. */
  readonly retentionDays: number;
}

const DAY_SECONDS = 86_400;

const expiresAt = (windowStart: number, options: RollupWriteOptions) =>
  String(windowStart + options.retentionDays * DAY_SECONDS);

/**
 * The one conditional UpdateItem that applies a contribution to a
 * counters item: `ADD` the counters and the contribution id to `c`, `SET`
 * the expiry, the ids once (`if_not_exists`) and the contribution's top
 * lists (binary, `t:<id>`, counted in `n`), on condition that the id is
 * not in `c` yet and, when it has top lists, that the item holds fewer
 * than `MAX_INLINE_TOP_LISTS` of them. Asks for the consumed capacity, and
 * for the item when the condition fails (to tell "already applied" from
 * "top lists full").
 */
function updateFor(
  rollup: Rollup,
  contributionId: string,
  options: RollupWriteOptions,
  scopePartitionKey?: string
): UpdateItemCommandInput {
  const names: Record<string, string> = {};
  const values: Record<string, AttributeValue> = {};
  const sets: string[] = [];
  const adds: string[] = [];
  let index = 0;
  const bind = (name: string, value: AttributeValue) => {
    names[`#a${index}`] = name;
    values[`:v${index}`] = value;
    index++;
    return [`#a${index - 1}`, `:v${index - 1}`] as const;
  };
  const [x, xv] = bind(ATTR.expiresAt, {
    N: expiresAt(rollup.windowStart, options),
  });
  sets.push(`${x} = ${xv}`);
  for (const name of IDS) {
    const value = rollup[name];
    if (value === undefined) continue;
    const [n, v] = bind(COUNTER_ATTR[name], { S: value });
    sets.push(`${n} = if_not_exists(${n}, ${v})`);
  }
  const tops = topListsOf(rollup);
  if (tops !== null) {
    const [n, v] = bind(topListAttribute(contributionId), { B: tops });
    sets.push(`${n} = ${v}`);
  }
  for (const name of ALL_COUNTERS) {
    const value = rollup[name];
    if (value === undefined) continue;
    const [n, v] = bind(COUNTER_ATTR[name], { N: String(value) });
    adds.push(`${n} ${v}`);
  }
  names['#c'] = ATTR.contributions;
  values[':cs'] = { SS: [contributionId] };
  values[':c'] = { S: contributionId };
  adds.push('#c :cs');
  if (scopePartitionKey !== undefined) {
    // How many contributions the window holds: the version of its hour.
    const [n, v] = bind(ATTR.contributionCount, { N: '1' });
    adds.push(`${n} ${v}`);
  }
  let condition = 'NOT contains(#c, :c)';
  if (tops !== null) {
    names['#n'] = ATTR.topListCount;
    values[':one'] = { N: '1' };
    values[':max'] = { N: String(MAX_INLINE_TOP_LISTS) };
    adds.push('#n :one');
    condition += ' AND (attribute_not_exists(#n) OR #n < :max)';
  }
  return {
    TableName: options.tableName,
    Key: {
      [ATTR.pk]: {
        S: scopePartitionKey ?? partitionKey(rollup.interfaceId),
      },
      [ATTR.sk]: { S: sortKey(rollup.windowStart) },
    },
    UpdateExpression: `SET ${sets.join(', ')} ADD ${adds.join(', ')}`,
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ReturnConsumedCapacity: 'TOTAL',
    ...(tops === null
      ? {}
      : { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }),
  };
}

/**
 * The UpdateItem that merges the top lists a counters item holds into
 * one attribute `t` (`n` = 1): approximate as every merge of top lists
 * (see `mergeRollups`). Conditional on the item being as read (`n` and
 * every merged attribute still there), so a concurrent write or merge
 * makes it fail and loses nothing. Null when the item has no `n`.
 * Throws `StoreError` on a top list it cannot read.
 */
function compactionFor(
  item: Item,
  options: RollupWriteOptions
): UpdateItemCommandInput | null {
  const count = item[ATTR.topListCount]?.N;
  const pk = item[ATTR.pk]?.S;
  const sk = item[ATTR.sk]?.S;
  if (count === undefined || pk === undefined || sk === undefined) return null;
  const names: Record<string, string> = { '#n': ATTR.topListCount };
  const values: Record<string, AttributeValue> = { ':seen': { N: count } };
  const conditions = ['#n = :seen'];
  const removes: string[] = [];
  const merged = mergedTopListsOf(item);
  Object.keys(item)
    .filter((name) => isTopListAttribute(name) && name !== ATTR.mergedTopLists)
    .sort()
    .forEach((name, i) => {
      names[`#r${i}`] = name;
      removes.push(`#r${i}`);
      conditions.push(`attribute_exists(#r${i})`);
    });
  let set: string;
  if (merged === null) {
    values[':count'] = { N: '0' };
    set = '#n = :count';
  } else {
    names['#t'] = ATTR.mergedTopLists;
    values[':t'] = { B: encodeTopLists(merged) };
    values[':count'] = { N: '1' };
    set = '#t = :t, #n = :count';
  }
  return {
    TableName: options.tableName,
    Key: { [ATTR.pk]: { S: pk }, [ATTR.sk]: { S: sk } },
    UpdateExpression: `SET ${set}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
    ConditionExpression: conditions.join(' AND '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ReturnConsumedCapacity: 'TOTAL',
  };
}

/**
 * One PutItem per window the contribution touches: its ranking item
 * (`TOP#<window>`, the contribution id), idempotent (a redelivery writes
 * the same item), expiring with the window's counters.
 */
function rankingPutsFor(
  contribution: Contribution,
  options: RollupWriteOptions
): PutItemCommandInput[] {
  return rankingsOf(contribution.rollups).map((ranking) => ({
    TableName: options.tableName,
    Item: {
      [ATTR.pk]: { S: rankingPartitionKey(ranking.windowStart) },
      [ATTR.sk]: { S: contribution.id },
      [ATTR.ranking]: { B: encodeRanking(ranking) },
      [ATTR.expiresAt]: { N: expiresAt(ranking.windowStart, options) },
    },
    ReturnConsumedCapacity: 'TOTAL',
  }));
}

export { compactionFor, rankingPutsFor, updateFor };
