/**
 * Writes flow-log lines as a Parquet file the way VPC Flow Logs delivers
 * `.log.parquet` objects to S3, for `flowlogs generate --out X.log.parquet`.
 * hyparquet-writer is a devDependency: only this dev tool imports it.
 */
import { gzipSync } from 'node:zlib';
import {
  type BasicType,
  type ColumnSource,
  fileWriter,
  ParquetWriter,
  schemaFromColumnData,
} from 'hyparquet-writer';
import type { FlowLogFormat } from '../shared/types.js';

/** The integer columns AWS writes as INT64; the other integers are INT32. */
const INT64_FIELDS = new Set(['packets', 'bytes', 'start', 'end']);

/**
 * Rows per row group. AWS documents the codec (GZIP) but not its row-group
 * size; this is Apache Arrow's default maximum row-group length (parquet-mr
 * cuts at 128 MiB, a few million such rows), so a 2M-record file has two.
 */
const ROW_GROUP_ROWS = 1024 * 1024;

/** Target uncompressed page size, the default of parquet-mr and Arrow. */
const PAGE_BYTES = 1024 * 1024;

/** Largest dictionary per column chunk (parquet-mr's and Arrow's default). */
const DICTIONARY_BYTES = 1024 * 1024;

/** The Parquet column of each field: `interface-id` is `interface_id`. */
function columnsOf(format: FlowLogFormat): { name: string; type: BasicType }[] {
  return format.fields.map((field) => ({
    name: field.name.replace(/-/g, '_'),
    type:
      field.type === 'string'
        ? 'STRING'
        : INT64_FIELDS.has(field.name)
          ? 'INT64'
          : 'INT32',
  }));
}

/**
 * Writes `lines` (flow-log text in `format`, no header) to `path` as
 * Parquet: one nullable column per field (`-` is null), GZIP pages of
 * about 1 MiB, dictionary encoding where it pays, ROW_GROUP_ROWS rows per
 * row group; memory holds one row group's columns. A value that is not an
 * integer in an integer column throws (generated lines have none).
 */
function writeParquetFlowLog(
  path: string,
  format: FlowLogFormat,
  lines: Iterable<string>
): void {
  const columns = columnsOf(format);
  const schema = schemaFromColumnData({
    columnData: columns.map(({ name, type }) => ({
      name,
      type,
      data: [],
      nullable: true,
    })),
  });
  const writer = new ParquetWriter({
    writer: fileWriter(path),
    schema,
    codec: 'GZIP',
    compressors: { GZIP: (bytes: Uint8Array) => gzipSync(bytes) },
    createdBy: 'flowlogs generate',
  });
  let data: unknown[][] = columns.map(() => []);
  let rows = 0;
  const writeGroup = () => {
    if (rows === 0) return;
    const columnData: ColumnSource[] = columns.map(({ name }, i) => ({
      name,
      data: data[i] ?? [],
    }));
    void writer.write({
      columnData,
      rowGroupSize: rows,
      pageSize: PAGE_BYTES,
      dictionarySize: DICTIONARY_BYTES,
    });
    data = columns.map(() => []);
    rows = 0;
  };
  for (const line of lines) {
    const values = line.split(' ');
    columns.forEach(({ type }, i) => {
      const value = values[i] ?? '-';
      data[i]?.push(
        value === '-'
          ? null
          : type === 'INT64'
            ? BigInt(value)
            : type === 'INT32'
              ? Number(value)
              : value
      );
    });
    rows++;
    if (rows === ROW_GROUP_ROWS) writeGroup();
  }
  writeGroup();
  void writer.finish();
}

export { writeParquetFlowLog };
