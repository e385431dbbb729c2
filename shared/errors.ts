/** Why a line is a bad record. Stable codes: tests, metrics and samples use them. */
type BadRecordReason =
  | 'field-count'
  | 'bad-integer'
  | 'bad-action'
  | 'bad-log-status'
  | 'end-before-start'
  | 'missing-interface-id'
  | 'missing-time'
  | 'span-too-long'
  | 'line-too-long';

/** The message of a caught value (`unknown`: not always an Error). */
const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/** Base class of every error this project throws or returns. */
class FlowLogError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bytes or a payload could not be decoded (bad gzip, unreadable object). */
class DecodeError extends FlowLogError {}

/** A format string or header line that cannot describe flow-log records. */
class FormatError extends FlowLogError {}

/** Configuration that cannot work; the message names the variable. */
class ConfigError extends FlowLogError {}

/** The store still fails after the SDK's retries. */
class StoreError extends FlowLogError {}

/**
 * An object ingested in parts ran short of time before its next part: the
 * parts applied are kept, and the redelivery resumes after them.
 */
class OutOfTimeError extends FlowLogError {}

/** The catalog refresh refuses a listing that would delete the whole catalog. */
class CatalogError extends FlowLogError {}

/** A bad client request; `param` names the offending parameter. */
class QueryError extends FlowLogError {
  readonly statusCode: number;
  readonly code: string;
  readonly param: string | undefined;

  constructor(
    statusCode: number,
    code: string,
    message: string,
    param?: string,
    options?: { cause?: unknown }
  ) {
    super(message, options);
    this.statusCode = statusCode;
    this.code = code;
    this.param = param;
  }
}

const REASON_TEXT: Record<BadRecordReason, string> = {
  'field-count': 'wrong number of fields',
  'bad-integer': 'not a non-negative safe integer',
  'bad-action': 'action is not ACCEPT, REJECT or -',
  'bad-log-status': 'log-status is not OK, NODATA, SKIPDATA or -',
  'end-before-start': 'end is before start',
  'missing-interface-id': 'interface-id is absent (-)',
  'missing-time': 'start or end is absent (-)',
  'span-too-long': 'start..end spans more than one day',
  'line-too-long': 'line longer than 64 KiB',
};

/**
 * One bad flow-log line, returned as a value (never thrown) by the parser and
 * the rollup scanner. Both build it the same way, so their samples agree.
 */
class ParseError extends FlowLogError {
  readonly lineNumber: number;
  readonly reason: BadRecordReason;
  readonly field: string | undefined;

  constructor(
    reason: BadRecordReason,
    lineNumber: number,
    field?: string,
    detail?: string
  ) {
    const where = field === undefined ? '' : ` in ${field}`;
    const what = detail === undefined ? '' : `: ${detail}`;
    super(`line ${lineNumber}: ${REASON_TEXT[reason]}${where}${what}`);
    this.lineNumber = lineNumber;
    this.reason = reason;
    this.field = field;
  }
}

/** Quotes a bad value for a message, cut to 40 characters. */
const quoteValue = (value: string): string =>
  JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);

// The bad records that carry details, worded in one place so that the typed
// parser and the WebAssembly scanner report them identically.

/** A line with `found` fields where the format has `expected`. */
const fieldCountError = (
  lineNumber: number,
  found: number,
  expected: number
): ParseError =>
  new ParseError(
    'field-count',
    lineNumber,
    undefined,
    `${found}, expected ${expected}`
  );

/** A field whose text is not allowed there. */
const badValueError = (
  reason: 'bad-integer' | 'bad-action' | 'bad-log-status',
  lineNumber: number,
  field: string | undefined,
  value: string
): ParseError => new ParseError(reason, lineNumber, field, quoteValue(value));

/** A record whose end (in seconds) is before its start. */
const endBeforeStartError = (
  lineNumber: number,
  start: number,
  end: number
): ParseError =>
  new ParseError(
    'end-before-start',
    lineNumber,
    undefined,
    `${start} > ${end}`
  );

/** A record active for more than MAX_RECORD_SECONDS. */
const spanTooLongError = (lineNumber: number, seconds: number): ParseError =>
  new ParseError('span-too-long', lineNumber, undefined, `${seconds} s`);

export type { BadRecordReason };
export {
  badValueError,
  CatalogError,
  ConfigError,
  DecodeError,
  endBeforeStartError,
  FlowLogError,
  FormatError,
  fieldCountError,
  messageOf,
  OutOfTimeError,
  ParseError,
  QueryError,
  StoreError,
  spanTooLongError,
};
