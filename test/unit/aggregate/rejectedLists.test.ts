import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateFlowLogLines } from '../../../shared/generate/generateFlowLogLines.js';
import {
  formatFromString,
  resolveFormat,
} from '../../../shared/parse/flowLogFormat.js';
import {
  rollupFlowLog,
  rollupFlowLogRecords,
} from '../../../shared/pipeline/rollupFlowLog.js';
import type {
  FlowLogFormat,
  RejectedFlow,
  RejectedPort,
  RejectedSource,
  Rollup,
  WindowMode,
} from '../../../shared/types.js';
import { chunked, encode } from '../../helpers/flowLogInput.js';

/** 2026-11-01T00:00:00Z: a window start. */
const T = 1_793_491_200;
const W = 300;
const ENI = 'eni-0f00d';
/** The ENI's own address. */
const SELF = '10.1.2.3';

const V5 = resolveFormat('v5');
const V2 = resolveFormat('v2');

const v5Line = (fields: Record<string, string>): string =>
  V5.fields.map((field) => fields[field.name] ?? '-').join(' ');

/** A v5 record: a rejected TCP flow from outside to the ENI, unless told otherwise. */
const base: Record<string, string> = {
  version: '5',
  'account-id': '111122223333',
  'interface-id': ENI,
  'vpc-id': 'vpc-1',
  'subnet-id': 'subnet-1',
  'instance-id': 'i-1',
  srcaddr: '198.51.100.7',
  dstaddr: SELF,
  srcport: '51515',
  dstport: '22',
  protocol: '6',
  packets: '1',
  bytes: '40',
  start: String(T),
  end: String(T + 10),
  action: 'REJECT',
  'log-status': 'OK',
  'tcp-flags': '2',
  'flow-direction': 'ingress',
};

const reject = (fields: Record<string, string>): string =>
  v5Line({ ...base, ...fields });

const nodata = (start: number): string =>
  v5Line({
    ...base,
    srcaddr: '-',
    dstaddr: '-',
    srcport: '-',
    dstport: '-',
    protocol: '-',
    packets: '-',
    bytes: '-',
    action: '-',
    'tcp-flags': '-',
    'flow-direction': '-',
    'log-status': 'NODATA',
    start: String(start),
    end: String(start + 59),
  });

/**
 * The rollups of lines on both ingest paths (the WebAssembly scanner, in
 * odd chunks, and the typed path); they must be equal.
 */
async function rollupsOf(
  format: FlowLogFormat,
  lines: readonly string[],
  windowMode: WindowMode = 'prorate'
): Promise<Rollup[]> {
  const bytes = encode(`${lines.join('\n')}\n`);
  const scanned = await rollupFlowLog(
    { chunks: chunked(bytes, [7, 4096]), label: 'test', format },
    { windowMode }
  );
  const typed = await rollupFlowLogRecords(
    { chunks: chunked(bytes), label: 'test', format },
    { windowMode }
  );
  expect(scanned).toEqual(typed);
  if (scanned.kind !== 'rollups') throw new Error('expected rollups');
  return scanned.rollups;
}

const windowOf = (
  rollups: readonly Rollup[],
  windowStart: number,
  interfaceId = ENI
): Rollup => {
  const found = rollups.find(
    (r) => r.interfaceId === interfaceId && r.windowStart === windowStart
  );
  if (!found) throw new Error(`no rollup ${interfaceId}@${windowStart}`);
  return found;
};

const rejectedPort = (
  port: number | null,
  protocol: number | null,
  flows: number,
  packets: number,
  bytes: number
): RejectedPort => ({ port, protocol, flows, packets, bytes });

const rejectedFlow = (
  address: string,
  port: number | null,
  protocol: number | null,
  flows: number,
  packets: number,
  bytes: number
): RejectedFlow => ({ address, port, protocol, flows, packets, bytes });

const rejectedSource = (
  address: string,
  flows: number,
  packets: number,
  bytes: number
): RejectedSource => ({ address, flows, packets, bytes });

