import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { vi } from 'vitest';
import { lambdaContext } from '../../scripts/local/lambdaContext.js';
import { ensureRollupTable } from '../../scripts/local/localStack.js';
import {
  type CloudWatchLogEvent,
  encodeCloudWatchLogs,
} from '../../shared/decode/cloudwatchLogs.js';
import type { BatchSummary } from '../../shared/pipeline/ingestCloudWatch.js';
import type { LogEntry } from './handlerLogs.js';
import type { IngestStack } from './ingestStack.js';

/** A CloudWatch Logs subscription event, as Lambda receives it. */
interface AwsLogsEvent {
  awslogs: { data: string };
}

/** One subscription batch: its stream, the lines it carries and its event. */
interface CloudWatchBatch {
  readonly logGroup: string;
  readonly logStream: string;
  readonly lines: readonly string[];
  readonly event: AwsLogsEvent;
}

/** What a batch is built from. */
interface BatchOptions {
  readonly logGroup: string;
  /** Log events per batch (CloudWatch sends up to 10,000). */
  readonly batchSize: number;
  /** Distinguishes the log event ids of different calls; default 0. */
  readonly idSeed?: number;
  readonly owner?: string;
}

const ACCOUNT = '123456789012';

/**
 * A 56-digit log event id, unique for (seed, sequence): CloudWatch ids are
 * decimals longer than 2^53, so they stay strings.
 */
const logEventId = (
  timestamp: number,
  seed: number,
  sequence: number
): string =>
  `${String(timestamp).padStart(13, '0')}${String(seed).padStart(6, '0')}${String(sequence).padStart(10, '0')}`.padEnd(
    56,
    '0'
  );

/**
 * Log events of record lines, as a flow log writes them to CloudWatch Logs:
 * one record a message, the record's start (when the format has one) as
 * timestamp, unique ids numbered from `firstSequence`.
 */
function logEventsOf(
  fieldNames: readonly string[],
  lines: readonly string[],
  seed = 0,
  firstSequence = 0
): CloudWatchLogEvent[] {
  const startAt = fieldNames.indexOf('start');
  return lines.map((message, index) => {
    const start = Number(message.split(' ')[startAt]);
    const timestamp = Number.isSafeInteger(start) ? start * 1000 : 0;
    return {
      id: logEventId(timestamp, seed, firstSequence + index),
      timestamp,
      message,
    };
  });
}

/** One batch of these lines under a log stream, encoded as Lambda gets it. */
function cloudWatchBatch(
  fieldNames: readonly string[],
  lines: readonly string[],
  logStream: string,
  options: Omit<BatchOptions, 'batchSize'>,
  firstSequence = 0
): CloudWatchBatch {
  const event = encodeCloudWatchLogs({
    owner: options.owner ?? ACCOUNT,
    logGroup: options.logGroup,
    logStream,
    subscriptionFilters: ['flowlog-rollups'],
    logEvents: logEventsOf(
      fieldNames,
      lines,
      options.idSeed ?? 0,
      firstSequence
    ),
  });
  return { logGroup: options.logGroup, logStream, lines, event };
}

/**
 * The batches CloudWatch Logs would deliver for a file's lines: grouped by
 * ENI into log streams `<eni>-all` (file order kept within a stream), each
 * stream split into batches of `batchSize` log events. `interfaceIds` names
 * the ENI of each line when the lines have no interface-id column.
 */
function cloudWatchBatches(
  fieldNames: readonly string[],
  lines: readonly string[],
  options: BatchOptions,
  interfaceIds?: readonly string[]
): CloudWatchBatch[] {
  const column = fieldNames.indexOf('interface-id');
  const byEni = new Map<string, string[]>();
  for (const [index, line] of lines.entries()) {
    const eni = interfaceIds?.[index] ?? line.split(' ')[column] ?? '-';
    const stream = byEni.get(eni) ?? [];
    stream.push(line);
    byEni.set(eni, stream);
  }
  const batches: CloudWatchBatch[] = [];
  let sequence = 0;
  for (const [eni, streamLines] of byEni) {
    for (let at = 0; at < streamLines.length; at += options.batchSize) {
      const chunk = streamLines.slice(at, at + options.batchSize);
      batches.push(
        cloudWatchBatch(fieldNames, chunk, `${eni}-all`, options, sequence)
      );
      sequence += chunk.length;
    }
  }
  return batches;
}

