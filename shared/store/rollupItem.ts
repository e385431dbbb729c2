import { createHash } from 'node:crypto';
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
import type { Rollup, RollupCounters } from '../types.js';
import type { PageKey } from './rollupStore.js';
import {
  decodeTopLists,
  encodeTopLists,
  type TopLists,
} from './topListCodec.js';
import { decodeRanking, type WindowRanking } from './windowRanking.js';

type Item = Record<string, AttributeValue>;

/**
 * The DynamoDB layout of the rollups (README "Exactly once: the DynamoDB
 * layout"). Two kinds of item:
 * - one counters item per (ENI, window): `pk = ENI#<interface-id>`,
 *   `sk = W#<window start, ISO-8601 UTC>`. Every contribution adds its
 *   counters with one conditional UpdateItem; `c` is the string set of
 *   the contribution ids applied. The top lists of each contribution sit
 *   in the same item, each in a binary attribute `t:<first 8 characters of
 *   its id>` (`topListCodec`); `n` counts them, and once there are
 *   `MAX_INLINE_TOP_LISTS` they are merged into one attribute `t`, so the
 *   item stays small however many inputs touch the window.
 * - one ranking item per (window, contribution): `pk = TOP#<window start>`,
 *   `sk = <contribution id>`, `r` its top ENIs (`windowRanking`), written
 *   with an idempotent PutItem. The window's top ENIs are read from them.
 * Attribute names are short because DynamoDB bills a write by the size of
 * the whole item, names included: the mapping is `ATTR` and `COUNTER_ATTR`.
 * Both kinds carry `expiresAt`, the TTL attribute.
 */
const ATTR = {
  pk: 'pk',
  sk: 'sk',
  expiresAt: 'expiresAt',
  /** Contribution ids applied to a counters item (string set). */
  contributions: 'c',
  /** Top-list attributes in a counters item (number). */
  topListCount: 'n',
  /** The merged top lists of compacted contributions (binary). */
  mergedTopLists: 't',
  /** The scope list's accounts, VPCs and subnets (string sets). */
  accounts: 'as',
  vpcs: 'vs',
  subnets: 'ss',
  /** The scope list's days with data (number set of UTC day starts). */
  days: 'ds',
  /** A ranking item's ranking (binary). */
  ranking: 'r',
  /** Contributions a scope's window holds (number): its hour's version. */
  contributionCount: 'nc',
  /** A scope's hour or day: the count of contributions it sums (number). */
  version: 'ver',
  /** A scope's hour or day: the 5-minute windows with data in it (number). */
  windowCount: 'nw',
} as const;

/** The stored name of each counter and id of a rollup. */
const COUNTER_ATTR = {
  flows: 'f',
  packets: 'p',
  bytes: 'b',
  acceptFlows: 'af',
  acceptPackets: 'ap',
  acceptBytes: 'ab',
  rejectFlows: 'rf',
  rejectPackets: 'rp',
  rejectBytes: 'rb',
  nodataRecords: 'nd',
  skipdataRecords: 'sd',
  ingressPackets: 'ip',
  ingressBytes: 'ib',
  egressPackets: 'ep',
  egressBytes: 'eb',
  tcpBytes: 'tb',
  udpBytes: 'ub',
  icmpBytes: 'cb',
  otherBytes: 'ob',
  synOnlyFlows: 'sf',
  accountId: 'a',
  vpcId: 'v',
  subnetId: 's',
  instanceId: 'i',
} as const satisfies Record<
  keyof RollupCounters | (typeof IDS)[number],
  string
>;

/** How many contributions' top lists a counters item holds before they are merged into one. */
const MAX_INLINE_TOP_LISTS = 4;

const ALL_COUNTERS = [...COUNTERS, ...OPTIONAL_COUNTERS] as const;

const ENI_PREFIX = 'ENI#';
const WINDOW_PREFIX = 'W#';
const RANKING_PREFIX = 'TOP#';
const SCOPE_RANKING_PREFIX = 'R#';
const TOP_LIST_PREFIX = 't:';

/** What a series of rollups is kept for: an ENI, or a scope of ENIs. */
type SeriesKind = 'eni' | 'vpc' | 'subnet' | 'account';
/** The resolutions of a series: 5-minute windows, hours, days (UTC). */
type Step = '5m' | '1h' | '1d';

/** The partition key prefix of each kind of series. */
const SERIES_PREFIX: Readonly<Record<SeriesKind, string>> = {
  eni: ENI_PREFIX,
  vpc: 'VPC#',
  subnet: 'SUBNET#',
  account: 'ACCOUNT#',
};
/** The sort key prefix and the seconds of each step. */
const STEP_PREFIX: Readonly<Record<Step, string>> = {
  '5m': WINDOW_PREFIX,
  '1h': 'H#',
  '1d': 'D#',
};
const STEP_SECONDS: Readonly<Record<Step, number>> = {
  '5m': 300,
  '1h': 3600,
  '1d': 86_400,
};

const partitionKey = (interfaceId: string): string =>
  `${ENI_PREFIX}${interfaceId}`;

/** `VPC#vpc-0a1b…`: the partition of a series. */
const seriesPartitionKey = (kind: SeriesKind, id: string): string =>
  `${SERIES_PREFIX[kind]}${id}`;