describe('rejected lists of a rollup', () => {
  it('lists the rejected ports and (source, port, protocol) of each window exactly', async () => {
    // Prepare: two ports, two flows and two sources in each window.
    const lines = [
      reject({ bytes: '40' }),
      reject({ bytes: '60', start: String(T + 20), end: String(T + 30) }),
      reject({
        packets: '2',
        bytes: '44',
        start: String(T + 299),
        end: String(T + 299),
      }),
      reject({
        srcaddr: '203.0.113.9',
        dstport: '3389',
        packets: '2',
        bytes: '120',
      }),
      reject({ action: 'ACCEPT', dstport: '443' }),
      reject({ start: String(T + W), end: String(T + W + 5) }),
      reject({
        dstport: '53',
        protocol: '17',
        bytes: '70',
        start: String(T + W + 1),
        end: String(T + W + 5),
      }),
      reject({
        dstport: '53',
        protocol: '17',
        packets: '3',
        bytes: '90',
        start: String(T + W + 2),
        end: String(T + W + 5),
      }),
    ];

    // Act
    const rollups = await rollupsOf(V5, lines, 'start');

    // Assess
    const [first, second] = [windowOf(rollups, T), windowOf(rollups, T + W)];
    expect(first.rejectFlows).toBe(4);
    expect(first.topRejectedPorts).toEqual([
      rejectedPort(22, 6, 3, 4, 144),
      rejectedPort(3389, 6, 1, 2, 120),
    ]);
    expect(first.topRejectedFlows).toEqual([
      rejectedFlow('198.51.100.7', 22, 6, 3, 4, 144),
      rejectedFlow('203.0.113.9', 3389, 6, 1, 2, 120),
    ]);
    expect(first.topRejectedSources).toEqual([
      rejectedSource('198.51.100.7', 3, 4, 144),
      rejectedSource('203.0.113.9', 1, 2, 120),
    ]);
    expect(second.topRejectedPorts).toEqual([
      rejectedPort(53, 17, 2, 4, 160),
      rejectedPort(22, 6, 1, 1, 40),
    ]);
    expect(second.topRejectedFlows).toEqual([
      rejectedFlow('198.51.100.7', 53, 17, 2, 4, 160),
      rejectedFlow('198.51.100.7', 22, 6, 1, 1, 40),
    ]);
    expect(second.topRejectedSources).toEqual([
      rejectedSource('198.51.100.7', 3, 5, 200),
    ]);
  });

  it('counts a rejected flow whole in the window of its start, in prorate mode too', async () => {
    // Prepare: a flow from the last 20 s of one window into the next.
    const lines = [
      reject({
        packets: '4',
        bytes: '400',
        start: String(T + 280),
        end: String(T + 319),
      }),
    ];

    // Act
    const rollups = await rollupsOf(V5, lines, 'prorate');

    // Assess
    const [first, second] = [windowOf(rollups, T), windowOf(rollups, T + W)];
    expect(first.rejectBytes + second.rejectBytes).toBe(400);
    expect(second.rejectBytes).toBeGreaterThan(0);
    expect(first.topRejectedPorts).toEqual([rejectedPort(22, 6, 1, 4, 400)]);
    expect(first.topRejectedFlows).toEqual([
      rejectedFlow('198.51.100.7', 22, 6, 1, 4, 400),
    ]);
    expect(second.topRejectedPorts).toEqual([]);
    expect(second.topRejectedFlows).toEqual([]);
    expect(second.topRejectedSources).toEqual([]);
  });

  it('leaves rejected egress out of every rejected list, and counts it as rejected traffic', async () => {
    // Prepare
    const lines = [
      reject({
        'flow-direction': 'egress',
        srcaddr: SELF,
        dstaddr: '198.51.100.7',
        srcport: '40000',
        dstport: '22',
      }),
      reject({
        'flow-direction': 'egress',
        srcaddr: SELF,
        dstaddr: '203.0.113.9',
        dstport: '443',
        bytes: '900',
      }),
      reject({ srcaddr: '203.0.113.9', dstport: '3389', bytes: '52' }),
    ];

    // Act
    const rollups = await rollupsOf(V5, lines);

    // Assess
    const rollup = windowOf(rollups, T);
    expect(rollup.rejectFlows).toBe(3);
    expect(rollup.rejectBytes).toBe(992);
    expect(rollup.topRejectedPorts).toEqual([rejectedPort(3389, 6, 1, 1, 52)]);
    expect(rollup.topRejectedFlows).toEqual([
      rejectedFlow('203.0.113.9', 3389, 6, 1, 1, 52),
    ]);
    expect(rollup.topRejectedSources).toEqual([
      rejectedSource('203.0.113.9', 1, 1, 52),
    ]);
  });

  it('has a null port and protocol for a record whose dstport and protocol are -', async () => {
    // Prepare: and ICMP (port 0, protocol 1) beside it, which is not null.
    const lines = [
      reject({ srcport: '-', dstport: '-', protocol: '-', bytes: '30' }),
      reject({ srcport: '0', dstport: '0', protocol: '1', bytes: '84' }),
      reject({ srcport: '-', dstport: '-', protocol: '-', bytes: '30' }),
    ];

    // Act
    const rollups = await rollupsOf(V5, lines);

    // Assess
    const rollup = windowOf(rollups, T);
    expect(rollup.topRejectedPorts).toEqual([
      rejectedPort(null, null, 2, 2, 60),
      rejectedPort(0, 1, 1, 1, 84),
    ]);
    expect(rollup.topRejectedFlows).toEqual([
      rejectedFlow('198.51.100.7', null, null, 2, 2, 60),
      rejectedFlow('198.51.100.7', 0, 1, 1, 1, 84),
    ]);
  });

  it('has a null port and protocol when the format has no dstport or protocol field', async () => {
    // Prepare
    const bare = formatFromString(
      '${interface-id} ${srcaddr} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}'
    );
    const noProtocol = formatFromString(
      '${interface-id} ${srcaddr} ${dstport} ${bytes} ${start} ${end} ${action} ${log-status}'
    );

    // Act
    const bareRollups = await rollupsOf(bare, [
      `${ENI} 198.51.100.7 2 80 ${T} ${T + 5} REJECT OK`,
      `${ENI} 198.51.100.7 1 40 ${T} ${T + 5} REJECT OK`,
      `${ENI} 198.51.100.7 1 40 ${T} ${T + 5} ACCEPT OK`,
    ]);
    const noProtocolRollups = await rollupsOf(noProtocol, [
      `${ENI} 198.51.100.7 22 80 ${T} ${T + 5} REJECT OK`,
    ]);

    // Assess
    expect(windowOf(bareRollups, T).topRejectedPorts).toEqual([
      rejectedPort(null, null, 2, 3, 120),
    ]);
    expect(windowOf(bareRollups, T).topRejectedFlows).toEqual([
      rejectedFlow('198.51.100.7', null, null, 2, 3, 120),
    ]);
    expect(windowOf(noProtocolRollups, T).topRejectedPorts).toEqual([
      rejectedPort(22, null, 1, 0, 80),
    ]);
  });

  it('never counts ACCEPT, NODATA or action-less records', async () => {
    // Prepare
    const lines = [
      reject({ action: 'ACCEPT' }),
      reject({ action: 'ACCEPT', srcaddr: '203.0.113.9', dstport: '3389' }),
      reject({ action: 'ACCEPT', 'flow-direction': 'egress', srcaddr: SELF }),
      reject({ action: '-', dstport: '23' }),
      nodata(T + 10),
      nodata(T + W),
    ];

    // Act
    const rollups = await rollupsOf(V5, lines);

    // Assess
    for (const rollup of rollups) {
      expect(rollup.rejectFlows).toBe(0);
      expect(rollup.topRejectedPorts).toEqual([]);
      expect(rollup.topRejectedFlows).toEqual([]);
      expect(rollup.topRejectedSources).toEqual([]);
    }
    expect(windowOf(rollups, T).acceptFlows).toBe(3);
    expect(windowOf(rollups, T + W).nodataRecords).toBe(1);
  });

  it('has no rejected lists when the format lacks srcaddr or action', async () => {
    // Prepare
    const noAction = formatFromString(
      '${interface-id} ${srcaddr} ${dstport} ${protocol} ${bytes} ${start} ${end} ${log-status}'
    );
    const noSource = formatFromString(
      '${interface-id} ${dstport} ${protocol} ${bytes} ${start} ${end} ${action} ${log-status}'
    );

    // Act
    const [withoutAction] = await rollupsOf(noAction, [
      `${ENI} 198.51.100.7 22 6 40 ${T} ${T + 5} OK`,
    ]);
    const [withoutSource] = await rollupsOf(noSource, [
      `${ENI} 22 6 40 ${T} ${T + 5} REJECT OK`,
    ]);

    // Assess
    for (const rollup of [withoutAction, withoutSource]) {
      expect(rollup).toBeDefined();
      expect(rollup).not.toHaveProperty('topRejectedPorts');
      expect(rollup).not.toHaveProperty('topRejectedFlows');
      expect(rollup).not.toHaveProperty('topRejectedSources');
    }
    expect(withoutSource?.rejectFlows).toBe(1);
  });

  it('drops rejected flows from the ENI own (inferred) address from flows and sources, not from ports, without flow-direction', async () => {
    // Prepare: 10.0.0.5 is in every flow, so it is the ENI's own address.
    const lines = [
      `2 1 ${ENI} 10.0.0.5 198.51.100.1 50000 443 6 1 500 ${T} ${T + 10} ACCEPT OK`,
      `2 1 ${ENI} 198.51.100.1 10.0.0.5 443 50000 6 1 700 ${T} ${T + 10} ACCEPT OK`,
      `2 1 ${ENI} 203.0.113.3 10.0.0.5 40001 22 6 1 60 ${T} ${T + 10} REJECT OK`,
      `2 1 ${ENI} 10.0.0.5 203.0.113.4 22 40000 6 2 120 ${T} ${T + 10} REJECT OK`,
    ];

    // Act
    const rollups = await rollupsOf(V2, lines);

    // Assess
    const rollup = windowOf(rollups, T);
    expect(rollup.rejectFlows).toBe(2);
    expect(rollup.topRejectedPorts).toEqual([
      rejectedPort(40000, 6, 1, 2, 120),
      rejectedPort(22, 6, 1, 1, 60),
    ]);
    expect(rollup.topRejectedFlows).toEqual([
      rejectedFlow('203.0.113.3', 22, 6, 1, 1, 60),
    ]);
    expect(rollup.topRejectedSources).toEqual([
      rejectedSource('203.0.113.3', 1, 1, 60),
    ]);
  });

  it('keeps a rejected flow of a v2 source that is not the ENI own address, whichever way it went', async () => {
    // Prepare: no address is in half the flows: none is taken for the ENI's.
    const lines = [
      `2 1 ${ENI} 198.51.100.1 10.0.0.5 443 50000 6 1 700 ${T} ${T + 10} ACCEPT OK`,
      `2 1 ${ENI} 203.0.113.3 10.0.0.6 40001 22 6 1 60 ${T} ${T + 10} REJECT OK`,
      `2 1 ${ENI} 203.0.113.4 10.0.0.7 40001 3389 6 1 60 ${T} ${T + 10} REJECT OK`,
    ];

    // Act
    const rollups = await rollupsOf(V2, lines);

    // Assess
    const rollup = windowOf(rollups, T);
    expect(rollup.topRejectedFlows).toEqual([
      rejectedFlow('203.0.113.3', 22, 6, 1, 1, 60),
      rejectedFlow('203.0.113.4', 3389, 6, 1, 1, 60),
    ]);
    expect(rollup.topRejectedPorts).toEqual([
      rejectedPort(22, 6, 1, 1, 60),
      rejectedPort(3389, 6, 1, 1, 60),
    ]);
  });
});

