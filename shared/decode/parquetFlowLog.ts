import {
  type FileMetaData,
  parquetMetadataAsync,
  parquetRead,
  parquetSchema,
} from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { DecodeError, FormatError } from '../errors.js';
import { formatFromFieldNames } from '../parse/flowLogFormat.js';
import {
  checkRecord,
  type RawFieldValue,
  setFieldValue,
} from '../parse/parseFlowLogLine.js';
import type {
  FieldValue,
  FlowLogFormat,
  ParsedLine,
  RandomAccessObject,
} from '../types.js';

/** An opened Parquet flow log: its format and its rows, parsed. */
interface ParquetFlowLog {
  readonly format: FlowLogFormat;
  /** One entry per row, in file order; read one row group at a time. */
  readonly records: AsyncIterable<ParsedLine>;
}

/** The text of a caught value, for a message. */
const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/** Reads the footer; anything that is not Parquet fails here. */
async function readMetadata(
  file: RandomAccessObject,
  label: string
): Promise<FileMetaData> {
  try {
    return await parquetMetadataAsync(file);
  } catch (error) {
    throw new DecodeError(
      `${label}: not a readable Parquet file (${messageOf(error)})`,
      { cause: error }
    );
  }
}

/**
 * The flow-log format of a Parquet file's top-level columns, in order.
 * Throws `FormatError` (naming `label`) when the columns are not flow-log
 * fields or lack the ones a rollup needs.
 */
function formatOfColumns(
  names: readonly string[],
  label: string
): FlowLogFormat {
  let format: FlowLogFormat;
  try {
    format = formatFromFieldNames(names);
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    throw new FormatError(
      `${label}: not a flow-log Parquet file (${error.message})`,
      { cause: error }
    );
  }
  if (!format.fields.some((field) => field.isKnown)) {
    throw new FormatError(
      `${label}: not a flow-log Parquet file: no column is a flow-log field (columns: ${names.join(', ')})`
    );
  }
  const has = new Set(format.fields.map((field) => field.name));
  const missing = ['start', 'end']
    .filter((name) => !has.has(name))
    .map((name) => name.replace(/-/g, '_'));
  // A Transit Gateway log has no ENI column by design: its format says so
  // and the pipeline reports it as not per ENI rather than failing it.
  if (
    !has.has('interface-id') &&
    !has.has('resource-id') &&
    !format.isTransitGateway
  ) {
    missing.unshift('interface_id (or resource_id)');
  }
  if (missing.length > 0) {
    throw new FormatError(
      `${label}: not a flow-log Parquet file: no ${missing.join(', ')} column`
    );
  }
  return format;
}

/**
 * A Parquet cell as the parser's rules take it. Parquet INT64 arrives as
 * bigint and INT32 as number; a timestamp column (a Date) gives its epoch
 * milliseconds; any other type is read as its text.
 */
function rawValueOf(cell: unknown): RawFieldValue {
  if (cell === null || cell === undefined) return null;
  if (
    typeof cell === 'string' ||
    typeof cell === 'number' ||
    typeof cell === 'bigint'
  ) {
    return cell;
  }
  if (cell instanceof Date) return cell.getTime();
  return String(cell);
}

/** One row as a parse result, by the same rules as a text line. */
function parseRow(
  row: readonly unknown[],
  format: FlowLogFormat,
  lineNumber: number
): ParsedLine {
  const record: Record<string, FieldValue> = {};
  const { fields } = format;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i];
    if (field === undefined) continue;
    const error = setFieldValue(record, field, rawValueOf(row[i]), lineNumber);
    if (error !== undefined) {
      return { lineNumber, result: { success: false, error } };
    }
  }
  return { lineNumber, result: checkRecord(record, lineNumber) };
}

/** The rows [rowStart, rowEnd) of one row group, cells in column order. */
async function readRows(
  file: RandomAccessObject,
  metadata: FileMetaData,
  columns: readonly string[],
  range: { rowStart: number; rowEnd: number; group: number },
  label: string
): Promise<unknown[][]> {
  let rows: unknown[][] = [];
  try {
    await parquetRead({
      file,
      metadata,
      compressors,
      columns: [...columns],
      rowStart: range.rowStart,
      rowEnd: range.rowEnd,
      rowFormat: 'array',
      onComplete: (data) => {
        rows = data;
      },
    });
  } catch (error) {
    throw new DecodeError(
      `${label}: cannot read Parquet row group ${range.group} (${messageOf(error)})`,
      { cause: error }
    );
  }
  return rows;
}

/**
 * Opens a VPC Flow Logs Parquet file (`.log.parquet`, as delivered to S3):
 * the format comes from the column names (`interface_id` is
 * `interface-id`), and each row becomes a record exactly as
 * `parseFlowLogLine` reads the same record written as text (integers as
 * numbers, absent as null, millisecond start/end as seconds). Rows are read
 * one row group at a time, so memory is bounded by the largest row group.
 * Every codec Parquet defines except LZO is read (AWS writes GZIP).
 *
 * A bad row is a `ParseError` value with the reasons the text parser gives
 * (`bad-integer` for a negative, fractional or unsafe integer, `bad-action`,
 * `bad-log-status`, `end-before-start`), never thrown; its `lineNumber` is
 * the row's index in the file plus one. Throws `DecodeError` naming `label`
 * when the bytes are not Parquet or a row group cannot be decoded (the
 * latter while iterating), and `FormatError` naming `label` and the missing
 * columns when the schema is not a flow log (no flow-log field, or no
 * `start`, `end`, or `interface_id`/`resource_id` column; a Transit Gateway
 * log needs no ENI column, and its format says it is one).
 * @example
 * const { format, records } = await openParquetFlowLog(file, 's3://b/k');
 * for await (const { lineNumber, result } of records) rollup.add(result, lineNumber);
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3-path.html
 */
async function openParquetFlowLog(
  file: RandomAccessObject,
  label: string
): Promise<ParquetFlowLog> {
  const metadata = await readMetadata(file, label);
  const columns = parquetSchema(metadata).children.map(
    (column) => column.element.name
  );
  const format = formatOfColumns(columns, label);
  async function* records(): AsyncGenerator<ParsedLine> {
    let rowStart = 0;
    for (const [group, rowGroup] of metadata.row_groups.entries()) {
      const rowEnd = rowStart + Number(rowGroup.num_rows);
      if (rowEnd > rowStart) {
        const range = { rowStart, rowEnd, group };
        const rows = await readRows(file, metadata, columns, range, label);
        for (const [i, row] of rows.entries()) {
          yield parseRow(row, format, rowStart + i + 1);
        }
      }
      rowStart = rowEnd;
    }
  }
  return { format, records: records() };
}

export type { ParquetFlowLog };
export { openParquetFlowLog };
