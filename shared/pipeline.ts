import { FlowLogScanner } from './aggregate/flowLogScanner.js';
import { RecordRollup, type RollupOptions } from './aggregate/rollupRecords.js';
import {
  gunzipIfNeeded,
  prepend,
  splitLines,
  takeFirstLine,
} from './decode/flowLogText.js';
import type { ParseError } from './errors.js';
import {
  DEFAULT_FORMAT,
  formatFromHeader,
  isHeaderLine,
} from './parse/flowLogFormat.js';
import { parseFlowLogText } from './parse/parseFlowLogLine.js';
import type {
  FlowLogFormat,
  FlowRecord,
  ParseResult,
  RollupOutcome,
} from './types.js';

/** How to read one input (a file, an S3 object, a CloudWatch batch). */
interface FlowLogInput {
  /** Raw bytes, gzipped or plain. */
  readonly chunks: AsyncIterable<Uint8Array>;
  /** Names the input in errors (a path, s3://bucket/key). */
  readonly label: string;
  /** The format when the input has no header line; default version 2. */
  readonly format?: FlowLogFormat;
}

/** An opened input: its format and the text after any header line. */
interface OpenFlowLog {
  readonly format: FlowLogFormat;
  readonly firstLineNumber: number;
  readonly text: AsyncIterable<Uint8Array>;
}

/**
 * Decodes an input and resolves its format: a header line wins; otherwise
 * `input.format`, otherwise the default v2 format. Throws `DecodeError` on
 * bad gzip and `FormatError` on an unusable header.
 */
async function openFlowLog(input: FlowLogInput): Promise<OpenFlowLog> {
  const text = gunzipIfNeeded(input.chunks, input.label);
  const first = await takeFirstLine(text);
  if (first.text !== null && isHeaderLine(first.text)) {
    return {
      format: formatFromHeader(first.text),
      firstLineNumber: 2,
      text: first.rest,
    };
  }
  return {
    format: input.format ?? DEFAULT_FORMAT,
    firstLineNumber: 1,
    text: prepend(first.bytes, first.rest),
  };
}

const notPerEni = (format: FlowLogFormat): RollupOutcome => ({
  kind: 'not-per-eni',
  format,
  reason:
    'a Transit Gateway flow log (tgw-* fields, no interface-id) has no per-ENI rollups',
});

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
  const { format, firstLineNumber, text } = await openFlowLog(input);
  if (format.isTransitGateway) return notPerEni(format);
  const scanner = new FlowLogScanner(format, options, firstLineNumber);
  for await (const chunk of text) scanner.push(chunk);
  return { kind: 'rollups', format, ...scanner.finish() };
}

/** One parsed line of an input. */
interface ParsedLine {
  readonly lineNumber: number;
  readonly result: ParseResult<FlowRecord, ParseError>;
}

/**
 * The typed path: every non-blank, non-header line parsed into a
 * `FlowRecord` (or a ParseError value), in input order.
 */
async function parseFlowLog(
  input: FlowLogInput
): Promise<{ format: FlowLogFormat; lines: AsyncIterable<ParsedLine> }> {
  const { format, firstLineNumber, text } = await openFlowLog(input);
  async function* lines(): AsyncGenerator<ParsedLine> {
    for await (const line of splitLines(text, firstLineNumber)) {
      const result = parseFlowLogText(line.text, line.lineNumber, format);
      if (result) yield { lineNumber: line.lineNumber, result };
    }
  }
  return { format, lines: lines() };
}

/**
 * Rolls up through the typed parser (slower, the reference the hot path is
 * checked against). Same contract as `rollupFlowLog`.
 */
async function rollupFlowLogRecords(
  input: FlowLogInput,
  options: RollupOptions
): Promise<RollupOutcome> {
  const { format, lines } = await parseFlowLog(input);
  if (format.isTransitGateway) return notPerEni(format);
  const rollup = new RecordRollup(format, options);
  for await (const { lineNumber, result } of lines) {
    rollup.add(result, lineNumber);
  }
  return { kind: 'rollups', format, ...rollup.finish() };
}

export type { FlowLogInput, ParsedLine };
export { parseFlowLog, rollupFlowLog, rollupFlowLogRecords };
