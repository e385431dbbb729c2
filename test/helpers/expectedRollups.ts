import {
  type AttributeValue,
  type DynamoDBClient,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { COUNTERS, emptyRollup } from '../../shared/aggregate/mergeRollups.js';
import {
  rankingFromItem,
  rollupFromItem,
  rollupsFromItems,
} from '../../shared/store/rollupItem.js';
import {
  ALL_COUNTERS,
  ATTR,
  COUNTER_ATTR,
  partitionKey,
  rankingPartitionKey,
} from '../../shared/store/rollupLayout.js';
import {
  isTopListAttribute,
  MAX_INLINE_TOP_LISTS,
  topListAttribute,
} from '../../shared/store/topListAttributes.js';
import type { WindowRanking } from '../../shared/store/windowRanking.js';
import type { Rollup } from '../../shared/types.js';
import { type ReferenceCounters, referenceRollup } from './referenceRollup.js';

type Item = Record<string, AttributeValue>;

/** A rollup without its (approximate) top lists: what must match exactly. */
type ExactRollup = Omit<
  Rollup,
  'topTalkers' | 'topRejectedSources' | 'topRejectedFlows' | 'topRejectedPorts'
>;

const W = 300;
const windowOf = (seconds: number): number => seconds - (seconds % W);
const seconds = (text: string): number => {
  const value = Number(text);
  return value >= 1e12 ? Math.floor(value / 1000) : value;
};

/** Id fields and the rollup keys they fill. */
const ID_FIELDS = [
  ['account-id', 'accountId'],
  ['vpc-id', 'vpcId'],
  ['subnet-id', 'subnetId'],
  ['instance-id', 'instanceId'],
] as const;

type CounterName = keyof ReferenceCounters | 'ingressPackets' | 'egressPackets';

/**
 * The counters a rollup carries for a format (DESIGN.md: "where the format
 * carries them"): the eleven always, direction splits with flow-direction,
 * bytes by protocol with protocol, SYN-only flows with tcp-flags.
 */
function countersFor(fieldNames: readonly string[]): CounterName[] {
  const names: CounterName[] = [...COUNTERS];
  const has = new Set(fieldNames);
  if (has.has('flow-direction')) {
    names.push(
      'ingressPackets',
      'ingressBytes',
      'egressPackets',
      'egressBytes'
    );
  }
  if (has.has('protocol')) {
    names.push('tcpBytes', 'udpBytes', 'icmpBytes', 'otherBytes');
  }
  if (has.has('tcp-flags')) names.push('synOnlyFlows');
  return names;
}

/**
 * The exact rollups of valid, header-less lines, computed independently of
 * the production code: counters by `referenceRollup` (ingress and egress
 * packets by the same reference with the packets and bytes columns swapped,
 * so that its byte split is a packet split), and ids (account, VPC, subnet,
 * instance) from the first record in file order that starts in the window
 * and carries the id. Sorted by interfaceId, then windowStart.
 */
function expectedRollups(
  fieldNames: readonly string[],
  lines: readonly string[],
  mode: 'prorate' | 'start' = 'prorate'
): ExactRollup[] {
  const counters = referenceRollup(lines, fieldNames, mode);
  const swapped = fieldNames.map((name) =>
    name === 'packets' ? 'bytes' : name === 'bytes' ? 'packets' : name
  );
  const packetsAsBytes = referenceRollup(lines, swapped, mode);
  const ids = new Map<string, Partial<Record<string, string>>>();
  const column = (name: string): number => fieldNames.indexOf(name);
  for (const line of lines) {
    const values = line.split(' ');
    const eni = values[column('interface-id')] ?? '';
    const key = `${eni} ${windowOf(seconds(values[column('start')] ?? ''))}`;
    const found = ids.get(key) ?? {};
    for (const [field, name] of ID_FIELDS) {
      const value = values[column(field)];
      if (column(field) >= 0 && value !== '-' && found[name] === undefined) {
        found[name] = value;
      }
    }
    ids.set(key, found);
  }
  const names = countersFor(fieldNames);
  const rollups: ExactRollup[] = [];
  for (const [key, reference] of counters) {
    const [interfaceId = '', windowStart = ''] = key.split(' ');
    const swappedReference = packetsAsBytes.get(key);
    const rollup: ExactRollup = emptyRollup(interfaceId, Number(windowStart));
    for (const name of names) {
      rollup[name] =
        name === 'ingressPackets'
          ? (swappedReference?.ingressBytes ?? Number.NaN)
          : name === 'egressPackets'
            ? (swappedReference?.egressBytes ?? Number.NaN)
            : reference[name];
    }
    Object.assign(rollup, ids.get(key) ?? {});
    rollups.push(rollup);
  }
  return sortRollups(rollups);
}

function sortRollups<T extends { interfaceId: string; windowStart: number }>(
  rollups: T[]
): T[] {
  return rollups.sort((a, b) =>
    a.interfaceId === b.interfaceId
      ? a.windowStart - b.windowStart
      : a.interfaceId < b.interfaceId
        ? -1
        : 1
  );
}

/** A rollup without its top lists. */
function exact(rollup: Rollup): ExactRollup {
  const {
    topTalkers: _,
    topRejectedSources: __,
    topRejectedFlows: ___,
    topRejectedPorts: ____,
    ...rest
  } = rollup;
  return rest;
}

/** Every item of the table, as DynamoDB holds it. */
async function scanItems(
  client: DynamoDBClient,
  tableName: string
): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, ExclusiveStartKey: start })
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}

