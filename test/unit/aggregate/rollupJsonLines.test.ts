import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_FORMAT,
  formatFromString,
  resolveFormat,
} from '../../../shared/parse/flowLogFormat.js';
import {
  rollupFlowLog,
  rollupFlowLogLazily,
  rollupFlowLogRecords,
} from '../../../shared/pipeline/rollupFlowLog.js';
import type { FlowLogFormat, RollupOutcome } from '../../../shared/types.js';
import { chunked, encode, sampleLines } from '../../helpers/flowLogInput.js';

/** What the scanner hands over for one input, read both ways. */
interface BothWays {
  /** JSON.stringify of each rollup, a line each (what the CLI wrote before). */
  stringified: string;
  /** The bytes of jsonLines, decoded. */
  written: string;
  /** How many chunks jsonLines gave. */
  chunks: number;
}

/** Scans the bytes twice, reading the rollups once as objects, once as JSON lines. */
async function bothWays(
  bytes: Uint8Array,
  format?: FlowLogFormat
): Promise<BothWays> {
  let stringified = '';
  const input = () => ({ chunks: chunked(bytes), label: 'test', format });
  await rollupFlowLogLazily(
    input(),
    { windowMode: 'prorate' },
    async (rollups) => {
      for (const rollup of rollups)
        stringified += `${JSON.stringify(rollup)}\n`;
    }
  );
  const parts: Uint8Array[] = [];
  await rollupFlowLogLazily(
    input(),
    { windowMode: 'prorate' },
    async (_rollups, _items, jsonLines) => {
      if (!jsonLines) throw new Error('the scanner gives JSON lines');
      // A chunk is valid until the next is asked for: copied.
      for (const chunk of jsonLines()) parts.push(Buffer.from(chunk));
    }
  );
  const written = Buffer.concat(parts).toString('utf8');
  return { stringified, written, chunks: parts.length };
}

/** The bytes as one input (one chunk). */
const input = (bytes: Uint8Array) => ({
  chunks: chunked(bytes),
  label: 'test',
});

/**
 * bothWays, and the scanner's rollups required to equal the typed path's:
 * the JSON lines, the rollups and the reference agree.
 */
async function agreedWays(
  bytes: Uint8Array
): Promise<BothWays & { scanned: RollupOutcome }> {
  const ways = await bothWays(bytes);
  const scanned = await rollupFlowLog(input(bytes), { windowMode: 'prorate' });
  const typed = await rollupFlowLogRecords(input(bytes), {
    windowMode: 'prorate',
  });
  expect(ways.written).toBe(ways.stringified);
  expect(scanned).toEqual(typed);
  return { ...ways, scanned };
}

const withHeader = (format: FlowLogFormat, lines: string[]): string =>
  `${format.header}\n${lines.join('\n')}\n`;

/** Every id field, with direction, TCP flags and the v2 fields. */
const WITH_IDS = formatFromString(
  '${version} ${account-id} ${vpc-id} ${subnet-id} ${instance-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status} ${flow-direction} ${tcp-flags}'
);

/** A v2 line in the first window, on port 443. */
const line = (
  eni: string,
  src: string,
  dst: string,
  bytes: number,
  action: string
) =>
  `2 123456789012 ${eni} ${src} ${dst} 1 443 6 1 ${bytes} 1793491200 1793491260 ${action} OK`;
/** A window WebAssembly writes, after the host's. */
const plainLine = line('eni-b', '10.0.0.1', '10.0.0.2', 10, 'ACCEPT');

