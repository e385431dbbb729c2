import {
  FlowLogScanner,
  ROLE_FIELDS,
  ScannerMemory,
  type TakenRollups,
} from '../aggregate/flowLogScanner.js';
import type { RollupOptions } from '../aggregate/rollupRecords.js';
import { DEFAULT_SAMPLE_LIMIT } from '../aggregate/statsCollector.js';
import { TEXT_SLOT_BYTES, TEXT_SLOTS } from '../decode/flowLogText.js';
import {
  cellText,
  type OddRow,
  type ParquetText,
} from '../decode/parquetText.js';
import { ParseError, spanTooLongError, TooLargeError } from '../errors.js';
import { MAX_LINE_BYTES, MAX_RECORD_SECONDS } from '../flowLogRules.js';
import { parseFlowLogRow } from '../parse/parseFlowLogLine.js';
import type { FieldSpec, FlowLogFormat, IngestStats } from '../types.js';
import { partBytes } from './scanInParts.js';

/**
 * The fields whose values a rollup reads (RecordRollup and the scanner):
 * any other text field may be written as `-` without changing a rollup
 * (a test holds this list to that). Integer fields are all validated, so
 * they count too.
 */
const ROLLUP_FIELDS = new Set(ROLE_FIELDS);

/**
 * Whether a value of this field may be written as `-`: a text field no
 * rollup reads (an integer field is validated, so it counts as read).
 */
const isBlankable = (field: FieldSpec): boolean =>
  field.type !== 'integer' && !ROLLUP_FIELDS.has(field.name);

/** Thrown when a row's text cannot roll up as its typed cells do. */
class TypedPathNeeded extends Error {}

/**
 * The verdict the typed path (`parseFlowLogRow`, then the checks
 * `RecordRollup.add` makes before counting a record) gives a row: its
 * ParseError, or null for a record that rolls up.
 */
function typedVerdict(
  row: OddRow,
  format: FlowLogFormat,
  options: RollupOptions
): ParseError | null {
  const { lineNumber } = row;
  const parsed = parseFlowLogRow(row.cells, lineNumber, format);
  if (!parsed.success) return parsed.error;
  const { interfaceId, resourceId, start, end } = parsed.data;
  if (
    typeof interfaceId !== 'string' &&
    typeof resourceId !== 'string' &&
    options.interfaceId === undefined
  ) {
    return new ParseError('missing-interface-id', lineNumber);
  }
  if (typeof start !== 'number' || typeof end !== 'number') {
    return new ParseError('missing-time', lineNumber);
  }
  if (end - start + 1 > MAX_RECORD_SECONDS) {
    return spanTooLongError(lineNumber, end - start + 1);
  }
  return null;
}

/**
 * Lines for odd rows (see `openParquetText`), chosen so that the scanner
 * gives each the typed path's verdict:
 * - a bad row becomes a line of `-` with one value that fails the same way
 *   (`x` in the field the typed parser rejects; start 1, end 0; no ENI; an
 *   ENI and no time; a span one second too long), and its sample message
 *   is replaced by the typed path's own (`fixSamples`);
 * - a good row keeps its values, and a value the text cannot carry becomes
 *   `-` when no rollup reads its field (a tag with a space, say). When a
 *   rollup reads it (an ENI id with a space), the row cannot be rolled up
 *   from text at all: `TypedPathNeeded` is thrown, and the whole object
 *   goes through the typed path instead.
 */
class OddRowLines {
  private readonly format: FlowLogFormat;
  private readonly options: RollupOptions;
  private readonly sampleLimit: number;
  private readonly columnOf: Map<string, number>;
  /** The typed path's messages of the first bad odd rows, by line. */
  private readonly messages = new Map<number, string>();

  constructor(format: FlowLogFormat, options: RollupOptions) {
    this.format = format;
    this.options = options;
    this.sampleLimit = Math.max(0, options.sampleLimit ?? DEFAULT_SAMPLE_LIMIT);
    this.columnOf = new Map(
      format.fields.map((field, column) => [field.name, column])
    );
  }

  /** The line to scan for an odd row. */
  line(row: OddRow): string {
    const error = typedVerdict(row, this.format, this.options);
    if (error === null) return this.goodLine(row);
    if (this.messages.size < this.sampleLimit) {
      this.messages.set(row.lineNumber, error.message);
    }
    return this.badLine(error);
  }

  /** Stats whose samples of odd rows carry the typed path's messages. */
  fixSamples(stats: IngestStats): IngestStats {
    const { messages } = this;
    if (messages.size === 0) return stats;
    return {
      ...stats,
      badRecordSamples: stats.badRecordSamples.map((sample) => {
        const message = messages.get(sample.lineNumber);
        return message === undefined ? sample : { ...sample, message };
      }),
    };
  }