/** The stored rollups of these ENIs, read back with `rollupFromItem`, sorted. */
async function storedRollups(
  client: DynamoDBClient,
  tableName: string,
  interfaceIds: ReadonlySet<string>
): Promise<Rollup[]> {
  const items = await scanItems(client, tableName);
  return sortRollups(
    rollupsFromItems(items.filter((item) => isItemOf(item, interfaceIds)))
  );
}

/** Whether an item is the counters item of one of these ENIs. */
const isItemOf = (item: Item, interfaceIds: ReadonlySet<string>): boolean =>
  [...interfaceIds].some((id) => item.pk?.S === partitionKey(id));

/**
 * The stored items of some ENIs: their counters items (`ENI#`, `W#`), and
 * the ranking items (`TOP#`) that name any of them.
 */
interface StoredItems {
  readonly counters: Item[];
  readonly rankings: Item[];
}

const SCOPE_PREFIXES = { a: 'ACCOUNT#', v: 'VPC#', s: 'SUBNET#' } as const;
const STEPS = { 'W#': 300, 'H#': 3600, 'D#': 86_400 } as const;

/** A scope's item (account, VPC, subnet; a window, an hour or a day). */
const isScopeItem = (item: Item): boolean =>
  Object.values(SCOPE_PREFIXES).some((prefix) =>
    item.pk?.S?.startsWith(prefix)
  ) && Object.keys(STEPS).some((prefix) => item.sk?.S?.startsWith(prefix));

/** A scope's ranking of a window, hour or day (`R#…`: scopeRankingStore). */
const isScopeRankingItem = (item: Item): boolean =>
  Object.values(SCOPE_PREFIXES).some((prefix) =>
    item.pk?.S?.startsWith(prefix)
  ) &&
  (item.sk?.S?.startsWith('R#') ?? false);

/**
 * Every scope item checked against an independent sum of the stored ENI
 * counters items: for each ENI window, each id its ENI's items hold (`a`,
 * `v`, `s`) names a scope, and its counters add to that scope's window,
 * hour and day. Counts, too, that each such sum has its item. Returns the problems.
 */
