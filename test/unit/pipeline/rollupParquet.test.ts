import fc from 'fast-check';
import type { BasicType } from 'hyparquet-writer';
import { describe, expect, it, vi } from 'vitest';
import { mergeRollups } from '../../../shared/aggregate/mergeRollups.js';
import { RecordRollup } from '../../../shared/aggregate/rollupRecords.js';
import { sortRollups } from '../../../shared/aggregate/toRollup.js';
import { LineArena } from '../../../shared/decode/lineArena.js';
import { generateFlowLogLines } from '../../../shared/generate/generateFlowLogLines.js';
import {
  DEFAULT_FORMAT,
  formatFromFieldNames,
  resolveFormat,
} from '../../../shared/parse/flowLogFormat.js';
import { parseFlowLogLine } from '../../../shared/parse/parseFlowLogLine.js';
import { rollupFlowLog } from '../../../shared/pipeline/rollupFlowLog.js';
import {
  rollupParquetFile,
  rollupParquetFileLazily,
  rollupParquetInParts,
  rollupParquetRecords,
} from '../../../shared/pipeline/rollupParquet.js';
import { SMALL_INPUT_ITEMS } from '../../../shared/pipeline/scanInParts.js';
import { ROLLUP_FIELDS } from '../../../shared/pipeline/scanParquetText.js';
import type { RecordedPart } from '../../../shared/store/partCheckpoints.js';
import type {
  FlowLogFormat,
  Rollup,
  RollupOutcome,
  WindowMode,
} from '../../../shared/types.js';
import { type ExactRollup, exact } from '../../helpers/expectedRollups.js';
import { chunked, gzipText, sampleLines } from '../../helpers/flowLogInput.js';
import {
  type ParquetColumn,
  parquetOfLines,
  parquetTable,
} from '../../helpers/flowLogObjects.js';
import { randomAccessBytes } from '../../helpers/randomAccessBytes.js';

const LABEL = 's3://bucket/flow.log.parquet';

/** Both Parquet paths over the same bytes, and how many reads the first made. */
async function bothPaths(
  bytes: Uint8Array,
  windowMode: WindowMode = 'prorate',
  sampleLimit?: number
): Promise<{ scanned: RollupOutcome; typed: RollupOutcome; reads: number }> {
  const options = { windowMode, sampleLimit };
  const file = randomAccessBytes(bytes);
  const scanned = await rollupParquetFile(file, LABEL, options);
  const typed = await rollupParquetRecords(
    randomAccessBytes(bytes),
    LABEL,
    options
  );
  return { scanned, typed, reads: file.reads.length };
}

/** 20,000 v2 records over 5,000 ENIs: more items than a part of 1,025. */
const fleetLines = (seed: number): string[] => [
  ...generateFlowLogLines({
    format: DEFAULT_FORMAT,
    records: 20_000,
    enis: 5000,
    seed,
    startSeconds: START,
  }),
];

/** Two rows with a nested column: a file only the typed path reads. */
const nestedColumnTable = (): Uint8Array =>
  parquetTable([
    { name: 'interface_id', type: 'STRING', data: ['eni-1', 'eni-2'] },
    { name: 'start', type: 'INT64', data: [BigInt(START), BigInt(START)] },
    { name: 'end', type: 'INT64', data: [BigInt(START), BigInt(START + 1)] },
    { name: 'tags', type: 'VARIANT', data: [{ a: 1 }, null] },
  ]);

/**
 * The 20,000 rows of fleetLines(15) as Parquet, the ENI id of row `row`
 * holding a space (a value the text cannot carry: the typed path reads
 * the rows from that row's part on).
 */
