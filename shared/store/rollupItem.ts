import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  COUNTERS,
  emptyRollup,
  IDS,
  mergeRollups,
  OPTIONAL_COUNTERS,
} from '../aggregate/mergeRollups.js';
import { StoreError } from '../errors.js';
import { isoOfSeconds } from '../flowLogRules.js';
import type { RejectedSource, Rollup, TopTalker } from '../types.js';

/**
 * The DynamoDB layout of a rollup (DESIGN.md "DynamoDB layout"):
 * - one counters item per (ENI, window): `pk = ENI#<interface-id>`,
 *   `sk = W#<window start, ISO-8601 UTC>`. Counters are numbers each
 *   contribution adds to; `contributions` is the string set of the
 *   contribution ids already applied (22 characters each, so an item holds
 *   thousands before DynamoDB's 400 KB limit);
 * - one detail item per (ENI, window, contribution) with that
 *   contribution's top lists: same pk, `sk = T#<window start>#<id>`,
 *   written with an idempotent PutItem. Each is bounded (top 20 of each
 *   list), however many files touch the window.
 * The GSI `byWindow` (`windowStart`, `bytes`) ranks the ENIs of a window;
 * detail items have no `bytes`, so they stay out of it.
 */
const ATTR = {
  pk: 'pk',
  sk: 'sk',
  interfaceId: 'interfaceId',
  windowStart: 'windowStart',
  expiresAt: 'expiresAt',
  contributions: 'contributions',
  contributionId: 'contributionId',
  topLists: 'topLists',
} as const;

const WINDOW_INDEX = 'byWindow';
const ALL_COUNTERS = [...COUNTERS, ...OPTIONAL_COUNTERS] as const;

const partitionKey = (interfaceId: string): string => `ENI#${interfaceId}`;

/** `W#2026-11-01T00:05:00Z`: sorts by time, readable in the console. */
const sortKey = (windowStart: number): string =>
  `W#${isoOfSeconds(windowStart)}`;

/** `T#2026-11-01T00:05:00Z#<contribution id>`: the details of one window sort together. */
const detailSortKey = (windowStart: number, contributionId: string): string =>
  `T#${isoOfSeconds(windowStart)}#${contributionId}`;

/** The top lists of one contribution, as stored (compact JSON). */
interface StoredTopLists {
  readonly t?: readonly TopTalker[];
  readonly r?: readonly RejectedSource[];
}

function topListsOf(rollup: Rollup): string | null {
  if (!rollup.topTalkers?.length && !rollup.topRejectedSources?.length) {
    return null;
  }
  const stored: StoredTopLists = {
    t: rollup.topTalkers,
    r: rollup.topRejectedSources,
  };
  return JSON.stringify(stored);
}

function parseTopLists(text: string, where: string): StoredTopLists {
  try {
    return JSON.parse(text) as StoredTopLists;
  } catch (error) {
    throw new StoreError(`bad top lists in ${where}`, { cause: error });
  }
}

const numberOf = (value: AttributeValue | undefined): number | undefined =>
  value?.N === undefined ? undefined : Number(value.N);

/**
 * Reads a stored counters item back into a `Rollup`: counters as numbers,
 * and the top lists of its detail items (the same ENI and window) merged
 * (approximate, see `mergeRollups`). Throws `StoreError` on an item that
 * is not a rollup or a detail whose top lists are not JSON.
 */
function rollupFromItem(
  item: Record<string, AttributeValue>,
  details: readonly Record<string, AttributeValue>[] = []
): Rollup {
  const interfaceId = item[ATTR.interfaceId]?.S;
  const windowStart = numberOf(item[ATTR.windowStart]);
  if (interfaceId === undefined || windowStart === undefined) {
    throw new StoreError(
      `not a rollup item: ${item[ATTR.pk]?.S}/${item[ATTR.sk]?.S}`
    );
  }
  const rollup = emptyRollup(interfaceId, windowStart);
  for (const name of ALL_COUNTERS) {
    const value = numberOf(item[name]);
    if (value !== undefined) rollup[name] = value;
  }
  for (const name of IDS) {
    const value = item[name]?.S;
    if (value !== undefined) rollup[name] = value;
  }
  const parts: Rollup[] = [];
  for (const detail of details) {
    const text = detail[ATTR.topLists]?.S;
    if (text === undefined) continue;
    const stored = parseTopLists(
      text,
      `${detail[ATTR.pk]?.S}/${detail[ATTR.sk]?.S}`
    );
    const part = emptyRollup(interfaceId, windowStart);
    if (stored.t) part.topTalkers = [...stored.t];
    if (stored.r) part.topRejectedSources = [...stored.r];
    parts.push(part);
  }
  const [first, ...rest] = parts;
  if (first) {
    const tops = rest.reduce(mergeRollups, first);
    if (tops.topTalkers) rollup.topTalkers = tops.topTalkers;
    if (tops.topRejectedSources) {
      rollup.topRejectedSources = tops.topRejectedSources;
    }
  }
  return rollup;
}

/**
 * Rollups from the items of a Query or Scan, in item order: each counters
 * item with the detail items of its ENI and window. Detail items without
 * a counters item are ignored (a contribution that crashed between its
 * two writes: its retry writes the counters). Throws as `rollupFromItem`.
 */
function rollupsFromItems(
  items: readonly Record<string, AttributeValue>[]
): Rollup[] {
  const details = new Map<string, Record<string, AttributeValue>[]>();
  const counters: Record<string, AttributeValue>[] = [];
  for (const item of items) {
    if (item[ATTR.sk]?.S?.startsWith('T#')) {
      const key = `${item[ATTR.pk]?.S} ${item[ATTR.windowStart]?.N}`;
      details.set(key, [...(details.get(key) ?? []), item]);
    } else {
      counters.push(item);
    }
  }
  return counters.map((item) =>
    rollupFromItem(
      item,
      details.get(`${item[ATTR.pk]?.S} ${item[ATTR.windowStart]?.N}`)
    )
  );
}

export type { StoredTopLists };
export {
  ALL_COUNTERS,
  ATTR,
  detailSortKey,
  partitionKey,
  rollupFromItem,
  rollupsFromItems,
  sortKey,
  topListsOf,
  WINDOW_INDEX,
};
