import { describe, expect, it } from 'vitest';
import { DecodeError, FormatError } from '../../../shared/errors.js';
import { formatFromString } from '../../../shared/parse/flowLogFormat.js';
import {
  parseFlowLog,
  rollupFlowLog,
} from '../../../shared/pipeline/rollupFlowLog.js';
import { chunked, encode, gzipText } from '../../helpers/flowLogInput.js';

const HEADER =
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const LINE =
  '2 111122223333 eni-0a 10.0.0.1 10.0.0.2 443 50000 6 2 120 1793491200 1793491230 ACCEPT OK';

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const result: T[] = [];
  for await (const item of items) result.push(item);
  return result;
}

describe('pipeline', () => {
  it('reads gzip and plain text alike and takes the format from the header', async () => {
    // Prepare
    const text = `${HEADER.split(' ').reverse().join(' ')}\n${LINE.split(' ').reverse().join(' ')}\n`;
    for (const bytes of [encode(text), gzipText(text)]) {
      // Act
      const outcome = await rollupFlowLog(
        { chunks: chunked(bytes, [3]), label: 'f' },
        { windowMode: 'prorate' }
      );
      // Assess
      if (outcome.kind !== 'rollups') throw new Error('expected rollups');
      expect(outcome.format.fields[0]?.name).toBe('log-status');
      expect(
        outcome.rollups.map((r) => [r.interfaceId, r.bytes, r.packets])
      ).toEqual([['eni-0a', 120, 2]]);
      expect(outcome.stats).toMatchObject({ lines: 1, records: 1 });
    }
  });

  it('uses the given format, or version 2, when there is no header', async () => {
    // Prepare
    const custom = formatFromString('${interface-id} ${start} ${end} ${bytes}');
    // Act
    const v2 = await rollupFlowLog(
      { chunks: chunked(encode(`${LINE}\n`)), label: 'f' },
      { windowMode: 'start' }
    );
    const other = await rollupFlowLog(
      {
        chunks: chunked(encode('eni-b 1793491200 1793491200 9')),
        label: 'f',
        format: custom,
      },
      { windowMode: 'start' }
    );
    // Assess
    expect(v2.kind === 'rollups' && v2.rollups[0]?.bytes).toBe(120);
    expect(other.kind === 'rollups' && other.rollups[0]?.bytes).toBe(9);
  });

  it('reads two concatenated gzip files with their repeated header', async () => {
    // Prepare
    const one = gzipText(`${HEADER}\n${LINE}\n`);
    const both = new Uint8Array([...one, ...one]);
    // Act
    const outcome = await rollupFlowLog(
      { chunks: chunked(both, [100]), label: 'f' },
      { windowMode: 'prorate' }
    );
    // Assess
    expect(outcome.kind === 'rollups' && outcome.stats).toMatchObject({
      lines: 2,
      records: 2,
      badRecords: 0,
    });
  });

  it('rolls up nothing from an empty or header-only input', async () => {
    // Act
    const empty = await rollupFlowLog(
      { chunks: chunked(new Uint8Array(0)), label: 'f' },
      { windowMode: 'prorate' }
    );
    const headerOnly = await rollupFlowLog(
      { chunks: chunked(gzipText(`${HEADER}\n`)), label: 'f' },
      { windowMode: 'prorate' }
    );
    // Assess
    for (const outcome of [empty, headerOnly]) {
      expect(
        outcome.kind === 'rollups' && [outcome.rollups, outcome.stats.lines]
      ).toEqual([[], 0]);
    }
  });

  it('fails with a DecodeError naming the input on truncated or corrupt gzip', async () => {
    // Prepare
    const gz = gzipText(`${HEADER}\n${LINE}\n`.repeat(200));
    const truncated = gz.slice(0, gz.length / 2);
    const corrupt = new Uint8Array([
      0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5,
    ]);
    for (const bytes of [truncated, corrupt]) {
      // Act
      const run = rollupFlowLog(
        { chunks: chunked(bytes), label: 's3://b/k.log.gz' },
        { windowMode: 'prorate' }
      );
      // Assess
      await expect(run).rejects.toThrow(DecodeError);
      await expect(
        rollupFlowLog(
          { chunks: chunked(bytes), label: 's3://b/k.log.gz' },
          { windowMode: 'prorate' }
        )
      ).rejects.toThrow(/s3:\/\/b\/k\.log\.gz/);
    }
  });

  it('reports a Transit Gateway log as not per-ENI', async () => {
    // Prepare
    const text =
      'version resource-type account-id tgw-id tgw-attachment-id srcaddr dstaddr packets bytes start end log-status\n6 TransitGateway 1 tgw-1 tgw-attach-1 10.0.0.1 10.0.0.2 1 2 1793491200 1793491260 OK\n';
    // Act
    const outcome = await rollupFlowLog(
      { chunks: chunked(encode(text)), label: 'f' },
      { windowMode: 'prorate' }
    );
    // Assess
    expect(outcome.kind).toBe('not-per-eni');
  });

  it('fails with a FormatError when the header cannot be rolled up', async () => {
    // Prepare
    const text = 'interface-id bytes\neni-1 5\n';
    // Act and Assess
    await expect(
      rollupFlowLog(
        { chunks: chunked(encode(text)), label: 'f' },
        { windowMode: 'prorate' }
      )
    ).rejects.toThrow(FormatError);
  });

  it('parses every line in order with its line number', async () => {
    // Prepare
    const text = `${HEADER}\r\n${LINE}\r\n\nbad line\n${LINE}`;
    // Act
    const { format, lines } = await parseFlowLog({
      chunks: chunked(encode(text), [5]),
      label: 'f',
    });
    const parsed = await collect(lines);
    // Assess
    expect(format.fields).toHaveLength(14);
    expect(parsed.map((p) => [p.lineNumber, p.result.success])).toEqual([
      [2, true],
      [4, false],
      [5, true],
    ]);
    const first = parsed[0]?.result;
    expect(first?.success && first.data.bytes).toBe(120);
  });
});