function spacedEniTable(row: number): Uint8Array {
  const lines = fleetLines(15);
  const eniColumn = DEFAULT_FORMAT.fields.findIndex(
    (field) => field.name === 'interface-id'
  );
  return parquetTable(
    DEFAULT_FORMAT.fields.map((field, i) => ({
      name: field.name.replace(/-/g, '_'),
      type: field.type === 'integer' ? 'INT64' : 'STRING',
      data: lines.map((line, at) => {
        const value = line.split(' ')[i] ?? '-';
        if (i === eniColumn && at === row) return 'eni spaced';
        if (value === '-') return null;
        return field.type === 'integer' ? BigInt(value) : value;
      }),
    })),
    { rowGroupSize: 2000 }
  );
}

/** A part as `rollupParquetInParts` applied it, its rollups read. */
interface AppliedPart {
  readonly index: number;
  readonly isRecorded: boolean;
  readonly items: number;
  readonly rollups: Rollup[];
}

/**
 * Rolls up a Parquet file in parts of at most `maxPartItems` items, with
 * the cuts of an earlier attempt; returns the parts applied, every part's
 * end (recorded before and now) and the statistics.
 */
async function inParts(
  bytes: Uint8Array,
  maxPartItems: number,
  recorded: readonly RecordedPart[] = []
) {
  const parts: AppliedPart[] = [];
  const ends: (number | null)[] = recorded.map((part) => part.endLine);
  const outcome = await rollupParquetInParts(
    randomAccessBytes(bytes),
    LABEL,
    { windowMode: 'prorate' },
    {
      recorded,
      maxPartItems,
      recordEnd: async (index, endLine) => {
        ends[index] = endLine;
        return endLine;
      },
      applyPart: async (part) => {
        parts.push({ ...part, rollups: [...part.rollups] });
      },
    }
  );
  if (outcome.kind !== 'scanned') throw new Error('expected a scan');
  return { parts, ends, stats: outcome.value.stats };
}

/** The exact counters of parts' rollups, summed per (ENI, window), in order. */
function sumParts(parts: readonly AppliedPart[]): ExactRollup[] {
  const byKey = new Map<string, Rollup>();
  for (const rollup of parts.flatMap((part) => part.rollups)) {
    const key = `${rollup.interfaceId} ${rollup.windowStart}`;
    const seen = byKey.get(key);
    byKey.set(key, seen === undefined ? rollup : mergeRollups(seen, rollup));
  }
  return sortRollups([...byKey.values()]).map(exact);
}

/** The reads rollupParquetFile makes without falling back to the typed path. */
async function readsWithoutFallback(bytes: Uint8Array): Promise<number> {
  const file = randomAccessBytes(bytes);
  const parquet = await import('../../../shared/decode/parquetText.js');
  const opened = await parquet.openParquetText(file, LABEL);
  await opened.writeText?.({
    push: () => {},
    oddRow: () => '-',
  });
  return file.reads.length;
}

// The fields of the generated tables: every field a rollup reads, and two
// it does not (region, type), in an order of our own.
const TABLE_FORMAT = formatFromFieldNames([
  'version',
  'interface-id',
  'start',
  'end',
  'srcaddr',
  'dstaddr',
  'srcport',
  'dstport',
  'protocol',
  'packets',
  'bytes',
  'action',
  'log-status',
  'region',
  'account-id',
  'flow-direction',
  'tcp-flags',
  'type',
  'vpc-id',
  'resource-id',
]);

const START = 1_793_491_200;

