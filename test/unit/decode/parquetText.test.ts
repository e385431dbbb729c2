import { parquetMetadata } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { cellText } from '../../../shared/decode/parquetCells.js';
import { openParquetFile } from '../../../shared/decode/parquetFlowLog.js';
import {
  type OddRow,
  openParquetText,
  type ParquetTextSink,
} from '../../../shared/decode/parquetText.js';
import { DecodeError } from '../../../shared/errors.js';
import { MAX_LINE_BYTES } from '../../../shared/flowLogRules.js';
import {
  DEFAULT_FORMAT,
  formatFromFieldNames,
  resolveFormat,
} from '../../../shared/parse/flowLogFormat.js';
import {
  parseFlowLogLine,
  parseFlowLogRow,
} from '../../../shared/parse/parseFlowLogLine.js';
import type { RawFieldValue } from '../../../shared/types.js';
import { sampleLines } from '../../helpers/flowLogInput.js';
import {
  type ParquetColumn,
  type ParquetTableOptions,
  parquetOfLines,
  parquetTable,
} from '../../helpers/flowLogObjects.js';
import { randomAccessBytes } from '../../helpers/randomAccessBytes.js';

const V5_FORMAT = resolveFormat('v5');

/** What writeText wrote: the text, and the odd rows the sink was given. */
interface Written {
  readonly text: string;
  readonly oddRows: OddRow[];
  readonly pushes: number;
}

/**
 * Writes a Parquet file's rows as text with a plain 128 KiB buffer; an
 * odd row becomes `oddLine(row)` (default: `ODD <line number>`).
 */
async function writeText(
  bytes: Uint8Array,
  options: {
    readonly oddLine?: (row: OddRow) => string;
    readonly isBlankable?: readonly boolean[];
  } = {}
): Promise<Written> {
  const parquet = await openParquetText(
    randomAccessBytes(bytes),
    's3://bucket/flow.log.parquet'
  );
  const parts: string[] = [];
  const oddRows: OddRow[] = [];
  const decoder = new TextDecoder();
  let pushes = 0;
  const sink: ParquetTextSink = {
    isBlankable: options.isBlankable,
    push: (lines) => {
      pushes++;
      expect(lines.at(-1)).toBe(0x0a);
      parts.push(decoder.decode(lines));
    },
    oddRow: (row) => {
      oddRows.push(row);
      return options.oddLine?.(row) ?? `ODD ${row.lineNumber}`;
    },
  };
  if (!parquet.writeText) throw new Error('no writeText');
  await parquet.writeText(sink);
  return { text: parts.join(''), oddRows, pushes };
}

/** The cells of every row as the typed path reads them. */
async function typedRows(bytes: Uint8Array): Promise<RawFieldValue[][]> {
  const { rows } = await openParquetFile(randomAccessBytes(bytes), 'x');
  const result: RawFieldValue[][] = [];
  for await (const row of rows) result.push([...row.cells]);
  return result;
}

/** One text column of these values. */
const textColumn = (name: string, data: readonly unknown[]): ParquetColumn => ({
  name,
  type: 'STRING',
  data,
});