function scopeProblems(items: readonly Item[]): string[] {
  // An ENI's scopes, from any of its windows: a flow's prorated tail in
  // later windows carries no ids, and counts in its ENI's scopes.
  const enis = items.filter(
    (item) => item.pk?.S?.startsWith('ENI#') && item.sk?.S?.startsWith('W#')
  );
  const idsOf = new Map<string, Record<string, string>>();
  for (const item of enis) {
    const ids = idsOf.get(item.pk?.S ?? '') ?? {};
    for (const attribute of Object.keys(SCOPE_PREFIXES)) {
      const value = item[attribute]?.S;
      const seen = ids[attribute];
      if (value !== undefined && (seen === undefined || value < seen)) {
        ids[attribute] = value;
      }
    }
    idsOf.set(item.pk?.S ?? '', ids);
  }
  const expected = new Map<string, Map<string, number>>();
  for (const item of enis) {
    const sk = item.sk?.S ?? '';
    const windowStart = Date.parse(sk.slice(2)) / 1000;
    for (const [attribute, prefix] of Object.entries(SCOPE_PREFIXES)) {
      const id = idsOf.get(item.pk?.S ?? '')?.[attribute];
      if (id === undefined) continue;
      for (const [stepPrefix, seconds] of Object.entries(STEPS)) {
        const start = windowStart - (windowStart % seconds);
        const key = `${prefix}${id} ${stepPrefix}${new Date(start * 1000).toISOString().replace('.000Z', 'Z')}`;
        const sums = expected.get(key) ?? new Map<string, number>();
        for (const [name, value] of Object.entries(item)) {
          if (value.N === undefined || !COUNTER_NAMES.has(name)) continue;
          sums.set(name, (sums.get(name) ?? 0) + Number(value.N));
        }
        expected.set(key, sums);
      }
    }
  }
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const item of items.filter(isScopeItem)) {
    const key = `${item.pk?.S} ${item.sk?.S}`;
    seen.add(key);
    const sums = expected.get(key);
    if (sums === undefined) {
      problems.push(`${key} sums no ENI`);
      continue;
    }
    // Each scope's items name it: a VPC's its VPC, a subnet's its subnet.
    for (const [attribute, prefix] of Object.entries(SCOPE_PREFIXES)) {
      const pk = item.pk?.S ?? '';
      if (
        pk.startsWith(prefix) &&
        item[attribute]?.S !== pk.slice(prefix.length)
      ) {
        problems.push(
          `${key} ${attribute} is ${JSON.stringify(item[attribute])}`
        );
      }
    }
    for (const name of COUNTER_NAMES) {
      const stored = Number(item[name]?.N ?? 0);
      if (stored !== (sums.get(name) ?? 0)) {
        problems.push(`${key} ${name} ${stored} != ${sums.get(name) ?? 0}`);
      }
    }
  }
  for (const key of expected.keys()) {
    if (!seen.has(key)) problems.push(`${key} missing`);
  }
  return problems;
}

/**
 * The scope writes an ingest of these rollups makes, counted independently:
 * one UpdateItem per (scope, window) and one PutItem per (scope, hour) and
 * (scope, day), for each account, VPC and subnet the rollups name; their
 * rankings, one PutItem per (scope, window), (scope, hour) and (scope,
 * day); and one UpdateItem of the scope list when they name an account.
 * `all` is their sum.
 */
function scopeWritesOf(rollups: readonly Rollup[]): {
  updates: number;
  puts: number;
  rankings: number;
  lists: number;
  all: number;
} {
  // An ENI's scopes, from any of its windows (a prorated tail has no ids).
  const idsOf = new Map<string, (string | undefined)[]>();
  for (const rollup of rollups) {
    const seen = idsOf.get(rollup.interfaceId) ?? [];
    [rollup.accountId, rollup.vpcId, rollup.subnetId].forEach((id, k) => {
      const known = seen[k];
      if (id !== undefined && (known === undefined || id < known)) seen[k] = id;
    });
    idsOf.set(rollup.interfaceId, seen);
  }
  const windows = new Set<string>();
  const tiers = new Set<string>();
  for (const rollup of rollups) {
    for (const id of idsOf.get(rollup.interfaceId) ?? []) {
      if (id === undefined) continue;
      const start = rollup.windowStart;
      windows.add(`${id} ${start}`);
      tiers.add(`${id} h${start - (start % 3600)}`);
      tiers.add(`${id} d${start - (start % 86_400)}`);
    }
  }
  const hasAccount = [...idsOf.values()].some((ids) => ids[0] !== undefined);
  const lists = hasAccount ? 1 : 0;
  return {
    updates: windows.size,
    puts: tiers.size,
    rankings: windows.size + tiers.size,
    lists,
    all: 2 * (windows.size + tiers.size) + lists,
  };
}

/** The stored names of every counter (not ids, versions or sets). */
const COUNTER_NAMES: ReadonlySet<string> = new Set(
  ALL_COUNTERS.map((name) => COUNTER_ATTR[name])
);

