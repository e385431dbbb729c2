import type { RawFieldValue } from '../types.js';
import {
  type ColumnDecoder,
  ColumnPages,
  DECODED_VALUES,
  DICTIONARY_VALUES,
  INT64_VALUES,
  TEXT_VALUES,
} from './columnPages.js';
import { isTextColumn } from './isTextColumn.js';
import type { LineArena } from './lineArena.js';
import { rawValueOf } from './parquetFlowLog.js';
import {
  type Allocate,
  Bytes,
  copyText,
  ODD_VALUE,
  utf8,
} from './textBytes.js';

/** Rows decoded at a time (per column: two Int32Arrays of this length). */
const BATCH_ROWS = 4096;

const EMPTY = new Uint8Array(0);

/** In `ColumnText.lengths`: the row's value is null (`-`). */
const NULL_VALUE = -1;

/**
 * One column chunk's values as text, a batch of rows at a time: for row r
 * of the batch, its text is `src[starts[r] .. starts[r] + lengths[r]]`, or
 * the row is null (`lengths[r]` NULL_VALUE) or odd (ODD_VALUE - n); when
 * `slotWidth` is not 0, `starts[r]` is instead an entry of a dictionary
 * laid out in slots (-1 for null). All of it lies in the arena, where the
 * line writer reads it. Pages are read one at a time from the chunk's
 * bytes (ColumnPages): INT32/INT64 and text columns, PLAIN or
 * dictionary-encoded, are decoded here straight into text (a dictionary is
 * written out once, as text); any other type or encoding is decoded by
 * hyparquet and written value by value as `writeCell` says. Integers are
 * written as decimal digits when they are non-negative safe integers and
 * as their `String` otherwise; text values as `copyText` says.
 */
class ColumnText {
  /** Where the batch's text lies: in the arena. */
  src: Uint8Array = EMPTY;
  /**
   * When not 0: the batch's values are dictionary slots of this width,
   * `starts` holds each row's entry (-1 for null) and `lengths` is unused.
   */
  slotWidth = 0;
  readonly starts: Int32Array;
  readonly lengths: Int32Array;

  /** The chunk's pages, the current one's values not yet decoded. */
  private readonly pages: ColumnPages;
  private readonly type: ColumnDecoder['type'];
  private readonly isText: boolean;
  private readonly writeCell: CellWriter;
  /** A batch's text, when it is not a dictionary's or the page's. */
  private readonly out: Bytes;
  private readonly arena: LineArena;
  /** A batch's definition levels and dictionary indices. */
  private readonly levelValues: Int32Array;
  private readonly indexValues: Int32Array;
  private batchStart = 0;

  constructor(decoder: ColumnDecoder, writeCell: CellWriter, arena: LineArena) {
    const allocate: Allocate = (bytes) => arena.bytes(bytes);
    this.arena = arena;
    this.pages = new ColumnPages(decoder, arena);
    this.levelValues = arena.ints(BATCH_ROWS);
    this.indexValues = arena.ints(BATCH_ROWS);
    this.starts = arena.ints(BATCH_ROWS);
    this.lengths = arena.ints(BATCH_ROWS);
    this.out = new Bytes(64 * 1024, allocate);
    this.type = decoder.type;
    this.writeCell = writeCell;
    this.isText = isTextColumn(decoder.element);
  }

  /**
   * Starts on a row group's column chunk (its bytes and codec); the
   * buffers of the last one are reused.
   */
  load(chunk: Uint8Array, codec: ColumnDecoder['codec']): void {
    this.release();
    this.pages.load(chunk, codec);
  }

  /** Rows left in the current page, the next page read when none; 0 at the end. */
  available(): number {
    return this.pages.available();
  }

