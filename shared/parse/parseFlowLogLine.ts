import {
  badValueError,
  endBeforeStartError,
  fieldCountError,
  ParseError,
} from '../errors.js';
import { toSeconds } from '../flowLogRules.js';
import type {
  FieldSpec,
  FieldValue,
  FlowLogFormat,
  FlowRecord,
  ParseResult,
  RawFieldValue,
} from '../types.js';

const ACTIONS = new Set(['ACCEPT', 'REJECT']);
const LOG_STATUSES = new Set(['OK', 'NODATA', 'SKIPDATA']);
const DIGITS = /^[0-9]+$/;

/**
 * The integer a typed value holds, or NaN when it holds none we accept. A
 * negative zero (a DOUBLE column can hold one) is 0, as its text `0` reads.
 */
function integerOf(raw: number | bigint): number {
  if (typeof raw === 'bigint') {
    return raw >= 0n && raw <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(raw)
      : Number.NaN;
  }
  return raw >= 0 ? raw + 0 : Number.NaN;
}

/**
 * Sets one field of a record by the rules that text and Parquet records
 * share: `-` or null is absent (null); an integer field takes a
 * non-negative safe integer (in text, digits only), and a 13-digit
 * millisecond start or end becomes seconds; a string field takes the value's
 * text, and action and log-status must be values AWS writes. Never throws:
 * for a value that breaks a rule it sets nothing and returns the record's
 * `ParseError` (`bad-integer`, `bad-action` or `bad-log-status`, naming the
 * field and the value); otherwise it returns undefined.
 */
function setFieldValue(
  record: Record<string, FieldValue>,
  field: FieldSpec,
  raw: RawFieldValue,
  lineNumber: number
): ParseError | undefined {
  if (raw === null || raw === '-') {
    record[field.key] = null;
  } else if (field.type === 'integer') {
    const number =
      typeof raw !== 'string'
        ? integerOf(raw)
        : DIGITS.test(raw)
          ? Number(raw)
          : Number.NaN;
    if (!Number.isSafeInteger(number)) {
      return badValueError('bad-integer', lineNumber, field.name, String(raw));
    }
    record[field.key] =
      field.name === 'start' || field.name === 'end'
        ? toSeconds(number)
        : number;
  } else {
    const value = typeof raw === 'string' ? raw : String(raw);
    if (field.name === 'action' && !ACTIONS.has(value)) {
      return badValueError('bad-action', lineNumber, field.name, value);
    }
    if (field.name === 'log-status' && !LOG_STATUSES.has(value)) {
      return badValueError('bad-log-status', lineNumber, field.name, value);
    }
    record[field.key] = value;
  }
  return undefined;
}

/**
 * Checks a record once all its fields are read (the rules across fields):
 * an end before the start is an `end-before-start` `ParseError`. Never
 * throws.
 */
function checkRecord(
  record: FlowRecord,
  lineNumber: number
): ParseResult<FlowRecord, ParseError> {
  const { start, end } = record;
  if (typeof start === 'number' && typeof end === 'number' && end < start) {
    return fail(endBeforeStartError(lineNumber, start, end));
  }
  return { success: true, data: record };
}

/**
 * Parses one flow-log line against its format, the way vrl's
 * `parse_aws_vpc_flow_log` does: split on single spaces, zip with the field
 * names, `-` is null, integer fields must be non-negative safe integers.
 * Never throws: a line that does not fit is `{ success: false, error }` with
 * a `ParseError` naming the line, the reason and the field. Columns are
 * checked left to right and the first problem is reported.
 * @example parseFlowLogLine('2 123 eni-1 ... ACCEPT OK', DEFAULT_FORMAT, 2)
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html
 */
function parseFlowLogLine(
  text: string,
  format: FlowLogFormat,
  lineNumber: number
): ParseResult<FlowRecord, ParseError> {
  const line = text.endsWith('\r') ? text.slice(0, -1) : text;
  const values = line.split(' ');
  const { fields } = format;
  if (values.length !== fields.length) {
    return fail(fieldCountError(lineNumber, values.length, fields.length));
  }
  const record: Record<string, FieldValue> = {};
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i];
    const raw = values[i];
    if (field === undefined || raw === undefined) continue;
    const error = setFieldValue(record, field, raw, lineNumber);
    if (error !== undefined) return fail(error);
  }
  return checkRecord(record, lineNumber);
}

const fail = (error: ParseError): { success: false; error: ParseError } => ({
  success: false,
  error,
});

/**
 * Parses one line of a file (its `\n` removed, a `\r` kept): null for a
 * blank line or a repeated header line (two files concatenated), a `line-too-long` ParseError when the line
 * was too long to keep (`text` null), else `parseFlowLogLine`.
 */
function parseFlowLogText(
  text: string | null,
  lineNumber: number,
  format: FlowLogFormat
): ParseResult<FlowRecord, ParseError> | null {
  if (text === null) {
    return fail(new ParseError('line-too-long', lineNumber));
  }
  const line = text.endsWith('\r') ? text.slice(0, -1) : text;
  if (line === '' || line === format.header) return null;
  // parseFlowLogLine strips the one trailing \r itself.
  return parseFlowLogLine(text, format, lineNumber);
}

/**
 * Parses one typed row (a Parquet row's cells, in the format's column
 * order) by the same rules as a text line: see `setFieldValue`. Never
 * throws; a bad cell is a `ParseError` value.
 */
function parseFlowLogRow(
  cells: readonly RawFieldValue[],
  lineNumber: number,
  format: FlowLogFormat
): ParseResult<FlowRecord, ParseError> {
  const record: Record<string, FieldValue> = {};
  const { fields } = format;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i];
    if (field === undefined) continue;
    const error = setFieldValue(record, field, cells[i] ?? null, lineNumber);
    if (error !== undefined) return { success: false, error };
  }
  return checkRecord(record, lineNumber);
}

export {
  checkRecord,
  parseFlowLogLine,
  parseFlowLogRow,
  parseFlowLogText,
  setFieldValue,
};