/** The stored items of these ENIs, by kind; throws on an item of no known kind. */
async function storedItems(
  client: DynamoDBClient,
  tableName: string,
  interfaceIds: ReadonlySet<string>
): Promise<StoredItems> {
  const items = await scanItems(client, tableName);
  const others = items.filter(
    (item) =>
      !item.pk?.S?.startsWith('TOP#') &&
      !item.pk?.S?.startsWith('PARTS#') &&
      !(item.pk?.S?.startsWith('ENI#') && item.sk?.S?.startsWith('W#')) &&
      !isScopeItem(item) &&
      !isScopeRankingItem(item) &&
      item.pk?.S !== 'ACCOUNTS'
  );
  if (others.length > 0) {
    throw new Error(`items of no known kind: ${JSON.stringify(others)}`);
  }
  const problems = scopeProblems(items);
  if (problems.length > 0) {
    throw new Error(
      `scope items that are not their ENIs' sums: ${problems.join('; ')}`
    );
  }
  return {
    counters: items.filter((item) => isItemOf(item, interfaceIds)),
    rankings: items.filter(
      (item) =>
        item.pk?.S?.startsWith('TOP#') &&
        rankingFromItem(item).entries.some((entry) =>
          interfaceIds.has(entry.interfaceId)
        )
    ),
  };
}

/** How many contribution ids each stored counters item of these ENIs holds. */
async function contributionCounts(
  client: DynamoDBClient,
  tableName: string,
  interfaceIds: ReadonlySet<string>
): Promise<number[]> {
  const { counters } = await storedItems(client, tableName, interfaceIds);
  return counters.map((item) => item.c?.SS?.length ?? 0);
}

/**
 * What the per-contribution details of stored items get wrong, as
 * readable lines ([] when nothing):
 * - a counters item holds only known attributes; `n` counts its top-list
 *   attributes (at most `MAX_INLINE_TOP_LISTS`), each binary and readable,
 *   each `t:<id>` of a contribution it applied;
 * - every contribution a counters item applied has its ranking item for
 *   the window (rankings are written first), expiring with the counters;
 * - every ENI a ranking names in the window has a counters item that
 *   applied the ranking's contribution, with the counters the ranking
 *   says the contribution added at most (so no ranking is left behind by
 *   a write that never completed, and none overstates a contribution).
 */
function detailProblems({ counters, rankings }: StoredItems): string[] {
  const problems: string[] = [];
  const known = new Set<string>([
    'pk',
    'sk',
    ATTR.expiresAt,
    ATTR.contributions,
    ATTR.topListCount,
    ...Object.values(COUNTER_ATTR),
  ]);
  const rankingOf = new Map<string, { item: Item; ranking: WindowRanking }>();
  for (const item of rankings) {
    const where = `${item.pk?.S}/${item.sk?.S}`;
    try {
      rankingOf.set(`${item.pk?.S} ${item.sk?.S}`, {
        item,
        ranking: rankingFromItem(item),
      });
    } catch (error) {
      problems.push(`${where}: ${String(error)}`);
    }
  }
  const byKey = new Map<string, Item>();
  for (const item of counters) {
    const where = `${item.pk?.S}/${item.sk?.S}`;
    byKey.set(`${item.pk?.S} ${item.sk?.S}`, item);
    const ids = item.c?.SS ?? [];
    const lists = Object.keys(item).filter(isTopListAttribute);
    for (const name of Object.keys(item)) {
      if (!known.has(name) && !isTopListAttribute(name)) {
        problems.push(`${where}: unknown attribute ${name}`);
      }
    }
    if (Number(item.n?.N ?? 0) !== lists.length) {
      problems.push(`${where}: n = ${item.n?.N} but ${lists.length} top lists`);
    }
    if (lists.length > MAX_INLINE_TOP_LISTS) {
      problems.push(`${where}: ${lists.length} top lists`);
    }
    const owners = new Set(ids.map(topListAttribute));
    for (const name of lists) {
      if (name !== ATTR.mergedTopLists && !owners.has(name)) {
        problems.push(`${where}: ${name} of no applied contribution`);
      }
    }
    try {
      rollupFromItem(item);
    } catch (error) {
      problems.push(`${where}: ${String(error)}`);
    }
    const rollup = rollupFromItem(item, false);
    for (const id of ids) {
      const found = rankingOf.get(
        `${rankingPartitionKey(rollup.windowStart)} ${id}`
      );
      if (found === undefined) {
        problems.push(`${where}: contribution ${id} has no ranking`);
      } else if (found.item.expiresAt?.N !== item.expiresAt?.N) {
        problems.push(`${where}: ranking of ${id} expires apart`);
      }
    }
  }
  for (const [key, { ranking }] of rankingOf) {
    const id = key.split(' ')[1] ?? '';
    for (const entry of ranking.entries) {
      const item = byKey.get(
        `${partitionKey(entry.interfaceId)} ${`W#${key.split(' ')[0]?.slice(4)}`}`
      );
      if (item === undefined) {
        // Only the ENIs asked about are in `counters`.
        continue;
      }
      if (!item.c?.SS?.includes(id)) {
        problems.push(`${key}: ${entry.interfaceId} never applied ${id}`);
        continue;
      }
      const rollup = rollupFromItem(item, false);
      for (const metric of [
        'bytes',
        'packets',
        'flows',
        'rejectFlows',
      ] as const) {
        if (entry[metric] > rollup[metric]) {
          problems.push(
            `${key}: ${entry.interfaceId} ${metric} above its total`
          );
        }
      }
    }
  }
  return problems;
}

