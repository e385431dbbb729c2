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
import {
  type ConsumeRollups,
  notPerEni,
  type ScannedInput,
} from './rollupFlowLog.js';
import {
  applyCut,
  type PartHandlers,
  type PartsOutcome,
  partsDone,
  ROLLUP_BYTES_PER_ITEM,
  reachesBudget,
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
 * `rollupFlowLogLazily` does for text: one part, however many items; the
 * scanner's part also as JSON lines (`jsonLines`, absent on the typed
 * path).
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
  consume: ConsumeRollups
): Promise<ScannedInput<IngestStats>> {
  const scanned = await rollupParquetInParts(file, label, options, {
    recorded: [],
    maxPartItems: Number.POSITIVE_INFINITY,
    recordEnd: async (_, endLine) => endLine,
    applyPart: (part) => consume(part.rollups, part.items, part.jsonLines),
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
 * path rolls up the rest, from the first part not applied, in parts of its
 * own (`rollupRecordsInParts`): every part keeps its cut, so a retry
 * counts every row once. Same errors as `rollupParquetFile`, and whatever
 * the handlers throw.
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
  const { fromPart, fromLine } = scanned;
  const done = partsDone(handlers.recorded);
  if (done.isAll) {
    // Every part is done (a file only the typed path reads, redelivered).
    const value = { parts: done.next, skippedParts: done.next };
    return {
      kind: 'scanned',
      format,
      value: { ...value, stats: emptyStats() },
    };
  }
  const { records } = await openParquetFlowLog(file, label);
  const rest = await rollupRecordsInParts(records, format, options, handlers, {
    fromPart,
    fromLine,
  });
  return {
    kind: 'scanned',
    format,
    value: {
      parts: rest.parts,
      skippedParts: done.next,
      stats: sumStats([scanned.stats, rest.stats]),
    },
  };
}

/**
 * Memory of an (ENI, window) item in the typed path's accumulator while
 * its part is read, besides ROLLUP_BYTES_PER_ITEM once its rollups are
 * built: measured 1.6-1.9 KiB per item after garbage collection (2M v2
 * records over 20,000 ENIs from Parquet, 65,733 items), doubled for the
 * garbage the typed path makes per row.
 */
const TYPED_BYTES_PER_ITEM = 4 * 1024;
/** A typed part's bytes per item: its accumulator, then its rollups. */
const TYPED_PART_BYTES_PER_ITEM = TYPED_BYTES_PER_ITEM + ROLLUP_BYTES_PER_ITEM;
/** Rows the typed path adds between two looks at its part's size. */
const TYPED_CHECK_ROWS = 1024;

/**
 * The typed path's share of a Parquet file in parts, as `scanInParts` cuts
 * text: rows from `fromLine` on (part `fromPart` starts there), cut at row
 * boundaries once a part holds `maxPartItems` items or would pass
 * `maxPartBytes` with another TYPED_CHECK_ROWS rows like the last; a cut
 * recorded by an earlier attempt is followed, whatever the budget now.
 * Each part is applied (`applyCut`) before the next is read, so memory
 * stays bounded whatever the file holds. Throws `FlowLogError` when the
 * rows end before a recorded cut, and whatever the handlers throw.
 */
async function rollupRecordsInParts(
  records: AsyncIterable<ParsedLine>,
  format: FlowLogFormat,
  options: RollupOptions,
  handlers: PartHandlers,
  { fromPart, fromLine }: { fromPart: number; fromLine: number }
): Promise<{ parts: number; stats: IngestStats }> {
  const { recorded } = handlers;
  const totals: IngestStats[] = [];
  let index = fromPart;
  let rollup = new RecordRollup(format, options);
  let rows = 0;
  let itemsAtCheck = 0;
  const endPart = async (endLine: number | null) => {
    const { rollups, stats } = rollup.finish();
    totals.push(stats);
    const part = { rollups: rollups.values(), items: rollups.length, stats };
    await applyCut(handlers, index, endLine, part);
    index++;
    rollup = new RecordRollup(format, options);
    rows = 0;
    itemsAtCheck = 0;
  };
  for await (const { lineNumber, result } of records) {
    if (lineNumber < fromLine) continue;
    const recordedEnd = recorded[index]?.endLine;
    if (typeof recordedEnd === 'number' && lineNumber >= recordedEnd) {
      await endPart(recordedEnd);
      handlers.beforePart?.(index);
    } else if (
      recordedEnd === undefined &&
      rows > 0 &&
      rows % TYPED_CHECK_ROWS === 0
    ) {
      // The bytes after another TYPED_CHECK_ROWS rows like the last.
      const items = rollup.itemCount();
      const projected = (2 * items - itemsAtCheck) * TYPED_PART_BYTES_PER_ITEM;
      if (reachesBudget(handlers, items, projected)) {
        await endPart(lineNumber);
        handlers.beforePart?.(index);
      } else {
        itemsAtCheck = items;
      }
    }
    rollup.add(result, lineNumber);
    rows++;
  }
  const expected = recorded[index]?.endLine;
  if (typeof expected === 'number') {
    throw new FlowLogError(
      `the rows ended before the recorded end of part ${index} (line ${expected}): not the file that was cut`
    );
  }
  await endPart(null);
  return { parts: index, stats: sumStats(totals) };
}

/**
 * Rolls up a Parquet file through the typed path (a FlowRecord per row),
 * whole: the reference `rollupParquetFile` is checked against (its
 * fallback goes in parts, `rollupRecordsInParts`). Same contract as
 * `rollupParquetFile`.
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
  rollupParquetInParts,
  rollupParquetRecords,
};
