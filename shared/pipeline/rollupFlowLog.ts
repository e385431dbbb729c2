import { FlowLogScanner } from '../aggregate/flowLogScanner.js';
import {
  RecordRollup,
  type RollupOptions,
} from '../aggregate/rollupRecords.js';
import { ScannerMemory } from '../aggregate/scannerMemory.js';
import {
  gunzipIfNeeded,
  prepend,
  splitLines,
  TEXT_SLOT_BYTES,
  TEXT_SLOTS,
  takeFirstLine,
} from '../decode/flowLogText.js';
import {
  DEFAULT_FORMAT,
  formatFromHeader,
  isHeaderLine,
} from '../parse/flowLogFormat.js';
import { parseFlowLogText } from '../parse/parseFlowLogLine.js';
import type {
  FlowLogFormat,
  IngestStats,
  ParsedLine,
  Rollup,
  RollupOutcome,
  TextRing,
} from '../types.js';
import { pushAll } from './scanInParts.js';

/** How to read one input (a file, an S3 object, a CloudWatch batch). */
interface FlowLogInput {
  /** Raw bytes, gzipped or plain. */
  readonly chunks: AsyncIterable<Uint8Array>;
  /** Names the input in errors (a path, s3://bucket/key). */
  readonly label: string;
  /** The format when the input has no header line; default version 2. */
  readonly format?: FlowLogFormat;
  /** Non-gzip bytes are a `DecodeError` (S3 `.log.gz` objects), not plain text. */
  readonly isGzipRequired?: boolean;
}

/** An opened input: its format and the text after any header line. */
interface OpenFlowLog {
  readonly format: FlowLogFormat;
  readonly firstLineNumber: number;
  readonly text: AsyncIterable<Uint8Array>;
  /** Stops decoding (and frees its worker) when `text` is left unread. */
  readonly close: () => Promise<void>;
}

/**
 * Decodes an input and resolves its format: a header line wins; otherwise
 * `input.format`, otherwise the default v2 format. Gzipped text is inflated
 * into `ring` when one is given. Throws `DecodeError` on bad gzip and
 * `FormatError` on an unusable header.
 */
