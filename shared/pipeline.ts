import { FlowLogScanner, ScannerMemory } from './aggregate/flowLogScanner.js';
import { RecordRollup, type RollupOptions } from './aggregate/rollupRecords.js';
import {
  decodeCloudWatchLogs,
  interfaceIdOfStream,
} from './decode/cloudwatchLogs.js';
import { classifyFlowLogKey } from './decode/flowLogKey.js';
import {
  gunzipIfNeeded,
  prepend,
  splitLines,
  TEXT_SLOT_BYTES,
  TEXT_SLOTS,
  takeFirstLine,
} from './decode/flowLogText.js';
import { openParquetFile } from './decode/parquetFlowLog.js';
import { openParquetText } from './decode/parquetText.js';
import {
  DecodeError,
  FlowLogError,
  FormatError,
  messageOf,
  StoreError,
} from './errors.js';
import { WINDOW_SECONDS } from './flowLogRules.js';
import {
  DEFAULT_FORMAT,
  formatFromColumnNames,
  formatFromHeader,
  isHeaderLine,
} from './parse/flowLogFormat.js';
import { parseFlowLogRow, parseFlowLogText } from './parse/parseFlowLogLine.js';
import { scanParquetText } from './scanParquetText.js';
import type { ObjectSource } from './source/s3ObjectSource.js';
import { contributionId } from './store/contributionId.js';
import type { Contribution, RollupStore } from './store/rollupStore.js';
import type {
  FlowLogFormat,
  IngestStats,
  ParsedLine,
  RandomAccessObject,
  Rollup,
  RollupOutcome,
  S3ObjectRef,
  TextRing,
} from './types.js';

/** How to read one input (a file, an S3 object, a CloudWatch batch). */
interface FlowLogInput {
  /** Raw bytes, gzipped or plain. */
  readonly chunks: AsyncIterable<Uint8Array>;
  /** Names the input in errors (a path, s3://bucket/key). */
  readonly label: string;
  /** The format when the input has no header line; default version 2. */
  readonly format?: FlowLogFormat;
  /** Non-gzip bytes are a `DecodeError` (S3 `.log.gz` objects), not plain text. */
  readonly isGzipRequired?: boolean;
}

/** An opened input: its format and the text after any header line. */
interface OpenFlowLog {
  readonly format: FlowLogFormat;
  readonly firstLineNumber: number;
  readonly text: AsyncIterable<Uint8Array>;
  /** Stops decoding (and frees its worker) when `text` is left unread. */
  readonly close: () => Promise<void>;
}

/**
 * Decodes an input and resolves its format: a header line wins; otherwise
 * `input.format`, otherwise the default v2 format. Gzipped text is inflated
 * into `ring` when one is given. Throws `DecodeError` on bad gzip and
 * `FormatError` on an unusable header.
 */
