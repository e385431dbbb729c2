import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FlowLogScanner } from '../../../shared/aggregate/flowLogScanner.js';
import { ScannerMemory } from '../../../shared/aggregate/scannerMemory.js';
import { generateFlowLogLines } from '../../../shared/generate/generateFlowLogLines.js';
import {
  DEFAULT_FORMAT,
  formatFromString,
  resolveFormat,
} from '../../../shared/parse/flowLogFormat.js';
import {
  rollupFlowLog,
  rollupFlowLogRecords,
} from '../../../shared/pipeline/rollupFlowLog.js';
import type {
  FlowLogFormat,
  RollupOutcome,
  WindowMode,
} from '../../../shared/types.js';
import {
  chunked,
  encode,
  gzipText,
  sampleLines,
} from '../../helpers/flowLogInput.js';
import { referenceRollup } from '../../helpers/referenceRollup.js';

/** Runs both ingest paths over the same bytes. */
async function bothPaths(
  bytes: Uint8Array,
  options: { windowMode: WindowMode; interfaceId?: string },
  format?: FlowLogFormat,
  sizes?: number[]
): Promise<{ scanned: RollupOutcome; typed: RollupOutcome }> {
  const scanned = await rollupFlowLog(
    { chunks: chunked(bytes, sizes), label: 'test', format },
    options
  );
  const typed = await rollupFlowLogRecords(
    { chunks: chunked(bytes, [bytes.length + 1]), label: 'test', format },
    options
  );
  return { scanned, typed };
}

/**
 * Runs both ingest paths (prorate) over the bytes in chunks of `sizes`,
 * requires them to agree, and gives the rollups.
 */
async function agreedRollups(
  bytes: Uint8Array,
  sizes: number[]
): Promise<Extract<RollupOutcome, { kind: 'rollups' }>> {
  const { scanned, typed } = await bothPaths(
    bytes,
    { windowMode: 'prorate' },
    undefined,
    sizes
  );
  expect(scanned).toEqual(typed);
  if (scanned.kind !== 'rollups') throw new Error('expected rollups');
  return scanned;
}

const withHeader = (format: FlowLogFormat, lines: string[]): string =>
  `${format.header}\n${lines.join('\n')}\n`;

const CUSTOM = formatFromString(
  '${start} ${end} ${flow-direction} ${interface-id} ${protocol} ${bytes} ${packets} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${tcp-flags} ${action} ${log-status} ${new-field}'
);

