import { createHash } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  COUNTERS,
  type IDS,
  OPTIONAL_COUNTERS,
} from '../aggregate/mergeRollups.js';
import { isoOfSeconds } from '../flowLogRules.js';
import type { RollupCounters } from '../types.js';

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

/** Every counter a counters item can hold: the required, then the optional ones. */
const ALL_COUNTERS = [...COUNTERS, ...OPTIONAL_COUNTERS] as const;

/** The partition key prefix of an ENI's counters items. */
const ENI_PREFIX = 'ENI#';
const WINDOW_PREFIX = 'W#';
/** The partition key prefix of a window's ranking items. */
const RANKING_PREFIX = 'TOP#';
const SCOPE_RANKING_PREFIX = 'R#';

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
/** The seconds of each step. */
const STEP_SECONDS: Readonly<Record<Step, number>> = {
  '5m': 300,
  '1h': 3600,
  '1d': 86_400,
};

/** `ENI#eni-0a1b…`: the partition of an ENI's counters items. */
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

/** `pk/sk` of an item, to name it in an error. */
const whereOf = (item: Item): string => `${item.pk?.S}/${item.sk?.S}`;

/** The window start a `W#`/`TOP#` key names, or NaN. */
function windowOfKey(key: string, prefix: string): number {
  const iso = key.slice(prefix.length);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(iso)) return Number.NaN;
  return Date.parse(iso) / 1000;
}

/** The partition key prefix of each kind of series, as a list. */
const SERIES_PREFIXES = Object.values(SERIES_PREFIX);
const STEP_PREFIXES = Object.values(STEP_PREFIX);
/** Which of `prefixes` `key` starts with; undefined when none. */
const prefixOf = (key: string, prefixes: readonly string[]) =>
  prefixes.find((prefix) => key.startsWith(prefix));

/** The start of the window, hour or day a counters sort key names (NaN if none). */
const startOfSortKey = (sk: string): number =>
  windowOfKey(sk, prefixOf(sk, STEP_PREFIXES) ?? '');

/** Whether an item is a counters item: a series' window, hour or day. */
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

export type { SeriesKind, Step };
export {
  ACCOUNTS_KEY,
  ALL_COUNTERS,
  ATTR,
  COUNTER_ATTR,
  ENI_PREFIX,
  isCountersItem,
  isOtherKnownItem,
  lastWindowRankingKey,
  partitionKey,
  prefixOf,
  RANKING_PREFIX,
  rankingPartitionKey,
  SERIES_PREFIX,
  SERIES_PREFIXES,
  STEP_SECONDS,
  scopeRankingSortKey,
  seriesPartitionKey,
  sortKey,
  startOfSortKey,
  stepSortKey,
  stepStartOf,
  whereOf,
  windowOfKey,
};
