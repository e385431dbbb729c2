// Text written into byte buffers for the Parquet reader (columnText.ts):
// digits of integers, ASCII, growable buffers, and text values copied as
// the typed path reads them.

/**
 * In `ColumnText.lengths`, `ODD_VALUE - n`: a value the text cannot carry
 * as it is (a space, `\n` or `\r`), its n bytes at `starts`.
 */
const ODD_VALUE = -2;

const SPACE = 0x20;
const NEWLINE = 0x0a;
const RETURN = 0x0d;
const ZERO = 0x30;
const POWERS_OF_TEN = Array.from({ length: 17 }, (_, i) => 10 ** i);

// As hyparquet decodes text (a leading BOM is dropped), so that text
// written from bytes reads as the string the typed path reads.
const utf8 = new TextDecoder();
const encoder = new TextEncoder();

/** Writes a non-negative safe integer's digits; returns the end. */
function writeDigits(buffer: Uint8Array, at: number, value: number): number {
  if (value < 10) {
    buffer[at] = ZERO + value;
    return at + 1;
  }
  let digits = 2;
  while (digits < 16 && value >= (POWERS_OF_TEN[digits] ?? 0)) digits++;
  const end = at + digits;
  let cursor = end;
  let rest = value;
  while (rest > 0xffffffff) {
    const next = Math.floor(rest / 10);
    buffer[--cursor] = ZERO + (rest - next * 10);
    rest = next;
  }
  let small = rest >>> 0;
  while (small >= 10) {
    const next = (small / 10) >>> 0;
    buffer[--cursor] = ZERO + (small - next * 10);
    small = next;
  }
  buffer[--cursor] = ZERO + small;
  return end;
}

/** Writes ASCII text (a number's `String`); returns the end. */
function writeAscii(buffer: Uint8Array, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) buffer[at + i] = text.charCodeAt(i);
  return at + text.length;
}

/** Where a buffer's bytes come from (the arena, or the heap). */
type Allocate = (bytes: number) => Uint8Array;

const fromHeap: Allocate = (bytes) => new Uint8Array(bytes);

/** A growable byte buffer. */
class Bytes {
  bytes: Uint8Array;
  private readonly allocate: Allocate;

  constructor(size: number, allocate: Allocate = fromHeap) {
    this.allocate = allocate;
    this.bytes = allocate(size);
  }

  /** Makes room for `size` bytes from `at`. */
  ensure(at: number, size: number): Uint8Array {
    if (at + size > this.bytes.length) {
      const grown = this.allocate(Math.max(at + size, this.bytes.length * 2));
      grown.set(this.bytes.subarray(0, at));
      this.bytes = grown;
    }
    return this.bytes;
  }
}

/**
 * Copies one text value (UTF-8 bytes) to `out` at `at` as the typed path
 * reads it: bytes beyond ASCII are decoded and encoded again (invalid UTF-8
 * becomes U+FFFD, a leading BOM is dropped, as TextDecoder does). Returns
 * the length written, or ODD_VALUE - n when the value holds a space, `\n`
 * or `\r` (its n bytes are copied as they are).
 */
function copyText(
  out: Bytes,
  at: number,
  source: Uint8Array,
  from: number,
  length: number
): number {
  const bytes = out.ensure(at, length);
  for (let i = 0; i < length; i++) {
    const byte = source[from + i] as number;
    if (byte <= SPACE || byte >= 0x80) {
      return copyTextWithCare(out, at, source, from, length);
    }
    bytes[at + i] = byte;
  }
  return length;
}

/** copyText for a value with a byte that is a control or beyond ASCII. */
function copyTextWithCare(
  out: Bytes,
  at: number,
  source: Uint8Array,
  from: number,
  length: number
): number {
  const value = source.subarray(from, from + length);
  let isAscii = true;
  for (const byte of value) {
    if (byte === SPACE || byte === NEWLINE || byte === RETURN) {
      out.ensure(at, length).set(value, at);
      return ODD_VALUE - length;
    }
    if (byte >= 0x80) isAscii = false;
  }
  if (isAscii) {
    out.ensure(at, length).set(value, at);
    return length;
  }
  const text = utf8.decode(value);
  const bytes = out.ensure(at, text.length * 3);
  return encoder.encodeInto(text, bytes.subarray(at)).written;
}

export type { Allocate };
export { Bytes, copyText, ODD_VALUE, utf8, writeAscii, writeDigits };
