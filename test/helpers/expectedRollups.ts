import {
  type AttributeValue,
  type DynamoDBClient,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { COUNTERS, emptyRollup } from '../../shared/aggregate/mergeRollups.js';
import {
  detailSortKey,
  rollupsFromItems,
} from '../../shared/store/rollupItem.js';
import type { Rollup } from '../../shared/types.js';
import { type ReferenceCounters, referenceRollup } from './referenceRollup.js';

/** A rollup without its (approximate) top lists: what must match exactly. */
type ExactRollup = Omit<Rollup, 'topTalkers' | 'topRejectedSources'>;

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
  const { topTalkers: _, topRejectedSources: __, ...rest } = rollup;
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
    rollupsFromItems(
      items.filter((item) => interfaceIds.has(item.interfaceId?.S ?? ''))
    )
  );
}

type Item = Record<string, AttributeValue>;

/** The stored items of some ENIs: counters items (`W#`) and detail items (`T#`). */
interface StoredItems {
  readonly counters: Item[];
  readonly details: Item[];
}

/** The stored items of these ENIs, by kind; throws on an item of neither. */
async function storedItems(
  client: DynamoDBClient,
  tableName: string,
  interfaceIds: ReadonlySet<string>
): Promise<StoredItems> {
  const items = (await scanItems(client, tableName)).filter((item) =>
    interfaceIds.has(item.interfaceId?.S ?? '')
  );
  const kind = (item: Item) => item.sk?.S?.slice(0, 2);
  const others = items.filter(
    (item) => !['W#', 'T#'].includes(kind(item) ?? '')
  );
  if (others.length > 0) {
    throw new Error(`items of no known kind: ${JSON.stringify(others)}`);
  }
  return {
    counters: items.filter((item) => kind(item) === 'W#'),
    details: items.filter((item) => kind(item) === 'T#'),
  };
}

/** How many contribution ids each stored counters item of these ENIs holds. */
async function contributionCounts(
  client: DynamoDBClient,
  tableName: string,
  interfaceIds: ReadonlySet<string>
): Promise<number[]> {
  const { counters } = await storedItems(client, tableName, interfaceIds);
  return counters.map((item) => item.contributions?.SS?.length ?? 0);
}

/**
 * What the detail items get wrong, as readable lines ([] when nothing):
 * each is keyed `T#<window>#<its contributionId>`, holds top lists, and
 * belongs to a counters item of its ENI and window that has its
 * contribution applied, with the same expiry (so a detail never outlives
 * its counters, and none is left behind by a write that never completed).
 */
function detailProblems({ counters, details }: StoredItems): string[] {
  const byWindow = new Map(
    counters.map((item) => [`${item.pk?.S} ${item.windowStart?.N}`, item])
  );
  const problems: string[] = [];
  for (const detail of details) {
    const where = `${detail.pk?.S}/${detail.sk?.S}`;
    const id = detail.contributionId?.S ?? '';
    const windowStart = Number(detail.windowStart?.N);
    if (detail.sk?.S !== detailSortKey(windowStart, id)) {
      problems.push(`${where}: not keyed by its window and contribution ${id}`);
    }
    if (detail.topLists?.S === undefined) {
      problems.push(`${where}: no top lists`);
    }
    const owner = byWindow.get(`${detail.pk?.S} ${detail.windowStart?.N}`);
    if (owner === undefined) {
      problems.push(`${where}: no counters item`);
      continue;
    }
    if (!owner.contributions?.SS?.includes(id)) {
      problems.push(`${where}: contribution ${id} not applied to its counters`);
    }
    if (owner.expiresAt?.N !== detail.expiresAt?.N) {
      problems.push(`${where}: expires apart from its counters`);
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
  scanItems,
  storedItems,
  storedRollups,
  topListProblems,
};