describe('cellText', () => {
  it.each<[string, RawFieldValue, string | null]>([
    ['null', null, '-'],
    ['a dash', '-', '-'],
    ['an empty string', '', ''],
    ['text', 'eni-1', 'eni-1'],
    ['text beyond ASCII', 'café', 'café'],
    ['a tab', 'a\tb', 'a\tb'],
    ['a space', 'a b', null],
    ['a newline', 'a\nb', null],
    ['a carriage return', 'a\r', null],
    ['a lone surrogate', 'a\uD800b', null],
    ['a surrogate pair', 'a\uD83D\uDE00b', 'a\uD83D\uDE00b'],
    ['a safe integer', 42, '42'],
    ['negative zero', -0, '0'],
    ['a negative number', -3, '-3'],
    ['a fraction', 1.5, '1.5'],
    ['NaN', Number.NaN, 'NaN'],
    ['Infinity', Number.POSITIVE_INFINITY, 'Infinity'],
    ['2^53 as a number', 2 ** 53, '9007199254740992'],
    ['1e21', 1e21, '1e+21'],
    ['a bigint', 5n, '5'],
    ['a bigint beyond 2^53', 2n ** 60n, '1152921504606846976'],
    ['a negative bigint', -7n, '-7'],
  ])('writes %s as the typed path reads it', (_name, cell, text) => {
    // Act
    const written = cellText(cell);

    // Assess
    expect(written).toBe(text);
  });

  it.each<[string, RawFieldValue]>([
    ['a dash', '-'],
    ['an empty string', ''],
    ['digits with leading zeros', '007'],
    ['a negative number', -3],
    ['negative zero', -0],
    ['a fraction', 1.5],
    ['NaN', Number.NaN],
    ['2^53', 2 ** 53],
    ['a bigint beyond 2^53', 2n ** 60n],
    ['a negative bigint', -1n],
    ['text', 'tcp'],
  ])(
    'gives %s in any field the verdict parseFlowLogRow gives it',
    (_name, cell) => {
      // Prepare
      const format = formatFromFieldNames([
        'interface-id',
        'start',
        'end',
        'action',
        'account-id',
      ]);
      const rows = format.fields.map((_, column) =>
        ['eni-1', 10, 20, 'ACCEPT', '123'].map((value, i) =>
          i === column ? cell : value
        )
      );

      for (const row of rows) {
        // Act
        const line = row
          .map((value) => cellText(value as RawFieldValue))
          .join(' ');
        const text = parseFlowLogLine(line, format, 1);
        const typed = parseFlowLogRow(row as RawFieldValue[], 1, format);

        // Assess
        expect(text).toEqual(typed);
      }
    }
  );
});

