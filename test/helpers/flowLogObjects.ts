import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  DeleteObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { parquetMetadata } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import { decompressPage } from 'hyparquet/src/datapage.js';
import {
  type BasicType,
  ByteWriter,
  type ColumnSource,
  parquetWriteBuffer,
} from 'hyparquet-writer';
import { writePageHeader } from 'hyparquet-writer/src/datapage.js';
import { writeMetadata } from 'hyparquet-writer/src/metadata.js';
import { snappyCompress } from 'hyparquet-writer/src/snappy.js';
import {
  DEFAULT_START_SECONDS,
  generateFlowLogLines,
} from '../../shared/generate/generateFlowLogLines.js';
import { resolveFormat } from '../../shared/parse/flowLogFormat.js';
import type { FlowLogFormat, S3ObjectRef } from '../../shared/types.js';

/** The repository root, wherever this clone lives. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A flow-log text file: its header, its record lines and its gzip bytes. */
interface FlowLogFile {
  readonly fieldNames: readonly string[];
  readonly lines: readonly string[];
  readonly gzip: Uint8Array;
}

/** What to generate: records over ENIs, deterministic for the seed. */
interface GenerateSpec {
  readonly records: number;
  readonly enis: number;
  readonly seed: number;
  readonly format?: 'v2' | 'v5';
  /** Earliest flow start, epoch seconds (the generator's default otherwise). */
  readonly start?: number;
}

/** The header line and record lines of gzip text, as VPC Flow Logs writes it. */
function readFlowLogText(gzip: Uint8Array): {
  fieldNames: string[];
  lines: string[];
} {
  const [header = '', ...lines] = gunzipSync(gzip)
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '');
  return { fieldNames: header.split(' '), lines };
}

/** A flow-log file of these lines under this header, gzipped. */
function flowLogFile(
  fieldNames: readonly string[],
  lines: readonly string[]
): FlowLogFile {
  const text = [fieldNames.join(' '), ...lines, ''].join('\n');
  return { fieldNames, lines, gzip: gzipSync(text) };
}

/**
 * Generates a file with the real CLI (`flowlogs generate`) into `directory`
 * and reads it back.
 */
async function generateWithCli(
  directory: string,
  spec: GenerateSpec
): Promise<FlowLogFile> {
  const out = join(
    directory,
    `generated-${spec.seed}-${spec.records}-${spec.format ?? 'v2'}-${spec.start ?? 'default'}.log.gz`
  );
  const args = [
    join('scripts', 'flowlogs.mjs'),
    'generate',
    '--records',
    String(spec.records),
    '--enis',
    String(spec.enis),
    '--seed',
    String(spec.seed),
    '--format',
    spec.format ?? 'v2',
    ...(spec.start === undefined ? [] : ['--start', String(spec.start)]),
    '--out',
    out,
  ];
  const stderr = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const chunks: Buffer[] = [];
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (code === 0) resolve(text);
      else reject(new Error(`flowlogs generate exited ${code}: ${text}`));
    });
  });
  if (stderr.trim() !== '') throw new Error(`flowlogs generate: ${stderr}`);
  const gzip = new Uint8Array(await readFile(out));
  return { ...readFlowLogText(gzip), gzip };
}

/** The same as `generateWithCli`, in process (shared/generate), faster. */
function generateFlowLogFile(spec: GenerateSpec): FlowLogFile {
  const format = resolveFormat(spec.format ?? 'v2');
  const lines = [
    ...generateFlowLogLines({
      format,
      records: spec.records,
      enis: spec.enis,
      seed: spec.seed,
      startSeconds: DEFAULT_START_SECONDS,
    }),
  ];
  return flowLogFile(
    format.fields.map((field) => field.name),
    lines
  );
}

/** The integer columns AWS writes as INT_64; the other integers are INT_32. */
const INT64_FIELDS = new Set(['packets', 'bytes', 'start', 'end']);

