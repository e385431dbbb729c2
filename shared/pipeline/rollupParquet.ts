import {
  RecordRollup,
  type RollupOptions,
} from '../aggregate/rollupRecords.js';
import { emptyStats } from '../aggregate/statsCollector.js';
import { openParquetFile } from '../decode/parquetFlowLog.js';
import { openParquetText } from '../decode/parquetText.js';
import { FlowLogError } from '../errors.js';
import { formatFromColumnNames } from '../parse/flowLogFormat.js';
import { parseFlowLogRow } from '../parse/parseFlowLogLine.js';
import type {
  FlowLogFormat,
  IngestStats,
  ParsedLine,
  RandomAccessObject,
  Rollup,
  RollupOutcome,
} from '../types.js';
import { notPerEni, type ScannedInput } from './rollupFlowLog.js';
import {
  applyCut,
  type PartHandlers,
  type PartsOutcome,
  partsDone,
  sumStats,
} from './scanInParts.js';
import { scanParquetText } from './scanParquetText.js';

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
  let rollups: Rollup[] = [];
  const scanned = await rollupParquetFileLazily(
    file,
    label,
    options,
    async (built) => {
      rollups = [...built];
    }
  );
  if (scanned.kind !== 'scanned') return scanned;
  return {
    kind: 'rollups',
    format: scanned.format,
    rollups,
    stats: scanned.value,
  };
}

/**
 * `rollupParquetFile` with the rollups handed to `consume` as they are
 * built (no array of them all when the file goes through the scanner), as
 * `rollupFlowLogLazily` does for text: one part, however many items.
 * Resolves to the statistics, or `not-per-eni`.
 * @example
 * await rollupParquetFileLazily(file, path, options, async (rollups) => {
 *   for (const rollup of rollups) await out.line(JSON.stringify(rollup));
 * });
 */
async function rollupParquetFileLazily(
  file: RandomAccessObject,
  label: string,
  options: RollupOptions,
  consume: (rollups: IterableIterator<Rollup>, items: number) => Promise<void>
): Promise<ScannedInput<IngestStats>> {
  const scanned = await rollupParquetInParts(file, label, options, {
    recorded: [],
    maxPartItems: Number.POSITIVE_INFINITY,
    recordEnd: async (_, endLine) => endLine,
    applyPart: (part) => consume(part.rollups, part.items),
  });
  if (scanned.kind !== 'scanned') return scanned;
  return {
    kind: 'scanned',
    format: scanned.format,
    value: scanned.value.stats,
  };
}

/**
 * Rolls up a Parquet file in parts, as `scanInParts` does text (the
 * handlers say how: `scanParquetText`), and hands each part to
 * `handlers.applyPart`. Where the text cannot carry the file (a nested
 * column, or a value with a space in a field a rollup reads), the typed
 * path rolls up the rest, from the first part not applied, as one last
 * part: the parts before it keep their cuts, so a retry counts every row
 * once. Same errors as `rollupParquetFile`, and whatever the handlers
 * throw; a recorded cut the typed path cannot follow is a FlowLogError.
 */
async function rollupParquetInParts(
  file: RandomAccessObject,
  label: string,
  options: RollupOptions,
  handlers: PartHandlers
): Promise<ScannedInput<PartsOutcome>> {
  const parquet = await openParquetText(file, label);
  const format = formatFromColumnNames(parquet.columns, label);
  if (format.isTransitGateway) return notPerEni(format);
  const scanned = await scanParquetText(parquet, format, options, handlers);
  if (scanned.kind === 'scanned') {
    return { kind: 'scanned', format, value: scanned.value };
  }
  const { fromPart: index, fromLine } = scanned;
  const { recorded } = handlers;
  const done = partsDone(recorded);
  if (done.isAll) {
    // Every part is done (a file only the typed path reads, redelivered).
    const value = { parts: done.next, skippedParts: done.next };
    return {
      kind: 'scanned',
      format,
      value: { ...value, stats: emptyStats() },
    };
  }
  const recordedEnd = recorded[index]?.endLine;
  if (recordedEnd !== undefined && recordedEnd !== null) {
    throw new FlowLogError(
      `${label}: part ${index} is recorded to end at line ${recordedEnd}, but its rows from line ${fromLine} on can only be rolled up as one part (through the typed path)`
    );
  }
  const typed = await rollupParquetRecords(file, label, options, fromLine);
  if (typed.kind !== 'rollups') return typed;
  const { rollups, stats } = typed;
  await applyCut(handlers, index, null, {
    rollups: rollups.values(),
    items: rollups.length,
    stats,
  });
  return {
    kind: 'scanned',
    format,
    value: {
      parts: index + 1,
      skippedParts: done.next,
      stats: sumStats([scanned.stats, stats]),
    },
  };
}

/**
 * Rolls up a Parquet file through the typed path (a FlowRecord per row;
 * the reference `rollupParquetFile` is checked against, and its fallback),
 * from row (line) `fromLine` on: the rows before it are read and skipped.
 * Same contract as `rollupParquetFile`.
 */
async function rollupParquetRecords(
  file: RandomAccessObject,
  label: string,
  options: RollupOptions,
  fromLine = 0
): Promise<RollupOutcome> {
  const { format, records } = await openParquetFlowLog(file, label);
  if (format.isTransitGateway) return notPerEni(format);
  const rollup = new RecordRollup(format, options);
  for await (const { lineNumber, result } of records) {
    if (lineNumber >= fromLine) rollup.add(result, lineNumber);
  }
  return { kind: 'rollups', format, ...rollup.finish() };
}

export {
  openParquetFlowLog,
  rollupParquetFile,
  rollupParquetFileLazily,
  rollupParquetInParts,
  rollupParquetRecords,
};