async function openFlowLog(
  input: FlowLogInput,
  ring?: TextRing
): Promise<OpenFlowLog> {
  const text = gunzipIfNeeded(input.chunks, input.label, {
    isGzipRequired: input.isGzipRequired,
    ring,
  });
  const close = async () => {
    await text.return(undefined);
  };
  try {
    const first = await takeFirstLine(text);
    if (first.text !== null && isHeaderLine(first.text)) {
      return {
        format: formatFromHeader(first.text),
        firstLineNumber: 2,
        text: first.rest,
        close,
      };
    }
    return {
      format: input.format ?? DEFAULT_FORMAT,
      firstLineNumber: 1,
      text: prepend(first.bytes, first.rest),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

const NOT_PER_ENI =
  'a Transit Gateway flow log (tgw-* fields, no interface-id) has no per-ENI rollups';

const notPerEni = (format: FlowLogFormat): RollupOutcome => ({
  kind: 'not-per-eni',
  format,
  reason: NOT_PER_ENI,
});

/**
 * Text scanned between two turns of the event loop. The turns feed the
 * inflate worker its compressed input (and, in the fallback without a
 * worker, start zlib's next piece, which it begins only from a callback on
 * this thread).
 */
const SCAN_SLICE_BYTES = 512 * 1024;

/** Lets pending I/O callbacks (zlib's, the source's) run. */
const turnOfEventLoop = (): Promise<void> =>
  new Promise((resolve) => setImmediate(resolve));

/**
 * The hot path: gunzip -> byte scanner -> rollups, streaming with flat
 * memory. Bad lines are counted in `stats`; a Transit Gateway log is
 * reported as `not-per-eni`. Throws `DecodeError`/`FormatError` for inputs
 * that cannot be read at all.
 * @example
 * const outcome = await rollupFlowLog(
 *   { chunks: createReadStream(path), label: path },
 *   { windowMode: 'prorate' }
 * );
 */
async function rollupFlowLog(
  input: FlowLogInput,
  options: RollupOptions
): Promise<RollupOutcome> {
  // The scanner's memory comes first: the text is inflated into its ring
  // and scanned there, with no copy.
  const memory = ScannerMemory.acquire(TEXT_SLOTS, TEXT_SLOT_BYTES);
  try {
    const { format, firstLineNumber, text, close } = await openFlowLog(
      input,
      memory.ring
    );
    try {
      if (format.isTransitGateway) return notPerEni(format);
      const scanner = new FlowLogScanner(
        format,
        options,
        firstLineNumber,
        memory
      );
      for await (const chunk of text) {
        for (let from = 0; from < chunk.length; from += SCAN_SLICE_BYTES) {
          scanner.push(chunk.subarray(from, from + SCAN_SLICE_BYTES));
          await turnOfEventLoop();
        }
      }
      return { kind: 'rollups', format, ...scanner.finish() };
    } finally {
      await close();
    }
  } finally {
    // After close(): the worker no longer writes the ring.
    memory.release();
  }
}

/**
 * The typed path: every non-blank, non-header line parsed into a
 * `FlowRecord` (or a ParseError value), in input order.
 */
async function parseFlowLog(input: FlowLogInput): Promise<{
  format: FlowLogFormat;
  lines: AsyncIterable<ParsedLine>;
  close: () => Promise<void>;
}> {
  const { format, firstLineNumber, text, close } = await openFlowLog(input);
  async function* lines(): AsyncGenerator<ParsedLine> {
    for await (const line of splitLines(text, firstLineNumber)) {
      const result = parseFlowLogText(line.text, line.lineNumber, format);
      if (result) yield { lineNumber: line.lineNumber, result };
    }
  }
  return { format, lines: lines(), close };
}

/**
 * Rolls up through the typed parser (slower, the reference the hot path is
 * checked against). Same contract as `rollupFlowLog`.
 */
async function rollupFlowLogRecords(
  input: FlowLogInput,
  options: RollupOptions
): Promise<RollupOutcome> {
  const { format, lines, close } = await parseFlowLog(input);
  if (format.isTransitGateway) {
    await close();
    return notPerEni(format);
  }
  const rollup = new RecordRollup(format, options);
  for await (const { lineNumber, result } of lines) {
    rollup.add(result, lineNumber);
  }
  return { kind: 'rollups', format, ...rollup.finish() };
}

/** What ingest needs from the outside world. */
interface IngestDeps {
  readonly source: ObjectSource;
  readonly store: RollupStore;
  readonly options: RollupOptions;
}

/** Why an input was not ingested (it is counted, not failed). */
type SkipReason =
  | 'not-a-flow-log-key'
  | 'object-missing'
  | 'not-per-eni'
  | 'control-message'
  | 'empty-batch';

/** What ingesting one input did: logged as one line, sent as metrics. */
interface IngestCounts extends Partial<IngestStats> {
  readonly outcome: 'ingested' | 'skipped';
  readonly skipReason?: SkipReason;
  readonly detail?: string;
  /** (ENI, window) items this input contributes to. */
  readonly rollupItems: number;
  readonly itemsWritten: number;
  readonly itemsAlreadyApplied: number;
  readonly writeCalls: number;
  /** End of the newest window, epoch seconds: ingest lag = now - this. */
  readonly newestWindowEnd: number | null;
  readonly durationMs: number;
}

/** What ingesting one S3 object did. */
interface ObjectSummary extends IngestCounts {
  readonly bucket: string;
  readonly key: string;
  readonly fileFormat?: 'text' | 'parquet';
}

/** What ingesting one CloudWatch Logs subscription batch did. */
interface BatchSummary extends IngestCounts {
  readonly logGroup?: string;
  readonly logStream?: string;
  readonly logEvents: number;
}

const elapsedMs = (startedMs: number): number =>
  Math.round(performance.now() - startedMs);

const skipped = (
  skipReason: SkipReason,
  detail: string,
  startedMs: number
): IngestCounts => ({
  outcome: 'skipped',
  skipReason,
  detail,
  rollupItems: 0,
  itemsWritten: 0,
  itemsAlreadyApplied: 0,
  writeCalls: 0,
  newestWindowEnd: null,
  durationMs: elapsedMs(startedMs),
});

/** Applies one contribution and says what it did. */
async function applyRollups(
  store: RollupStore,
  contribution: Contribution,
  stats: IngestStats,
  startedMs: number
): Promise<IngestCounts> {
  const applied = await store.applyContribution(contribution);
  const { rollups } = contribution;
  return {
    outcome: 'ingested',
    ...stats,
    rollupItems: rollups.length,
    ...applied,
    newestWindowEnd: newestWindowEnd(rollups),
    durationMs: elapsedMs(startedMs),
  };
}

/** A loop, not Math.max(...spread): a big file holds more windows than a call has arguments. */
function newestWindowEnd(rollups: readonly Rollup[]): number | null {
  let newest: number | null = null;
  for (const { windowStart } of rollups) {
    if (newest === null || windowStart > newest) newest = windowStart;
  }
  return newest === null ? null : newest + WINDOW_SECONDS;
}

/**
 * Opens a VPC Flow Logs Parquet file (`.log.parquet`, as delivered to S3):
 * the format comes from the column names (`interface_id` is
 * `interface-id`), and each row becomes a record exactly as
 * `parseFlowLogLine` reads the same record written as text. Rows are read
 * one row group at a time. A bad row is a `ParseError` value; throws
 * `DecodeError` (not Parquet, undecodable row group) or `FormatError` (not
 * flow-log columns), both naming `label`.
 * @example
 * const { format, records } = await openParquetFlowLog(file, 's3://b/k');
 * for await (const { lineNumber, result } of records) rollup.add(result, lineNumber);
 */
async function openParquetFlowLog(
  file: RandomAccessObject,
  label: string
): Promise<{ format: FlowLogFormat; records: AsyncIterable<ParsedLine> }> {
  const { columns, rows } = await openParquetFile(file, label);
  const format = formatFromColumnNames(columns, label);
  async function* records(): AsyncGenerator<ParsedLine> {
    for await (const { lineNumber, cells } of rows) {
      yield { lineNumber, result: parseFlowLogRow(cells, lineNumber, format) };
    }
  }
  return { format, records: records() };
}

/**
 * Rolls up a Parquet file (`.log.parquet`) through the aggregation core of
 * the text path: its row groups go column-wise into a FlowLogScanner
 * (`scanParquetText`), with the same rollups and stats as the typed path.
 * A file the text cannot carry exactly (a nested column, or a value with a
 * space in a field a rollup reads) goes through the typed path instead.
 * Same contract as `rollupFlowLog`: a Transit Gateway log is `not-per-eni`;
 * throws `DecodeError` (not Parquet, undecodable row group) or
 * `FormatError` (not flow-log columns), both naming `label`.
 * @example const outcome = await rollupParquetFile(file, 's3://b/k', options);
 */
async function rollupParquetFile(
  file: RandomAccessObject,
  label: string,
  options: RollupOptions
): Promise<RollupOutcome> {
  const parquet = await openParquetText(file, label);
  const format = formatFromColumnNames(parquet.columns, label);
  if (format.isTransitGateway) return notPerEni(format);
  const scanned = await scanParquetText(parquet, format, options);
  if (scanned !== null) return { kind: 'rollups', format, ...scanned };
  return rollupParquetRecords(file, label, options);
}

/**
 * Rolls up a Parquet file through the typed path (a FlowRecord per row;
 * the reference `rollupParquetFile` is checked against, and its fallback).
 * Same contract as `rollupParquetFile`.
 */
async function rollupParquetRecords(
  file: RandomAccessObject,
  label: string,
  options: RollupOptions
): Promise<RollupOutcome> {
  const { format, records } = await openParquetFlowLog(file, label);
  if (format.isTransitGateway) return notPerEni(format);
  const rollup = new RecordRollup(format, options);
  for await (const { lineNumber, result } of records) {
    rollup.add(result, lineNumber);
  }
  return { kind: 'rollups', format, ...rollup.finish() };
}

/** Rolls up a Parquet object, read by ranges (`rollupParquetFile`). */
async function rollupParquetObject(
  ref: S3ObjectRef,
  label: string,
  deps: IngestDeps
) {
  const opened = await deps.source.randomAccess(ref);
  if (opened === null) return null;
  const outcome = await rollupParquetFile(opened.file, label, deps.options);
  return { ...opened, outcome };
}

/** Rolls up a gzip text object through the hot path, streaming. */
async function rollupTextObject(
  ref: S3ObjectRef,
  label: string,
  deps: IngestDeps
) {
  const opened = await deps.source.stream(ref);
  if (opened === null) return null;
  const outcome = await rollupFlowLog(
    { chunks: opened.body, label, isGzipRequired: true },
    deps.options
  );
  return { ...opened, outcome };
}

/**
 * Ingests one S3 object exactly once: reads it (streamed gzip text, or
 * Parquet by ranges), rolls it up, and applies the rollups to the store
 * as one contribution whose id is bucket, key and the version read
 * (VersionId, else ETag). A key outside the VPC Flow Logs layouts, an
 * object already deleted, or a Transit Gateway log is skipped and said
 * so in the summary. An object that cannot be read or decoded, or a store
 * that keeps failing, throws an error naming the object: nothing is
 * written for an object that fails to decode, and a retry after a partial
 * write only adds what is missing.
 * @example const summary = await ingestS3Object({ bucket, key }, deps);
 */
async function ingestS3Object(
  ref: S3ObjectRef,
  deps: IngestDeps
): Promise<ObjectSummary> {
  const startedMs = performance.now();
  const label = `s3://${ref.bucket}/${ref.key}`;
  const names = { bucket: ref.bucket, key: ref.key };
  const key = classifyFlowLogKey(ref.key);
  if (key.kind === 'skip') {
    return {
      ...names,
      ...skipped('not-a-flow-log-key', key.reason, startedMs),
    };
  }
  try {
    const read =
      key.fileFormat === 'parquet'
        ? await rollupParquetObject(ref, label, deps)
        : await rollupTextObject(ref, label, deps);
    if (read === null) {
      return {
        ...names,
        ...skipped('object-missing', 'no such key', startedMs),
      };
    }
    if (read.outcome.kind === 'not-per-eni') {
      const { reason } = read.outcome;
      return { ...names, ...skipped('not-per-eni', reason, startedMs) };
    }
    const { rollups, stats } = read.outcome;
    const id = contributionId('s3', ref.bucket, ref.key, read.version);
    const counts = await applyRollups(
      deps.store,
      { id, label, rollups },
      stats,
      startedMs
    );
    return { ...names, fileFormat: key.fileFormat, ...counts };
  } catch (error) {
    throw labelled(error, label);
  }
}

/**
 * Ingests every object of one event in turn, reporting each summary as it
 * lands. Tries all of them, then throws one error naming every object that
 * failed (so the event is redelivered; the ones that succeeded are skipped
 * as already applied).
 */
async function ingestS3Objects(
  refs: readonly S3ObjectRef[],
  deps: IngestDeps,
  report: (summary: ObjectSummary) => void
): Promise<ObjectSummary[]> {
  const summaries: ObjectSummary[] = [];
  const failures: unknown[] = [];
  for (const ref of refs) {
    try {
      const summary = await ingestS3Object(ref, deps);
      report(summary);
      summaries.push(summary);
    } catch (error) {
      failures.push(error);
    }
  }
  const [first] = failures;
  if (failures.length === 1) throw first;
  if (failures.length > 1) {
    const messages = failures.map(messageOf);
    throw new AggregateError(
      failures,
      `${failures.length} of ${refs.length} objects failed: ${messages.join('; ')}`
    );
  }
  return summaries;
}

/** The flow-log format of a log group: CloudWatch records have no header. */
interface FormatResolver {
  formatFor(logGroup: string): Promise<FlowLogFormat>;
}

/** What CloudWatch ingest needs from the outside world. */
interface CloudWatchDeps {
  readonly store: RollupStore;
  readonly options: RollupOptions;
  readonly formats: FormatResolver;
}

/**
 * The ENI of a batch's records when its format has no interface-id: the
 * one the stream is named after. Throws `FormatError` when neither says.
 */
function streamInterfaceId(
  format: FlowLogFormat,
  logStream: string
): string | undefined {
  const names = new Set(format.fields.map((field) => field.name));
  if (names.has('interface-id') || names.has('resource-id')) return undefined;
  const interfaceId = interfaceIdOfStream(logStream);
  if (interfaceId === null) {
    throw new FormatError(
      `the format has no interface-id and log stream "${logStream}" is not named <eni-id>-all|accept|reject`
    );
  }
  return interfaceId;
}

/** Adds the input's label to an error that does not name it yet, keeping its kind. */
function labelled(error: unknown, label: string): unknown {
  if (error instanceof FlowLogError && error.message.includes(label)) {
    return error;
  }
  const message = messageOf(error);
  // Keep what kind of failure it was; an error from elsewhere (an SDK
  // call, a stream) stays a plain FlowLogError, not a decode failure.
  const Kind =
    [DecodeError, FormatError, StoreError].find(
      (kind) => error instanceof kind
    ) ?? FlowLogError;
  return new Kind(`${label}: ${message}`, { cause: error });
}

/**
 * Ingests one CloudWatch Logs subscription event exactly once: decodes
 * `awslogs.data`, parses each log event's message as one record in the
 * log group's format (the typed parser), rolls them up and applies them
 * as one contribution whose id hashes log group, log stream and the ids
 * of its log events (a redelivered batch is skipped). A CONTROL_MESSAGE
 * and an empty batch are skipped; malformed messages are counted bad
 * records. Throws `DecodeError` for a payload that cannot be decoded and
 * `FormatError` when no usable format is known, naming the log group.
 * @example const summary = await ingestCloudWatchEvent(event, deps);
 */
async function ingestCloudWatchEvent(
  event: unknown,
  deps: CloudWatchDeps
): Promise<BatchSummary> {
  const startedMs = performance.now();
  const payload = decodeCloudWatchLogs(event);
  if (payload.kind === 'control') {
    const detail = 'CloudWatch Logs checked the destination';
    return { logEvents: 0, ...skipped('control-message', detail, startedMs) };
  }
  const { logGroup, logStream, logEvents } = payload;
  const names = { logGroup, logStream, logEvents: logEvents.length };
  if (logEvents.length === 0) {
    return { ...names, ...skipped('empty-batch', 'no log events', startedMs) };
  }
  const label = `cloudwatch:${logGroup}/${logStream}`;
  try {
    const format = await deps.formats.formatFor(logGroup);
    if (format.isTransitGateway) {
      return { ...names, ...skipped('not-per-eni', NOT_PER_ENI, startedMs) };
    }
    const interfaceId = streamInterfaceId(format, logStream);
    const rollup = new RecordRollup(format, { ...deps.options, interfaceId });
    for (const [index, logEvent] of logEvents.entries()) {
      const result = parseFlowLogText(logEvent.message, index + 1, format);
      if (result) rollup.add(result, index + 1);
    }
    const { rollups, stats } = rollup.finish();
    const ids = logEvents.map((logEvent) => logEvent.id);
    const id = contributionId('cloudwatch', logGroup, logStream, ...ids);
    const contribution = { id, label, rollups };
    const counts = await applyRollups(
      deps.store,
      contribution,
      stats,
      startedMs
    );
    return { ...names, ...counts };
  } catch (error) {
    throw labelled(error, label);
  }
}

export type {
  BatchSummary,
  CloudWatchDeps,
  FlowLogInput,
  FormatResolver,
  IngestCounts,
  IngestDeps,
  ObjectSummary,
  SkipReason,
};
export {
  ingestCloudWatchEvent,
  ingestS3Object,
  ingestS3Objects,
  openParquetFlowLog,
  parseFlowLog,
  rollupFlowLog,
  rollupFlowLogRecords,
  rollupParquetFile,
  rollupParquetRecords,
};