describe('FlowLogScanner', () => {
  it.each([
    ['v2', resolveFormat('v2')],
    ['v5', resolveFormat('v5')],
    ['v11', resolveFormat('v11')],
    ['a custom order with an unknown field', CUSTOM],
  ])(
    'agrees with the typed path and the reference on %s files',
    async (_, format) => {
      // Prepare
      const lines = sampleLines(format, 4000);
      const bytes = gzipText(withHeader(format, lines));
      for (const windowMode of ['prorate', 'start'] as const) {
        // Act
        const { scanned, typed } = await bothPaths(
          bytes,
          { windowMode },
          undefined,
          [4093, 70_000, 17]
        );
        // Assess
        expect(scanned).toEqual(typed);
        if (scanned.kind !== 'rollups') throw new Error('expected rollups');
        expect(scanned.stats.records).toBe(4000);
        const names = format.fields.map((field) => field.name);
        const reference = referenceRollup(lines, names, windowMode);
        expect(scanned.rollups.length).toBe(reference.size);
        for (const rollup of scanned.rollups) {
          const expected = reference.get(
            `${rollup.interfaceId} ${rollup.windowStart}`
          );
          expect(expected).toBeDefined();
          expect({
            flows: rollup.flows,
            packets: rollup.packets,
            bytes: rollup.bytes,
            acceptFlows: rollup.acceptFlows,
            acceptPackets: rollup.acceptPackets,
            acceptBytes: rollup.acceptBytes,
            rejectFlows: rollup.rejectFlows,
            rejectPackets: rollup.rejectPackets,
            rejectBytes: rollup.rejectBytes,
            nodataRecords: rollup.nodataRecords,
            skipdataRecords: rollup.skipdataRecords,
          }).toEqual({
            flows: expected?.flows,
            packets: expected?.packets,
            bytes: expected?.bytes,
            acceptFlows: expected?.acceptFlows,
            acceptPackets: expected?.acceptPackets,
            acceptBytes: expected?.acceptBytes,
            rejectFlows: expected?.rejectFlows,
            rejectPackets: expected?.rejectPackets,
            rejectBytes: expected?.rejectBytes,
            nodataRecords: expected?.nodataRecords,
            skipdataRecords: expected?.skipdataRecords,
          });
          if (rollup.tcpBytes !== undefined) {
            expect(rollup.tcpBytes).toBe(expected?.tcpBytes);
            expect(rollup.udpBytes).toBe(expected?.udpBytes);
            expect(rollup.icmpBytes).toBe(expected?.icmpBytes);
            expect(rollup.otherBytes).toBe(expected?.otherBytes);
          }
          if (rollup.ingressBytes !== undefined) {
            expect(rollup.ingressBytes).toBe(expected?.ingressBytes);
            expect(rollup.egressBytes).toBe(expected?.egressBytes);
          }
          if (rollup.synOnlyFlows !== undefined) {
            expect(rollup.synOnlyFlows).toBe(expected?.synOnlyFlows);
          }
        }
      }
    }
  );

  it('agrees with the typed path across table growth and inputs larger than its buffer', async () => {
    // Prepare: thousands of ENIs grow every table; one 2 MB chunk spans many buffer loads.
    const format = resolveFormat('v5');
    const lines = sampleLines(format, 12_000, 3, 3000);
    const bytes = encode(withHeader(format, lines));
    // Act
    const { scanned, typed } = await bothPaths(
      bytes,
      { windowMode: 'prorate' },
      undefined,
      [bytes.length]
    );
    // Assess
    expect(scanned).toEqual(typed);
    if (scanned.kind !== 'rollups') throw new Error('expected rollups');
    expect(
      new Set(scanned.rollups.map((r) => r.interfaceId)).size
    ).toBeGreaterThan(1000);
    expect(scanned.rollups.length).toBeGreaterThan(2048);
    expect(bytes.length).toBeGreaterThan(2_000_000);
  });

  it('holds top lists in memory that follows the peers a window has, not the sets their hashes spread over', async () => {
    // Prepare: 2,000 ENIs with one window each and 24 IPv4 peers, no two
    // alike. A 2-way sketch of 24 keys mostly grows to all 64 entries:
    // with 64 entries per sketch the scanner held 4.0 KiB per item, with
    // the 24 in use (and a directory of their sets) it holds 2.7 KiB.
    const lines: string[] = [];
    for (let eni = 0; eni < 2000; eni++) {
      const id = `eni-${eni.toString(16).padStart(17, '0')}`;
      const self = `10.0.${eni >> 8}.${eni & 255}`;
      for (let peer = 0; peer < 24; peer++) {
        const address = `172.16.${peer}.${(eni * 7) & 255}`;
        lines.push(
          `2 123456789012 ${id} ${self} ${address} 443 ${40000 + peer} 6 ${peer + 1} ${(peer + 1) * 100} 1793491200 1793491259 ACCEPT OK`
        );
      }
    }
    const bytes = encode(withHeader(DEFAULT_FORMAT, lines));
    const scanner = new FlowLogScanner(DEFAULT_FORMAT, {
      windowMode: 'prorate',
    });
    // Act
    scanner.push(bytes);
    const bytesPerItem = scanner.heapBytes() / scanner.itemCount();
    const scanned = await agreedRollups(bytes, [bytes.length + 1]);
    // Assess
    expect(scanner.itemCount()).toBe(2000);
    expect(bytesPerItem).toBeLessThan(3 * 1024);
    // All but the few windows whose sketch had a set of three keys to evict from.
    const full = scanned.rollups.filter((r) => r.topTalkers?.length === 20);
    expect(full.length).toBeGreaterThan(1900);
  });

  it('agrees with the typed path when evicted keys hand their label blocks to longer and shorter labels', async () => {
    // Prepare: windows of 400 peers each (every sketch full, evicting),
    // peers cycling through packed IPv4 and IPv6 addresses and texts that
    // do not pack (kept as text, up to 40 bytes of a source), rejected and
    // accepted, so each kind of label replaces each other kind.
    const peerOf = (k: number): string =>
      [
        `172.16.${k % 256}.${k % 7}`,
        `2600:1f18:${k.toString(16)}::${(k % 9) + 1}`,
        `0172.016.${k % 256}.9`,
        `peer-${'x'.repeat(k % 60)}-${k}`,
      ][k % 4] as string;
    const lines: string[] = [];
    for (let eni = 0; eni < 6; eni++) {
      const id = `eni-0${eni}aaaabbbbccccddd`;
      for (let k = 0; k < 1600; k++) {
        const peer = peerOf((k * 37 + eni) % 400);
        const action = k % 3 === 0 ? 'REJECT' : 'ACCEPT';
        const start = 1793491200 + 300 * (k % 2);
        lines.push(
          `2 123456789012 ${id} ${peer} 10.0.0.${eni} ${1000 + (k % 50)} 443 6 ${(k % 13) + 1} ${(k % 101) * 40 + 40} ${start} ${start + 30} ${action} OK`
        );
      }
    }
    const bytes = encode(withHeader(DEFAULT_FORMAT, lines));
    for (const sizes of [[bytes.length + 1], [4093, 777]]) {
      // Act (and Assess: both paths agree)
      const scanned = await agreedRollups(bytes, sizes);
      // Assess
      expect(scanned.rollups).toHaveLength(12);
      const peers = scanned.rollups.flatMap((r) =>
        (r.topRejectedSources ?? []).map((source) => source.address)
      );
      expect(peers.some((peer) => peer.includes(':'))).toBe(true);
      expect(peers.some((peer) => peer.startsWith('peer-'))).toBe(true);
    }
  });

  it('agrees with the typed path on gzipped text larger than the ring it is inflated into', async () => {
    // Prepare: more than the ring's 4 MiB of slots, in odd-sized chunks.
    const format = resolveFormat('v2');
    const text = withHeader(format, sampleLines(format, 45_000, 5, 40));
    const gzip = gzipText(text);
    // Act
    const { scanned, typed } = await bothPaths(
      gzip,
      { windowMode: 'prorate' },
      undefined,
      [4093, 65_536]
    );
    // Assess
    expect(scanned).toEqual(typed);
    expect(text.length).toBeGreaterThan(5_000_000);
    if (scanned.kind !== 'rollups') throw new Error('expected rollups');
    expect(scanned.stats.records).toBe(45_000);
  });

  it('agrees with the typed path on every kind of bad, odd and edge line', async () => {
    // Prepare
    const good = sampleLines(DEFAULT_FORMAT, 40);
    const text = [
      DEFAULT_FORMAT.header,
      good[0],
      '',
      '\r',
      `${good[1]}\r`,
      DEFAULT_FORMAT.header,
      `${DEFAULT_FORMAT.header}\r`,
      '2 123456789012 eni-0a1b2c3d4e5f60718 10.0.0.1 10.0.0.2 443 50000 6 10 840 1793491200',
      `${good[2]} extra`,
      '2 123456789012 eni-0a1b2c3d4e5f60718 10.0.0.1 10.0.0.2 443 x 6 10 840 1793491200 1793491260 ACCEPT OK',
      '2 123456789012 eni-0a1b2c3d4e5f60718 10.0.0.1 10.0.0.2 443  6 10 840 1793491200 1793491260 ACCEPT OK',
      '2 123456789012 eni-0a1b2c3d4e5f60718 10.0.0.1 10.0.0.2 443 -5 6 10 840 1793491200 1793491260 ACCEPT OK',
      '2 123456789012 eni-0a1b2c3d4e5f60718 10.0.0.1 10.0.0.2 443 5 6 10 9007199254740992 1793491200 1793491260 ACCEPT OK',
      '2 123456789012 eni-0a1b2c3d4e5f60718 10.0.0.1 10.0.0.2 443 5 6 10 9007199254740991 1793491200 1793491260 ACCEPT OK',
      '2 123456789012 eni-0a1b2c3d4e5f60718 10.0.0.1 10.0.0.2 443 5 6 10 0000840 1793491200 1793491260 accept OK',
      '2 123456789012 eni-0a1b2c3d4e5f60718 10.0.0.1 10.0.0.2 443 5 6 10 840 1793491200 1793491260 ACCEPT FINE',
      '2 123456789012 eni-0a1b2c3d4e5f60718 10.0.0.1 10.0.0.2 443 x 6 10 840 1793491200 1793491260 NOPE OK',
      '2 123456789012 eni-0a1b2c3d4e5f60718 10.0.0.1 10.0.0.2 443 5 6 10 840 1793491260 1793491200 ACCEPT OK',
      '2 123456789012 - 10.0.0.1 10.0.0.2 443 5 6 10 840 1793491200 1793491260 ACCEPT OK',
      '2 123456789012 eni-0a1b2c3d4e5f60718 10.0.0.1 10.0.0.2 443 5 6 10 840 - 1793491260 ACCEPT OK',
      '2 123456789012 eni-0a1b2c3d4e5f60718 10.0.0.1 10.0.0.2 443 5 6 10 840 1793400000 1793491260 ACCEPT OK',
      '2 123456789012 eni-0a1b2c3d4e5f60718 10.0.0.1 10.0.0.2 443 5 6 10 840 1793491200000 1793491260999 REJECT OK',
      '2 123456789012 eni-0a1b2c3d4e5f60718\t10.0.0.1 10.0.0.2 443 5 6 10 840 1793491200 1793491260 ACCEPT OK',
      '2 123456789012 eni-0a1b2c3d4e5f60718 10.0.0.1\t 10.0.0.2 443 5 6 10 840 1793491200 1793491260 ACCEPT OK',
      '2 unknown eni-0a1b2c3d4e5f60718 fe80::ü 10.0.0.2 443 5 6 10 840 1793491200 1793491260 REJECT OK',
      '2 123456789012 eni-0a1b2c3d4e5f60718 - - - - - - - 1793491200 1793491260 - NODATA',
      '2 123456789012 eni-0a1b2c3d4e5f60718 - - - - - - - 1793491200 1793491260 - SKIPDATA',
      `2 123456789012 eni-0a1b2c3d4e5f60718 ${'9'.repeat(70_000)} 10.0.0.2 443 5 6 10 840 1793491200 1793491260 ACCEPT OK`,
      ' ',
      ...good.slice(3),
      '2 123456789012 eni-0a1b2c3d4e5f60718 10.0.0.1 10.0.0.2 443 5 6 10 840 1793491200 1793491260 ACCEPT OK',
    ].join('\n');
    const bytes = encode(text);
    for (const sizes of [[bytes.length], [1], [7, 3, 1024], [65_536, 5]]) {
      // Act (and Assess: both paths agree)
      const scanned = await agreedRollups(bytes, sizes);
      // Assess
      expect(scanned.stats.badRecordsByReason).toEqual({
        'field-count': 4,
        'bad-integer': 5,
        'bad-action': 1,
        'bad-log-status': 1,
        'end-before-start': 1,
        'missing-interface-id': 1,
        'missing-time': 1,
        'span-too-long': 1,
        'line-too-long': 1,
      });
    }
  });

  it('gives the same result for any chunking and any mix of valid and invalid tokens', async () => {
    // Prepare
    const token = fc.oneof(
      fc.constantFrom(
        '-',
        '0',
        '2',
        '6',
        '17',
        '300',
        '1793491200',
        '1793491799',
        '1793491201000',
        'ACCEPT',
        'REJECT',
        'OK',
        'NODATA',
        'SKIPDATA',
        'ingress',
        'egress',
        'eni-0a',
        'eni-1b',
        '10.0.0.1',
        '2001:db8::1',
        '',
        '\t',
        'x',
        '99999999999999999'
      ),
      fc.string({ maxLength: 4 })
    );
    const line = fc
      .array(token, { minLength: 1, maxLength: 16 })
      .map((tokens) => tokens.join(' '));
    const input = fc.record({
      lines: fc.array(line, { maxLength: 30 }),
      sizes: fc.array(fc.integer({ min: 1, max: 64 }), {
        minLength: 1,
        maxLength: 5,
      }),
      endsWithNewline: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(input, async ({ lines, sizes, endsWithNewline }) => {
        const text = lines.join('\n') + (endsWithNewline ? '\n' : '');
        // Act
        const { scanned, typed } = await bothPaths(
          encode(text),
          { windowMode: 'prorate' },
          DEFAULT_FORMAT,
          sizes
        );
        // Assess
        expect(scanned).toEqual(typed);
      }),
      { numRuns: 300 }
    );
  });

  it('scans text lying in its ring where it lies, carrying lines across slots, as it scans copies', () => {
    // Prepare: small slots, so that lines straddle them; sometimes a line
    // longer than a scanner keeps (64 KiB) runs across many.
    const format = resolveFormat('v5');
    const lines = sampleLines(format, 400, 11);
    const input = fc.record({
      sizes: fc.array(fc.integer({ min: 1, max: 4096 }), {
        minLength: 1,
        maxLength: 6,
      }),
      overlongAt: fc.option(fc.integer({ min: 0, max: 399 })),
      badAt: fc.integer({ min: 0, max: 399 }),
    });
    fc.assert(
      fc.property(input, ({ sizes, overlongAt, badAt }) => {
        const text = lines
          .map((line, i) =>
            i === overlongAt
              ? `${line} ${'y'.repeat(70_000)}`
              : i === badAt
                ? `${line} extra`
                : line
          )
          .join('\n');
        const bytes = encode(`${text}\n`);
        const memory = ScannerMemory.acquire(4, 4096);
        const { buffer, slotOffsets } = memory.ring;
        const inPlace = new FlowLogScanner(
          format,
          { windowMode: 'prorate' },
          1,
          memory
        );
        const copied = new FlowLogScanner(format, { windowMode: 'prorate' });
        let carried = 0;
        // Act
        for (let at = 0, k = 0; at < bytes.length; k++) {
          const piece = bytes.subarray(at, at + (sizes[k % sizes.length] ?? 1));
          const offset = slotOffsets[k % slotOffsets.length] ?? 0;
          new Uint8Array(buffer).set(piece, offset);
          inPlace.push(new Uint8Array(buffer, offset, piece.length));
          copied.push(piece.slice());
          at += piece.length;
          // The unfinished line went into the room before the slot.
          const lineStart = bytes.lastIndexOf(0x0a, at - piece.length - 1) + 1;
          const carry = at - piece.length - lineStart;
          if (carry > 0 && carry < 1000 && overlongAt === null) {
            const room = new Uint8Array(buffer, offset - carry, carry);
            expect(
              Buffer.from(room).equals(
                bytes.subarray(lineStart, lineStart + carry)
              )
            ).toBe(true);
            carried++;
          }
        }
        // Assess
        expect(inPlace.finish()).toEqual(copied.finish());
        // The next run reuses this memory: what this scanner left is zeroed.
        memory.release();
        if (overlongAt === null && Math.max(...sizes) < 4096) {
          expect(carried).toBeGreaterThan(0);
        }
      }),
      { numRuns: 40 }
    );
  });

  it('review finding: hands a released memory to the next input (the worker keeps a reference to the last ring it wrote)', () => {
    // Prepare
    const first = ScannerMemory.acquire(4, 8192);
    new FlowLogScanner(DEFAULT_FORMAT, { windowMode: 'prorate' }, 1, first);
    first.release();
    // Act
    const next = ScannerMemory.acquire(4, 8192);
    // Assess
    expect(next).toBe(first);
    next.release();
  });

  it('refuses to release a memory twice (the pool would hand it out twice)', () => {
    // Prepare
    const memory = ScannerMemory.acquire(4, 4096);
    memory.release();
    // Act
    const again = () => memory.release();
    // Assess
    expect(again).toThrow('a ScannerMemory released twice');
  });

  it('serves one scanner per acquired memory', () => {
    // Prepare
    const memory = ScannerMemory.acquire(4, 4096);
    new FlowLogScanner(DEFAULT_FORMAT, { windowMode: 'prorate' }, 1, memory);
    // Act
    const second = () =>
      new FlowLogScanner(DEFAULT_FORMAT, { windowMode: 'prorate' }, 1, memory);
    // Assess
    expect(second).toThrow('a ScannerMemory serves one scanner');
    memory.release();
  });

  it('counts every record of a format without interface-id under the given ENI', async () => {
    // Prepare
    const format = formatFromString(
      '${start} ${end} ${bytes} ${packets} ${action}'
    );
    const text =
      '1793491200 1793491259 100 2 ACCEPT\n1793491300 1793491359 50 1 REJECT\n';
    // Act
    const { scanned, typed } = await bothPaths(
      encode(text),
      { windowMode: 'prorate', interfaceId: 'eni-0123456789abcdef0' },
      format
    );
    // Assess
    expect(scanned).toEqual(typed);
    if (scanned.kind !== 'rollups') throw new Error('expected rollups');
    expect(scanned.rollups).toEqual([
      {
        interfaceId: 'eni-0123456789abcdef0',
        windowStart: 1793491200,
        flows: 2,
        packets: 3,
        bytes: 150,
        acceptFlows: 1,
        acceptPackets: 2,
        acceptBytes: 100,
        rejectFlows: 1,
        rejectPackets: 1,
        rejectBytes: 50,
        nodataRecords: 0,
        skipdataRecords: 0,
      },
    ]);
  });

  it('keys records without an interface-id by resource-id (regional NAT gateway)', async () => {
    // Prepare
    const format = formatFromString(
      '${interface-id} ${resource-id} ${start} ${end} ${bytes}'
    );
    const text =
      '- nat-0abc 1793491200 1793491200 10\neni-1 - 1793491200 1793491200 5\n- - 1793491200 1793491200 1\n';
    // Act
    const { scanned, typed } = await bothPaths(
      encode(text),
      { windowMode: 'start' },
      format
    );
    // Assess
    expect(scanned).toEqual(typed);
    if (scanned.kind !== 'rollups') throw new Error('expected rollups');
    expect(scanned.rollups.map((r) => [r.interfaceId, r.bytes])).toEqual([
      ['eni-1', 5],
      ['nat-0abc', 10],
    ]);
    expect(scanned.stats.badRecordsByReason).toEqual({
      'missing-interface-id': 1,
    });
  });

  it.each([
    [
      'more bad-record samples than the first scan buffer held',
      `${'2 1 eni-a x\n'.repeat(1000)}${'2 1 eni-a 10.0.0.1 10.0.0.2 1 2 6 1 100 1793491200 1793491260 ACCEPT OK\n'.repeat(500)}`,
      { windowMode: 'prorate' as const, sampleLimit: 5000 },
    ],
    [
      'an ENI whose first record starts near the epoch',
      '2 1 eni-a 10.0.0.1 10.0.0.2 1 2 6 1 100 60 61 ACCEPT OK\n2 1 eni-a 10.0.0.1 10.0.0.2 1 2 6 1 700 1431280876 1431280877 ACCEPT OK\n',
      { windowMode: 'prorate' as const },
    ],
    [
      'a default ENI that also appears in the interface-id column',
      '2 333 - 10.0.0.1 10.0.0.2 1 2 6 1 100 1793491200 1793491260 ACCEPT OK\n2 111 eni-a 10.0.0.1 10.0.0.2 1 2 6 1 100 1793491200 1793491260 ACCEPT OK\n',
      { windowMode: 'prorate' as const, interfaceId: 'eni-a' },
    ],
    [
      'an ENI first met on the slow path (a tab inside a field)',
      '2 999 eni-a 10.0.0.1 10.0.0.2 1 2 6 1 100 1793491200 1793491260 ACCEPT OK\n2 1\t1 eni-a 10.0.0.1 10.0.0.2 1 2 6 1 100 1793491200 1793491260 ACCEPT OK\n',
      { windowMode: 'prorate' as const },
    ],
    [
      'a line ending in CR CR LF',
      '2 1 eni-a 10.0.0.1 10.0.0.2 1 2 6 1 100 1793491200 1793491260 ACCEPT OK\r\r\n2 1 eni-a 10.0.0.1 10.0.0.2 1 2 6 1 100 1793491200 1793491260 ACCEPT OK\r\n',
      { windowMode: 'prorate' as const },
    ],
  ])(
    'review finding: agrees with the typed path on %s',
    async (_, text, options) => {
      // Act
      const { scanned, typed } = await bothPaths(
        encode(text),
        options,
        DEFAULT_FORMAT,
        [7, 4096]
      );
      // Assess
      expect(scanned).toEqual(typed);
      if (scanned.kind !== 'rollups') throw new Error('expected rollups');
      expect(scanned.stats.records).toBeGreaterThan(0);
    }
  );

  it('keeps 40 bytes of a rejected source and a whole talker of 69, as the typed path does', async () => {
    // Prepare: a source address far longer than any IPv6 text.
    const source = `2001:db8:${'f'.repeat(60)}`;
    const text = `2 1 eni-a ${source} 10.0.0.2 1 2 6 1 100 1793491200 1793491260 REJECT OK\n`;
    // Act
    const { scanned, typed } = await bothPaths(encode(text), {
      windowMode: 'start',
    });
    // Assess
    expect(scanned).toEqual(typed);
    if (scanned.kind !== 'rollups') throw new Error('expected rollups');
    const [rollup] = scanned.rollups;
    expect(rollup?.topRejectedSources?.map((s) => s.address)).toEqual([
      source.slice(0, 40),
    ]);
    expect(rollup?.topTalkers?.[0]?.peer).toBe(source);
  });

  it('leaves the own address out of rejected lists it ranks as text, the talkers ranked packed', async () => {
    // Prepare: 10.0.0.5 is in every flow (the own address). A text source
    // (01.2.3.4, not canonical) is rejected once with 1 byte; 200 larger
    // talkers evict its talker entry, so the talkers are all packed while
    // the rejected sources hold a text label.
    const line = (src: string, dst: string, bytes: number, action: string) =>
      `2 1 eni-a ${src} ${dst} 1 443 6 1 ${bytes} 1793491200 1793491260 ${action} OK`;
    const lines = [
      line('01.2.3.4', '10.0.0.5', 1, 'REJECT'),
      line('10.0.0.5', '10.0.0.9', 50, 'REJECT'),
      ...Array.from({ length: 200 }, (_, k) =>
        line('10.0.0.5', `52.0.${k >> 8}.${k & 0xff}`, 1000 + k, 'ACCEPT')
      ),
    ];
    // Act
    const { scanned, typed } = await bothPaths(
      encode(withHeader(DEFAULT_FORMAT, lines)),
      { windowMode: 'start' }
    );
    // Assess
    expect(scanned).toEqual(typed);
    if (scanned.kind !== 'rollups') throw new Error('expected rollups');
    const [rollup] = scanned.rollups;
    expect(rollup?.topTalkers?.map((t) => t.peer)).not.toContain('01.2.3.4');
    expect(rollup?.topRejectedSources?.map((s) => s.address)).toEqual([
      '01.2.3.4',
    ]);
  });

  it('reads every integer the typed path reads, digit runs of any length', async () => {
    // Prepare
    const digits = fc.oneof(
      fc.stringMatching(/^[0-9]{1,20}$/),
      fc.stringMatching(/^[0-9]{0,9}[^0-9 \n\r][0-9]{0,9}$/),
      fc.constantFrom(
        '-',
        '0',
        '9007199254740991',
        '9007199254740992',
        '0009007199254740991'
      )
    );
    const line = fc
      .tuple(digits, digits, digits)
      .map(
        ([packets, bytes, port]) =>
          `2 1 eni-a 10.0.0.1 10.0.0.2 ${port} 443 6 ${packets} ${bytes} 1793491200 1793491260 ACCEPT OK`
      );
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { minLength: 1, maxLength: 20 }),
        async (lines) => {
          // Act
          const { scanned, typed } = await bothPaths(
            encode(lines.join('\n')),
            { windowMode: 'prorate' },
            DEFAULT_FORMAT,
            [13]
          );
          // Assess
          expect(scanned).toEqual(typed);
        }
      ),
      { numRuns: 200 }
    );
  });

  it('gives back every address it packs as the very text it read, canonical or not', async () => {
    // RFC 5952 text (as VPC Flow Logs writes it) is packed into 4 or 16
    // bytes and written back; any other spelling is kept as text.
    const canonical = (address: string) =>
      new URL(`http://[${address}]`).hostname.slice(1, -1);
    const address = fc.oneof(
      fc.ipV4(),
      fc.ipV4Extended(),
      fc.ipV6(),
      fc.ipV6().map(canonical),
      fc.ipV6().map((text) => canonical(text).toUpperCase()),
      // Zero runs of every length and place, ties among them included.
      fc
        .array(fc.oneof(fc.constant(0), fc.integer({ max: 0xffff, min: 0 })), {
          minLength: 8,
          maxLength: 8,
        })
        .map((groups) =>
          canonical(groups.map((g) => g.toString(16)).join(':'))
        ),
      fc.constantFrom(
        '::',
        '::1',
        '1::',
        '1:0:0:1::',
        '0.0.0.0',
        '01.2.3.4',
        '1.2.3',
        '::ffff:1.2.3.4',
        '1:2:3:4:5:6:7:8',
        '1:0:2:0:0:3:0:0',
        '1:0:2::3:0:0',
        '1::2:0:0:3'
      )
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(address, address, fc.boolean()), {
          minLength: 1,
          maxLength: 60,
        }),
        async (pairs) => {
          // Prepare
          const lines = pairs.map(
            ([src, dst, isReject], k) =>
              `2 123456789012 eni-0a${k % 3} ${src} ${dst} 443 4${k % 10}152 6 ${k + 1} ${40 * (k + 1)} 1793491200 1793491260 ${isReject ? 'REJECT' : 'ACCEPT'} OK`
          );
          const bytes = encode(withHeader(DEFAULT_FORMAT, lines));

          // Act
          const { scanned, typed } = await bothPaths(bytes, {
            windowMode: 'prorate',
          });

          // Assess
          expect(scanned).toEqual(typed);
        }
      ),
      { numRuns: 150 }
    );
  });

  it.each([
    [1, 'v2'],
    [50, 'v2'],
    [2000, 'v5'],
    [20_000, 'v2'],
  ])(
    'agrees with the typed path at fleet shapes: %i ENIs (%s), sketches of every size and label width',
    async (enis, version) => {
      // Prepare: as many records as a slice of a fleet's object, so that
      // sketches stay at one set, grow through every size, and fill.
      const format = resolveFormat(version);
      const lines = [
        ...generateFlowLogLines({
          format,
          records: 40_000,
          enis,
          seed: enis,
          startSeconds: 1_793_491_200,
        }),
      ];
      const bytes = encode(withHeader(format, lines));

      // Act
      const { scanned, typed } = await bothPaths(bytes, {
        windowMode: 'prorate',
      });

      // Assess
      expect(scanned).toEqual(typed);
      expect(
        scanned.kind === 'rollups' && scanned.rollups.length
      ).toBeGreaterThan(Math.min(enis, 1000));
    }
  );

  it('rejects a format it cannot roll up', () => {
    // Prepare
    const noEnd = formatFromString('${interface-id} ${start} ${bytes}');
    const noEni = formatFromString('${start} ${end} ${bytes}');
    // Act and Assess
    expect(() => new FlowLogScanner(noEnd, { windowMode: 'prorate' })).toThrow(
      /no end field/
    );
    expect(() => new FlowLogScanner(noEni, { windowMode: 'prorate' })).toThrow(
      /no interface-id/
    );
  });
});
