/**
 * What ENIs and scopes rejected: the real queryApi handler behind the local
 * HTTP API stand-in, asked over real HTTP on 127.0.0.1, against what the
 * real s3Ingest handler wrote to dynalite from v5 flow logs written here by
 * hand. Five ENIs share two accounts, two VPCs and four subnets; their
 * rejected flows start in five windows across 01:00, some running into the
 * next window. Each ENI-window of an object has at most 2 destination
 * ports, 2 (source, port, protocol) and 2 sources of ingress rejects, so
 * every list is exact; ACCEPT records (from the same sources to the same
 * ports), rejected egress and NODATA lines sit beside them and count for
 * nothing. Every answer (ports, and sources with the ports they tried) is
 * compared with a count made here from the text, over ranges that cut
 * windows, hours and days; after the object is delivered again; after a
 * second object adds more; with a limit; in CSV; and bad requests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveFormat } from '../../shared/parse/flowLogFormat.js';
import type { Rollup } from '../../shared/types.js';
import { importS3Handler } from '../helpers/cloudwatchBatches.js';
import { storedRollups } from '../helpers/expectedRollups.js';
import {
  type FlowLogFile,
  flowLogFile,
  flowLogKey,
  upload,
} from '../helpers/flowLogObjects.js';
import {
  captureHandlerLogs,
  type HandlerLogs,
} from '../helpers/handlerLogs.js';
import { type IngestStack, startIngestStack } from '../helpers/ingestStack.js';
import {
  type ApiResponse,
  bodyOf,
  call,
  type ErrorBody,
  errorBodyProblems,
  parseCsv,
  type RunningApi,
  startQueryApi,
} from '../helpers/queryApi.js';
import { eventFor, loadSampleEvents } from '../helpers/s3Events.js';

const W = 300;
const HOUR = 3600;
const DAY_SECONDS = 86_400;
/** 2026-11-24T00:00:00Z. */
const DAY = Date.UTC(2026, 10, 24) / 1000;
/** The windows rejected flows start in: 00:50, 00:55, 01:00, 01:05, 01:40. */
const WINDOWS = [
  DAY + HOUR - 2 * W,
  DAY + HOUR - W,
  DAY + HOUR,
  DAY + HOUR + W,
  DAY + HOUR + 8 * W,
] as const;

const ACCOUNT_A = '111122223333';
const ACCOUNT_B = '444455556666';
const VPC_A = 'vpc-0a0a0a0a0a0a0a0a0';
const VPC_B = 'vpc-0b0b0b0b0b0b0b0b0';
const SUBNET_A1 = 'subnet-0a1a1a1a1a1a1a1a1';
const SUBNET_A2 = 'subnet-0a2a2a2a2a2a2a2a2';
const SUBNET_B1 = 'subnet-0b1b1b1b1b1b1b1b1';
const SUBNET_B2 = 'subnet-0b2b2b2b2b2b2b2b2';

interface Eni {
  readonly id: string;
  readonly account: string;
  readonly vpc: string;
  readonly subnet: string;
  readonly ipv4: string;
  readonly ipv6: string;
}

/** VPC B is shared: its subnets are in both accounts. */
const ENIS: readonly Eni[] = [
  {
    id: 'eni-0a1a1a1a1a1a1a1a1',
    account: ACCOUNT_A,
    vpc: VPC_A,
    subnet: SUBNET_A1,
    ipv4: '10.1.1.11',
    ipv6: '2600:1f18:1::11',
  },
  {
    id: 'eni-0a2a2a2a2a2a2a2a2',
    account: ACCOUNT_A,
    vpc: VPC_A,
    subnet: SUBNET_A2,
    ipv4: '10.1.2.12',
    ipv6: '2600:1f18:1::12',
  },
  {
    id: 'eni-0b1b1b1b1b1b1b1b1',
    account: ACCOUNT_A,
    vpc: VPC_B,
    subnet: SUBNET_B1,
    ipv4: '10.2.1.21',
    ipv6: '2600:1f18:2::21',
  },
  {
    id: 'eni-0b2b2b2b2b2b2b2b2',
    account: ACCOUNT_B,
    vpc: VPC_B,
    subnet: SUBNET_B2,
    ipv4: '10.2.2.22',
    ipv6: '2600:1f18:2::22',
  },
  {
    id: 'eni-0b3b3b3b3b3b3b3b3',
    account: ACCOUNT_B,
    vpc: VPC_B,
    subnet: SUBNET_B2,
    ipv4: '10.2.2.23',
    ipv6: '2600:1f18:2::23',
  },
];

/** The sources of rejected flows. */
const SCANNERS = [
  '198.51.100.7',
  '203.0.113.9',
  '192.0.2.44',
  '2001:db8::66',
  '198.51.100.200',
] as const;

