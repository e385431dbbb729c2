import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecordRollup } from '../../../shared/aggregate/rollupRecords.js';
import {
  formatFromString,
  resolveFormat,
} from '../../../shared/parse/flowLogFormat.js';
import { parseFlowLogLine } from '../../../shared/parse/parseFlowLogLine.js';
import type {
  FlowLogFormat,
  Rollup,
  WindowMode,
} from '../../../shared/types.js';

function rollup(
  format: FlowLogFormat,
  lines: string[],
  windowMode: WindowMode = 'prorate'
) {
  const records = new RecordRollup(format, { windowMode });
  lines.forEach((line, i) => {
    records.add(parseFlowLogLine(line, format, i + 1), i + 1);
  });
  return records.finish();
}

const V5 = resolveFormat('v5');
const v5Line = (fields: Record<string, string>): string =>
  V5.fields.map((field) => fields[field.name] ?? '-').join(' ');

const base = {
  version: '5',
  'account-id': '111122223333',
  'interface-id': 'eni-0f00d',
  'vpc-id': 'vpc-1',
  'subnet-id': 'subnet-1',
  'instance-id': 'i-1',
  srcaddr: '198.51.100.7',
  dstaddr: '10.1.2.3',
  srcport: '51515',
  dstport: '443',
  protocol: '6',
  packets: '3',
  bytes: '100',
  start: '1793491490',
  end: '1793491519',
  action: 'ACCEPT',
  'log-status': 'OK',
  'tcp-flags': '2',
  'flow-direction': 'ingress',
};

describe('RecordRollup', () => {
  it('prorates bytes and packets over windows and counts the flow where it starts', () => {
    // Act
    const { rollups, stats } = rollup(V5, [v5Line(base)]);
    // Assess
    expect(stats).toMatchObject({ lines: 1, records: 1, badRecords: 0 });
    expect(
      rollups.map((r) => [r.windowStart, r.flows, r.bytes, r.packets])
    ).toEqual([
      [1793491200, 1, 33, 1],
      [1793491500, 0, 67, 2],
    ]);
    const [first, second] = rollups as [Rollup, Rollup];
    expect(first).toMatchObject({
      interfaceId: 'eni-0f00d',
      acceptFlows: 1,
      acceptBytes: 33,
      ingressBytes: 33,
      ingressPackets: 1,
      egressBytes: 0,
      tcpBytes: 33,
      synOnlyFlows: 1,
      accountId: '111122223333',
      vpcId: 'vpc-1',
      subnetId: 'subnet-1',
      instanceId: 'i-1',
    });
    expect(first.topTalkers).toEqual([
      {
        peer: '198.51.100.7',
        port: 443,
        protocol: 6,
        flows: 1,
        packets: 3,
        bytes: 100,
      },
    ]);
    expect(second).toMatchObject({
      flows: 0,
      acceptFlows: 0,
      acceptBytes: 67,
      synOnlyFlows: 0,
    });
    expect(second.topTalkers).toEqual([]);
  });

  it('puts everything in the window of start in start mode', () => {
    // Act
    const { rollups } = rollup(V5, [v5Line(base)], 'start');
    // Assess
    expect(
      rollups.map((r) => [r.windowStart, r.flows, r.bytes, r.packets])
    ).toEqual([[1793491200, 1, 100, 3]]);
  });

  it('counts NODATA and SKIPDATA in the window of start without traffic', () => {
    // Prepare
    const nodata = v5Line({
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
    });
    const skipdata = nodata.replace('NODATA', 'SKIPDATA');
    // Act
    const { rollups, stats } = rollup(V5, [nodata, skipdata, skipdata]);
    // Assess
    expect(stats).toMatchObject({
      records: 3,
      nodataRecords: 1,
      skipdataRecords: 2,
    });
    expect(rollups).toHaveLength(1);
    expect(rollups[0]).toMatchObject({
      flows: 0,
      bytes: 0,
      nodataRecords: 1,
      skipdataRecords: 2,
    });
  });

  it('splits rejected egress traffic and bytes by protocol', () => {
    // Prepare
    const lines = [
      v5Line({
        ...base,
        action: 'REJECT',
        'flow-direction': 'egress',
        protocol: '17',
        start: '1793491200',
        end: '1793491210',
      }),
      v5Line({
        ...base,
        protocol: '58',
        start: '1793491200',
        end: '1793491210',
        bytes: '7',
      }),
      v5Line({
        ...base,
        protocol: '47',
        start: '1793491200',
        end: '1793491210',
        bytes: '5',
      }),
      v5Line({
        ...base,
        action: 'REJECT',
        srcaddr: '203.0.113.9',
        start: '1793491200',
        end: '1793491210',
        bytes: '1',
      }),
    ];
    // Act
    const { rollups } = rollup(V5, lines);
    // Assess
    expect(rollups[0]).toMatchObject({
      flows: 4,
      rejectFlows: 2,
      rejectBytes: 101,
      egressBytes: 100,
      ingressBytes: 13,
      udpBytes: 100,
      icmpBytes: 7,
      otherBytes: 5,
      tcpBytes: 1,
    });
    expect(rollups[0]?.topRejectedSources).toEqual([
      { address: '203.0.113.9', flows: 1, packets: 3, bytes: 1 },
    ]);
  });

  it('infers the ENI own address for peers when the format has no direction', () => {
    // Prepare
    const v2 = resolveFormat('v2');
    const lines = [
      '2 1 eni-a 10.0.0.5 198.51.100.1 50000 443 6 1 500 1793491200 1793491210 ACCEPT OK',
      '2 1 eni-a 198.51.100.1 10.0.0.5 443 50000 6 1 700 1793491200 1793491210 ACCEPT OK',
      '2 1 eni-a 203.0.113.3 10.0.0.5 40000 22 6 1 60 1793491200 1793491210 REJECT OK',
      '2 1 eni-a 10.0.0.5 203.0.113.4 22 40000 6 1 60 1793491200 1793491210 REJECT OK',
    ];
    // Act
    const { rollups } = rollup(v2, lines);
    // Assess
    expect(rollups[0]?.topTalkers).toEqual([
      {
        peer: '198.51.100.1',
        port: 443,
        protocol: 6,
        flows: 2,
        packets: 2,
        bytes: 1200,
      },
      {
        peer: '203.0.113.3',
        port: 22,
        protocol: 6,
        flows: 1,
        packets: 1,
        bytes: 60,
      },
      {
        peer: '203.0.113.4',
        port: 22,
        protocol: 6,
        flows: 1,
        packets: 1,
        bytes: 60,
      },
    ]);
    expect(rollups[0]?.topRejectedSources).toEqual([
      { address: '203.0.113.3', flows: 1, packets: 1, bytes: 60 },
    ]);
  });

  it('counts records it cannot key or place as bad records', () => {
    // Prepare
    const format = formatFromString('${interface-id} ${start} ${end} ${bytes}');
    const lines = [
      '- 1793491200 1793491210 1',
      'eni-a - 1793491210 1',
      'eni-a 1793400000 1793491210 1',
      'eni-a x 1 1',
    ];
    // Act
    const { rollups, stats } = rollup(format, lines);
    // Assess
    expect(rollups).toEqual([]);
    expect(stats.badRecordsByReason).toEqual({
      'missing-interface-id': 1,
      'missing-time': 1,
      'span-too-long': 1,
      'bad-integer': 1,
    });
    expect(stats.badRecordSamples.map((s) => s.lineNumber)).toEqual([
      1, 2, 3, 4,
    ]);
  });

  it('keeps only the first samples', () => {
    // Prepare
    const format = formatFromString('${interface-id} ${start} ${end}');
    const records = new RecordRollup(format, {
      windowMode: 'prorate',
      sampleLimit: 2,
    });
    // Act
    for (let i = 1; i <= 5; i++)
      records.add(parseFlowLogLine('bad', format, i), i);
    // Assess
    const { stats } = records.finish();
    expect(stats.badRecords).toBe(5);
    expect(stats.badRecordSamples.map((s) => s.lineNumber)).toEqual([1, 2]);
  });
});