/**
 * What the approximate top lists of stored rollups get wrong, as readable
 * lines ([] when nothing): each list holds at most 20 entries, sorted; the
 * talkers of a window with flows are not empty; talker flows add up to at
 * most the window's flows and talker bytes to at most the whole bytes of the
 * flows that start in it (a flow's talker entry is its start window's);
 * rejected sources add up to at most the window's rejected flows; every peer
 * and rejected source is an address of that ENI's lines starting there.
 */
function topListProblems(
  stored: readonly Rollup[],
  fieldNames: readonly string[],
  lines: readonly string[]
): string[] {
  const wholeBytes = referenceRollup(lines, fieldNames, 'start');
  const column = (name: string): number => fieldNames.indexOf(name);
  const peers = new Map<string, Set<string>>();
  const rejecters = new Map<string, Set<string>>();
  for (const line of lines) {
    const values = line.split(' ');
    const key = `${values[column('interface-id')]} ${windowOf(seconds(values[column('start')] ?? ''))}`;
    const src = values[column('srcaddr')] ?? '-';
    const dst = values[column('dstaddr')] ?? '-';
    const seen = peers.get(key) ?? new Set<string>();
    seen.add(src).add(dst);
    peers.set(key, seen);
    if (values[column('action')] === 'REJECT') {
      const sources = rejecters.get(key) ?? new Set<string>();
      sources.add(src);
      rejecters.set(key, sources);
    }
  }
  const problems: string[] = [];
  for (const rollup of stored) {
    const key = `${rollup.interfaceId} ${rollup.windowStart}`;
    const talkers = rollup.topTalkers ?? [];
    const rejected = rollup.topRejectedSources ?? [];
    const sum = (values: readonly number[]) =>
      values.reduce((total, value) => total + value, 0);
    const bytesStarted = wholeBytes.get(key)?.bytes ?? 0;
    if (rollup.flows > 0 && talkers.length === 0) {
      problems.push(`${key}: ${rollup.flows} flows but no top talkers`);
    }
    if (talkers.length > 20 || rejected.length > 20) {
      problems.push(`${key}: a top list longer than 20`);
    }
    if (sum(talkers.map((t) => t.flows)) > rollup.flows) {
      problems.push(`${key}: talker flows exceed the window's flows`);
    }
    if (sum(talkers.map((t) => t.bytes)) > bytesStarted) {
      problems.push(`${key}: talker bytes exceed ${bytesStarted}`);
    }
    for (let i = 1; i < talkers.length; i++) {
      if ((talkers[i]?.bytes ?? 0) > (talkers[i - 1]?.bytes ?? 0)) {
        problems.push(`${key}: talkers not sorted by bytes`);
      }
    }
    for (const talker of talkers) {
      if (!peers.get(key)?.has(talker.peer)) {
        problems.push(`${key}: talker ${talker.peer} is not in its lines`);
      }
    }
    if (sum(rejected.map((r) => r.flows)) > rollup.rejectFlows) {
      problems.push(`${key}: rejected-source flows exceed rejectFlows`);
    }
    for (const source of rejected) {
      if (!rejecters.get(key)?.has(source.address)) {
        problems.push(`${key}: rejected ${source.address} is not in its lines`);
      }
    }
  }
  return problems;
}

export type { ExactRollup, StoredItems };
export {
  contributionCounts,
  detailProblems,
  exact,
  expectedRollups,
  isScopeItem,
  scanItems,
  scopeProblems,
  scopeWritesOf,
  storedItems,
  storedRollups,
  topListProblems,
};
