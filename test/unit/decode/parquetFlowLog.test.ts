import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { parquetMetadata } from 'hyparquet';
import {
  type BasicType,
  type ColumnSource,
  type ParquetWriteOptions,
  parquetWriteBuffer,
} from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { DecodeError, FormatError } from '../../../shared/errors.js';
import {
  DEFAULT_FORMAT,
  formatFromFieldNames,
  resolveFormat,
} from '../../../shared/parse/flowLogFormat.js';
import { parseFlowLogLine } from '../../../shared/parse/parseFlowLogLine.js';
import { openParquetFlowLog } from '../../../shared/pipeline/rollupParquet.js';
import type { FlowLogFormat, ParsedLine } from '../../../shared/types.js';
import { gzipText, sampleLines } from '../../helpers/flowLogInput.js';
import { randomAccessBytes } from '../../helpers/randomAccessBytes.js';

type Codec = NonNullable<ParquetWriteOptions['codec']>;

const V5_FORMAT = resolveFormat('v5');

/** The integer columns AWS writes as INT_64; the other integers are INT_32. */
const AWS_INT64_FIELDS = new Set(['packets', 'bytes', 'start', 'end']);

/** How a test file is written: codec, row group size, column types. */
interface ParquetOptions {
  readonly codec?: Codec;
  readonly rowGroupSize?: number;
  /** Parquet types by field name; integers default to AWS's, text to STRING. */
  readonly types?: Readonly<Record<string, BasicType>>;
}

/** The Parquet cell for a text value of a column of the given type. */
function cellOf(value: string, type: BasicType): unknown {
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
}

/**
 * A Parquet file of flow-log text lines, one row per line, the columns
 * named as AWS names them (`interface_id`). `-` becomes null.
 */
function parquetOf(
  format: FlowLogFormat,
  lines: readonly string[],
  options: ParquetOptions = {}
): Uint8Array {
  const rows = lines.map((line) => line.split(' '));
  const columnData = format.fields.map((field, i): ColumnSource => {
    const type =
      options.types?.[field.name] ??
      (field.type === 'string'
        ? 'STRING'
        : AWS_INT64_FIELDS.has(field.name)
          ? 'INT64'
          : 'INT32');
    return {
      name: field.name.replace(/-/g, '_'),
      type,
      data: rows.map((values) => cellOf(values[i] ?? '-', type)),
    };
  });
  return new Uint8Array(
    parquetWriteBuffer({
      columnData,
      codec: options.codec ?? 'GZIP',
      compressors: { GZIP: (bytes) => gzipSync(bytes), LZO: (bytes) => bytes },
      rowGroupSize: options.rowGroupSize ?? 1000,
    })
  );
}

/** What `parseFlowLogLine` makes of the lines, numbered from 1. */
const textRecords = (
  format: FlowLogFormat,
  lines: readonly string[]
): ParsedLine[] =>
  lines.map((line, i) => ({
    lineNumber: i + 1,
    result: parseFlowLogLine(line, format, i + 1),
  }));

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const result: T[] = [];
  for await (const item of items) result.push(item);
  return result;
}

/** Decodes a Parquet file from memory and reads all of its records. */
async function decode(
  bytes: Uint8Array
): Promise<{ format: FlowLogFormat; records: ParsedLine[] }> {
  const { format, records } = await openParquetFlowLog(
    randomAccessBytes(bytes),
    's3://bucket/flow.log.parquet'
  );
  return { format, records: await collect(records) };
}

/** The reason and message of each record, or 'ok', to compare bad records. */
const outcomes = (records: readonly ParsedLine[]) =>
  records.map(({ lineNumber, result }) =>
    result.success
      ? { lineNumber, data: result.data }
      : {
          lineNumber,
          reason: result.error.reason,
          message: result.error.message,
        }
  );

/** A good v2 record, field by field; cases override single columns. */
const V2_BASE: Readonly<Record<string, string>> = {
  version: '2',
  'account-id': '123456789010',
  'interface-id': 'eni-1235b8ca123456789',
  srcaddr: '172.31.16.139',
  dstaddr: '172.31.16.21',
  srcport: '20641',
  dstport: '22',
  protocol: '6',
  packets: '20',
  bytes: '4249',
  start: '1418530010',
  end: '1418530070',
  action: 'ACCEPT',
  'log-status': 'OK',
};