/** Rejected flows of one source to one destination port, `times` records. */
interface RejectSpec {
  readonly source: number;
  readonly port: string;
  readonly protocol: string;
  readonly times: number;
}

/**
 * What one ENI-window of an object rejects: each pattern has at most 2
 * ports, 2 (source, port, protocol) and 2 sources.
 */
const PATTERNS: readonly (readonly RejectSpec[])[] = [
  // One source tries two ports.
  [
    { source: 0, port: '22', protocol: '6', times: 3 },
    { source: 0, port: '3389', protocol: '6', times: 1 },
  ],
  // Two sources try one port.
  [
    { source: 1, port: '22', protocol: '6', times: 2 },
    { source: 2, port: '22', protocol: '6', times: 2 },
  ],
  // Two sources, two ports, one of them over IPv6.
  [
    { source: 3, port: '443', protocol: '6', times: 1 },
    { source: 1, port: '53', protocol: '17', times: 2 },
  ],
  // ICMP (port 0) and a record without port or protocol.
  [
    { source: 4, port: '0', protocol: '1', times: 2 },
    { source: 4, port: '-', protocol: '-', times: 1 },
  ],
  // Nothing rejected.
  [],
  // One flow only.
  [{ source: 2, port: '3389', protocol: '6', times: 4 }],
];

/** The n-th scanner, round and round. */
const scanner = (n: number): string => SCANNERS[n % SCANNERS.length] ?? '';

const V5_FIELDS = resolveFormat('v5').fields.map((field) => field.name);
const column = (name: string): number => V5_FIELDS.indexOf(name);

/** A v5 line of these fields (`-` for the others). */
const v5Line = (fields: Readonly<Record<string, string | number>>): string =>
  V5_FIELDS.map((name) => String(fields[name] ?? '-')).join(' ');

/** The fields every record of an ENI carries. */
const idsOf = (eni: Eni) => ({
  version: 5,
  'account-id': eni.account,
  'interface-id': eni.id,
  'vpc-id': eni.vpc,
  'subnet-id': eni.subnet,
  'instance-id': `i-0${eni.id.slice(5)}`,
  region: 'us-east-1',
  'log-status': 'OK',
});

/**
 * One object's lines, by hand: per ENI and window, the rejected flows of a
 * pattern (`variant` picks which), accepted flows (from a scanner to port
 * 22 too), sometimes a rejected egress flow and a NODATA record.
 */
function objectLines(variant: 0 | 1): string[] {
  const lines: string[] = [];
  ENIS.forEach((eni, i) => {
    WINDOWS.forEach((window, j) => {
      const pattern =
        PATTERNS[(variant === 0 ? i + 2 * j : 5 * i + j + 3) % PATTERNS.length];
      let k = 0;
      for (const spec of pattern ?? []) {
        const source = scanner(spec.source);
        for (let n = 0; n < spec.times; n++, k++) {
          const start =
            window + ((k * 41 + i * 13 + j * 7 + variant * 17) % 280);
          // Some run into the next window: they count where they start.
          const isLong = (k + j + variant) % 3 === 0;
          const packets = 1 + ((k + i) % 3);
          lines.push(
            v5Line({
              ...idsOf(eni),
              srcaddr: source,
              dstaddr: source.includes(':') ? eni.ipv6 : eni.ipv4,
              srcport: spec.port === '-' ? '-' : 40_000 + 7 * k + j,
              dstport: spec.port,
              protocol: spec.protocol,
              packets,
              bytes: packets * 40 + i + j + variant,
              start,
              end: start + (isLong ? 330 : 15),
              action: 'REJECT',
              'tcp-flags': spec.protocol === '6' ? 2 : '-',
              type: source.includes(':') ? 'IPv6' : 'IPv4',
              'flow-direction': 'ingress',
            })
          );
        }
      }
      lines.push(
        v5Line({
          ...idsOf(eni),
          srcaddr: scanner((i + j) % 3),
          dstaddr: eni.ipv4,
          srcport: 50_123,
          dstport: 22,
          protocol: 6,
          packets: 12,
          bytes: 5_000 + i,
          start: window + 5,
          end: window + 65,
          action: 'ACCEPT',
          'tcp-flags': 19,
          'flow-direction': 'ingress',
        }),
        v5Line({
          ...idsOf(eni),
          srcaddr: eni.ipv4,
          dstaddr: '52.94.3.17',
          srcport: 41_000 + j,
          dstport: 443,
          protocol: 6,
          packets: 30,
          bytes: 20_000,
          start: window + 200,
          end: window + 260,
          action: 'ACCEPT',
          'tcp-flags': 3,
          'flow-direction': 'egress',
        })
      );
      if ((i + j + variant) % 2 === 0) {
        // Rejected egress: the ENI's own flow out, never counted.
        lines.push(
          v5Line({
            ...idsOf(eni),
            srcaddr: eni.ipv4,
            dstaddr: scanner((i + j + 1) % 3),
            srcport: 44_321,
            dstport: 1_000 + j,
            protocol: 6,
            packets: 1,
            bytes: 60,
            start: window + 30,
            end: window + 40,
            action: 'REJECT',
            'tcp-flags': 2,
            'flow-direction': 'egress',
          })
        );
      }
      if ((i + 2 * j + variant) % 4 === 1) {
        lines.push(
          v5Line({
            ...idsOf(eni),
            start: window + 100,
            end: window + 159,
            'log-status': 'NODATA',
          })
        );
      }
    });
  });
  return lines;
}