describe('rejected lists on both ingest paths', () => {
  it('are identical from the WebAssembly scanner and the typed path on a generated v5 file with many rejects', async () => {
    // Prepare: every other OK record rejected, over four ENIs: thousands
    // of rejected keys per window fill and overflow every sketch.
    const names = V5.fields.map((field) => field.name);
    const actionAt = names.indexOf('action');
    const statusAt = names.indexOf('log-status');
    const lines = [
      ...generateFlowLogLines({
        format: V5,
        records: 30_000,
        enis: 4,
        seed: 23,
        startSeconds: T,
      }),
    ].map((line, i) => {
      const values = line.split(' ');
      if (i % 2 === 0 && values[statusAt] === 'OK') values[actionAt] = 'REJECT';
      return values.join(' ');
    });
    const text = `${V5.header}\n${lines.join('\n')}\n`;
    const bytes = encode(text);

    for (const windowMode of ['prorate', 'start'] as const) {
      // Act
      const scanned = await rollupFlowLog(
        { chunks: chunked(bytes, [4093, 65_536]), label: 'generated' },
        { windowMode }
      );
      const typed = await rollupFlowLogRecords(
        { chunks: chunked(bytes), label: 'generated' },
        { windowMode }
      );

      // Assess
      expect(scanned).toEqual(typed);
      if (scanned.kind !== 'rollups') throw new Error('expected rollups');
      const started = scanned.rollups.filter((r) => r.rejectFlows > 0);
      expect(started.length).toBeGreaterThan(4);
      // Flows fill their sketch (16 keys); ports are fewer (the generator's
      // service ports).
      expect(
        started.filter(
          (r) =>
            r.topRejectedFlows?.length === 16 &&
            (r.topRejectedPorts?.length ?? 0) > 2
        ).length
      ).toBeGreaterThan(0);
      // Lists are approximate: some window tracks fewer flows than it rejected.
      expect(
        started.some(
          (r) =>
            (r.topRejectedFlows ?? []).reduce((s, f) => s + f.flows, 0) <
            r.rejectFlows
        )
      ).toBe(true);
      for (const rollup of scanned.rollups) {
        const ports = rollup.topRejectedPorts ?? [];
        expect(ports.reduce((s, p) => s + p.flows, 0)).toBeLessThanOrEqual(
          rollup.rejectFlows
        );
        const flows = ports.map((p) => p.flows);
        expect(flows).toEqual([...flows].sort((a, b) => b - a));
      }
    }
  });
});

