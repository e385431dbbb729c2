import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  COUNTERS,
  mergeRollups,
  OPTIONAL_COUNTERS,
} from '../aggregate/mergeRollups.js';
import { StoreError } from '../errors.js';
import type { RejectedSource, Rollup, TopTalker } from '../types.js';

/**
 * The DynamoDB layout of a rollup (DESIGN.md "DynamoDB layout"):
 * one item per (ENI, window) with `pk = ENI#<interface-id>` and
 * `sk = W#<window start, ISO-8601 UTC>`. Counters are numbers added to by
 * each contribution; `contributions` is the string set of contribution ids
 * already applied; each contribution's top lists sit in their own
 * attribute `top#<contribution id>` (bounded: a few contributions per
 * window). The GSI `byWindow` (`windowStart`, `bytes`) ranks the ENIs of a
 * window.
 */
const ATTR = {
  pk: 'pk',
  sk: 'sk',
  interfaceId: 'interfaceId',
  windowStart: 'windowStart',
  expiresAt: 'expiresAt',
  contributions: 'contributions',
  topPrefix: 'top#',
} as const;

const WINDOW_INDEX = 'byWindow';
const IDS = ['accountId', 'vpcId', 'subnetId', 'instanceId'] as const;
const ALL_COUNTERS = [...COUNTERS, ...OPTIONAL_COUNTERS] as const;

const partitionKey = (interfaceId: string): string => `ENI#${interfaceId}`;

/** `W#2026-11-01T00:05:00Z`: sorts by time, readable in the console. */
const sortKey = (windowStart: number): string =>
  `W#${new Date(windowStart * 1000).toISOString().replace('.000Z', 'Z')}`;

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

const emptyRollup = (interfaceId: string, windowStart: number): Rollup => ({
  interfaceId,
  windowStart,
  flows: 0,
  packets: 0,
  bytes: 0,
  acceptFlows: 0,
  acceptPackets: 0,
  acceptBytes: 0,
  rejectFlows: 0,
  rejectPackets: 0,
  rejectBytes: 0,
  nodataRecords: 0,
  skipdataRecords: 0,
});

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
 * Reads a stored rollup item back into a `Rollup`: counters as numbers,
 * the top lists of every contribution merged (approximate, see
 * `mergeRollups`). Throws `StoreError` on an item that is not a rollup.
 */
function rollupFromItem(item: Record<string, AttributeValue>): Rollup {
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
  for (const [name, value] of Object.entries(item)) {
    if (!name.startsWith(ATTR.topPrefix) || value.S === undefined) continue;
    const stored = parseTopLists(value.S, `${item[ATTR.pk]?.S}/${name}`);
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

export type { StoredTopLists };
export {
  ALL_COUNTERS,
  ATTR,
  IDS,
  partitionKey,
  rollupFromItem,
  sortKey,
  topListsOf,
  WINDOW_INDEX,
};