describe('rollup totals', () => {
  it('conserve flows, packets and bytes of any valid records, on both paths', async () => {
    const { rollupFlowLog, rollupFlowLogRecords } = await import(
      '../../../shared/pipeline/rollupFlowLog.js'
    );
    const { chunked, encode } = await import('../../helpers/flowLogInput.js');
    const v2 = resolveFormat('v2');
    const record = fc.record({
      eni: fc.constantFrom('eni-0a', 'eni-0b', 'eni-0c'),
      start: fc.integer({ min: 1_793_491_000, max: 1_793_493_000 }),
      duration: fc.integer({ min: 0, max: 3600 }),
      packets: fc.integer({ min: 0, max: 1e9 }),
      // Counters are doubles: exact while a window holds under 2^53 bytes (8 PiB).
      bytes: fc.integer({ min: 0, max: 2 ** 40 }),
      action: fc.constantFrom('ACCEPT', 'REJECT'),
      status: fc.constantFrom('OK', 'OK', 'OK', 'NODATA', 'SKIPDATA'),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(record, { maxLength: 40 }),
        fc.constantFrom('prorate', 'start'),
        async (records, windowMode) => {
          // Prepare
          const text = records
            .map((r) =>
              r.status === 'OK'
                ? `2 1 ${r.eni} 10.0.0.1 10.0.0.2 1 2 6 ${r.packets} ${r.bytes} ${r.start} ${r.start + r.duration} ${r.action} OK`
                : `2 1 ${r.eni} - - - - - - - ${r.start} ${r.start + r.duration} - ${r.status}`
            )
            .join('\n');
          const options = { windowMode: windowMode as WindowMode };
          // Act
          const scanned = await rollupFlowLog(
            { chunks: chunked(encode(text), [97]), label: 't', format: v2 },
            options
          );
          const typed = await rollupFlowLogRecords(
            { chunks: chunked(encode(text)), label: 't', format: v2 },
            options
          );
          // Assess
          expect(scanned).toEqual(typed);
          if (scanned.kind !== 'rollups') throw new Error('expected rollups');
          const ok = records.filter((r) => r.status === 'OK');
          const sum = (pick: (r: Rollup) => number) =>
            scanned.rollups.reduce((total, r) => total + BigInt(pick(r)), 0n);
          expect(sum((r) => r.flows)).toBe(BigInt(ok.length));
          expect(sum((r) => r.packets)).toBe(
            ok.reduce((t, r) => t + BigInt(r.packets), 0n)
          );
          expect(sum((r) => r.bytes)).toBe(
            ok.reduce((t, r) => t + BigInt(r.bytes), 0n)
          );
          expect(sum((r) => r.nodataRecords + r.skipdataRecords)).toBe(
            BigInt(records.length - ok.length)
          );
          expect(sum((r) => r.acceptBytes + r.rejectBytes)).toBe(
            sum((r) => r.bytes)
          );
        }
      ),
      { numRuns: 150 }
    );
  });
});
