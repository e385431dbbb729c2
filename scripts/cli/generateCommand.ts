/** `flowlogs generate`: a synthetic flow-log file, gzip text or Parquet. */
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import {
  DEFAULT_START_SECONDS,
  generateFlowLogLines,
} from '../../shared/generate/generateFlowLogLines.js';
import type { FlowLogFormat } from '../../shared/types.js';
import { formatOption, integerOption, UsageError } from './usageError.js';

async function generateCommand(values: Record<string, string | undefined>) {
  const out = values.out;
  if (!out) throw new UsageError('--out FILE is required');
  const format = formatOption(values.format ?? 'v2') as FlowLogFormat;
  const lines = generateFlowLogLines({
    format,
    records: integerOption('records', values.records),
    enis: integerOption('enis', values.enis, 50),
    seed: integerOption('seed', values.seed, 1),
    startSeconds: integerOption('start', values.start, DEFAULT_START_SECONDS),
  });
  if (out.endsWith('.parquet')) {
    const { writeParquetFlowLog } = await import('../parquetFlowLogWriter.js');
    writeParquetFlowLog(out, format, lines);
    return;
  }
  async function* batches(): AsyncGenerator<string> {
    yield `${format.header}\n`;
    let batch: string[] = [];
    for (const line of lines) {
      batch.push(line);
      if (batch.length === 4096) {
        yield `${batch.join('\n')}\n`;
        batch = [];
      }
    }
    if (batch.length > 0) yield `${batch.join('\n')}\n`;
  }
  await pipeline(
    Readable.from(batches()),
    createGzip(),
    createWriteStream(out)
  );
}

export { generateCommand };