/** A v2 line: the base record with some columns replaced. */
const v2Line = (overrides: Readonly<Record<string, string>> = {}): string =>
  DEFAULT_FORMAT.fields
    .map((field) => overrides[field.name] ?? V2_BASE[field.name] ?? '-')
    .join(' ');

/** The AWS documentation's v2 examples, and absent and millisecond values. */
const V2_LINES = [
  v2Line(),
  v2Line({ action: 'REJECT', dstaddr: '172.31.9.69', dstport: '3389' }),
  v2Line({
    srcaddr: '-',
    dstaddr: '-',
    srcport: '-',
    dstport: '-',
    protocol: '-',
    packets: '-',
    bytes: '-',
    action: '-',
    'log-status': 'NODATA',
  }),
  v2Line({
    srcaddr: '-',
    dstaddr: '-',
    srcport: '-',
    dstport: '-',
    protocol: '-',
    packets: '-',
    bytes: '-',
    action: '-',
    'log-status': 'SKIPDATA',
  }),
  v2Line({ 'account-id': '-', protocol: '1', srcport: '0', dstport: '0' }),
  v2Line({ start: '1418530010123', end: '1418530070999' }),
];

describe('openParquetFlowLog', () => {
  it.each<Codec>(['GZIP', 'SNAPPY', 'UNCOMPRESSED'])(
    'reads a %s v5 file as parseFlowLogLine reads the same text',
    async (codec) => {
      // Prepare
      const lines = sampleLines(V5_FORMAT, 1200, 11);
      const bytes = parquetOf(V5_FORMAT, lines, { codec, rowGroupSize: 500 });

      // Act
      const { format, records } = await decode(bytes);

      // Assess
      const metadata = parquetMetadata(bytes);
      expect(metadata.row_groups).toHaveLength(3);
      expect(metadata.row_groups[0]?.columns[0]?.meta_data?.codec).toBe(codec);
      expect(metadata.schema).toHaveLength(30);
      expect(format.fields).toEqual(V5_FORMAT.fields);
      expect(format.header).toBe(
        V5_FORMAT.fields.map((field) => field.name.replace(/-/g, '_')).join(' ')
      );
      expect(records).toEqual(textRecords(V5_FORMAT, lines));
      expect(lines.some((line) => line.includes(' NODATA '))).toBe(true);
      expect(lines.some((line) => line.includes(' - '))).toBe(true);
    }
  );

  it('reads NODATA, SKIPDATA, absent and millisecond values as the text parser does', async () => {
    // Prepare
    const bytes = parquetOf(DEFAULT_FORMAT, V2_LINES);

    // Act
    const { records } = await decode(bytes);

    // Assess
    expect(records).toEqual(textRecords(DEFAULT_FORMAT, V2_LINES));
    expect(records[2]?.result).toMatchObject({
      success: true,
      data: { logStatus: 'NODATA', packets: null, action: null },
    });
    expect(records[5]?.result).toMatchObject({
      success: true,
      data: { start: 1418530010, end: 1418530070 },
    });
  });

  it.each<BasicType>(['INT32', 'INT64'])(
    'reads integer columns of type %s as numbers',
    async (type) => {
      // Prepare
      const lines = V2_LINES.slice(0, 5);
      const types = Object.fromEntries(
        DEFAULT_FORMAT.fields
          .filter((field) => field.type === 'integer')
          .map((field) => [field.name, type])
      );
      const bytes = parquetOf(DEFAULT_FORMAT, lines, { types });

      // Act
      const { records } = await decode(bytes);

      // Assess
      expect(records).toEqual(textRecords(DEFAULT_FORMAT, lines));
      expect(records[0]?.result).toMatchObject({
        success: true,
        data: { version: 2, bytes: 4249, start: 1418530010 },
      });
    }
  );

  it('reads timestamp columns as epoch seconds', async () => {
    // Prepare
    const lines = [v2Line()];
    const types = { start: 'TIMESTAMP', end: 'TIMESTAMP' } as const;
    const bytes = parquetOf(DEFAULT_FORMAT, lines, { types });

    // Act
    const { records } = await decode(bytes);

    // Assess
    expect(records).toEqual(textRecords(DEFAULT_FORMAT, lines));
  });

  it.each<{
    name: string;
    overrides: Record<string, string>;
    types?: Record<string, BasicType>;
    reason: string;
  }>([
    {
      name: 'an unknown action',
      overrides: { action: 'ALLOW' },
      reason: 'bad-action',
    },
    {
      name: 'an unknown log-status',
      overrides: { 'log-status': 'FAILED' },
      reason: 'bad-log-status',
    },
    {
      name: 'an end before the start',
      overrides: { start: '1418530070', end: '1418530010' },
      reason: 'end-before-start',
    },
    {
      name: 'a negative INT32',
      overrides: { dstport: '-1' },
      reason: 'bad-integer',
    },
    {
      name: 'a negative INT64',
      overrides: { bytes: '-4249' },
      reason: 'bad-integer',
    },
    {
      name: 'an INT64 beyond Number.MAX_SAFE_INTEGER',
      overrides: { bytes: '9007199254740993' },
      reason: 'bad-integer',
    },
    {
      name: 'a fraction in an integer column',
      overrides: { packets: '2.5' },
      types: { packets: 'DOUBLE' },
      reason: 'bad-integer',
    },
    {
      name: 'text in an integer column',
      overrides: { protocol: 'tcp' },
      types: { protocol: 'STRING' },
      reason: 'bad-integer',
    },
  ])(
    'returns a bad record for $name, as the text parser does',
    async ({ overrides, types, reason }) => {
      // Prepare
      const lines = [v2Line(), v2Line(overrides), v2Line()];
      const bytes = parquetOf(DEFAULT_FORMAT, lines, { types });

      // Act
      const { records } = await decode(bytes);

      // Assess
      expect(outcomes(records)).toEqual(
        outcomes(textRecords(DEFAULT_FORMAT, lines))
      );
      expect(records[1]?.result).toMatchObject({
        success: false,
        error: { reason, lineNumber: 2 },
      });
    }
  );

  it('reads any v2 row as the text parser reads it', async () => {
    const integer = fc.oneof(
      fc.constant('-'),
      fc.bigInt({ min: -5n, max: 2n ** 60n }).map(String)
    );
    const text = fc.oneof(
      fc.constantFrom('-', 'ACCEPT', 'REJECT', 'OK', 'NODATA', 'SKIPDATA'),
      fc.stringMatching(/^[A-Za-z0-9.:-]{1,12}$/)
    );
    const line = fc
      .tuple(
        ...DEFAULT_FORMAT.fields.map((field) =>
          field.type === 'integer' ? integer : text
        )
      )
      .map((values) => values.join(' '));
    const types = Object.fromEntries(
      DEFAULT_FORMAT.fields
        .filter((field) => field.type === 'integer')
        .map((field) => [field.name, 'INT64' as const])
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { minLength: 1, maxLength: 20 }),
        async (lines) => {
          // Prepare
          const bytes = parquetOf(DEFAULT_FORMAT, lines, {
            types,
            rowGroupSize: 7,
          });

          // Act
          const { records } = await decode(bytes);

          // Assess
          expect(outcomes(records)).toEqual(
            outcomes(textRecords(DEFAULT_FORMAT, lines))
          );
        }
      ),
      { numRuns: 60 }
    );
  });

  it('numbers rows across row groups and reads one row group at a time', async () => {
    // Prepare
    const lines = sampleLines(DEFAULT_FORMAT, 25);
    const bytes = parquetOf(DEFAULT_FORMAT, lines, { rowGroupSize: 10 });
    const [, second] = parquetMetadata(bytes).row_groups;
    const secondStart = Math.min(
      ...(second?.columns ?? []).map((column) =>
        Number(
          column.meta_data?.dictionary_page_offset ??
            column.meta_data?.data_page_offset
        )
      )
    );
    const file = randomAccessBytes(bytes);

    // Act
    const { records } = await openParquetFlowLog(file, 'x.parquet');
    const readsBefore = file.reads.length;
    const iterator = records[Symbol.asyncIterator]();
    const first = await iterator.next();
    const readsForFirstGroup = file.reads.slice(readsBefore);
    const rest: ParsedLine[] = [];
    for (let next = await iterator.next(); !next.done; ) {
      rest.push(next.value);
      next = await iterator.next();
    }

    // Assess
    expect(first.value?.lineNumber).toBe(1);
    expect(rest.map((record) => record.lineNumber)).toEqual(
      Array.from({ length: 24 }, (_, i) => i + 2)
    );
    expect(readsForFirstGroup.length).toBeGreaterThan(0);
    expect(readsForFirstGroup.every(([, end]) => end <= secondStart)).toBe(
      true
    );
  });

  it('reads a file without rows as no records', async () => {
    // Prepare
    const bytes = parquetOf(DEFAULT_FORMAT, []);

    // Act
    const { format, records } = await decode(bytes);

    // Assess
    expect(format.fields).toEqual(DEFAULT_FORMAT.fields);
    expect(records).toEqual([]);
  });

  it('reads a Transit Gateway log, which has no ENI column', async () => {
    // Prepare
    const format = formatFromFieldNames([
      'version',
      'resource-type',
      'account-id',
      'tgw-id',
      'start',
      'end',
      'log-status',
    ]);
    const lines = [
      '6 TransitGateway 123456789010 tgw-1 1700000000 1700000060 OK',
    ];

    // Act
    const decoded = await decode(parquetOf(format, lines));

    // Assess
    expect(decoded.format.isTransitGateway).toBe(true);
    expect(decoded.records).toEqual(textRecords(format, lines));
  });

  it.each([
    ['gzip text', gzipText(`${v2Line()}\n`)],
    ['no bytes', new Uint8Array(0)],
    [
      'a Parquet file with a broken footer',
      parquetOf(DEFAULT_FORMAT, [v2Line()]).fill(0, -4),
    ],
  ])('throws DecodeError naming the object for %s', async (_, bytes) => {
    // Act
    const opening = decode(bytes);

    // Assess
    await expect(opening).rejects.toThrow(DecodeError);
    await expect(opening).rejects.toThrow(
      /^s3:\/\/bucket\/flow\.log\.parquet: /
    );
  });

  it('throws DecodeError naming the row group it cannot decompress', async () => {
    // Prepare
    const bytes = parquetOf(DEFAULT_FORMAT, [v2Line()], { codec: 'LZO' });

    // Act
    const decoding = decode(bytes);

    // Assess
    await expect(decoding).rejects.toThrow(DecodeError);
    await expect(decoding).rejects.toThrow(
      /flow\.log\.parquet: cannot read Parquet row group 0 .*LZO/
    );
  });

  it.each([
    [['name', 'age'], /no column is a flow-log field \(columns: name, age\)/],
    [['Name', 'start'], /"Name" is not a flow-log field name/],
    [['interface-id', 'bytes'], /no start, end column$/],
    [['srcaddr', 'start', 'end'], /no interface_id \(or resource_id\) column$/],
    [['bytes', 'end'], /no interface_id \(or resource_id\), start column$/],
  ])(
    'throws FormatError naming the missing columns of %j',
    async (names, message) => {
      // Prepare
      const columnData = names.map(
        (name): ColumnSource => ({
          name: name.replace(/-/g, '_'),
          type: 'INT32',
          data: [1],
        })
      );
      const bytes = new Uint8Array(parquetWriteBuffer({ columnData }));

      // Act
      const opening = decode(bytes);

      // Assess
      await expect(opening).rejects.toThrow(FormatError);
      await expect(opening).rejects.toThrow(
        /^s3:\/\/bucket\/flow\.log\.parquet: /
      );
      await expect(opening).rejects.toThrow(message);
    }
  );

  it('reads a column of another type as its text', async () => {
    // Prepare
    const format = formatFromFieldNames([
      'interface-id',
      'start',
      'end',
      'is-flagged',
    ]);
    const lines = [
      'eni-0a1b2c3d 1700000000 1700000060 true',
      'eni-0a1b2c3d 1700000000 1700000060 false',
    ];
    const types = { 'is-flagged': 'BOOLEAN' } as const;

    // Act
    const decoded = await decode(parquetOf(format, lines, { types }));

    // Assess
    expect(decoded.records).toEqual(textRecords(format, lines));
    expect(decoded.records[0]?.result).toMatchObject({
      success: true,
      data: { isFlagged: 'true' },
    });
  });

  it('opens a file with resource_id in place of interface_id', async () => {
    // Prepare
    const format = formatFromFieldNames([
      'resource-id',
      'start',
      'end',
      'bytes',
    ]);
    const lines = ['eni-0a1b2c3d 1700000000 1700000060 1500'];

    // Act
    const decoded = await decode(parquetOf(format, lines));

    // Assess
    expect(decoded.records).toEqual(textRecords(format, lines));
  });
});