async function openFlowLog(
  input: FlowLogInput,
  ring?: TextRing
): Promise<OpenFlowLog> {
  const text = gunzipIfNeeded(input.chunks, input.label, {
    isGzipRequired: input.isGzipRequired,
    ring,
  });
  const close = async () => {
    await text.return(undefined);
  };
  try {
    const first = await takeFirstLine(text);
    if (first.text !== null && isHeaderLine(first.text)) {
      return {
        format: formatFromHeader(first.text),
        firstLineNumber: 2,
        text: first.rest,
        close,
      };
    }
    return {
      format: input.format ?? DEFAULT_FORMAT,
      firstLineNumber: 1,
      text: prepend(first.bytes, first.rest),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The outcome of an input that has no per-ENI rollups. */
type NotPerEni = Extract<RollupOutcome, { kind: 'not-per-eni' }>;

const NOT_PER_ENI =
  'a Transit Gateway flow log (tgw-* fields, no interface-id) has no per-ENI rollups';

const notPerEni = (format: FlowLogFormat): NotPerEni => ({
  kind: 'not-per-eni',
  format,
  reason: NOT_PER_ENI,
});

/** A scanner over an opened text input, or why the input has none. */
type ScannedInput<T> =
  | {
      readonly kind: 'scanned';
      readonly format: FlowLogFormat;
      readonly value: T;
    }
  | NotPerEni;

/**
 * Opens a text input straight into a FlowLogScanner: the scanner's pooled
 * memory comes first, the text is inflated into its ring and scanned
 * there, with no copy. `use` drives the scanner; the input is closed and
 * the memory released when it settles (read lazily built rollups inside
 * it). A Transit Gateway log has no scanner (`not-per-eni`). Throws
 * `DecodeError`/`FormatError` for inputs that cannot be read at all.
 */
async function withScanner<T>(
  input: FlowLogInput,
  options: RollupOptions,
  use: (
    scanner: FlowLogScanner,
    text: AsyncIterable<Uint8Array>,
    format: FlowLogFormat
  ) => Promise<T>
): Promise<ScannedInput<T>> {
  const memory = ScannerMemory.acquire(TEXT_SLOTS, TEXT_SLOT_BYTES);
  try {
    const { format, firstLineNumber, text, close } = await openFlowLog(
      input,
      memory.ring
    );
    try {
      if (format.isTransitGateway) return notPerEni(format);
      const scanner = new FlowLogScanner(
        format,
        options,
        firstLineNumber,
        memory
      );
      return {
        kind: 'scanned',
        format,
        value: await use(scanner, text, format),
      };
    } finally {
      await close();
    }
  } finally {
    // After close(): the worker no longer writes the ring.
    memory.release();
  }
}

/**
 * The hot path: gunzip -> byte scanner -> rollups, streaming with flat
 * memory. Bad lines are counted in `stats`; a Transit Gateway log is
 * reported as `not-per-eni`. Throws `DecodeError`/`FormatError` for inputs
 * that cannot be read at all.
 * @example
 * const outcome = await rollupFlowLog(
 *   { chunks: createReadStream(path), label: path },
 *   { windowMode: 'prorate' }
 * );
 */
async function rollupFlowLog(
  input: FlowLogInput,
  options: RollupOptions
): Promise<RollupOutcome> {
  let rollups: Rollup[] = [];
  const scanned = await rollupFlowLogLazily(input, options, async (built) => {
    rollups = [...built];
  });
  if (scanned.kind !== 'scanned') return scanned;
  return {
    kind: 'rollups',
    format: scanned.format,
    rollups,
    stats: scanned.value,
  };
}

/**
 * Takes an input's rollups as they are built (read them before it
 * resolves): as objects, or as JSON lines when `jsonLines` is given (the
 * scanner's rollups; each chunk valid until the next is asked for).
 */
type ConsumeRollups = (
  rollups: IterableIterator<Rollup>,
  items: number,
  jsonLines?: () => Iterable<Uint8Array>
) => Promise<void>;

/**
 * The hot path as `rollupFlowLog`, with the rollups handed to `consume`
 * one at a time as they are built (no array of them all: memory stays
 * the scanner's), or, for a consumer that writes them out, as JSON lines
 * (`jsonLines`, read instead of `rollups`). Resolves to the statistics,
 * or `not-per-eni`.
 * @example
 * await rollupFlowLogLazily(input, options, async (rollups) => {
 *   for (const rollup of rollups) await out.line(JSON.stringify(rollup));
 * });
 */
async function rollupFlowLogLazily(
  input: FlowLogInput,
  options: RollupOptions,
  consume: ConsumeRollups
): Promise<ScannedInput<IngestStats>> {
  return withScanner(input, options, async (scanner, text) => {
    await pushAll(scanner, text);
    const { rollups, items, jsonLines, stats } = scanner.finishLazily();
    await consume(rollups, items, jsonLines);
    return stats;
  });
}

/**
 * The typed path: every non-blank, non-header line parsed into a
 * `FlowRecord` (or a ParseError value), in input order.
 */
async function parseFlowLog(input: FlowLogInput): Promise<{
  format: FlowLogFormat;
  lines: AsyncIterable<ParsedLine>;
  close: () => Promise<void>;
}> {
  const { format, firstLineNumber, text, close } = await openFlowLog(input);
  async function* lines(): AsyncGenerator<ParsedLine> {
    for await (const line of splitLines(text, firstLineNumber)) {
      const result = parseFlowLogText(line.text, line.lineNumber, format);
      if (result) yield { lineNumber: line.lineNumber, result };
    }
  }
  return { format, lines: lines(), close };
}

/**
 * Rolls up through the typed parser (slower, the reference the hot path is
 * checked against). Same contract as `rollupFlowLog`.
 */
async function rollupFlowLogRecords(
  input: FlowLogInput,
  options: RollupOptions
): Promise<RollupOutcome> {
  const { format, lines, close } = await parseFlowLog(input);
  if (format.isTransitGateway) {
    await close();
    return notPerEni(format);
  }
  const rollup = new RecordRollup(format, options);
  for await (const { lineNumber, result } of lines) {
    rollup.add(result, lineNumber);
  }
  return { kind: 'rollups', format, ...rollup.finish() };
}

export type {
  ConsumeRollups,
  FlowLogInput,
  NotPerEni,
  OpenFlowLog,
  ScannedInput,
};
export {
  NOT_PER_ENI,
  notPerEni,
  openFlowLog,
  parseFlowLog,
  rollupFlowLog,
  rollupFlowLogLazily,
  rollupFlowLogRecords,
  withScanner,
};