describe('topRejectedPorts', () => {
  const ADDRESSES = ['198.51.100.7', '203.0.113.9', '2001:db8::9'];
  const PORTS: readonly (readonly [string, string])[] = [
    ['22', '6'],
    ['3389', '6'],
    ['53', '17'],
    ['-', '-'],
  ];
  const record = fc.record({
    eni: fc.constantFrom('eni-0a', 'eni-0b'),
    window: fc.integer({ min: 0, max: 2 }),
    offset: fc.integer({ min: 0, max: W - 1 }),
    duration: fc.integer({ min: 0, max: 400 }),
    isReject: fc.boolean(),
    isIngress: fc.boolean(),
    isNodata: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
    source: fc.constantFrom(...ADDRESSES),
    port: fc.constantFrom(...PORTS),
    packets: fc.integer({ min: 1, max: 50 }),
    bytes: fc.integer({ min: 40, max: 90_000 }),
  });
  type Drawn = typeof record extends fc.Arbitrary<infer R> ? R : never;

  const lineOf = (r: Drawn): string => {
    const start = T + r.window * W + r.offset;
    if (r.isNodata) {
      return nodata(start).replace(ENI, r.eni);
    }
    return reject({
      'interface-id': r.eni,
      srcaddr: r.isIngress ? r.source : SELF,
      dstaddr: r.isIngress ? SELF : r.source,
      dstport: r.port[0],
      protocol: r.port[1],
      packets: String(r.packets),
      bytes: String(r.bytes),
      start: String(start),
      end: String(start + r.duration),
      action: r.isReject ? 'REJECT' : 'ACCEPT',
      'flow-direction': r.isIngress ? 'ingress' : 'egress',
    });
  };

  const asNumber = (text: string): number | null =>
    text === '-' ? null : Number(text);

  it('sums to at most the ingress REJECT OK records of each window, exactly when it has at most 2 distinct ports (and lists its flows exactly when at most 2)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(record, { minLength: 1, maxLength: 40 }),
        fc.constantFrom<WindowMode>('prorate', 'start'),
        async (records, windowMode) => {
          // Prepare
          const lines = records.map(lineOf);

          // Act
          const rollups = await rollupsOf(V5, lines, windowMode);

          // Assess
          const counted = (r: Drawn) =>
            !r.isNodata && r.isReject && r.isIngress;
          for (const rollup of rollups) {
            const mine = records.filter(
              (r) =>
                counted(r) &&
                r.eni === rollup.interfaceId &&
                T + r.window * W === rollup.windowStart
            );
            const ports = rollup.topRejectedPorts ?? [];
            const sum = ports.reduce((s, p) => s + p.flows, 0);
            expect(sum).toBeLessThanOrEqual(mine.length);
            const keys = new Set(mine.map((r) => r.port.join('/')));
            if (keys.size > 2) continue;
            expect(sum).toBe(mine.length);
            const expected = [...keys]
              .map((key) => {
                const same = mine.filter((r) => r.port.join('/') === key);
                const [port, protocol] = (same[0] as Drawn).port;
                return rejectedPort(
                  asNumber(port),
                  asNumber(protocol),
                  same.length,
                  same.reduce((s, r) => s + r.packets, 0),
                  same.reduce((s, r) => s + r.bytes, 0)
                );
              })
              .sort(
                (a, b) =>
                  b.flows - a.flows ||
                  b.bytes - a.bytes ||
                  (a.port ?? -1) - (b.port ?? -1) ||
                  (a.protocol ?? -1) - (b.protocol ?? -1)
              );
            expect(ports).toEqual(expected);
            // Its (source, port, protocol) too, when at most 2 of them.
            const flowKeyOf = (r: Drawn) => `${r.source} ${r.port.join('/')}`;
            const flowKeys = new Set(mine.map(flowKeyOf));
            if (flowKeys.size > 2) continue;
            const expectedFlows = [...flowKeys]
              .map((key) => {
                const same = mine.filter((r) => flowKeyOf(r) === key);
                const first = same[0] as Drawn;
                return rejectedFlow(
                  first.source,
                  asNumber(first.port[0]),
                  asNumber(first.port[1]),
                  same.length,
                  same.reduce((s, r) => s + r.packets, 0),
                  same.reduce((s, r) => s + r.bytes, 0)
                );
              })
              .sort(
                (a, b) =>
                  b.flows - a.flows ||
                  b.bytes - a.bytes ||
                  (a.address < b.address
                    ? -1
                    : a.address > b.address
                      ? 1
                      : 0) ||
                  (a.port ?? -1) - (b.port ?? -1) ||
                  (a.protocol ?? -1) - (b.protocol ?? -1)
              );
            expect(rollup.topRejectedFlows).toEqual(expectedFlows);
          }
          // Every window with a counted record has a rollup.
          for (const r of records.filter(counted)) {
            expect(
              rollups.some(
                (rollup) =>
                  rollup.interfaceId === r.eni &&
                  rollup.windowStart === T + r.window * W
              )
            ).toBe(true);
          }
        }
      ),
      { numRuns: 150 }
    );
  });
});