  private goodLine(row: OddRow): string {
    const texts = this.format.fields.map((field, column) => {
      const text = cellText(row.cells[column] ?? null);
      if (!isBlankable(field)) {
        if (text === null) throw new TypedPathNeeded(field.name);
        return text;
      }
      return text === null ? '-' : text;
    });
    let line = texts.join(' ');
    if (Buffer.byteLength(line) > MAX_LINE_BYTES) {
      // Drop what no rollup reads; what is left must fit.
      line = this.format.fields
        .map((field, column) => (isBlankable(field) ? '-' : texts[column]))
        .join(' ');
      if (Buffer.byteLength(line) > MAX_LINE_BYTES) {
        throw new TypedPathNeeded('line-too-long');
      }
    }
    return line;
  }

  private badLine(error: ParseError): string {
    const values = this.format.fields.map(() => '-');
    const set = (name: string | undefined, value: string) => {
      const column = name === undefined ? undefined : this.columnOf.get(name);
      if (column === undefined) {
        throw new Error(`no ${name} column for a ${error.reason} line`);
      }
      values[column] = value;
    };
    const eni = this.columnOf.has('interface-id')
      ? 'interface-id'
      : 'resource-id';
    switch (error.reason) {
      case 'bad-integer':
      case 'bad-action':
      case 'bad-log-status':
        set(error.field, 'x');
        break;
      case 'end-before-start':
        set('start', '1');
        set('end', '0');
        break;
      case 'missing-interface-id':
        break;
      case 'missing-time':
        set(eni, 'x');
        break;
      case 'span-too-long':
        set(eni, 'x');
        set('start', '0');
        set('end', String(MAX_RECORD_SECONDS));
        break;
      default:
        throw new Error(`a typed row cannot be a ${error.reason} record`);
    }
    return values.join(' ');
  }
}

/** The memory a Parquet object's rollups may take (see scanInParts). */
interface ParquetMemoryLimit {
  /** Names the object in the error. */
  readonly label: string;
  readonly maxBytes: number;
}

/**
 * Throws `TooLargeError` once the scanner's memory, with the rollups it
 * will build, passes the limit: a Parquet object is not cut into parts
 * (text objects are), so it must fit one.
 */
function checkMemory(scanner: FlowLogScanner, limit: ParquetMemoryLimit): void {
  if (partBytes(scanner) < limit.maxBytes) return;
  const items = scanner.itemCount();
  const mb = (value: number) => Math.ceil(value / 2 ** 20);
  throw new TooLargeError(
    `${limit.label}: a Parquet object is ingested in one part, and its ${items} (ENI, window) items so far need more than ${mb(limit.maxBytes)} MB (PART_MEMORY_MB): raise the function's memory (PART_MEMORY_MB follows it), or have VPC Flow Logs deliver text, which is cut into parts`
  );
}

/**
 * Rolls up a Parquet file through the same aggregation core as text: its
 * row groups are written column-wise as flow-log text (`openParquetText`)
 * into the ring of a pooled ScannerMemory and scanned there by a
 * FlowLogScanner of the format of its columns, with no copy, no object per
 * row, and memory flat in the number of rows. Rollups and stats equal the
 * typed path's (`openParquetFlowLog` + `RecordRollup`) record for record:
 * odd rows are handled as `OddRowLines` says. `take` gets the rollups,
 * built as they are read (read them before it settles: the scanner's
 * memory then serves the next input), and the statistics; its result is
 * returned. Returns null when the file must go through the typed path
 * instead (a nested column, or a value the text cannot carry in a field a
 * rollup reads). Throws `DecodeError` for an undecodable row group.
 * @example
 * const parquet = await openParquetText(file, label);
 * const format = formatFromColumnNames(parquet.columns, label);
 * const result = await scanParquetText(parquet, format, options, async (taken) => ({
 *   rollups: [...taken.rollups],
 *   stats: taken.stats,
 * }));
 */
async function scanParquetText<T>(
  parquet: ParquetText,
  format: FlowLogFormat,
  options: RollupOptions,
  take: (taken: TakenRollups) => Promise<T>,
  limit?: ParquetMemoryLimit
): Promise<T | null> {
  const { writeText } = parquet;
  if (writeText === null) return null;
  // A pooled memory, as the text path's (its ring is not used here).
  const memory = ScannerMemory.acquire(TEXT_SLOTS, TEXT_SLOT_BYTES);
  try {
    const scanner = new FlowLogScanner(format, options, 1, memory);
    const odd = new OddRowLines(format, options);
    try {
      await writeText({
        isBlankable: format.fields.map((field) => isBlankable(field)),
        push: (lines) => {
          scanner.push(lines);
          if (limit !== undefined) checkMemory(scanner, limit);
        },
        oddRow: (row) => odd.line(row),
      });
    } catch (error) {
      if (error instanceof TypedPathNeeded) return null;
      throw error;
    }
    const taken = scanner.finishLazily();
    return await take({ ...taken, stats: odd.fixSamples(taken.stats) });
  } finally {
    memory.release();
  }
}

export type { ParquetMemoryLimit };
export { ROLLUP_FIELDS, scanParquetText };