/** An event whose `awslogs.data` is base64 of gzip of this text. */
const gzippedPayload = (text: string): AwsLogsEvent => ({
  awslogs: { data: gzipSync(text).toString('base64') },
});

/** A `${...}` format string of these field names. */
const formatString = (fieldNames: readonly string[]): string =>
  fieldNames.map((name) => `\${${name}}`).join(' ');

/** events/cloudwatch-logs-subscription.json, parsed. */
async function loadCloudWatchSample(): Promise<AwsLogsEvent> {
  const text = await readFile(
    new URL('../../events/cloudwatch-logs-subscription.json', import.meta.url),
    'utf8'
  );
  return JSON.parse(text) as AwsLogsEvent;
}

type CloudWatchHandler =
  typeof import('../../functions/cloudwatchIngest.js')['handler'];
type S3Handler = typeof import('../../functions/s3Ingest.js')['handler'];

/** The environment a handler is imported with: undefined unsets a variable. */
type HandlerEnv = Readonly<Record<string, string | undefined>>;

const CONFIG_VARIABLES = [
  'FLOW_LOG_FORMAT',
  'FLOW_LOG_FORMATS',
  'AWS_MAX_ATTEMPTS',
] as const;

/** Sets `process.env` for the next handler import; format variables unset unless given. */
function applyEnv(settings: HandlerEnv): void {
  for (const name of CONFIG_VARIABLES) delete process.env[name];
  for (const [name, value] of Object.entries(settings)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}

/** The error classes of one module registry, for `instanceof` checks. */
type ErrorClasses = typeof import('../../shared/errors.js');

/**
 * A handler imported afresh, and the error classes of the same import:
 * after `vi.resetModules()` the handler throws instances of its own copy
 * of shared/errors.js, not of the one the test imported statically.
 */
interface Imported<R> {
  readonly invoke: (event: unknown) => Promise<R>;
  readonly errors: ErrorClasses;
}

/**
 * A fresh import of the real cloudwatchIngest handler (it reads its
 * configuration and builds its clients at import), under `settings`.
 */
async function importCloudWatchHandler(
  settings: HandlerEnv
): Promise<Imported<void>> {
  applyEnv(settings);
  vi.resetModules();
  const { handler }: { handler: CloudWatchHandler } = await import(
    '../../functions/cloudwatchIngest.js'
  );
  const errors: ErrorClasses = await import('../../shared/errors.js');
  return {
    invoke: (event) => handler(event, lambdaContext('cloudwatchIngest')),
    errors,
  };
}

/** A fresh import of the real s3Ingest handler, under `settings`. */
async function importS3Handler(
  settings: HandlerEnv
): Promise<Imported<unknown>> {
  applyEnv(settings);
  vi.resetModules();
  const { handler }: { handler: S3Handler } = await import(
    '../../functions/s3Ingest.js'
  );
  const errors: ErrorClasses = await import('../../shared/errors.js');
  return {
    invoke: (event) => handler(event, lambdaContext('s3Ingest')),
    errors,
  };
}

/** A new, empty rollup table of the stack (serverless.yml's definition). */
async function createTable(env: IngestStack, name: string): Promise<string> {
  const tableName = `${env.tableName}-${name}`;
  await ensureRollupTable(env.stack.dynamo, tableName);
  return tableName;
}

/** A batch summary as cloudwatchIngest logs it ("Ingest complete."). */
type LoggedBatchSummary = BatchSummary & {
  readonly level: string;
  readonly timestamp: string;
};

/** The batch summaries among captured log entries, in order. */
const batchSummaries = (entries: readonly LogEntry[]): LoggedBatchSummary[] =>
  entries.filter(
    (entry): entry is LogEntry & LoggedBatchSummary =>
      entry.message === 'Ingest complete.'
  );

export type {
  AwsLogsEvent,
  CloudWatchBatch,
  ErrorClasses,
  HandlerEnv,
  Imported,
  LoggedBatchSummary,
};
export {
  batchSummaries,
  cloudWatchBatch,
  cloudWatchBatches,
  createTable,
  formatString,
  gzippedPayload,
  importCloudWatchHandler,
  importS3Handler,
  loadCloudWatchSample,
  logEventsOf,
};
