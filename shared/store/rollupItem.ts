import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { emptyRollup, IDS } from '../aggregate/mergeRollups.js';
import { StoreError } from '../errors.js';
import type { Rollup } from '../types.js';
import {
  ALL_COUNTERS,
  ATTR,
  COUNTER_ATTR,
  ENI_PREFIX,
  isCountersItem,
  isOtherKnownItem,
  prefixOf,
  RANKING_PREFIX,
  SERIES_PREFIXES,
  startOfSortKey,
  whereOf,
  windowOfKey,
} from './rollupLayout.js';
import { mergedTopListsOf } from './topListAttributes.js';
import { decodeRanking, type WindowRanking } from './windowRanking.js';

type Item = Record<string, AttributeValue>;

const numberOf = (value: AttributeValue | undefined): number | undefined =>
  value?.N === undefined ? undefined : Number(value.N);

/**
 * Reads a counters item back into a `Rollup`: its ENI (or scope: the id
 * as `interfaceId`) and window (or hour, or day) from the key, counters as numbers (a missing one is 0, a missing optional one
 * absent), and, unless `withTopLists` is false, the top lists of its
 * contributions merged (approximate, see `mergeRollups`). Throws
 * `StoreError` naming the item when it is not a counters item or holds a
 * bad top list.
 */
function rollupFromItem(item: Item, withTopLists = true): Rollup {
  const pk = item.pk?.S ?? '';
  const sk = item.sk?.S ?? '';
  const pkPrefix = prefixOf(pk, SERIES_PREFIXES) ?? ENI_PREFIX;
  const windowStart = startOfSortKey(sk);
  if (
    !isCountersItem(item) ||
    pk.length === pkPrefix.length ||
    !Number.isInteger(windowStart)
  ) {
    throw new StoreError(`not a rollup item: ${whereOf(item)}`);
  }
  // An ENI's id, or a scope's (vpc-…, subnet-…, an account).
  const interfaceId = pk.slice(pkPrefix.length);
  const rollup = emptyRollup(interfaceId, windowStart);
  for (const name of ALL_COUNTERS) {
    const value = numberOf(item[COUNTER_ATTR[name]]);
    if (value !== undefined) rollup[name] = value;
  }
  for (const name of IDS) {
    const value = item[COUNTER_ATTR[name]]?.S;
    if (value !== undefined) rollup[name] = value;
  }
  if (withTopLists) {
    const tops = mergedTopListsOf(item);
    if (tops?.topTalkers) rollup.topTalkers = [...tops.topTalkers];
    if (tops?.topRejectedSources) {
      rollup.topRejectedSources = [...tops.topRejectedSources];
    }
    if (tops?.topRejectedFlows) {
      rollup.topRejectedFlows = [...tops.topRejectedFlows];
    }
    if (tops?.topRejectedPorts) {
      rollup.topRejectedPorts = [...tops.topRejectedPorts];
    }
  }
  return rollup;
}

/**
 * Rollups from the items of a Query or Scan, in item order: every
 * counters item, with its top lists; ranking items and part checkpoints
 * are skipped. Throws `StoreError` on an item of no known kind, as
 * `rollupFromItem`.
 */
function rollupsFromItems(items: readonly Item[]): Rollup[] {
  return items
    .filter((item) => !isOtherKnownItem(item))
    .map((item) => rollupFromItem(item));
}

/**
 * Reads a ranking item back: the window from its key, the ranking from
 * `r`. Throws `StoreError` naming the item when it is not one.
 */
function rankingFromItem(item: Item): WindowRanking {
  const windowStart = windowOfKey(item.pk?.S ?? '', RANKING_PREFIX);
  const bytes = item[ATTR.ranking]?.B;
  if (!Number.isInteger(windowStart) || bytes === undefined) {
    throw new StoreError(`not a ranking item: ${whereOf(item)}`);
  }
  try {
    return decodeRanking(bytes, windowStart);
  } catch (error) {
    throw new StoreError(`bad ranking in ${whereOf(item)}`, { cause: error });
  }
}

export { rankingFromItem, rollupFromItem, rollupsFromItems };