  /** Decodes the next `rows` rows (at most `available()` and BATCH_ROWS). */
  decode(rows: number): void {
    const { starts, lengths, pages } = this;
    const { hasNulls } = pages;
    pages.pageRows -= rows;
    this.slotWidth = 0;
    if (pages.values === DECODED_VALUES) {
      this.decodeDecoded(rows);
      return;
    }
    if (hasNulls) pages.levels.read(this.levelValues, rows);
    if (pages.values === DICTIONARY_VALUES) {
      const dictionary = pages.dictionary;
      if (!dictionary) throw new Error('dictionary page missing');
      const present = hasNulls ? this.arena.sum(this.levelValues, rows) : rows;
      this.src = dictionary.text;
      this.slotWidth = dictionary.slotWidth;
      const size = dictionary.starts.length;
      if (dictionary.slotWidth > 0) {
        // Slots: `starts` holds each row's entry, -1 for null.
        let largest = 0;
        if (present === rows) {
          largest = pages.indices.read(starts, rows);
        } else {
          largest = pages.indices.read(this.indexValues, present);
          this.arena.spread(this.levelValues, this.indexValues, starts, rows);
        }
        if (present > 0 && largest >= size) {
          throw new Error(`dictionary index ${largest} of ${size} entries`);
        }
        return;
      }
      pages.indices.read(this.indexValues, present);
      const textStarts = dictionary.starts;
      const textLengths = dictionary.lengths;
      for (let row = 0, next = 0; row < rows; row++) {
        if (hasNulls && this.levelValues[row] === 0) {
          lengths[row] = NULL_VALUE;
          continue;
        }
        const index = this.indexValues[next++] as number;
        if (index >= size) {
          throw new Error(`dictionary index ${index} of ${size} entries`);
        }
        starts[row] = textStarts[index] as number;
        lengths[row] = textLengths[index] as number;
      }
      return;
    }
    const levels = hasNulls ? this.levelValues : null;
    if (pages.values === TEXT_VALUES) {
      // Printable ASCII is left where it lies in the page.
      const end = this.arena.checkText(
        pages.page,
        pages.valueAt,
        levels,
        rows,
        starts,
        lengths
      );
      if (end >= 0) {
        pages.valueAt = end;
        this.src = pages.page;
        return;
      }
    } else {
      const is64 = pages.values === INT64_VALUES;
      const present = levels ? this.arena.sum(levels, rows) : rows;
      const text = this.out.ensure(0, rows * 21);
      this.arena.writeIntegers(
        pages.page,
        pages.valueAt,
        levels,
        rows,
        is64,
        text,
        0,
        starts,
        lengths
      );
      pages.valueAt += present * (is64 ? 8 : 4);
      this.src = text;
      return;
    }
    // Text with a space, a control or bytes beyond ASCII: copied with care.
    const { pageView, page } = pages;
    let at = 0;
    for (let row = 0; row < rows; row++) {
      if (hasNulls && this.levelValues[row] === 0) {
        lengths[row] = NULL_VALUE;
        continue;
      }
      starts[row] = at;
      const valueAt = pages.valueAt;
      const length = pageView.getUint32(valueAt, true);
      pages.valueAt = valueAt + 4 + length;
      const written = copyText(this.out, at, page, valueAt + 4, length);
      lengths[row] = written;
      at += written >= 0 ? written : ODD_VALUE - written;
    }
    this.src = this.out.bytes;
  }

  /** decode() for a page hyparquet decoded: each value as `writeCell` writes it. */
  private decodeDecoded(rows: number): void {
    const { starts, lengths, pages } = this;
    let at = 0;
    this.batchStart = pages.valueAt;
    for (let row = 0; row < rows; row++) {
      const value: unknown = pages.decoded[pages.valueAt++];
      const bytes = this.out.ensure(at, 70 * 1024);
      const end = this.writeCell(bytes, at, value, this.isText, bytes.length);
      starts[row] = at;
      if (value === null || value === undefined) {
        lengths[row] = NULL_VALUE;
      } else if (end < 0) {
        lengths[row] = ODD_VALUE;
      } else {
        lengths[row] = end - at;
        at = end;
      }
    }
    this.src = this.out.bytes;
  }

  /** Lets go of the chunk's bytes, pages and dictionary (the row group is done). */
  release(): void {
    this.pages.release();
    this.src = EMPTY;
  }

  /**
   * Where row `row` of the last batch lies in `src`: its start and length,
   * or NULL_VALUE / ODD_VALUE - n as in `lengths` (a slot resolved).
   */
  span(row: number): { start: number; length: number } {
    const width = this.slotWidth;
    if (width === 0) {
      return {
        start: this.starts[row] ?? 0,
        length: this.lengths[row] ?? NULL_VALUE,
      };
    }
    const entry = this.starts[row] ?? -1;
    if (entry < 0) return { start: 0, length: NULL_VALUE };
    const start = entry * width;
    return { start, length: this.src[start + width - 1] ?? 0 };
  }

  /** Row `row` of the last batch as the typed path reads it (`openParquetFile`). */
  typedCell(row: number): RawFieldValue {
    if (this.pages.values === DECODED_VALUES) {
      const value: unknown = this.pages.decoded[this.batchStart + row];
      return this.isText && value instanceof Uint8Array
        ? utf8.decode(value)
        : rawValueOf(value);
    }
    const { start, length } = this.span(row);
    if (length === NULL_VALUE) return null;
    const size = length >= 0 ? length : ODD_VALUE - length;
    const text = utf8.decode(this.src.subarray(start, start + size));
    // An integer was written as its decimal text, which gives it back.
    if (this.isText) return text;
    return this.type === 'INT64' ? BigInt(text) : Number(text);
  }
}

/**
 * Writes a value hyparquet decoded, as text (see parquetText's
 * `writeCell`): returns the end, or a negative number when the value
 * cannot be written as text as it is.
 */
type CellWriter = (
  buffer: Uint8Array,
  at: number,
  value: unknown,
  isText: boolean,
  end: number
) => number;

export type { CellWriter };
export { BATCH_ROWS, ColumnText, NULL_VALUE };
