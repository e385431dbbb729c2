// One Parquet cell written as the flow-log text the typed path reads of
// it (parquetText.ts writes the rows): numbers as digits, text as its
// UTF-8, null as `-`, and ODD for a cell the text cannot carry.

import type { RawFieldValue } from '../types.js';
import { writeDigits } from './textBytes.js';

const SPACE = 0x20;
const NEWLINE = 0x0a;
const RETURN = 0x0d;
const DASH = 0x2d;
/** Returned by a cell writer for a cell the text cannot carry. */
const ODD = -1;
const MAX_SAFE_BIGINT = BigInt(Number.MAX_SAFE_INTEGER);
/** Characters that would break a line (`\r`: a line's last one is dropped). */
const BREAKS_LINE = /[ \n\r]/;
const SURROGATE = /[\uD800-\uDFFF]/;

// As hyparquet decodes text (a leading BOM is dropped), so that a value
// written from its bytes is the string the typed path reads.
const utf8 = new TextDecoder();
const encoder = new TextEncoder();

/** Whether a string holds a surrogate without its other half. */
const hasLoneSurrogate = (text: string): boolean =>
  SURROGATE.test(text) && utf8.decode(encoder.encode(text)) !== text;

/**
 * The text of one typed cell (as `openParquetFile` gives it) in a flow-log
 * line, with the verdict `parseFlowLogRow` gives the cell: null is `-`;
 * a number or bigint is its decimal text (`String`: digits for a
 * non-negative safe integer, else text such as `-3`, `1.5`, `NaN` or
 * `9007199254740993`, which fails an integer field as the typed parser
 * fails it, with the same value in the message); a string is itself. Null
 * for a string the text cannot carry: one holding a space, `\n` or `\r`
 * (it would split or end the line), or a lone surrogate (UTF-8 has none).
 */
function cellText(cell: RawFieldValue): string | null {
  if (cell === null) return '-';
  // String(-0) is '0', as writeNumber writes it.
  if (typeof cell !== 'string') return String(cell);
  return BREAKS_LINE.test(cell) || hasLoneSurrogate(cell) ? null : cell;
}

/** Writes a string the text can carry; ODD for one it cannot. */
function writeString(
  buffer: Uint8Array,
  at: number,
  text: string,
  end: number
): number {
  const length = text.length;
  if (at + length > end) return ODD;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code <= SPACE || code >= 0x80) {
      if (code === SPACE || code === NEWLINE || code === RETURN) return ODD;
      if (code >= 0x80) return writeUnicode(buffer, at, text, end);
    }
    buffer[at + i] = code;
  }
  return at + length;
}

/** The slow part of writeString: text beyond ASCII, as UTF-8. */
function writeUnicode(
  buffer: Uint8Array,
  at: number,
  text: string,
  end: number
): number {
  if (BREAKS_LINE.test(text) || hasLoneSurrogate(text)) return ODD;
  const { read, written } = encoder.encodeInto(text, buffer.subarray(at, end));
  return read === text.length ? at + written : ODD;
}

/**
 * Writes a text column's value from its bytes. Bytes beyond ASCII are
 * decoded and encoded again, as the typed path decodes them (invalid UTF-8
 * becomes U+FFFD, a leading BOM is dropped), so both see the same text.
 */
function writeBytes(
  buffer: Uint8Array,
  at: number,
  bytes: Uint8Array,
  end: number
): number {
  const length = bytes.length;
  if (at + length > end) return ODD;
  for (let i = 0; i < length; i++) {
    const byte = bytes[i] ?? 0;
    if (byte <= SPACE || byte >= 0x80) {
      if (byte === SPACE || byte === NEWLINE || byte === RETURN) return ODD;
      if (byte >= 0x80) return writeString(buffer, at, utf8.decode(bytes), end);
    }
    buffer[at + i] = byte;
  }
  return at + length;
}

/** Writes a number as `cellText` does. */
function writeNumber(
  buffer: Uint8Array,
  at: number,
  value: number,
  end: number
): number {
  // -0 passes too, and is written as 0.
  if (value >= 0 && Number.isSafeInteger(value)) {
    return writeDigits(buffer, at, value);
  }
  return writeString(buffer, at, String(value), end);
}

/**
 * Writes one cell (`value` as hyparquet gives it; `isText`: a text
 * column's bytes) as `cellText` writes what the typed path reads of it:
 * `rawValueOf`'s rules (a Date is its epoch milliseconds, any other object
 * its `String`). Returns the end, or ODD for a cell the text cannot carry
 * or that does not fit before `end`.
 */
function writeCell(
  buffer: Uint8Array,
  at: number,
  value: unknown,
  isText: boolean,
  end: number
): number {
  if (value === null || value === undefined) {
    buffer[at] = DASH;
    return at + 1;
  }
  if (typeof value === 'number') return writeNumber(buffer, at, value, end);
  if (isText && value instanceof Uint8Array) {
    return writeBytes(buffer, at, value, end);
  }
  if (typeof value === 'bigint') {
    return value >= 0n && value <= MAX_SAFE_BIGINT
      ? writeDigits(buffer, at, Number(value))
      : writeString(buffer, at, String(value), end);
  }
  if (typeof value === 'string') return writeString(buffer, at, value, end);
  if (value instanceof Date)
    return writeNumber(buffer, at, value.getTime(), end);
  return writeString(buffer, at, String(value), end);
}

export { cellText, writeCell };