/** A cell of an integer field in a column of `type`: mostly a good value. */
function integerCell(name: string, type: BasicType): fc.Arbitrary<unknown> {
  const good =
    name === 'start'
      ? fc.integer({ min: START, max: START + 900 })
      : name === 'end'
        ? fc.integer({ min: START + 60, max: START + 1200 })
        : name === 'protocol'
          ? fc.constantFrom(1, 6, 17, 58)
          : name === 'tcp-flags'
            ? fc.constantFrom(2, 18, 0)
            : fc.integer({ min: 0, max: 70_000 });
  const rare: fc.Arbitrary<unknown>[] =
    type === 'INT64'
      ? [fc.constantFrom(-1n, 2n ** 53n, 2n ** 63n - 1n)]
      : type === 'INT32'
        ? [fc.constantFrom(-1, -(2 ** 31))]
        : type === 'DOUBLE'
          ? [fc.constantFrom(-0, 1.5, -3, Number.NaN, 2 ** 53, 1e21)]
          : type === 'TIMESTAMP'
            ? [fc.constantFrom(new Date(-1000), new Date(8.64e15))]
            : type === 'BOOLEAN'
              ? [fc.boolean()]
              : [fc.constantFrom('', '-', 'x y', '1\n', '007', 'start', '-5')];
  // A timestamp holds seconds as milliseconds (13 digits: read as seconds);
  // a boolean is never an integer.
  const asType = (value: number): unknown =>
    type === 'INT64'
      ? BigInt(value)
      : type === 'STRING'
        ? String(value)
        : type === 'TIMESTAMP'
          ? new Date(value * 1000)
          : type === 'BOOLEAN'
            ? value % 2 === 0
            : value;
  return fc.oneof(
    { weight: 30, arbitrary: good.map(asType) },
    { weight: 2, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.oneof(...rare) }
  );
}

/** A cell of a text field: mostly a good value, now and then an odd one. */
function textCell(name: string): fc.Arbitrary<unknown> {
  const good: Record<string, fc.Arbitrary<string>> = {
    'interface-id': fc.constantFrom('eni-1', 'eni-2', 'eni-3'),
    'resource-id': fc.constantFrom('nat-1', 'eni-9'),
    srcaddr: fc.constantFrom('10.0.0.1', '10.0.0.2', '2001:db8::1', 'é.1'),
    dstaddr: fc.constantFrom('10.0.1.1', '192.0.2.7'),
    action: fc.constantFrom('ACCEPT', 'REJECT'),
    'log-status': fc.constantFrom('OK', 'OK', 'OK', 'NODATA', 'SKIPDATA'),
    'flow-direction': fc.constantFrom('ingress', 'egress', 'sideways'),
    region: fc.constantFrom('us-east-1', 'us east 1', 'a\nb', 'é'),
    type: fc.constantFrom('IPv4', 'IPv6', 'x\r'),
    'account-id': fc.constantFrom('123456789012', '210987654321'),
    'vpc-id': fc.constantFrom('vpc-1', 'vpc-2'),
  };
  const odd = fc.constantFrom(
    '',
    'a b',
    'x\ny',
    'tab\there',
    'interface_id',
    '-'
  );
  // Odd text in a field a rollup reads sends a good row (and its file) to
  // the typed path: rare enough that most files go through the scanner.
  return fc.oneof(
    { weight: 100, arbitrary: good[name] ?? fc.string({ maxLength: 6 }) },
    { weight: 6, arbitrary: fc.constant(null) },
    { weight: ROLLUP_FIELDS.has(name) ? 1 : 8, arbitrary: odd }
  );
}

/** A table of the TABLE_FORMAT fields: column types and rows. */
const tables = fc
  .tuple(
    fc.array(
      fc.constantFrom<BasicType>(
        'INT64',
        'INT64',
        'INT32',
        'INT32',
        'DOUBLE',
        'STRING',
        'TIMESTAMP',
        'BOOLEAN'
      ),
      {
        minLength: TABLE_FORMAT.fields.length,
        maxLength: TABLE_FORMAT.fields.length,
      }
    ),
    fc.integer({ min: 1, max: 60 })
  )
  .chain(([types, rows]) => {
    const columns = TABLE_FORMAT.fields.map((field, i) => {
      const type =
        field.type === 'integer' ? (types[i] ?? 'INT64') : ('STRING' as const);
      const cell =
        field.type === 'integer'
          ? integerCell(field.name, type)
          : textCell(field.name);
      return fc.array(cell, { minLength: rows, maxLength: rows }).map(
        (data): ParquetColumn => ({
          name: field.name.replace(/-/g, '_'),
          type,
          data,
        })
      );
    });
    return fc.tuple(...columns);
  });

