/**
 * `flowlogs`: the command line over the shared pipeline.
 *   flowlogs parse FILE [--format FMT]
 *   flowlogs rollup FILE [--format FMT] [--window-mode prorate|start] [--timing]
 *   flowlogs generate --records N [--format v2|v5|v11|FMT] [--enis N] [--seed S] [--start EPOCH] --out FILE
 *   flowlogs dashboard --url https://API [--profile NAME] [--region R] [--port 3001]
 * Exit status: 0 done (bad lines are reported, not fatal), 1 the file cannot
 * be read or decoded, 2 bad usage.
 */
import { createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { createGzip } from 'node:zlib';
import { assertRollupFormat } from '../shared/aggregate/rollupRecords.js';
import {
  INFLATE_CHUNK_BYTES,
  warmInflateWorker,
} from '../shared/decode/flowLogText.js';
import { FlowLogError, FormatError } from '../shared/errors.js';
import {
  DEFAULT_START_SECONDS,
  generateFlowLogLines,
} from '../shared/generate/generateFlowLogLines.js';
import { resolveFormat } from '../shared/parse/flowLogFormat.js';
import {
  parseFlowLog,
  rollupFlowLogLazily,
  type ScannedInput,
} from '../shared/pipeline/rollupFlowLog.js';
import type {
  FieldValue,
  FlowLogFormat,
  IngestStats,
  Rollup,
  WindowMode,
} from '../shared/types.js';

const USAGE = `usage:
  flowlogs parse FILE [--format FMT]
  flowlogs rollup FILE [--format FMT] [--window-mode prorate|start]
  flowlogs generate --records N [--format v2|v5|v11|FMT] [--enis N] [--seed S] [--start EPOCH] --out FILE
  flowlogs dashboard --url https://API [--profile NAME] [--region R] [--port 3001]
dashboard serves a deployed stage's dashboard on 127.0.0.1, signing every
request with your AWS credentials (SigV4), since the API keeps IAM auth.
FILE may be gzipped or plain; a header line, if present, gives the format.
rollup also takes Parquet (.parquet or PAR1 bytes: the columns give the
format); generate writes Parquet when FILE ends in .parquet.
--timing adds to rollup's summary (stderr) the seconds of its phases on the
main thread: start (to the command), scan, read-out (rollups built and written).
FMT is v2, v5, v11, or a format string like '\${version} \${interface-id} ...'.`;

class UsageError extends Error {}

/** Buffers output lines and writes them in large chunks, honouring backpressure. */
class Output {
  private buffer: string[] = [];
  private size = 0;
  private readonly stream: NodeJS.WritableStream;

  constructor(stream: NodeJS.WritableStream) {
    this.stream = stream;
  }

  async line(text: string): Promise<void> {
    this.buffer.push(text);
    this.size += text.length + 1;
    if (this.size >= 1 << 16) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const text = `${this.buffer.join('\n')}\n`;
    this.buffer = [];
    this.size = 0;
    await this.bytes(text);
  }

  /** Writes bytes (after a flush), waiting while the stream is full. */
  async bytes(chunk: Uint8Array | string): Promise<void> {
    if (!this.stream.write(chunk)) {
      await new Promise((resolve) => this.stream.once('drain', resolve));
    }
  }
}

/**
 * The file's bytes, read into one reused buffer: the pipeline copies what
 * it keeps before asking for more (gunzipIfNeeded), and a fresh buffer per
 * read would leave 1 MiB of garbage each time for the GC to catch up with.
 */
async function* readFile(path: string): AsyncGenerator<Uint8Array> {
  const file = await open(path);
  try {
    const buffer = Buffer.allocUnsafe(INFLATE_CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await file.close();
  }
}

/**
 * Resolves --format, and runs `check` on it; a FormatError from either is
 * bad usage (exit 2).
 */
function formatOption(
  value: string | undefined,
  check: (format: FlowLogFormat) => void = () => {}
): FlowLogFormat | undefined {
  if (value === undefined) return undefined;
  try {
    const format = resolveFormat(value);
    check(format);
    return format;
  } catch (error) {
    if (error instanceof FormatError) {
      throw new UsageError(`--format: ${error.message}`);
    }
    throw error;
  }
}

function integerOption(
  name: string,
  value: string | undefined,
  fallback?: number
): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required`);
    return fallback;
  }
  const number = Number(value);
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(number)) {
    throw new UsageError(
      `--${name} must be a non-negative integer, got "${value}"`
    );
  }
  return number;
}

async function parseCommand(
  file: string,
  format?: FlowLogFormat
): Promise<void> {
  const parsed = await parseFlowLog({
    chunks: readFile(file),
    label: file,
    format,
  });
  const names = parsed.format.fields.map(
    (field) => [field.key, field.name] as const
  );
  const out = new Output(process.stdout);
  for await (const { result } of parsed.lines) {
    if (!result.success) {
      process.stderr.write(`${result.error.message}\n`);
      continue;
    }
    const json: Record<string, FieldValue> = {};
    for (const [key, name] of names) json[name] = result.data[key] ?? null;
    await out.line(JSON.stringify(json));
  }
  await out.flush();
}

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
  consume: (rollups: IterableIterator<Rollup>, items: number) => Promise<void>
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
      '../shared/pipeline/rollupParquet.js'
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
  // the text path hands its rollups over as JSON lines already.
  const consume = async (
    rollups: Iterable<Rollup>,
    count: number,
    jsonLines?: () => Iterable<Uint8Array>
  ) => {
    items = count;
    scannedAt = performance.now();
    if (jsonLines) {
      for (const chunk of jsonLines()) await out.bytes(chunk);
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
  const timing = isTimed
    ? {
        seconds: {
          start: seconds(commandAt),
          scan: seconds(scannedAt - commandAt),
          readOut: seconds(doneAt - scannedAt),
        },
      }
    : {};
  process.stderr.write(
    `${JSON.stringify({ file, rollups: items, ...outcome.stats, ...timing })}\n`
  );
}

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
    const { writeParquetFlowLog } = await import('./parquetFlowLogWriter.js');
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

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string' },
      'window-mode': { type: 'string' },
      records: { type: 'string' },
      enis: { type: 'string' },
      seed: { type: 'string' },
      start: { type: 'string' },
      out: { type: 'string' },
      url: { type: 'string' },
      profile: { type: 'string' },
      region: { type: 'string' },
      port: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      timing: { type: 'boolean' },
    },
  });
  const [command, file, ...extra] = positionals;
  // The inflate thread boots while the rest starts; a .parquet file needs
  // none (one named otherwise, known by its bytes, just leaves it idle).
  const isParquetNamed = file?.endsWith('.parquet') === true;
  if ((command === 'rollup' || command === 'parse') && !isParquetNamed) {
    warmInflateWorker();
  }
  if (values.help || command === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  if (command === 'generate') {
    await generateCommand(values as Record<string, string | undefined>);
    return 0;
  }
  if (command === 'dashboard') {
    await dashboardCommand(values as Record<string, string | undefined>);
    return 0;
  }
  if (command !== 'parse' && command !== 'rollup') {
    throw new UsageError(`unknown command "${command}"`);
  }
  if (file === undefined || extra.length > 0) {
    throw new UsageError(`${command} takes exactly one FILE`);
  }
  if (command === 'parse') {
    await parseCommand(file, formatOption(values.format));
    return 0;
  }
  const mode = values['window-mode'] ?? 'prorate';
  if (mode !== 'prorate' && mode !== 'start') {
    throw new UsageError(
      `--window-mode must be prorate or start, got "${mode}"`
    );
  }
  const format = formatOption(values.format, (candidate) =>
    assertRollupFormat(candidate, { windowMode: mode })
  );
  await rollupCommand(file, format, mode, values.timing === true);
  return 0;
}

/** `flowlogs dashboard`: the signing proxy, until interrupted. */
async function dashboardCommand(
  values: Record<string, string | undefined>
): Promise<void> {
  if (values.url === undefined) throw new UsageError('dashboard needs --url');
  const port = Number(values.port ?? '3001');
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new UsageError(`--port must be a TCP port, got "${values.port}"`);
  }
  const { startSigningProxy } = await import('./signingProxy.js');
  const proxy = await startSigningProxy({
    url: values.url,
    region: values.region,
    profile: values.profile,
    port,
  }).catch((error: unknown) => {
    throw error instanceof TypeError ? new UsageError(error.message) : error;
  });
  // Ctrl-C closes the proxy: listened for before the ready line is out.
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', () => proxy.server.close(() => resolve()));
  });
  process.stdout.write(
    `dashboard of ${values.url} on http://127.0.0.1:${proxy.port}/ (requests signed for ${proxy.region}; Ctrl-C stops)\n`
  );
  await stopped;
}

process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  // A closed pipe (`flowlogs parse f | head`) is a normal way to stop.
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (
      error instanceof UsageError ||
      (error instanceof TypeError && 'code' in error)
    ) {
      process.stderr.write(`flowlogs: ${error.message}\n${USAGE}\n`);
      process.exitCode = 2;
    } else if (
      error instanceof FlowLogError ||
      (error instanceof Error && 'code' in error)
    ) {
      process.stderr.write(`flowlogs: ${error.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(
        `flowlogs: ${String(error instanceof Error ? error.stack : error)}\n`
      );
      process.exitCode = 1;
    }
  }
);