describe('rollupJsonLines', () => {
  it.each([
    ['v2', DEFAULT_FORMAT, 2_000, 40],
    ['v5', resolveFormat('v5'), 2_000, 40],
    ['v2 at fleet shape', DEFAULT_FORMAT, 20_000, 3_000],
  ])(
    'writes the JSON.stringify of every rollup, byte for byte (%s)',
    async (_name, format, records, enis) => {
      // Prepare
      const lines = sampleLines(format, records, 11, enis);

      // Act
      const { stringified, written, chunks } = await bothWays(
        encode(withHeader(format, lines))
      );

      // Assess
      expect(stringified.length).toBeGreaterThan(0);
      expect(written).toBe(stringified);
      // The fleet shape fills the 256 KiB output area again and again.
      if (records === 20_000) expect(chunks).toBeGreaterThan(4);
    }
  );

  it('leaves to the host what it cannot write the same: texts to escape or not ASCII, numbers past 2^53, text labels', async () => {
    // Prepare: texts that JSON escapes, non-ASCII and invalid UTF-8 ids,
    // totals past 2^53, peers that are not addresses; among plain ones.
    const text = fc.constantFrom(
      'eni-0a',
      'eni-0b',
      'acct-"quoted"',
      'back\\slash',
      'tab\there',
      'é-unicode',
      '\u007f-del',
      '-'
    );
    const address = fc.constantFrom(
      '10.0.0.1',
      '10.0.0.2',
      '2001:db8::1',
      'not-an-ip',
      '01.2.3.4',
      '-'
    );
    const count = fc.oneof(
      fc.integer({ min: 0, max: 100_000 }),
      fc.constant(Number.MAX_SAFE_INTEGER)
    );
    const line = fc
      .record({
        ids: fc.array(text, { minLength: 5, maxLength: 5 }),
        src: address,
        dst: address,
        packets: count,
        bytes: count,
        start: fc.integer({ min: 0, max: 900 }),
        span: fc.integer({ min: 0, max: 400 }),
        action: fc.constantFrom('ACCEPT', 'REJECT'),
        direction: fc.constantFrom('ingress', 'egress', '-'),
      })
      .map(
        ({ ids, src, dst, packets, bytes, start, span, action, direction }) =>
          // biome-ignore lint/style/noNonNullAssertion: five ids drawn.
          `2 ${ids[0]!} ${ids[1]!} ${ids[2]!} ${ids[3]!} ${ids[4] === '-' ? 'eni-0c' : ids[4]!} ${src} ${dst} 443 ${40_000 + start} 6 ${packets} ${bytes} ${1_793_491_200 + start} ${1_793_491_200 + start + span} ${action} OK ${direction} 2`
      );
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { minLength: 1, maxLength: 40 }),
        async (lines) => {
          // Act
          const { stringified, written } = await bothWays(
            encode(withHeader(WITH_IDS, lines))
          );

          // Assess
          expect(written).toBe(stringified);
        }
      ),
      { numRuns: 200 }
    );
  });

  it.each([
    [
      // 200 larger talkers evict the text source's talker entry: the
      // talkers rank packed, the rejected sources hold a text label.
      'a rejected list with a text label, the talkers packed',
      [
        line('eni-a', '01.2.3.4', '10.0.0.5', 1, 'REJECT'),
        line('eni-a', '10.0.0.5', '10.0.0.9', 50, 'REJECT'),
        ...Array.from({ length: 200 }, (_, k) =>
          line('eni-a', '10.0.0.5', `52.0.0.${k}`, 1000 + k, 'ACCEPT')
        ),
      ],
    ],
    [
      // 40 records of 2^53 - 1 bytes: JSON.stringify writes 3.6e17 with
      // trailing zeros (its shortest digits), not the exact integer.
      'totals past 2^53',
      Array.from({ length: 40 }, () =>
        line('eni-a', '10.0.0.1', '10.0.0.2', Number.MAX_SAFE_INTEGER, 'ACCEPT')
      ),
    ],
  ])('leaves to the host %s', async (_name, lines) => {
    // Prepare
    const bytes = encode(withHeader(DEFAULT_FORMAT, [...lines, plainLine]));

    // Act
    const { stringified, written } = await bothWays(bytes);

    // Assess
    expect(written).toBe(stringified);
    expect(written.split('\n')).toHaveLength(3);
  });

  it('issue #13 review: merges the ids that decode to one text window by window, as the typed path keys them', async () => {
    // Prepare: two invalid UTF-8 ids (both "eni-\uFFFD") with two windows
    // each; their windows of one start must meet to be merged.
    const at = (eni: string, start: number, bytes: number) =>
      `2 123456789012 ${eni} 10.0.0.1 10.0.0.2 1 443 6 1 ${bytes} ${start} ${start + 10} ACCEPT OK`;
    const text = withHeader(DEFAULT_FORMAT, [
      at('eni-\u0001', 1793491200, 100),
      at('eni-\u0001', 1793491500, 200),
      at('eni-\u0002', 1793491200, 300),
      at('eni-\u0002', 1793491500, 400),
      plainLine,
    ]);
    const bytes = Buffer.from(text, 'latin1');
    bytes[bytes.indexOf(0x01)] = 0xff;
    bytes[bytes.indexOf(0x01)] = 0xff;
    bytes[bytes.indexOf(0x02)] = 0xfe;
    bytes[bytes.indexOf(0x02)] = 0xfe;

    // Act
    const { written } = await agreedWays(bytes);

    // Assess
    expect(
      written
        .trim()
        .split('\n')
        .map(
          (json) => JSON.parse(json) as { interfaceId: string; bytes: number }
        )
        .filter(({ interfaceId }) => interfaceId === 'eni-\ufffd')
        .map(({ bytes: total }) => total)
    ).toEqual([400, 600]);
  });

  it('issue #13 review: keeps a leading BOM of an id, a peer or a bad value as text, as the typed path does', async () => {
    // Prepare: "\uFEFFeni-1" and "eni-1" are two ENIs; "\uFEFF123" is the
    // account id as written.
    const text = withHeader(DEFAULT_FORMAT, [
      '2 \uFEFF123 eni-1 10.0.0.1 10.0.0.2 1 443 6 1 100 1793491200 1793491210 ACCEPT OK',
      '2 123 \uFEFFeni-1 10.0.0.1 10.0.0.2 1 443 6 1 200 1793491200 1793491210 ACCEPT OK',
      // A text peer (a label as text) and a bad integer (a sample's value).
      '2 123 eni-2 \uFEFFhost 10.0.0.2 1 443 6 1 300 1793491200 1793491210 ACCEPT OK',
      '2 123 eni-2 10.0.0.1 10.0.0.2 1 443 6 \uFEFF1 300 1793491200 1793491210 ACCEPT OK',
    ]);
    const bytes = encode(text);

    // Act
    const { scanned } = await agreedWays(bytes);

    // Assess
    if (scanned.kind !== 'rollups') throw new Error('expected rollups');
    expect(
      scanned.rollups.map(({ interfaceId, accountId }) => [
        interfaceId,
        accountId,
      ])
    ).toEqual([
      ['eni-1', '\uFEFF123'],
      ['eni-2', '123'],
      ['\uFEFFeni-1', '123'],
    ]);
    expect(scanned.rollups[1]?.topTalkers?.[0]?.peer).toBe('\uFEFFhost');
    expect(scanned.stats.badRecordSamples[0]?.message).toContain('\uFEFF1');
  });

  it('issue #13 review: reads out around an ENI that only bad records named (it has no window)', async () => {
    // Prepare: eni-bad is interned by a record then found to have no time.
    const text = withHeader(DEFAULT_FORMAT, [
      '2 123 eni-bad 10.0.0.1 10.0.0.2 1 443 6 1 100 - - ACCEPT OK',
      plainLine,
    ]);
    const bytes = encode(text);

    // Act
    const { scanned } = await agreedWays(bytes);

    // Assess
    if (scanned.kind !== 'rollups') throw new Error('expected rollups');
    expect(scanned.rollups.map(({ interfaceId }) => interfaceId)).toEqual([
      'eni-b',
    ]);
    expect(scanned.stats.badRecordsByReason).toEqual({ 'missing-time': 1 });
  });

  it('merges the windows of ENI ids that decode to one text, as the rollups do', async () => {
    // Prepare: two invalid UTF-8 ids (both decode to "eni-\uFFFD") around
    // a plain one, so that written and host windows alternate.
    const of = (eni: string, bytes: number) =>
      line(eni, '10.0.0.1', '10.0.0.2', bytes, 'ACCEPT');
    const text = withHeader(DEFAULT_FORMAT, [
      of('eni-\udc80', 100),
      of('eni-0a', 200),
      of('eni-\udc81', 300),
      of('eni-zz', 400),
    ]);
    const bytes = Buffer.from(
      text.replace('\udc80', '\u0001').replace('\udc81', '\u0002'),
      'latin1'
    );
    bytes[bytes.indexOf(0x01)] = 0xff;
    bytes[bytes.indexOf(0x02)] = 0xfe;

    // Act
    const { stringified, written } = await bothWays(bytes);

    // Assess
    expect(written).toBe(stringified);
    const rollups = written
      .trim()
      .split('\n')
      .map(
        (json) => JSON.parse(json) as { interfaceId: string; bytes: number }
      );
    expect(
      rollups.map(({ interfaceId, bytes }) => [interfaceId, bytes])
    ).toEqual([
      ['eni-0a', 200],
      ['eni-zz', 400],
      ['eni-\ufffd', 400],
    ]);
  });
});