const iso = (seconds: number): string =>
  new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

/** The scopes: path, the id's name in bodies, and the field that holds it. */
const SCOPES = [
  { path: 'accounts', param: 'accountId', field: 'account-id' },
  { path: 'vpcs', param: 'vpcId', field: 'vpc-id' },
  { path: 'subnets', param: 'subnetId', field: 'subnet-id' },
] as const;

/** What is asked: the ENIs, and every scope id the ENIs are in. */
const TARGETS: readonly { path: string; param: string; id: string }[] = [
  ...ENIS.map((eni) => ({ path: 'enis', param: 'interfaceId', id: eni.id })),
  ...SCOPES.flatMap((scope) =>
    [
      ...new Set(
        ENIS.map(
          (eni) =>
            ({
              accounts: eni.account,
              vpcs: eni.vpc,
              subnets: eni.subnet,
            })[scope.path]
        )
      ),
    ]
      .sort()
      .map((id) => ({ path: scope.path, param: scope.param, id }))
  ),
];

/** The i-th target (5 to 6 the accounts, 7 to 8 the VPCs, 9 to 12 the subnets). */
function targetAt(i: number): (typeof TARGETS)[number] {
  const target = TARGETS[i];
  if (target === undefined) throw new Error(`no target ${i}`);
  return target;
}

/** The ranges asked: they cut windows, hours and days, or cover everything. */
const RANGES = [
  {
    name: 'everything (two whole days)',
    from: DAY - DAY_SECONDS,
    to: DAY + DAY_SECONDS,
  },
  { name: '00:00 to 02:00 (two hours)', from: DAY, to: DAY + 2 * HOUR },
  {
    name: '00:53:20 to 01:07:30 (windows cut at both ends)',
    from: DAY + HOUR - 400,
    to: DAY + HOUR + 450,
  },
  {
    name: '00:57 to 02:03 (a window, an hour, a window)',
    from: DAY + HOUR - 180,
    to: DAY + 2 * HOUR + 180,
  },
  {
    name: '01:02 to 01:41 (from inside the 01:00 window)',
    from: DAY + HOUR + 120,
    to: DAY + HOUR + 8 * W + 60,
  },
  {
    name: '03:00 to 04:00 (no data)',
    from: DAY + 3 * HOUR,
    to: DAY + 4 * HOUR,
  },
] as const;

/** The range as the API answers it: from rounded down, to up, to windows. */
const aligned = (range: { from: number; to: number }) => ({
  from: range.from - (range.from % W),
  to: Math.ceil(range.to / W) * W,
});

interface PortRow {
  readonly port: number | null;
  readonly protocol: number | null;
  readonly flows: number;
  readonly packets: number;
  readonly bytes: number;
}

interface SourceRow {
  readonly address: string;
  readonly flows: number;
  readonly packets: number;
  readonly bytes: number;
  readonly ports: PortRow[];
  readonly label: string;
  readonly eni?: unknown;
}

/** An answer without itemsRead; it also names its ENI or scope. */
type Rejections = Readonly<Record<string, unknown>> & {
  readonly from: string;
  readonly to: string;
  readonly limit: number;
  readonly approximate: boolean;
  readonly ports: PortRow[];
  readonly sources: SourceRow[];
};

type RejectionsBody = Rejections & { readonly itemsRead: number };

/** One ingress REJECT OK record of the text, read here. */
interface Rejected {
  readonly fields: Readonly<Record<string, string>>;
  readonly windowStart: number;
  readonly source: string;
  readonly port: number | null;
  readonly protocol: number | null;
  readonly packets: number;
  readonly bytes: number;
}

const numberOrNull = (text: string | undefined): number | null =>
  text === undefined || text === '-' ? null : Number(text);