describe('openParquetText', () => {
  it.each<[string, ParquetTableOptions]>([
    ['GZIP, V2 pages', { codec: 'GZIP' }],
    ['GZIP, V1 pages', { codec: 'GZIP', pageVersion: 1 }],
    ['SNAPPY, V1 pages', { codec: 'SNAPPY', pageVersion: 1 }],
    ['UNCOMPRESSED, V2 pages', { codec: 'UNCOMPRESSED' }],
    ['small pages', { pageSize: 2048, pageVersion: 1 }],
  ])('writes a v5 file (%s) as the text lines it holds', async (_, options) => {
    // Prepare
    const lines = sampleLines(V5_FORMAT, 3000, 11, 40);
    const bytes = parquetOfLines(V5_FORMAT, lines, {
      rowGroupSize: 1100,
      ...options,
    });

    // Act
    const { text, oddRows } = await writeText(bytes);

    // Assess
    expect(
      parquetMetadata(new Uint8Array(bytes).buffer).row_groups
    ).toHaveLength(3);
    expect(text).toBe(`${lines.join('\n')}\n`);
    expect(oddRows).toEqual([]);
  });

  it.each<
    [string, 'PLAIN' | 'RLE_DICTIONARY', 'DELTA_BINARY_PACKED' | 'PLAIN']
  >([
    ['dictionary pages', 'RLE_DICTIONARY', 'PLAIN'],
    ['plain pages', 'PLAIN', 'PLAIN'],
    ['DELTA_BINARY_PACKED integers', 'PLAIN', 'DELTA_BINARY_PACKED'],
  ])('writes %s as the text lines they hold', async (_, text, integers) => {
    // Prepare
    const lines = sampleLines(DEFAULT_FORMAT, 2000, 3, 25);
    const encodings = Object.fromEntries(
      DEFAULT_FORMAT.fields.map((field) => [
        field.name,
        field.type === 'integer' ? integers : text,
      ])
    );
    const bytes = parquetOfLines(DEFAULT_FORMAT, lines, {
      encodings,
      pageVersion: 1,
      pageSize: 4096,
    });

    // Act
    const written = await writeText(bytes);

    // Assess
    expect(written.text).toBe(`${lines.join('\n')}\n`);
  });

  it('writes integers of any type (BigInt too) and bad numbers as the typed path reads them', async () => {
    // Prepare
    const bytes = parquetTable([
      {
        name: 'int64',
        type: 'INT64',
        data: [0n, 2n ** 53n - 1n, 2n ** 53n, -1n, 2n ** 63n - 1n, null],
      },
      {
        name: 'int32',
        type: 'INT32',
        data: [0, 2 ** 31 - 1, -(2 ** 31), 7, null, -1],
      },
      {
        name: 'double',
        type: 'DOUBLE',
        data: [1.5, -0, Number.NaN, 2 ** 53, 1e21, null],
      },
      {
        name: 'time',
        type: 'TIMESTAMP',
        data: [
          new Date(1_418_530_010_000),
          null,
          new Date(0),
          null,
          null,
          null,
        ],
      },
      {
        name: 'flag',
        type: 'BOOLEAN',
        data: [true, false, null, true, false, true],
      },
    ]);

    // Act
    const { text } = await writeText(bytes);

    // Assess
    const typed = await typedRows(bytes);
    const expected = typed.map((row) =>
      row.map((cell) => cellText(cell)).join(' ')
    );
    expect(text).toBe(`${expected.join('\n')}\n`);
    expect(text.split('\n')[0]).toBe('0 0 1.5 1418530010000 true');
    expect(text.split('\n')[2]).toBe('9007199254740992 -2147483648 NaN 0 -');
  });

  it('writes text beyond ASCII, invalid UTF-8 and a BOM as the typed path decodes them', async () => {
    // Prepare
    const utf8 = new TextEncoder();
    const values = [
      utf8.encode('café'),
      new Uint8Array([0x61, 0xff, 0x62]),
      new Uint8Array([0xef, 0xbb, 0xbf, 0x78]),
      utf8.encode('\u{1F600}'),
      new Uint8Array([0xe2, 0x82]),
    ];
    const bytes = parquetTable([
      { name: 'raw', type: 'BYTE_ARRAY', data: values },
      textColumn('text', ['ü', 'ß', 'x', 'y', 'z']),
    ]);

    // Act
    const { text, oddRows } = await writeText(bytes);

    // Assess
    const typed = await typedRows(bytes);
    expect(text).toBe(`${typed.map((row) => row.join(' ')).join('\n')}\n`);
    expect(text.split('\n')[1]).toBe('a\uFFFDb ß');
    expect(text.split('\n')[2]).toBe('x x');
    expect(oddRows).toEqual([]);
  });

  it('gives the sink the typed cells of each row the text cannot carry, and writes its line', async () => {
    // Prepare
    const format = formatFromFieldNames(['interface-id', 'start', 'end']);
    const long = 'x'.repeat(MAX_LINE_BYTES);
    const interfaceIds = [
      'eni-1',
      'eni a',
      'eni-\n',
      'eni\r',
      'interface_id',
      long,
      'eni-2',
    ];
    const bytes = parquetTable([
      textColumn('interface_id', interfaceIds),
      textColumn('start', ['1', '2', '3', '4', 'start', '6', '7']),
      { name: 'end', type: 'INT64', data: [1n, 2n, 3n, 4n, null, 6n, 7n] },
    ]);
    expect(format.header).toBe('interface-id start end');

    // Act
    const { text, oddRows } = await writeText(bytes);

    // Assess
    const typed = await typedRows(bytes);
    expect(oddRows.map((row) => row.lineNumber)).toEqual([2, 3, 4, 6]);
    expect(oddRows.map((row) => row.cells)).toEqual(
      [1, 2, 3, 5].map((i) => typed[i])
    );
    expect(text.split('\n')).toEqual([
      'eni-1 1 1',
      'ODD 2',
      'ODD 3',
      'ODD 4',
      'interface_id start -',
      'ODD 6',
      'eni-2 7 7',
      '',
    ]);
  });

  it('gives the sink a row equal to the header, which a scanner would skip', async () => {
    // Prepare
    const bytes = parquetTable([
      textColumn('interface_id', ['eni-1', 'interface_id']),
      textColumn('start', ['1', 'start']),
      textColumn('end', ['2', 'end']),
    ]);

    // Act
    const { text, oddRows } = await writeText(bytes);

    // Assess
    expect(text).toBe('eni-1 1 2\nODD 2\n');
    expect(oddRows).toEqual([
      { lineNumber: 2, cells: ['interface_id', 'start', 'end'] },
    ]);
  });

  it('writes a value the text cannot carry as - in a blankable column', async () => {
    // Prepare
    const bytes = parquetTable([
      textColumn('interface_id', ['eni-1', 'eni-2']),
      textColumn('region', ['us east 1', 'a\nb']),
      textColumn('start', ['1', '2']),
    ]);

    // Act
    const { text, oddRows } = await writeText(bytes, {
      isBlankable: [false, true, false],
    });

    // Assess
    expect(text).toBe('eni-1 - 1\neni-2 - 2\n');
    expect(oddRows).toEqual([]);
  });

  it('hands the lines over whole, a megabyte at a time', async () => {
    // Prepare
    const lines = sampleLines(DEFAULT_FORMAT, 30_000, 5, 10);
    const bytes = parquetOfLines(DEFAULT_FORMAT, lines, { rowGroupSize: 7000 });

    // Act
    const { text, pushes } = await writeText(bytes);

    // Assess
    expect(pushes).toBeGreaterThan(2);
    expect(text).toBe(`${lines.join('\n')}\n`);
  });

  it('reads each row group with one ranged read', async () => {
    // Prepare
    const lines = sampleLines(DEFAULT_FORMAT, 2500, 5, 10);
    const bytes = parquetOfLines(DEFAULT_FORMAT, lines, { rowGroupSize: 1000 });
    const file = randomAccessBytes(bytes);
    const parquet = await openParquetText(file, 'x.parquet');
    const readsBefore = file.reads.length;

    // Act
    await parquet.writeText?.({
      push: () => {},
      oddRow: () => '',
    });

    // Assess
    expect(file.reads.length - readsBefore).toBe(3);
  });

  it('throws a DecodeError naming the file and the row group for a corrupt page', async () => {
    // Prepare
    const lines = sampleLines(DEFAULT_FORMAT, 300, 5, 10);
    const bytes = parquetOfLines(DEFAULT_FORMAT, lines, {
      rowGroupSize: 100,
      pageVersion: 1,
    });
    const chunk = parquetMetadata(new Uint8Array(bytes).buffer).row_groups[1]
      ?.columns[3]?.meta_data;
    const corrupt = new Uint8Array(bytes);
    const at = Number(chunk?.data_page_offset ?? 0) + 40;
    corrupt.fill(0x55, at, at + 12);

    // Act
    const writing = writeText(corrupt);

    // Assess
    await expect(writing).rejects.toThrow(DecodeError);
    await expect(writing).rejects.toThrow(
      /^s3:\/\/bucket\/flow\.log\.parquet: cannot read Parquet row group 1 /
    );
  });

  it('has no text writer for a file with a nested column', async () => {
    // Prepare
    const bytes = parquetTable([
      textColumn('interface_id', ['eni-1']),
      { name: 'tags', type: 'VARIANT', data: [{ a: 1 }] },
    ]);

    // Act
    const parquet = await openParquetText(randomAccessBytes(bytes), 'x');

    // Assess
    expect(parquet.columns).toEqual(['interface_id', 'tags']);
    expect(parquet.writeText).toBeNull();
  });
});