/**
 * A Parquet flow log of text lines, as VPC Flow Logs writes `.log.parquet`:
 * one row per line, columns named with underscores (`interface_id`), GZIP
 * pages, `-` as null. `cell` replaces one row's value of one field (a
 * value no text line can hold, such as one with a space).
 */
function parquetFlowLog(
  format: 'v2' | 'v5',
  lines: readonly string[],
  rowGroupSize = 1000,
  cell?: {
    readonly row: number;
    readonly field: string;
    readonly value: string;
  }
): Uint8Array {
  const rows = lines.map((line, row) => {
    const values = line.split(' ');
    if (row !== cell?.row) return values;
    const at = resolveFormat(format).fields.findIndex(
      (field) => field.name === cell.field
    );
    values[at] = cell.value;
    return values;
  });
  const columnData = resolveFormat(format).fields.map(
    (field, i): ColumnSource => {
      const type: BasicType =
        field.type === 'string'
          ? 'STRING'
          : INT64_FIELDS.has(field.name)
            ? 'INT64'
            : 'INT32';
      return {
        name: field.name.replace(/-/g, '_'),
        type,
        data: rows.map((values) => {
          const value = values[i] ?? '-';
          if (value === '-') return null;
          if (type === 'INT64') return BigInt(value);
          return type === 'INT32' ? Number(value) : value;
        }),
      };
    }
  );
  return new Uint8Array(
    parquetWriteBuffer({
      columnData,
      codec: 'GZIP',
      compressors: { GZIP: (bytes) => gzipSync(bytes) },
      rowGroupSize,
    })
  );
}

/** A Parquet column to write: its name, type and cells (null is absent). */
interface ParquetColumn {
  readonly name: string;
  readonly type: BasicType;
  readonly data: readonly unknown[];
  /** A page encoding to force (PLAIN, RLE_DICTIONARY, DELTA_*...). */
  readonly encoding?: ColumnSource['encoding'];
  /** Nullable unless false (then REQUIRED: no definition levels). */
  readonly nullable?: boolean;
}

/** How a Parquet file is written (hyparquet-writer writes V2 data pages). */
interface ParquetTableOptions {
  readonly codec?: 'GZIP' | 'SNAPPY' | 'UNCOMPRESSED';
  readonly rowGroupSize?: number;
  /** Target uncompressed page size in bytes. */
  readonly pageSize?: number;
  /** 1: data pages rewritten as DATA_PAGE (V1), as parquet-mr and Arrow write. */
  readonly pageVersion?: 1 | 2;
}

const compressPage = (codec: string, bytes: Uint8Array): Uint8Array =>
  codec === 'GZIP'
    ? new Uint8Array(gzipSync(bytes))
    : codec === 'SNAPPY'
      ? snappyCompress(bytes)
      : bytes;

/** A Parquet file of these columns. */
function parquetTable(
  columns: readonly ParquetColumn[],
  options: ParquetTableOptions = {}
): Uint8Array {
  const bytes = new Uint8Array(
    parquetWriteBuffer({
      columnData: columns.map((column) => ({
        name: column.name,
        type: column.type,
        data: [...column.data] as ColumnSource['data'],
        encoding: column.encoding,
        nullable: column.nullable,
      })),
      codec: options.codec ?? 'GZIP',
      compressors: { GZIP: (page: Uint8Array) => gzipSync(page) },
      rowGroupSize: options.rowGroupSize ?? 1000,
      pageSize: options.pageSize,
    })
  );
  return options.pageVersion === 1 ? withV1DataPages(bytes) : bytes;
}

/**
 * The same file with every DATA_PAGE_V2 rewritten as a DATA_PAGE (V1):
 * definition levels behind a 4-byte length, compressed with the values.
 * hyparquet-writer writes V2 only; parquet-mr and Arrow write V1 by default.
 * Page indexes are dropped (their offsets no longer hold).
 */