describe('rollupParquetFile', () => {
  it('rolls up any table of rows as the typed path does: rollups, counts, samples', async () => {
    await fc.assert(
      fc.asyncProperty(
        tables,
        fc.record({
          rowGroupSize: fc.integer({ min: 1, max: 25 }),
          pageVersion: fc.constantFrom<1 | 2>(1, 2),
          codec: fc.constantFrom<'GZIP' | 'SNAPPY' | 'UNCOMPRESSED'>(
            'GZIP',
            'SNAPPY',
            'UNCOMPRESSED'
          ),
          pageSize: fc.constantFrom(64, 4096, 1 << 20),
        }),
        fc.constantFrom<WindowMode>('prorate', 'start'),
        fc.integer({ min: 0, max: 4 }),
        async (columns, options, windowMode, sampleLimit) => {
          // Prepare
          const bytes = parquetTable(columns, options);

          // Act
          const { scanned, typed } = await bothPaths(
            bytes,
            windowMode,
            sampleLimit
          );

          // Assess
          expect(scanned).toEqual(typed);
        }
      ),
      { numRuns: 150 }
    );
  });

  it('cuts an object of more items than a part may hold into parts that add up to the whole, and a retry follows the cuts', async () => {
    // Prepare: 5,000 ENIs over row groups of 2,000 rows; parts of 1,025
    // items or more end after the slice that fills them (every 512 KiB of
    // text), not at row groups.
    const parquet = parquetOfLines(DEFAULT_FORMAT, fleetLines(14), {
      rowGroupSize: 2000,
    });
    const options = { windowMode: 'prorate' as const };
    const whole = await rollupParquetFile(
      randomAccessBytes(parquet),
      LABEL,
      options
    );
    if (whole.kind !== 'rollups') throw new Error('expected rollups');

    // Act
    const first = await inParts(parquet, SMALL_INPUT_ITEMS + 1);
    // A retry with another budget after part 1 was applied follows the
    // cuts recorded (and cuts anew only past them).
    const recorded = first.ends.map((endLine, index) => ({
      endLine,
      isDone: index < 2,
    }));
    const retry = await inParts(parquet, 50_000, recorded);

    // Assess
    expect(first.parts.length).toBeGreaterThan(3);
    expect(
      first.parts.slice(0, -1).every((p) => p.items > SMALL_INPUT_ITEMS)
    ).toBe(true);
    expect(first.parts.at(-1)?.isRecorded).toBe(true);
    expect(sumParts(first.parts)).toEqual(whole.rollups.map(exact));
    expect(first.stats.records).toBe(20_000);
    expect(retry.parts.map((part) => part.index)).toEqual(
      first.parts.slice(2).map((part) => part.index)
    );
    expect(sumParts([...first.parts.slice(0, 2), ...retry.parts])).toEqual(
      whole.rollups.map(exact)
    );
  });

  it('stops the Parquet writer and lets go of its memory when a part fails to apply', async () => {
    // Prepare
    const parquet = parquetOfLines(DEFAULT_FORMAT, fleetLines(16), {
      rowGroupSize: 2000,
    });
    const acquired = vi.spyOn(LineArena, 'acquire');
    const released = vi.spyOn(LineArena.prototype, 'release');
    let applied = 0;

    // Act
    const error = await rollupParquetInParts(
      randomAccessBytes(parquet),
      LABEL,
      { windowMode: 'prorate' },
      {
        recorded: [],
        maxPartItems: SMALL_INPUT_ITEMS + 1,
        recordEnd: async (_, endLine) => endLine,
        applyPart: async () => {
          applied++;
          if (applied === 2) throw new Error('the store is down');
        },
      }
    ).catch((caught: unknown) => caught);

    // Assess
    expect((error as Error).message).toBe('the store is down');
    expect(applied).toBe(2);
    expect(acquired).toHaveBeenCalledTimes(1);
    expect(released).toHaveBeenCalledTimes(1);
    acquired.mockRestore();
    released.mockRestore();
  });

  it('rolls up the rest through the typed path in parts of its own when a row the text cannot carry comes after parts', async () => {
    // Prepare: an ENI id with a space in row 15,000 of 20,000 (line 15,001).
    const base = spacedEniTable(15_000);
    const typed = await rollupParquetRecords(randomAccessBytes(base), LABEL, {
      windowMode: 'prorate',
    });
    if (typed.kind !== 'rollups') throw new Error('expected rollups');

    // Act
    const cut = await inParts(base, SMALL_INPUT_ITEMS + 1);

    // Assess
    const typedParts = cut.parts.filter(
      (part) => (cut.ends[part.index] ?? Number.POSITIVE_INFINITY) > 15_001
    );
    expect(cut.parts.length - typedParts.length).toBeGreaterThanOrEqual(2);
    expect(typedParts.length).toBeGreaterThanOrEqual(2);
    for (const part of typedParts.slice(0, -1)) {
      expect(part.items).toBeGreaterThan(SMALL_INPUT_ITEMS);
      expect(part.items).toBeLessThan(2 * (SMALL_INPUT_ITEMS + 1));
    }
    expect(cut.parts.every((part) => part.isRecorded)).toBe(true);
    expect(cut.ends.at(-1)).toBeNull();
    expect(sumParts(cut.parts)).toEqual(typed.rollups.map(exact));
    expect(cut.stats.records).toBe(20_000);
    expect(
      sumParts(cut.parts).some((r) => r.interfaceId === 'eni spaced')
    ).toBe(true);
  });

  it('resumes the typed parts after a crash, following their recorded cuts with another budget', async () => {
    // Prepare: the first attempt applied its parts up to the first typed
    // one, recorded the next cut and died before applying that part.
    const base = spacedEniTable(15_000);
    const first = await inParts(base, SMALL_INPUT_ITEMS + 1);
    const firstTyped = first.parts.findIndex(
      (part) => (first.ends[part.index] ?? Number.POSITIVE_INFINITY) > 15_001
    );
    const applied = firstTyped + 1;
    const recorded = first.ends
      .slice(0, applied + 1)
      .map((endLine, index) => ({ endLine, isDone: index < applied }));

    // Act: a retry whose parts could hold every item at once.
    const retry = await inParts(base, 1_000_000, recorded);

    // Assess
    expect(retry.parts[0]?.index).toBe(applied);
    expect(retry.ends.slice(0, applied + 1)).toEqual(
      first.ends.slice(0, applied + 1)
    );
    expect(retry.parts[0]?.items).toBe(first.parts[applied]?.items);
    // Past the recorded cuts, the retry's own budget: one last part.
    expect(retry.parts.length).toBe(2);
    expect(retry.ends.at(-1)).toBeNull();
    expect(
      sumParts([...first.parts.slice(0, applied), ...retry.parts])
    ).toEqual(sumParts(first.parts));
    // A redelivery once every part is done applies nothing.
    const again = await inParts(
      base,
      SMALL_INPUT_ITEMS + 1,
      retry.ends.map((endLine) => ({ endLine, isDone: true }))
    );
    expect(again.parts).toEqual([]);
  });

  it('cuts the typed parts by memory as well as by items', async () => {
    // Prepare: a row the text cannot carry first, so the typed path reads all.
    const base = spacedEniTable(0);

    // Act: parts of at most 40 MiB (a few thousand typed items).
    const parts: AppliedPart[] = [];
    const outcome = await rollupParquetInParts(
      randomAccessBytes(base),
      LABEL,
      { windowMode: 'prorate' },
      {
        recorded: [],
        maxPartItems: Number.POSITIVE_INFINITY,
        maxPartBytes: 40 * 1024 * 1024,
        recordEnd: async (_, endLine) => endLine,
        applyPart: async (part) => {
          parts.push({ ...part, rollups: [...part.rollups] });
        },
      }
    );

    // Assess
    if (outcome.kind !== 'scanned') throw new Error('expected a scan');
    expect(parts.length).toBeGreaterThanOrEqual(2);
    for (const part of parts) {
      expect(part.items * (14 * 1024)).toBeLessThan(40 * 1024 * 1024);
    }
    const typed = await rollupParquetRecords(randomAccessBytes(base), LABEL, {
      windowMode: 'prorate',
    });
    if (typed.kind !== 'rollups') throw new Error('expected rollups');
    expect(sumParts(parts)).toEqual(typed.rollups.map(exact));
  });

  it('equals the text path record for record at a fleet shape: 200k records over 20,000 ENIs', async () => {
    // Prepare
    const lines = [
      ...generateFlowLogLines({
        format: DEFAULT_FORMAT,
        records: 200_000,
        enis: 20_000,
        seed: 13,
        startSeconds: START,
      }),
    ];
    const text = gzipText(`${DEFAULT_FORMAT.header}\n${lines.join('\n')}\n`);
    const parquet = parquetOfLines(DEFAULT_FORMAT, lines, {
      rowGroupSize: 65_536,
      pageVersion: 1,
    });

    // Act
    const fromText = await rollupFlowLog(
      { chunks: chunked(text, [1 << 20]), label: 'f.log.gz' },
      { windowMode: 'prorate' }
    );
    const fromParquet = await rollupParquetFile(
      randomAccessBytes(parquet),
      LABEL,
      { windowMode: 'prorate' }
    );

    // Assess
    if (fromText.kind !== 'rollups' || fromParquet.kind !== 'rollups') {
      throw new Error('expected rollups');
    }
    expect(fromParquet.rollups.length).toBeGreaterThan(20_000);
    expect(fromParquet.rollups).toEqual(fromText.rollups);
    // Text line numbers count the header; a row's number is its index + 1.
    expect({ ...fromParquet.stats, badRecordSamples: [] }).toEqual({
      ...fromText.stats,
      badRecordSamples: [],
    });
    expect(fromParquet.stats.records).toBe(200_000);
  }, 120_000);

  it('equals the text path on v5 files, NODATA and SKIPDATA included', async () => {
    // Prepare
    const format = resolveFormat('v5');
    const lines = sampleLines(format, 5000, 21, 30);
    const text = gzipText(`${format.header}\n${lines.join('\n')}\n`);
    const parquet = parquetOfLines(format, lines, { rowGroupSize: 2000 });

    // Act
    const fromText = await rollupFlowLog(
      { chunks: chunked(text), label: 'f' },
      { windowMode: 'start' }
    );
    const fromParquet = await rollupParquetFile(
      randomAccessBytes(parquet),
      LABEL,
      { windowMode: 'start' }
    );

    // Assess
    if (fromText.kind !== 'rollups' || fromParquet.kind !== 'rollups') {
      throw new Error('expected rollups');
    }
    expect(fromParquet.rollups).toEqual(fromText.rollups);
    expect(fromParquet.stats.nodataRecords).toBeGreaterThan(0);
    expect(fromParquet.stats.skipdataRecords).toBe(
      fromText.stats.skipdataRecords
    );
  });

  it('gives bad rows the typed path reasons, line numbers (row + 1) and messages', async () => {
    // Prepare
    const format = formatFromFieldNames([
      'interface-id',
      'start',
      'end',
      'action',
      'log-status',
      'bytes',
    ]);
    const rows: unknown[][] = [
      ['eni-1', START, START + 5, 'ACCEPT', 'OK', 10n],
      ['eni-1', START, START + 5, 'ALLOW ME', 'OK', 10n],
      ['eni-1', START, START + 5, 'ACCEPT', 'O K', 10n],
      ['eni 2', START + 9, START, 'ACCEPT', 'OK', 10n],
      [null, START, START, 'ACCEPT', 'OK', 10n],
      ['eni\n3', null, START, 'ACCEPT', 'OK', 10n],
      ['eni 4', START, START + 90_000, 'ACCEPT', 'OK', 10n],
      ['interface_id', 'start', 'end', 'action', 'log_status', null],
      ['eni-1', START, START + 5, 'ACCEPT', 'OK', -5n],
    ];
    const types: BasicType[] = [
      'STRING',
      'STRING',
      'STRING',
      'STRING',
      'STRING',
      'INT64',
    ];
    const bytes = parquetTable(
      format.fields.map((field, i) => ({
        name: field.name.replace(/-/g, '_'),
        type: types[i] ?? 'STRING',
        data: rows.map((row) => {
          const cell = row[i];
          if (typeof cell !== 'number') return cell;
          return types[i] === 'STRING' ? String(cell) : BigInt(cell);
        }),
      }))
    );

    // Act
    const { scanned, typed, reads } = await bothPaths(bytes, 'prorate', 10);

    // Assess
    expect(scanned).toEqual(typed);
    if (scanned.kind !== 'rollups') throw new Error('expected rollups');
    expect(
      scanned.stats.badRecordSamples.map((s) => [s.lineNumber, s.reason])
    ).toEqual([
      [2, 'bad-action'],
      [3, 'bad-log-status'],
      [4, 'end-before-start'],
      [5, 'missing-interface-id'],
      [6, 'missing-time'],
      [7, 'span-too-long'],
      [8, 'bad-integer'],
      [9, 'bad-integer'],
    ]);
    expect(scanned.stats.badRecordSamples[0]?.message).toBe(
      'line 2: action is not ACCEPT, REJECT or - in action: "ALLOW ME"'
    );
    // No fallback: the file was read once, as by the text writer alone.
    expect(reads).toBe(await readsWithoutFallback(bytes));
  });

  it('counts a row equal to the header line as the bad record it is, not as a header', async () => {
    // Prepare
    const names = ['interface_id', 'start', 'end'];
    const rows = [['eni-1', '1', '2'], names, ['eni-1', '3', '4']];
    const bytes = parquetTable(
      names.map((name, i) => ({
        name,
        type: 'STRING',
        data: rows.map((row) => row[i]),
      }))
    );

    // Act
    const { scanned, typed } = await bothPaths(bytes);

    // Assess
    expect(scanned).toEqual(typed);
    expect(scanned.kind === 'rollups' && scanned.stats).toMatchObject({
      lines: 3,
      records: 2,
      badRecordsByReason: { 'bad-integer': 1 },
      badRecordSamples: [{ lineNumber: 2, reason: 'bad-integer' }],
    });
  });

  it('rolls up a row with a space in a field no rollup reads from text, and one in the ENI id through the typed path', async () => {
    // Prepare
    const format = resolveFormat('v5');
    const lines = sampleLines(format, 50, 4, 3);
    const columns = format.fields.map(
      (field, i): ParquetColumn => ({
        name: field.name.replace(/-/g, '_'),
        type: field.type === 'integer' ? 'INT64' : 'STRING',
        data: lines.map((line) => {
          const value = line.split(' ')[i] ?? '-';
          if (field.name === 'region') return 'us east 1';
          if (value === '-') return null;
          return field.type === 'integer' ? BigInt(value) : value;
        }),
      })
    );
    const spacedRegion = parquetTable(columns);
    const spacedEni = parquetTable(
      columns.map((column) =>
        column.name === 'interface_id'
          ? {
              ...column,
              data: column.data.map((v, i) => (i === 7 ? 'eni x' : v)),
            }
          : column
      )
    );

    // Act
    const region = await bothPaths(spacedRegion);
    const eni = await bothPaths(spacedEni);

    // Assess
    expect(region.scanned).toEqual(region.typed);
    expect(region.reads).toBe(await readsWithoutFallback(spacedRegion));
    expect(eni.scanned).toEqual(eni.typed);
    expect(eni.reads).toBeGreaterThan(await readsWithoutFallback(spacedEni));
    if (eni.scanned.kind !== 'rollups') throw new Error('expected rollups');
    expect(eni.scanned.rollups.some((r) => r.interfaceId === 'eni x')).toBe(
      true
    );
  });

  it('rolls up a file with a nested column through the typed path', async () => {
    // Prepare
    const bytes = nestedColumnTable();

    // Act
    const { scanned, typed } = await bothPaths(bytes);

    // Assess
    expect(scanned).toEqual(typed);
    expect(scanned.kind === 'rollups' && scanned.rollups).toHaveLength(2);
  });

  it('applies nothing again for a file only the typed path reads once its one part is done', async () => {
    // Prepare: a nested column; its one part recorded and done.
    const bytes = nestedColumnTable();

    // Act
    const first = await inParts(bytes, SMALL_INPUT_ITEMS + 1);
    const again = await inParts(bytes, SMALL_INPUT_ITEMS + 1, [
      { endLine: null, isDone: true },
    ]);

    // Assess
    expect(first.parts.map((part) => part.items)).toEqual([2]);
    expect(again.parts).toEqual([]);
    expect(again.stats.records).toBe(0);
  });

  it('reports a Transit Gateway log as not per ENI', async () => {
    // Prepare
    const bytes = parquetTable([
      { name: 'tgw_id', type: 'STRING', data: ['tgw-1'] },
      { name: 'start', type: 'INT64', data: [1n] },
      { name: 'end', type: 'INT64', data: [2n] },
    ]);

    // Act
    const outcome = await rollupParquetFile(randomAccessBytes(bytes), LABEL, {
      windowMode: 'prorate',
    });

    // Assess
    expect(outcome.kind).toBe('not-per-eni');
  });
});

