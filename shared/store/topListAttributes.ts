import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { emptyRollup, mergeRollups } from '../aggregate/mergeRollups.js';
import { StoreError } from '../errors.js';
import type { Rollup } from '../types.js';
import { ATTR, whereOf } from './rollupLayout.js';
import {
  decodeTopLists,
  encodeTopLists,
  type TopLists,
} from './topListCodec.js';

type Item = Record<string, AttributeValue>;

/** How many contributions' top lists a counters item holds before they are merged into one. */
const MAX_INLINE_TOP_LISTS = 4;

const TOP_LIST_PREFIX = 't:';

/**
 * The attribute that holds one contribution's top lists in a counters
 * item: `t:` and the first 8 characters (48 bits) of its id. Two ids of
 * one item sharing 8 characters would share it (the later lists replace
 * the earlier: top lists only, never counters); at a handful of ids per
 * item that does not happen in practice.
 */
const topListAttribute = (contributionId: string): string =>
  `${TOP_LIST_PREFIX}${contributionId.slice(0, 8)}`;

/** Whether an attribute name holds top lists (`t`, or `t:<id>`). */
const isTopListAttribute = (name: string): boolean =>
  name === ATTR.mergedTopLists || name.startsWith(TOP_LIST_PREFIX);

/** The top lists of a rollup in stored form; null when it has none. */
function topListsOf(rollup: Rollup): Uint8Array | null {
  if (
    !rollup.topTalkers?.length &&
    !rollup.topRejectedSources?.length &&
    !rollup.topRejectedFlows?.length &&
    !rollup.topRejectedPorts?.length
  ) {
    return null;
  }
  return encodeTopLists(rollup);
}

/**
 * The top lists held by a counters item (`t`, `t:<id>`), merged
 * (approximate, see `mergeRollups`); null when it holds none. Throws
 * `StoreError` naming the item when a top-list attribute is not what
 * `encodeTopLists` writes.
 */
function mergedTopListsOf(item: Item): TopLists | null {
  // mergeRollups merges rollups of one key: any key will do for lists.
  const interfaceId = '';
  const windowStart = 0;
  let merged: Rollup | null = null;
  for (const name of Object.keys(item).sort()) {
    if (!isTopListAttribute(name)) continue;
    const bytes = item[name]?.B;
    if (bytes === undefined) {
      throw new StoreError(`bad top lists ${name} in ${whereOf(item)}`);
    }
    let part: Rollup;
    try {
      part = {
        ...emptyRollup(interfaceId, windowStart),
        ...decodeTopLists(bytes),
      };
    } catch (error) {
      throw new StoreError(`bad top lists ${name} in ${whereOf(item)}`, {
        cause: error,
      });
    }
    merged = merged === null ? part : mergeRollups(merged, part);
  }
  if (merged === null) return null;
  const { topTalkers, topRejectedSources, topRejectedFlows, topRejectedPorts } =
    merged;
  return {
    ...(topTalkers ? { topTalkers } : {}),
    ...(topRejectedSources ? { topRejectedSources } : {}),
    ...(topRejectedFlows ? { topRejectedFlows } : {}),
    ...(topRejectedPorts ? { topRejectedPorts } : {}),
  };
}

export {
  isTopListAttribute,
  MAX_INLINE_TOP_LISTS,
  mergedTopListsOf,
  topListAttribute,
  topListsOf,
};