function withV1DataPages(bytes: Uint8Array): Uint8Array {
  const metadata = parquetMetadata(new Uint8Array(bytes).buffer);
  const out = new ByteWriter();
  out.appendUint32(0x31524150);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const rowGroups = metadata.row_groups.map((rowGroup) => {
    const groupStart = out.offset;
    const columns = rowGroup.columns.map((chunk) => {
      const meta = chunk.meta_data;
      if (!meta) throw new Error('column metadata is missing');
      const start = Number(
        meta.dictionary_page_offset || meta.data_page_offset
      );
      const end = start + Number(meta.total_compressed_size);
      const chunkStart = out.offset;
      let dictionaryOffset: bigint | undefined;
      let dataOffset: bigint | undefined;
      let uncompressed = 0;
      const reader = { view, offset: start };
      while (reader.offset < end) {
        const pageStart = reader.offset;
        const header = parquetHeader(reader);
        const body = bytes.subarray(
          reader.offset,
          reader.offset + header.compressed_page_size
        );
        reader.offset += header.compressed_page_size;
        const v2 = header.data_page_header_v2;
        if (header.type === 'DICTIONARY_PAGE') {
          dictionaryOffset = BigInt(out.offset);
        } else {
          dataOffset ??= BigInt(out.offset);
        }
        if (!v2) {
          out.appendBytes(bytes.subarray(pageStart, reader.offset));
          uncompressed += reader.offset - pageStart;
          continue;
        }
        const levelBytes =
          v2.repetition_levels_byte_length + v2.definition_levels_byte_length;
        const levels = body.subarray(0, levelBytes);
        let values = body.subarray(levelBytes);
        const size = header.uncompressed_page_size - levelBytes;
        if (v2.is_compressed !== false && size > 0) {
          values = decompressPage(values, size, meta.codec, {
            GZIP: (input: Uint8Array) => new Uint8Array(gunzipSync(input)),
          });
        }
        const prefix = new Uint8Array(levels.length > 0 ? 4 : 0);
        if (levels.length > 0) {
          new DataView(prefix.buffer).setUint32(0, levels.length, true);
        }
        const page = new Uint8Array(
          prefix.length + levels.length + values.length
        );
        page.set(prefix);
        page.set(levels, prefix.length);
        page.set(values, prefix.length + levels.length);
        const compressed = compressPage(meta.codec, page);
        const before = out.offset;
        type PageHeader = Parameters<typeof writePageHeader>[1];
        writePageHeader(out, {
          type: 'DATA_PAGE',
          uncompressed_page_size: page.length,
          compressed_page_size: compressed.length,
          data_page_header: {
            num_values: v2.num_values,
            encoding: v2.encoding,
            definition_level_encoding: 'RLE',
            repetition_level_encoding: 'RLE',
          },
        } as PageHeader);
        out.appendBytes(compressed);
        uncompressed += out.offset - before - compressed.length + page.length;
      }
      return {
        ...chunk,
        file_offset: BigInt(chunkStart),
        offset_index_offset: undefined,
        offset_index_length: undefined,
        column_index_offset: undefined,
        column_index_length: undefined,
        meta_data: {
          ...meta,
          dictionary_page_offset: dictionaryOffset,
          data_page_offset: dataOffset ?? BigInt(chunkStart),
          total_compressed_size: BigInt(out.offset - chunkStart),
          total_uncompressed_size: BigInt(uncompressed),
          encoding_stats: undefined,
        },
      };
    });
    return {
      ...rowGroup,
      columns,
      file_offset: BigInt(groupStart),
      total_compressed_size: BigInt(out.offset - groupStart),
    };
  });
  const { metadata_length: _, ...rest } = metadata;
  // hyparquet-writer types its metadata with its own copy of hyparquet.
  writeMetadata(out, {
    ...rest,
    row_groups: rowGroups,
  } as unknown as Parameters<typeof writeMetadata>[1]);
  out.appendUint32(0x31524150);
  return new Uint8Array(out.getBuffer());
}

