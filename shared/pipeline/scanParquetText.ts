import { ROLE_FIELDS } from '../aggregate/configureScanner.js';
import { FlowLogScanner } from '../aggregate/flowLogScanner.js';
import type { RollupOptions } from '../aggregate/rollupRecords.js';
import { ScannerMemory } from '../aggregate/scannerMemory.js';
import {
  DEFAULT_SAMPLE_LIMIT,
  emptyStats,
} from '../aggregate/statsCollector.js';
import { TEXT_SLOT_BYTES, TEXT_SLOTS } from '../decode/flowLogText.js';
import { cellText } from '../decode/parquetCells.js';
import type { OddRow, ParquetText } from '../decode/parquetText.js';
import { ParseError, spanTooLongError } from '../errors.js';
import { MAX_LINE_BYTES, MAX_RECORD_SECONDS } from '../flowLogRules.js';
import { parseFlowLogRow } from '../parse/parseFlowLogLine.js';
import type { FieldSpec, FlowLogFormat, IngestStats } from '../types.js';
import {
  type PartHandlers,
  type PartsOutcome,
  partsDone,
  scanInParts,
  sumStats,
} from './scanInParts.js';

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

/** Stops a Parquet file's writing once its reader has left. */
class ReaderGone extends Error {}

/**
 * The text `writeText` writes, as an async iterable of its chunks: each is
 * the writer's own buffer, and the writer waits until the reader asks for
 * the next one (so it is read before it is reused, and no more than one
 * chunk is ever held). The writer's errors reach the reader; a reader that
 * stops early (an error, a part applied last) stops the writer, and the
 * iteration ends once it has let go of its memory.
 */
async function* chunksOf(
  writeText: (push: (lines: Uint8Array) => Promise<void>) => Promise<void>
): AsyncGenerator<Uint8Array> {
  const state: {
    /** The chunk the writer waits on: `taken` once read, `stop` to end it. */
    offered: {
      lines: Uint8Array;
      taken: () => void;
      stop: (error: Error) => void;
    } | null;
    /** How the writing ended: null while it runs. */
    outcome: { error: unknown } | null;
    isGone: boolean;
    wake: (() => void) | null;
  } = { offered: null, outcome: null, isGone: false, wake: null };
  const signal = () => {
    const { wake } = state;
    state.wake = null;
    wake?.();
  };
  const writing = writeText((lines) =>
    state.isGone
      ? Promise.reject(new ReaderGone())
      : new Promise<void>((taken, stop) => {
          state.offered = { lines, taken, stop };
          signal();
        })
  ).then(
    () => {
      state.outcome = { error: null };
      signal();
    },
    (error: unknown) => {
      state.outcome = { error };
      signal();
    }
  );
  try {
    for (;;) {
      if (state.offered === null && state.outcome === null) {
        await new Promise<void>((resolve) => {
          state.wake = resolve;
        });
      }
      const chunk = state.offered;
      if (chunk !== null) {
        // Offered until read: a reader that leaves here stops the writer.
        yield chunk.lines;
        state.offered = null;
        chunk.taken();
        continue;
      }
      const error = state.outcome?.error ?? null;
      if (error !== null) throw error;
      return;
    }
  } finally {
    state.isGone = true;
    state.offered?.stop(new ReaderGone());
    await writing;
  }
}

/** What scanning a Parquet file in parts came to. */
type ParquetParts =
  | { readonly kind: 'scanned'; readonly value: PartsOutcome }
  /**
   * The text cannot carry the file from part `fromPart` on (a nested
   * column, or a value a rollup reads): its lines from `fromLine` on are
   * for the typed path. The parts before it are applied (`stats`: those
   * this attempt applied).
   */
  | {
      readonly kind: 'typed';
      readonly fromPart: number;
      readonly fromLine: number;
      /** Statistics of the parts applied before it, by this attempt. */
      readonly stats: IngestStats;
    };

/**
 * Rolls up a Parquet file through the same aggregation core as text, and
 * in the same parts (`scanInParts`, with `handlers`): its row groups are
 * written column-wise as flow-log text (`openParquetText`) and scanned by
 * a FlowLogScanner of the format of its columns, in a pooled
 * ScannerMemory, with no object per row and memory flat in the number of
 * rows. A part is cut at a line (a row: rows are lines 1, 2, ...), its
 * end recorded, as for text, so the cuts are the same on every attempt. Rollups and stats equal the typed path's
 * (`openParquetFlowLog` + `RecordRollup`) record for record: odd rows are
 * handled as `OddRowLines` says. Returns `typed` when the text cannot
 * carry the file (a nested column, or a value with a space in a field a
 * rollup reads) from the part it reached on. Throws `DecodeError` for an
 * undecodable row group, and whatever the handlers throw.
 * @example
 * const parquet = await openParquetText(file, label);
 * const format = formatFromColumnNames(parquet.columns, label);
 * const outcome = await scanParquetText(parquet, format, options, {
 *   recorded: [], maxPartItems: Number.POSITIVE_INFINITY,
 *   recordEnd: async (index, end) => end,
 *   applyPart: async (part) => write([...part.rollups]),
 * });
 */
async function scanParquetText(
  parquet: ParquetText,
  format: FlowLogFormat,
  options: RollupOptions,
  handlers: PartHandlers
): Promise<ParquetParts> {
  const { writeText } = parquet;
  const { recorded } = handlers;
  if (writeText === null) {
    return { kind: 'typed', fromPart: 0, fromLine: 0, stats: emptyStats() };
  }
  // Where each part ends (recorded before, or cut now), the next part to
  // apply and what the parts applied now held: the typed path takes over
  // from there.
  const ends = recorded.map((part) => part.endLine);
  let nextPart = partsDone(recorded).next;
  const applied: IngestStats[] = [];
  // A pooled memory, as the text path's (its ring is not used here).
  const memory = ScannerMemory.acquire(TEXT_SLOTS, TEXT_SLOT_BYTES);
  try {
    const scanner = new FlowLogScanner(format, options, 1, memory);
    const odd = new OddRowLines(format, options);
    const text = chunksOf((push) =>
      writeText({
        isBlankable: format.fields.map((field) => isBlankable(field)),
        push,
        oddRow: (row) => odd.line(row),
      })
    );
    try {
      const value = await scanInParts(scanner, text, {
        ...handlers,
        recordEnd: async (index, endLine) => {
          const end = await handlers.recordEnd(index, endLine);
          ends[index] = end;
          return end;
        },
        applyPart: async (part) => {
          const stats = odd.fixSamples(part.stats);
          await handlers.applyPart({ ...part, stats });
          applied.push(stats);
          nextPart = part.index + 1;
        },
      });
      return {
        kind: 'scanned',
        value: { ...value, stats: odd.fixSamples(value.stats) },
      };
    } catch (error) {
      if (!(error instanceof TypedPathNeeded)) throw error;
      const fromLine = nextPart === 0 ? 0 : (ends[nextPart - 1] ?? null);
      if (fromLine === null) throw error;
      const stats = sumStats(applied);
      return { kind: 'typed', fromPart: nextPart, fromLine, stats };
    }
  } finally {
    memory.release();
  }
}

export type { ParquetParts };
export { ROLLUP_FIELDS, scanParquetText };
