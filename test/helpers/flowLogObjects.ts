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
import {
  type BasicType,
  type ColumnSource,
  parquetWriteBuffer,
} from 'hyparquet-writer';
import {
  DEFAULT_START_SECONDS,
  generateFlowLogLines,
} from '../../shared/generate/generateFlowLogLines.js';
import { resolveFormat } from '../../shared/parse/flowLogFormat.js';
import type { S3ObjectRef } from '../../shared/types.js';

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
 * pages, `-` as null.
 */
function parquetFlowLog(
  format: 'v2' | 'v5',
  lines: readonly string[],
  rowGroupSize = 1000
): Uint8Array {
  const rows = lines.map((line) => line.split(' '));
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

export type { FlowLogFile, GenerateSpec, UploadedObject };
export {
  deleteObject,
  flowLogFile,
  flowLogKey,
  generateFlowLogFile,
  generateWithCli,
  interfaceIdsOf,
  parquetFlowLog,
  readFlowLogText,
  upload,
};