/**
 * Flow-log lines as a Parquet file in `format` (columns named as AWS names
 * them, `-` as null), AWS's types: INT64 for packets, bytes, start and
 * end, INT32 for the other integers, STRING for text; `types` overrides
 * some (a text value then becomes a number, bigint, Date or boolean).
 */
function parquetOfLines(
  format: FlowLogFormat,
  lines: readonly string[],
  options: ParquetTableOptions & {
    readonly types?: Readonly<Record<string, BasicType>>;
    readonly encodings?: Readonly<Record<string, ColumnSource['encoding']>>;
  } = {}
): Uint8Array {
  const rows = lines.map((line) => line.split(' '));
  return parquetTable(
    format.fields.map((field, i) => {
      const type: BasicType =
        options.types?.[field.name] ??
        (field.type === 'string'
          ? 'STRING'
          : INT64_FIELDS.has(field.name)
            ? 'INT64'
            : 'INT32');
      return {
        name: field.name.replace(/-/g, '_'),
        type,
        encoding: options.encodings?.[field.name],
        data: rows.map((values) => {
          const value = values[i] ?? '-';
          if (value === '-') return null;
          switch (type) {
            case 'INT64':
              return BigInt(value);
            case 'INT32':
            case 'DOUBLE':
              return Number(value);
            case 'TIMESTAMP':
              return new Date(Number(value) * 1000);
            case 'BOOLEAN':
              return value === 'true';
            default:
              return value;
          }
        }),
      };
    }),
    options
  );
}

const ACCOUNT = '123456789012';
const FOLDERS = {
  default: `AWSLogs/${ACCOUNT}/vpcflowlogs/us-east-1/2026/11/01`,
  'hive-hourly': `AWSLogs/aws-account-id=${ACCOUNT}/aws-service=vpcflowlogs/aws-region=us-east-1/year=2026/month=11/day=01/hour=00`,
} as const;

/**
 * A key as VPC Flow Logs names a delivered file, unique by `tag` (letters
 * and digits), under an optional user prefix, in the default layout or the
 * Hive-compatible hourly one.
 */
function flowLogKey(
  tag: string,
  options: {
    prefix?: string;
    suffix?: '.log.gz' | '.log.parquet';
    layout?: keyof typeof FOLDERS;
  } = {}
): string {
  const file = `${ACCOUNT}_vpcflowlogs_us-east-1_fl-0123456789abcdef0_20261101T0010Z_${tag}${options.suffix ?? '.log.gz'}`;
  const prefix = options.prefix === undefined ? '' : `${options.prefix}/`;
  return `${prefix}${FOLDERS[options.layout ?? 'default']}/${file}`;
}

/** An uploaded object: where it is and what S3 said about it. */
interface UploadedObject extends S3ObjectRef {
  readonly eTag: string;
  readonly sizeBytes: number;
}

/** Puts bytes under a key; returns the reference a notification carries. */
async function upload(
  s3: S3Client,
  bucket: string,
  key: string,
  body: Uint8Array
): Promise<UploadedObject> {
  const response = await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: body })
  );
  return {
    bucket,
    key,
    eTag: (response.ETag ?? '').replace(/"/g, ''),
    sizeBytes: body.byteLength,
  };
}

async function deleteObject(
  s3: S3Client,
  bucket: string,
  key: string
): Promise<void> {
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}

/** The distinct interface ids of header-less lines of these fields. */
function interfaceIdsOf(
  fieldNames: readonly string[],
  lines: readonly string[]
): Set<string> {
  const column = fieldNames.indexOf('interface-id');
  return new Set(lines.map((line) => line.split(' ')[column] ?? ''));
}

export type {
  FlowLogFile,
  GenerateSpec,
  ParquetColumn,
  ParquetTableOptions,
  UploadedObject,
};
export {
  deleteObject,
  flowLogFile,
  flowLogKey,
  generateFlowLogFile,
  generateWithCli,
  interfaceIdsOf,
  parquetFlowLog,
  parquetOfLines,
  parquetTable,
  readFlowLogText,
  upload,
  withV1DataPages,
};