describe('rollupParquetFileLazily', () => {
  it('hands over the rollups rollupParquetFile returns, with the same statistics', async () => {
    // Prepare
    const lines = sampleLines(DEFAULT_FORMAT, 3000, 8, 20);
    const bytes = parquetOfLines(DEFAULT_FORMAT, lines, { rowGroupSize: 1000 });
    const options = { windowMode: 'prorate' as const };
    const taken: unknown[] = [];
    let items = -1;

    // Act
    const lazily = await rollupParquetFileLazily(
      randomAccessBytes(bytes),
      LABEL,
      options,
      async (rollups, count) => {
        items = count;
        for (const rollup of rollups) taken.push(rollup);
      }
    );
    const whole = await rollupParquetFile(
      randomAccessBytes(bytes),
      LABEL,
      options
    );

    // Assess
    if (lazily.kind !== 'scanned' || whole.kind !== 'rollups') {
      throw new Error('expected rollups');
    }
    expect(taken).toEqual(whole.rollups);
    expect(items).toBe(whole.rollups.length);
    expect(lazily.value).toEqual(whole.stats);
  });
});

describe('ROLLUP_FIELDS', () => {
  it('names every field whose text changes a rollup: any other may be written as -', () => {
    // Prepare
    const format: FlowLogFormat = resolveFormat('v11');
    const unread = format.fields
      .map((field, i) => ({ field, i }))
      .filter(
        ({ field }) =>
          field.type !== 'integer' && !ROLLUP_FIELDS.has(field.name)
      );
    const rollup = (lines: readonly string[]) => {
      const records = new RecordRollup(format, { windowMode: 'prorate' });
      lines.forEach((line, i) => {
        records.add(parseFlowLogLine(line, format, i + 1), i + 1);
      });
      return records.finish();
    };

    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), (seed) => {
        const lines = sampleLines(format, 300, seed, 5);
        const blanked = lines.map((line) => {
          const values = line.split(' ');
          for (const { i } of unread) values[i] = '-';
          return values.join(' ');
        });

        // Act
        const original = rollup(lines);
        const withDashes = rollup(blanked);

        // Assess
        expect(withDashes).toEqual(original);
      }),
      { numRuns: 15 }
    );
    expect(unread.length).toBeGreaterThan(20);
  });
});
