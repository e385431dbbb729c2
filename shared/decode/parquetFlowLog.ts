import { gunzipSync } from 'node:zlib';
import {
  type Compressors,
  type FileMetaData,
  parquetMetadataAsync,
  parquetRead,
  parquetSchema,
} from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { DecodeError, messageOf } from '../errors.js';
import type { RandomAccessObject, RawFieldValue } from '../types.js';

/** One row of a Parquet file: its number (from 1) and its cells in column order. */
interface ParquetRow {
  readonly lineNumber: number;
  readonly cells: readonly RawFieldValue[];
}

/** An opened Parquet file: its top-level column names and its rows. */
interface ParquetFile {
  readonly columns: readonly string[];
  /** One entry per row, in file order; read one row group at a time. */
  readonly rows: AsyncIterable<ParquetRow>;
}

/**
 * Every codec Parquet defines but LZO: hyparquet-compressors', with GZIP
 * (the codec AWS writes) inflated by node:zlib, several times faster than
 * the pure-JavaScript inflater. The output is the same bytes.
 */
const PARQUET_COMPRESSORS: Compressors = {
  ...compressors,
  GZIP: (input: Uint8Array) => gunzipSync(input),
};

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
      compressors: PARQUET_COMPRESSORS,
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
 * Opens a Parquet file (VPC Flow Logs delivers `.log.parquet` objects to
 * S3): its top-level column names, and its rows one row group at a time, so
 * memory is bounded by the largest row group. Cells come as the parser
 * takes them: INT64 as bigint, INT32 as number, a timestamp as epoch
 * milliseconds, null when absent. Every codec Parquet defines except LZO is
 * read (AWS writes GZIP). Throws `DecodeError` naming `label` when the bytes
 * are not Parquet, or (while iterating) a row group cannot be decoded.
 * @example const { columns, rows } = await openParquetFile(file, 's3://b/k');
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3-path.html
 */
async function openParquetFile(
  file: RandomAccessObject,
  label: string
): Promise<ParquetFile> {
  const metadata = await readMetadata(file, label);
  const columns = parquetSchema(metadata).children.map(
    (column) => column.element.name
  );
  async function* rows(): AsyncGenerator<ParquetRow> {
    let rowStart = 0;
    for (const [group, rowGroup] of metadata.row_groups.entries()) {
      const rowEnd = rowStart + Number(rowGroup.num_rows);
      if (rowEnd > rowStart) {
        const range = { rowStart, rowEnd, group };
        const found = await readRows(file, metadata, columns, range, label);
        for (const [i, row] of found.entries()) {
          yield { lineNumber: rowStart + i + 1, cells: row.map(rawValueOf) };
        }
      }
      rowStart = rowEnd;
    }
  }
  return { columns, rows: rows() };
}

export type { ParquetFile, ParquetRow };
export { openParquetFile, PARQUET_COMPRESSORS, rawValueOf, readMetadata };
