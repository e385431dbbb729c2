import {
  badValueError,
  endBeforeStartError,
  fieldCountError,
  ParseError,
} from '../errors.js';
import { toSeconds } from '../flowLogRules.js';
import type {
  FieldValue,
  FlowLogFormat,
  FlowRecord,
  ParseResult,
} from '../types.js';

const ACTIONS = new Set(['ACCEPT', 'REJECT']);
const LOG_STATUSES = new Set(['OK', 'NODATA', 'SKIPDATA']);
const DIGITS = /^[0-9]+$/;

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
    const value = values[i];
    if (field === undefined || value === undefined) continue;
    if (value === '-') {
      record[field.key] = null;
    } else if (field.type === 'integer') {
      const number = DIGITS.test(value) ? Number(value) : Number.NaN;
      if (!Number.isSafeInteger(number)) {
        return fail(
          badValueError('bad-integer', lineNumber, field.name, value)
        );
      }
      record[field.key] =
        field.name === 'start' || field.name === 'end'
          ? toSeconds(number)
          : number;
    } else if (field.name === 'action' && !ACTIONS.has(value)) {
      return fail(badValueError('bad-action', lineNumber, field.name, value));
    } else if (field.name === 'log-status' && !LOG_STATUSES.has(value)) {
      return fail(
        badValueError('bad-log-status', lineNumber, field.name, value)
      );
    } else {
      record[field.key] = value;
    }
  }
  const { start, end } = record;
  if (typeof start === 'number' && typeof end === 'number' && end < start) {
    return fail(endBeforeStartError(lineNumber, start, end));
  }
  return { success: true, data: record };
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

export { parseFlowLogLine, parseFlowLogText };
