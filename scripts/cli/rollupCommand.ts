/**
 * `flowlogs rollup FILE`: the rollups of a flow-log file (text, or Parquet
 * read by ranges) as JSON lines, and a summary on stderr.
 */
import { open } from 'node:fs/promises';
import {
  type ConsumeRollups,
  rollupFlowLogLazily,
  type ScannedInput,
} from '../../shared/pipeline/rollupFlowLog.js';
import type {
  FlowLogFormat,
  IngestStats,
  WindowMode,
} from '../../shared/types.js';
import { Output } from './output.js';
import { readFile } from './readFile.js';
import { threadCpuSeconds } from './threadCpu.js';

/** A Parquet file: named `.parquet`, or starting with Parquet's magic. */
async function isParquetFile(path: string): Promise<boolean> {
  if (path.endsWith('.parquet')) return true;
  const file = await open(path);
  try {
    const magic = Buffer.alloc(4);
    const { bytesRead } = await file.read(magic, 0, 4, 0);
    return bytesRead === 4 && magic.toString('latin1') === 'PAR1';
  } finally {
    await file.close();
  }
}

/**
 * Rolls up a Parquet file from disk, read by ranges as S3 objects are,
 * handing the rollups to `consume` as they are built.
 */
async function rollupParquetPath(
  path: string,
  windowMode: WindowMode,
  consume: ConsumeRollups
): Promise<ScannedInput<IngestStats>> {
  const file = await open(path);
  try {
    const { size } = await file.stat();
    const slice = async (start: number, end = size): Promise<ArrayBuffer> => {
      const bytes = new Uint8Array(Math.max(0, end - start));
      const { bytesRead } = await file.read(bytes, 0, bytes.length, start);
      // No copy unless the file ended early (a copy of a row group would
      // be one more row group of garbage).
      return bytesRead === bytes.length
        ? bytes.buffer
        : bytes.buffer.slice(0, bytesRead);
    };
    // Loaded on use, as the other commands' heavy parts are: the text path
    // starts without parsing the Parquet reader, its writer or the AWS SDK.
    const { rollupParquetFileLazily } = await import(
      '../../shared/pipeline/rollupParquet.js'
    );
    return await rollupParquetFileLazily(
      { byteLength: size, slice },
      path,
      { windowMode },
      consume
    );
  } finally {
    await file.close();
  }
}

async function rollupCommand(
  file: string,
  format: FlowLogFormat | undefined,
  windowMode: WindowMode,
  isTimed: boolean
): Promise<void> {
  // Milliseconds since the process started, at each phase's end.
  const commandAt = performance.now();
  let scannedAt = commandAt;
  const out = new Output(process.stdout);
  let items = 0;
  // Each rollup is written as it is built, none kept (text and Parquet);
  // the scanner hands its rollups over as JSON lines already.
  const consume: ConsumeRollups = async (rollups, count, jsonLines) => {
    items = count;
    scannedAt = performance.now();
    if (jsonLines) {
      for (const chunk of jsonLines()) await out.lent(chunk);
      return;
    }
    for (const rollup of rollups) await out.line(JSON.stringify(rollup));
    await out.flush();
  };
  const scanned = (await isParquetFile(file))
    ? await rollupParquetPath(file, windowMode, consume)
    : await rollupFlowLogLazily(
        { chunks: readFile(file), label: file, format },
        { windowMode },
        consume
      );
  const outcome:
    | { kind: 'not-per-eni'; reason: string }
    | { kind: 'done'; stats: IngestStats } =
    scanned.kind === 'scanned'
      ? { kind: 'done', stats: scanned.value }
      : scanned;
  if (outcome.kind === 'not-per-eni') {
    process.stderr.write(`${file}: not per-ENI: ${outcome.reason}\n`);
    process.stderr.write(
      `${JSON.stringify({ file, rollups: 0, notPerEni: outcome.reason })}\n`
    );
    return;
  }
  const doneAt = performance.now();
  const seconds = (ms: number) => Math.round(ms) / 1000;
  const mainThreadCpu = isTimed ? threadCpuSeconds() : undefined;
  const timing = isTimed
    ? {
        seconds: {
          start: seconds(commandAt),
          scan: seconds(scannedAt - commandAt),
          readOut: seconds(doneAt - scannedAt),
          ...(mainThreadCpu === undefined
            ? {}
            : { mainThreadCpu: seconds(mainThreadCpu * 1000) }),
        },
      }
    : {};
  process.stderr.write(
    `${JSON.stringify({ file, rollups: items, ...outcome.stats, ...timing })}\n`
  );
}

export { rollupCommand };