/** `W#2026-11-01T00:05:00Z`: sorts by time, readable in the console. */
const sortKey = (windowStart: number): string =>
  `${WINDOW_PREFIX}${isoOfSeconds(windowStart)}`;

/** `H#2026-11-01T01:00:00Z`, `D#2026-11-01T00:00:00Z`: a step's item. */
const stepSortKey = (step: Step, start: number): string =>
  `${STEP_PREFIX[step]}${isoOfSeconds(start)}`;

/** The start of the step holding second `seconds` (aligned to the epoch). */
const stepStartOf = (step: Step, seconds: number): number =>
  seconds - (seconds % STEP_SECONDS[step]);

/**
 * The sort key of a scope's ranking (`scopeRanking`): `R#W#<window>#<16
 * hex digits of the contribution id's SHA-256>` for one contribution's
 * window, `R#H#<hour>` and `R#D#<day>` for the hours and days. Beside
 * the scope's counters items, but outside their `W#`/`H#`/`D#` ranges, so
 * a series read never pays for them.
 */
const scopeRankingSortKey = (
  step: Step,
  start: number,
  contributionId?: string
): string =>
  `${SCOPE_RANKING_PREFIX}${stepSortKey(step, start)}${
    contributionId === undefined
      ? ''
      : `#${createHash('sha256').update(contributionId).digest('hex').slice(0, 16)}`
  }`;

/** The last sort key of the rankings of windows up to `lastWindow`. */
const lastWindowRankingKey = (lastWindow: number): string =>
  `${scopeRankingSortKey('5m', lastWindow)}#~`;

/** The item that lists every account the table holds rollups of (`accounts`, a string set). */
const ACCOUNTS_KEY = { pk: 'ACCOUNTS', sk: 'ACCOUNTS' } as const;

/** `TOP#2026-11-01T00:05:00Z`: the partition of one window's rankings. */
const rankingPartitionKey = (windowStart: number): string =>
  `${RANKING_PREFIX}${isoOfSeconds(windowStart)}`;

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

const whereOf = (item: Item): string => `${item.pk?.S}/${item.sk?.S}`;

/** The window start a `W#`/`TOP#` key names, or NaN. */
function windowOfKey(key: string, prefix: string): number {
  const iso = key.slice(prefix.length);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(iso)) return Number.NaN;
  return Date.parse(iso) / 1000;
}

const SERIES_PREFIXES = Object.values(SERIES_PREFIX);
const STEP_PREFIXES = Object.values(STEP_PREFIX);
const prefixOf = (key: string, prefixes: readonly string[]) =>
  prefixes.find((prefix) => key.startsWith(prefix));

/** The start of the window, hour or day a counters sort key names (NaN if none). */
const startOfSortKey = (sk: string): number =>
  windowOfKey(sk, prefixOf(sk, STEP_PREFIXES) ?? '');

/** The table key (pk, sk) of an item, as a page key. */
const pageKeyOf = (item: Item): PageKey => ({
  [ATTR.pk]: item[ATTR.pk]?.S ?? '',
  [ATTR.sk]: item[ATTR.sk]?.S ?? '',
});

/**
 * Throws `RangeError` unless `key` is a key of partition `pk` with its
 * sort key in [low, high]: the end of a page of that query.
 */
function checkPageKey(
  key: PageKey,
  pk: string,
  low: string,
  high: string
): void {
  const { sk } = key;
  if (
    Object.keys(key).length !== 2 ||
    key.pk !== pk ||
    sk === undefined ||
    sk < low ||
    sk > high
  ) {
    throw new RangeError('page end outside the query');
  }
}

/** A checked page key (pk, sk: strings) as a DynamoDB key. */
const fromPageKey = (key: PageKey): Item =>
  Object.fromEntries(
    Object.entries(key).map(([name, value]) => [name, { S: value }])
  );

const isCountersItem = (item: Item): boolean =>
  prefixOf(item.pk?.S ?? '', SERIES_PREFIXES) !== undefined &&
  prefixOf(item.sk?.S ?? '', STEP_PREFIXES) !== undefined;

const isRankingItem = (item: Item): boolean =>
  (item.pk?.S?.startsWith(RANKING_PREFIX) ?? false) ||
  (item.sk?.S?.startsWith(SCOPE_RANKING_PREFIX) ?? false);

/** Items of the table that hold no rollup: rankings, and part checkpoints (`partCheckpoints`). */
const isOtherKnownItem = (item: Item): boolean =>
  isRankingItem(item) ||
  (item.pk?.S?.startsWith('PARTS#') ?? false) ||
  item.pk?.S === ACCOUNTS_KEY.pk;

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

export type { SeriesKind, Step };
export {
  ACCOUNTS_KEY,
  ALL_COUNTERS,
  ATTR,
  COUNTER_ATTR,
  checkPageKey,
  fromPageKey,
  isTopListAttribute,
  lastWindowRankingKey,
  MAX_INLINE_TOP_LISTS,
  mergedTopListsOf,
  pageKeyOf,
  partitionKey,
  rankingFromItem,
  rankingPartitionKey,
  rollupFromItem,
  rollupsFromItems,
  SERIES_PREFIX,
  STEP_SECONDS,
  scopeRankingSortKey,
  seriesPartitionKey,
  sortKey,
  startOfSortKey,
  stepSortKey,
  stepStartOf,
  topListAttribute,
  topListsOf,
};
