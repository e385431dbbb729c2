import {
  RecordRollup,
  type RollupOptions,
} from '../aggregate/rollupRecords.js';
import { openParquetFile } from '../decode/parquetFlowLog.js';
import { openParquetText } from '../decode/parquetText.js';
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
 * `FormatError` (not flow-log columns), both naming `label`, and
 * `TooLargeError` once the rollups would need more than `maxBytes`.
 * @example const outcome = await rollupParquetFile(file, 's3://b/k', options);
 */
async function rollupParquetFile(
  file: RandomAccessObject,
  label: string,
  options: RollupOptions,
  maxBytes?: number
): Promise<RollupOutcome> {
  let rollups: Rollup[] = [];
  const scanned = await rollupParquetFileLazily(
    file,
    label,
    options,
    async (built) => {
      rollups = [...built];
    },
    maxBytes
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
 * `rollupFlowLogLazily` does for text. Resolves to the statistics, or
 * `not-per-eni`.
 * @example
 * await rollupParquetFileLazily(file, path, options, async (rollups) => {
 *   for (const rollup of rollups) await out.line(JSON.stringify(rollup));
 * });
 */
async function rollupParquetFileLazily(
  file: RandomAccessObject,
  label: string,
  options: RollupOptions,
  consume: (rollups: IterableIterator<Rollup>, items: number) => Promise<void>,
  maxBytes?: number
): Promise<ScannedInput<IngestStats>> {
  const parquet = await openParquetText(file, label);
  const format = formatFromColumnNames(parquet.columns, label);
  if (format.isTransitGateway) return notPerEni(format);
  const scanned = await scanParquetText(
    parquet,
    format,
    options,
    async ({ rollups, items, stats }) => {
      await consume(rollups, items);
      return stats;
    },
    maxBytes === undefined ? undefined : { label, maxBytes }
  );
  if (scanned !== null) return { kind: 'scanned', format, value: scanned };
  const typed = await rollupParquetRecords(file, label, options);
  if (typed.kind !== 'rollups') return typed;
  await consume(typed.rollups.values(), typed.rollups.length);
  return { kind: 'scanned', format, value: typed.stats };
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

export {
  openParquetFlowLog,
  rollupParquetFile,
  rollupParquetFileLazily,
  rollupParquetRecords,
};