/** The ingress REJECT OK records of lines, read from their text. */
function rejectedOf(lines: readonly string[]): Rejected[] {
  return lines.flatMap((line) => {
    const values = line.split(' ');
    const fields = Object.fromEntries(
      V5_FIELDS.map((name, i) => [name, values[i] ?? '-'])
    );
    if (
      fields.action !== 'REJECT' ||
      fields['log-status'] !== 'OK' ||
      fields['flow-direction'] !== 'ingress'
    ) {
      return [];
    }
    const start = Number(fields.start);
    return [
      {
        fields,
        windowStart: start - (start % W),
        source: fields.srcaddr ?? '',
        port: numberOrNull(fields.dstport),
        protocol: numberOrNull(fields.protocol),
        packets: Number(fields.packets),
        bytes: Number(fields.bytes),
      },
    ];
  });
}

const compareText = (a: string, b: string): number =>
  a < b ? -1 : a > b ? 1 : 0;

/** Port, then protocol; a missing one first. */
const byPortKey = (
  a: { port: number | null; protocol: number | null },
  b: { port: number | null; protocol: number | null }
): number =>
  (a.port ?? -1) - (b.port ?? -1) || (a.protocol ?? -1) - (b.protocol ?? -1);

/** Most flows first, then bytes, then port and protocol. */
const byPorts = (a: PortRow, b: PortRow): number =>
  b.flows - a.flows || b.bytes - a.bytes || byPortKey(a, b);

/** Records summed by destination port and protocol, busiest first. */
function portsOf(records: readonly Rejected[]): PortRow[] {
  const byKey = new Map<string, PortRow>();
  for (const r of records) {
    const key = `${r.port} ${r.protocol}`;
    const seen = byKey.get(key);
    byKey.set(key, {
      port: r.port,
      protocol: r.protocol,
      flows: (seen?.flows ?? 0) + 1,
      packets: (seen?.packets ?? 0) + r.packets,
      bytes: (seen?.bytes ?? 0) + r.bytes,
    });
  }
  return [...byKey.values()].sort(byPorts);
}

/**
 * The answer for a target and range, counted here from the text: the
 * ingress REJECT OK records of its ENI (or scope) whose start is in a
 * window of the range, by port and by source (with the ports it tried).
 */
function expectedBody(
  lines: readonly string[],
  target: { path: string; param: string; id: string },
  range: { from: number; to: number },
  limit = 20
): Rejections {
  const { from, to } = aligned(range);
  const field =
    target.path === 'enis'
      ? 'interface-id'
      : (SCOPES.find((scope) => scope.path === target.path)?.field ?? '');
  const mine = rejectedOf(lines).filter(
    (r) =>
      r.fields[field] === target.id &&
      r.windowStart >= from &&
      r.windowStart < to
  );
  const sources = [...new Set(mine.map((r) => r.source))]
    .map((address) => {
      const theirs = mine.filter((r) => r.source === address);
      return {
        address,
        flows: theirs.length,
        packets: theirs.reduce((sum, r) => sum + r.packets, 0),
        bytes: theirs.reduce((sum, r) => sum + r.bytes, 0),
        ports: portsOf(theirs).slice(0, 10),
        label: address,
      };
    })
    .sort(
      (a, b) =>
        b.flows - a.flows ||
        b.bytes - a.bytes ||
        compareText(a.address, b.address)
    );
  return {
    [target.param]: target.id,
    from: iso(from),
    to: iso(to),
    limit,
    approximate: true,
    ports: portsOf(mine).slice(0, limit),
    sources: sources.slice(0, limit),
  };
}

/** A CSV cell as the API writes it: formula-like text gets a leading `'`. */
const cellOf = (value: string | number | null | undefined): string => {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return typeof value === 'string' && /^[=+\-@\t\r]/.test(text)
    ? `'${text}`
    : text;
};

const CSV_COLUMNS = [
  'kind',
  'address',
  'label',
  'port',
  'protocol',
  'flows',
  'packets',
  'bytes',
  'ports',
];

/** The CSV records a JSON answer must read as: ports, then sources. */
function csvOf(body: RejectionsBody): string[][] {
  return [
    CSV_COLUMNS,
    ...body.ports.map((port) =>
      [
        'port',
        '',
        '',
        port.port,
        port.protocol,
        port.flows,
        port.packets,
        port.bytes,
        '',
      ].map(cellOf)
    ),
    ...body.sources.map((source) =>
      [
        'source',
        source.address,
        source.label,
        '',
        '',
        source.flows,
        source.packets,
        source.bytes,
        source.ports
          .map((p) => `${p.port ?? '-'}/${p.protocol ?? '-'}`)
          .join(' '),
      ].map(cellOf)
    ),
  ];
}

/** What every target answers over every range, counted from lines. */
function expectedAnswers(lines: readonly string[]): Map<string, unknown> {
  const expected = new Map<string, unknown>();
  for (const range of RANGES) {
    for (const target of TARGETS) {
      expected.set(
        `${target.path} ${target.id} ${range.name}`,
        expectedBody(lines, target, range)
      );
    }
  }
  return expected;
}

describe('queryApi rejections', () => {
  let env: IngestStack;
  let api: RunningApi;
  let logs: HandlerLogs;
  let ingest: (event: unknown) => Promise<unknown>;
  let first: FlowLogFile;
  let second: FlowLogFile;
  let firstEvent: ReturnType<typeof eventFor>;
  let secondEvent: ReturnType<typeof eventFor>;

  const get = (path: string): Promise<ApiResponse> => call(api.base, path);

  const rejectionsPath = (
    target: { path: string; id: string },
    range: { from: number; to: number },
    extra = ''
  ) =>
    `/${target.path}/${target.id}/rejections?from=${iso(range.from)}&to=${iso(range.to)}${extra}`;

  async function getJson<T>(path: string): Promise<T> {
    const response = await get(path);
    expect(response.status, `${path}: ${response.text}`).toBe(200);
    return bodyOf<T>(response);
  }

  const readStored = (): Promise<Rollup[]> =>
    storedRollups(
      env.stack.dynamo,
      env.tableName,
      new Set(ENIS.map((eni) => eni.id))
    );

  /**
   * Every target's answer over every range, without itemsRead, by
   * `path id range`; and what each should be, counted from `lines`.
   */
  async function everyAnswer(lines: readonly string[]) {
    const answers = new Map<string, unknown>();
    for (const range of RANGES) {
      for (const target of TARGETS) {
        const key = `${target.path} ${target.id} ${range.name}`;
        const { itemsRead, ...body } = await getJson<RejectionsBody>(
          rejectionsPath(target, range)
        );
        expect(Number.isSafeInteger(itemsRead), key).toBe(true);
        answers.set(key, body);
      }
    }
    return { answers, expected: expectedAnswers(lines) };
  }

  beforeAll(async () => {
    env = await startIngestStack('query-rejections');
    logs = captureHandlerLogs();
    const samples = await loadSampleEvents();
    const s3Ingest = await importS3Handler({});
    ingest = (event) => s3Ingest.invoke(structuredClone(event));
    first = flowLogFile(V5_FIELDS, objectLines(0));
    second = flowLogFile(V5_FIELDS, objectLines(1));
    const firstObject = await upload(
      env.stack.s3,
      env.bucket,
      flowLogKey('rejectionsfirst'),
      first.gzip
    );
    const secondObject = await upload(
      env.stack.s3,
      env.bucket,
      flowLogKey('rejectionssecond'),
      second.gzip
    );
    firstEvent = eventFor(samples, 's3', [firstObject]);
    secondEvent = eventFor(samples, 's3', [secondObject]);
    await ingest(firstEvent);
    api = await startQueryApi();
  }, 60_000);

  afterAll(async () => {
    await api?.close();
    logs?.restore();
    await env?.close();
  });

  it('ingests hand-written rejects of at most 2 ports, 2 flows and 2 sources per ENI-window, beside accepts, rejected egress and NODATA', async () => {
    // Prepare
    const rejected = rejectedOf(first.lines);
    const byWindow = new Map<string, Rejected[]>();
    for (const r of rejected) {
      const key = `${r.fields['interface-id']} ${r.windowStart}`;
      byWindow.set(key, [...(byWindow.get(key) ?? []), r]);
    }
    const actions = new Set(
      first.lines.map((line) => line.split(' ')[column('action')])
    );

    // Act
    const stored = await readStored();

    // Assess: the fixture is what this file says.
    expect(TARGETS.map((t) => t.path)).toEqual([
      ...Array<string>(5).fill('enis'),
      'accounts',
      'accounts',
      'vpcs',
      'vpcs',
      'subnets',
      'subnets',
      'subnets',
      'subnets',
    ]);
    expect([...actions].sort()).toEqual(['-', 'ACCEPT', 'REJECT']);
    expect(first.lines.some((line) => line.includes(' NODATA '))).toBe(true);
    expect(
      first.lines.some(
        (line) => line.includes(' REJECT ') && line.endsWith(' egress -')
      )
    ).toBe(true);
    const hours = new Set(
      rejected.map((r) => r.windowStart - (r.windowStart % HOUR))
    );
    expect(hours.size).toBe(2);
    for (const [key, records] of byWindow) {
      const distinct = (keyOf: (r: Rejected) => string) =>
        new Set(records.map(keyOf)).size;
      expect(
        distinct((r) => `${r.port}/${r.protocol}`),
        key
      ).toBeLessThanOrEqual(2);
      expect(
        distinct((r) => `${r.source} ${r.port}/${r.protocol}`),
        key
      ).toBeLessThanOrEqual(2);
      expect(
        distinct((r) => r.source),
        key
      ).toBeLessThanOrEqual(2);
    }
    // And each stored window's lists are its records, exactly.
    for (const rollup of stored) {
      const records =
        byWindow.get(`${rollup.interfaceId} ${rollup.windowStart}`) ?? [];
      // A window whose lists are all empty stores none.
      expect(
        rollup.topRejectedPorts ?? [],
        `${rollup.interfaceId}@${rollup.windowStart}`
      ).toEqual(
        portsOf(records).map(({ port, protocol, flows, packets, bytes }) => ({
          port,
          protocol,
          flows,
          packets,
          bytes,
        }))
      );
      const flows = [
        ...new Set(records.map((r) => `${r.source} ${r.port} ${r.protocol}`)),
      ]
        .map((key) => {
          const same = records.filter(
            (r) => `${r.source} ${r.port} ${r.protocol}` === key
          );
          const [{ port, protocol, flows, packets, bytes }] = portsOf(same) as [
            PortRow,
          ];
          return {
            address: same[0]?.source ?? '',
            port,
            protocol,
            flows,
            packets,
            bytes,
          };
        })
        .sort(
          (a, b) =>
            b.flows - a.flows ||
            b.bytes - a.bytes ||
            compareText(a.address, b.address) ||
            byPortKey(a, b)
        );
      expect(rollup.topRejectedFlows ?? [], 'flows').toEqual(flows);
      expect(
        (rollup.topRejectedSources ?? []).map((source) => source.address),
        'sources'
      ).toEqual(
        [...new Set(flows.map((flow) => flow.address))].sort((a, b) => {
          const of = (address: string) =>
            flows.filter((flow) => flow.address === address);
          const sum = (address: string, name: 'flows' | 'bytes') =>
            of(address).reduce((total, flow) => total + flow[name], 0);
          return (
            sum(b, 'flows') - sum(a, 'flows') ||
            sum(b, 'bytes') - sum(a, 'bytes') ||
            compareText(a, b)
          );
        })
      );
    }
    expect(
      stored.reduce((sum, rollup) => sum + rollup.rejectFlows, 0)
    ).toBeGreaterThan(rejected.length);
  });

  describe('GET /enis/{interfaceId}/rejections', () => {
    it.each(RANGES)(
      'equals the count from the text of every ENI from $name',
      async (range) => {
        // Prepare
        const stored = await readStored();
        const { from, to } = aligned(range);

        // Act
        const bodies = new Map<string, RejectionsBody>();
        for (const eni of ENIS) {
          bodies.set(
            eni.id,
            await getJson<RejectionsBody>(
              rejectionsPath({ path: 'enis', id: eni.id }, range)
            )
          );
        }

        // Assess
        for (const eni of ENIS) {
          const { itemsRead, ...body } = bodies.get(eni.id) ?? {
            itemsRead: -1,
          };
          expect(body, `${eni.id} ${range.name}`).toEqual(
            expectedBody(
              first.lines,
              { path: 'enis', param: 'interfaceId', id: eni.id },
              range
            )
          );
          // An ENI's windows are what it reads.
          expect(itemsRead).toBe(
            stored.filter(
              (rollup) =>
                rollup.interfaceId === eni.id &&
                rollup.windowStart >= from &&
                rollup.windowStart < to
            ).length
          );
        }
      }
    );

    it('answers rejected sources with every port they tried, IPv6 and portless ones too', async () => {
      // Prepare
      const range = RANGES[0];
      const [eni] = ENIS;

      // Act
      const body = await getJson<RejectionsBody>(
        rejectionsPath({ path: 'enis', id: eni?.id ?? '' }, range)
      );
      const all = await Promise.all(
        ENIS.map((e) =>
          getJson<RejectionsBody>(
            rejectionsPath({ path: 'enis', id: e.id }, range)
          )
        )
      );

      // Assess
      expect(body.sources.length).toBeGreaterThan(1);
      expect(body.sources.some((s) => s.ports.length === 2)).toBe(true);
      const everyPort = all.flatMap((b) => b.ports);
      expect(everyPort).toContainEqual(
        expect.objectContaining({ port: null, protocol: null })
      );
      expect(everyPort).toContainEqual(
        expect.objectContaining({ port: 0, protocol: 1 })
      );
      expect(all.flatMap((b) => b.sources.map((s) => s.address))).toContain(
        '2001:db8::66'
      );
      // No rejected egress: no port above 999 and under 1005.
      expect(
        everyPort.filter((p) => (p.port ?? 0) >= 1000 && (p.port ?? 0) < 1005)
      ).toEqual([]);
    });
  });

  describe('GET /{scope}/{id}/rejections', () => {
    it.each(RANGES)(
      'equals the count from the text of every account, VPC and subnet from $name',
      async (range) => {
        // Prepare
        const scopes = TARGETS.filter((target) => target.path !== 'enis');

        // Act
        const bodies = new Map<string, RejectionsBody>();
        for (const target of scopes) {
          bodies.set(
            `${target.path} ${target.id}`,
            await getJson<RejectionsBody>(rejectionsPath(target, range))
          );
        }

        // Assess
        expect(scopes).toHaveLength(8);
        for (const target of scopes) {
          const { itemsRead, ...body } = bodies.get(
            `${target.path} ${target.id}`
          ) ?? { itemsRead: -1 };
          const expected = expectedBody(first.lines, target, range);
          expect(body, `${target.path} ${target.id} ${range.name}`).toEqual(
            expected
          );
          expect(body).not.toHaveProperty('interfaceId');
          expect(itemsRead).toBeGreaterThanOrEqual(
            expected.ports.length > 0 ? 1 : 0
          );
        }
      }
    );

    it('sums the ENIs of a scope: a VPC answers the sum of its ENIs answers', async () => {
      // Prepare
      const range = RANGES[0];
      const inVpcB = ENIS.filter((eni) => eni.vpc === VPC_B);

      // Act
      const vpc = await getJson<RejectionsBody>(
        rejectionsPath({ path: 'vpcs', id: VPC_B }, range)
      );
      const enis = await Promise.all(
        inVpcB.map((eni) =>
          getJson<RejectionsBody>(
            rejectionsPath({ path: 'enis', id: eni.id }, range)
          )
        )
      );

      // Assess
      const flows = (rows: readonly { flows: number }[]) =>
        rows.reduce((sum, row) => sum + row.flows, 0);
      expect(flows(vpc.ports)).toBe(
        enis.reduce((sum, body) => sum + flows(body.ports), 0)
      );
      expect(flows(vpc.sources)).toBe(
        enis.reduce((sum, body) => sum + flows(body.sources), 0)
      );
      expect(flows(vpc.ports)).toBeGreaterThan(0);
    });
  });

  describe('limit', () => {
    it.each([1, 2, 3, 100])(
      'answers the %i busiest ports and sources of an ENI and of a VPC',
      async (limit) => {
        // Prepare
        const range = RANGES[0];
        const targets = [targetAt(0), targetAt(7)] as const;

        // Act
        const bodies = await Promise.all(
          targets.map((target) =>
            getJson<RejectionsBody>(
              rejectionsPath(target, range, `&limit=${limit}`)
            )
          )
        );

        // Assess
        for (const [i, target] of targets.entries()) {
          const { itemsRead: _, ...body } = bodies[i] as RejectionsBody;
          expect(body).toEqual(expectedBody(first.lines, target, range, limit));
          expect(body.ports.length).toBeLessThanOrEqual(limit);
          expect(body.sources.length).toBeLessThanOrEqual(limit);
        }
        if (limit <= 2) {
          expect(bodies[1]?.ports).toHaveLength(limit);
          expect(bodies[1]?.sources).toHaveLength(limit);
        }
      }
    );

    it('defaults to 20', async () => {
      // Act
      const body = await getJson<RejectionsBody>(
        rejectionsPath(targetAt(5), RANGES[0])
      );

      // Assess
      expect(body.limit).toBe(20);
    });
  });

  describe('format=csv', () => {
    it.each([0, 4, 5, 7, 9])(
      'answers target %i with a port row per port, then a source row per source, as in JSON',
      async (index) => {
        // Prepare
        const target = targetAt(index);
        const range = RANGES[0];
        const json = await getJson<RejectionsBody>(
          rejectionsPath(target, range)
        );

        // Act
        const response = await get(
          rejectionsPath(target, range, '&format=csv')
        );

        // Assess
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toBe(
          'text/csv; charset=utf-8'
        );
        expect(json.ports.length + json.sources.length).toBeGreaterThan(0);
        expect(parseCsv(response.text)).toEqual(csvOf(json));
      }
    );

    it('answers CSV when the Accept header prefers it, and a limit as JSON does', async () => {
      // Prepare
      const target = targetAt(8);
      const range = RANGES[3];
      const json = await getJson<RejectionsBody>(
        rejectionsPath(target, range, '&limit=1')
      );

      // Act
      const response = await call(
        api.base,
        rejectionsPath(target, range, '&limit=1'),
        { headers: { accept: 'text/csv' } }
      );

      // Assess
      expect(response.status).toBe(200);
      expect(parseCsv(response.text)).toEqual(csvOf(json));
      expect(parseCsv(response.text).length).toBeLessThanOrEqual(3);
    });
  });

  describe('bad requests', () => {
    /** Each path's answer: status, error code and param, and what is wrong with its body. */
    const answersTo = (paths: readonly string[]) =>
      Promise.all(
        paths.map(async (path) => {
          const response = await get(path);
          const { error } = bodyOf<ErrorBody>(response);
          return {
            path,
            status: response.status,
            code: error?.code,
            param: error?.param,
            problems: errorBodyProblems(response),
          };
        })
      );

    const refusals = (paths: readonly string[], param: string, code: string) =>
      paths.map((path) => ({ path, status: 400, code, param, problems: [] }));

    it('refuses an ENI range over 7 days, naming from, and answers one of 7 days and a VPC over 7 days', async () => {
      // Prepare
      const [eni] = ENIS;
      const target = { path: 'enis', id: eni?.id ?? '' };
      const over = [
        rejectionsPath(target, { from: DAY - 8 * DAY_SECONDS, to: DAY }),
        rejectionsPath(target, { from: DAY - 7 * DAY_SECONDS - 1, to: DAY }),
      ];

      // Act
      const answers = await answersTo(over);
      const week = await get(
        rejectionsPath(target, {
          from: DAY - 6 * DAY_SECONDS,
          to: DAY + DAY_SECONDS,
        })
      );
      const vpcOver = await get(
        rejectionsPath(
          { path: 'vpcs', id: VPC_A },
          { from: DAY - 8 * DAY_SECONDS, to: DAY + DAY_SECONDS }
        )
      );

      // Assess
      expect(answers).toEqual(refusals(over, 'from', 'range_too_long'));
      expect(week.status).toBe(200);
      expect(vpcOver.status).toBe(200);
      const vpcBody = bodyOf<RejectionsBody>(vpcOver);
      const { itemsRead: _, ...rest } = vpcBody;
      expect(rest).toEqual(
        expectedBody(
          first.lines,
          { path: 'vpcs', param: 'vpcId', id: VPC_A },
          { from: DAY - 8 * DAY_SECONDS, to: DAY + DAY_SECONDS }
        )
      );
    });

    it('refuses a limit of 0, over 100 or not a number, naming limit', async () => {
      // Prepare
      const range = RANGES[0];
      const paths = [
        rejectionsPath(targetAt(0), range, '&limit=0'),
        rejectionsPath(targetAt(7), range, '&limit=0'),
        rejectionsPath(targetAt(5), range, '&limit=101'),
        rejectionsPath(targetAt(9), range, '&limit=two'),
        rejectionsPath(targetAt(0), range, '&limit=-1'),
      ];

      // Act
      const answers = await answersTo(paths);

      // Assess
      expect(answers).toEqual(refusals(paths, 'limit', 'invalid_parameter'));
    });

    it('refuses an id of the wrong shape, naming its parameter', async () => {
      // Prepare
      const range = RANGES[0];
      const expected = [
        [rejectionsPath({ path: 'vpcs', id: 'vpc-XYZ' }, range), 'vpcId'],
        [rejectionsPath({ path: 'vpcs', id: SUBNET_A1 }, range), 'vpcId'],
        [
          rejectionsPath({ path: 'subnets', id: 'subnet-123' }, range),
          'subnetId',
        ],
        [rejectionsPath({ path: 'accounts', id: '12345' }, range), 'accountId'],
        [
          rejectionsPath({ path: 'enis', id: 'eni-NOTHEX0000000000' }, range),
          'interfaceId',
        ],
      ] as const;

      // Act
      const answers = await answersTo(expected.map(([path]) => path));

      // Assess
      expect(answers).toEqual(
        expected.flatMap(([path, param]) =>
          refusals([path], param, 'invalid_parameter')
        )
      );
    });
  });

  describe('redelivery and a second object', () => {
    it('answers the same when the same object is delivered again', async () => {
      // Prepare
      const before = await everyAnswer(first.lines);
      logs.clear();

      // Act
      await ingest(firstEvent);

      // Assess
      expect(logs.summaries().map((summary) => summary.itemsWritten)).toEqual([
        0,
      ]);
      const after = await everyAnswer(first.lines);
      expect(after.answers).toEqual(before.answers);
      expect(after.answers).toEqual(after.expected);
    });

    it('adds a second object for the same ENIs and windows to every answer exactly', async () => {
      // Prepare
      const both = [...first.lines, ...second.lines];
      logs.clear();

      // Act
      await ingest(secondEvent);

      // Assess
      expect(logs.summaries()).toHaveLength(1);
      const { answers, expected } = await everyAnswer(both);
      expect(answers).toEqual(expected);
      // The second object changed what was answered.
      expect(answers).not.toEqual(expectedAnswers(first.lines));
    });

    it('keeps the sums of both objects when the second is delivered again', async () => {
      // Prepare
      const both = [...first.lines, ...second.lines];
      logs.clear();

      // Act
      await ingest(secondEvent);

      // Assess
      expect(logs.summaries().map((summary) => summary.itemsWritten)).toEqual([
        0,
      ]);
      const { answers, expected } = await everyAnswer(both);
      expect(answers).toEqual(expected);
    });
  });
});
