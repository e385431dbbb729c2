import type { DecodedArray, PageHeader, SchemaElement } from 'hyparquet';
import { snappyUncompress } from 'hyparquet';
import { parquetHeader, readPage } from 'hyparquet/src/column.js';
import { convert } from 'hyparquet/src/convert.js';
import { decompressPage } from 'hyparquet/src/datapage.js';
import { getMaxDefinitionLevel } from 'hyparquet/src/schema.js';
import type { RawFieldValue } from '../types.js';
import { gunzipInto } from './gunzipInto.js';
import type { LineArena } from './lineArena.js';
import { dictionaryText, type TextDictionary } from './parquetDictionary.js';
import { PARQUET_COMPRESSORS, rawValueOf } from './parquetFlowLog.js';
import {
  type Allocate,
  Bytes,
  copyText,
  ODD_VALUE,
  utf8,
} from './textBytes.js';

/** What hyparquet's page reader needs to know of a column. */
type ColumnDecoder = Parameters<typeof readPage>[2];

/** Rows decoded at a time (per column: two Int32Arrays of this length). */
const BATCH_ROWS = 4096;

const EMPTY = new Uint8Array(0);

/** In `ColumnText.lengths`: the row's value is null (`-`). */
const NULL_VALUE = -1;

/**
 * Whether hyparquet reads a column as text (`stringFromBytes`): every
 * BYTE_ARRAY column but the ones it turns into something else (DECIMAL,
 * JSON, geometry), and any column annotated UTF8/STRING.
 */
function isTextColumn(element: SchemaElement): boolean {
  const converted = element.converted_type;
  const logical = element.logical_type?.type;
  if (converted === 'DECIMAL' || converted === 'JSON') return false;
  if (converted === 'BSON' || converted === 'INTERVAL') return false;
  if (logical === 'GEOMETRY' || logical === 'GEOGRAPHY') return false;
  if (logical === 'UUID' || logical === 'VARIANT') return false;
  return (
    element.type === 'BYTE_ARRAY' ||
    converted === 'UTF8' ||
    logical === 'STRING'
  );
}

/** Whether hyparquet reads a column's values as they are stored (INT32/INT64). */
function isPlainIntegerColumn(element: SchemaElement): boolean {
  const converted = element.converted_type;
  const logical = element.logical_type;
  return (
    (element.type === 'INT32' || element.type === 'INT64') &&
    (converted === undefined ||
      converted === 'INT_8' ||
      converted === 'INT_16' ||
      converted === 'INT_32' ||
      converted === 'INT_64') &&
    (logical === undefined ||
      (logical.type === 'INTEGER' && logical.isSigned === true))
  );
}

/**
 * Reads an RLE / bit-packed hybrid run stream (the encoding of definition
 * levels and dictionary indices) in batches, in WebAssembly
 * (LineArena.readHybrid): the stream's bytes and the values lie in the
 * arena.
 * @see https://parquet.apache.org/docs/file-format/data-pages/encodings/
 */
class HybridReader {
  private readonly arena: LineArena;
  /** The reader's state, in the arena (see LineArena.readHybrid). */
  private readonly state: Int32Array;

  constructor(arena: LineArena) {
    this.arena = arena;
    this.state = arena.ints(8);
  }

  /** Starts on the stream at `bytes[at]` (bytes in the arena). */
  reset(bytes: Uint8Array, at: number, width: number): void {
    const { state } = this;
    state[0] = bytes.byteOffset + at;
    state[1] = bytes.byteOffset + bytes.length;
    state[2] = width;
    state[3] = 0;
  }

  /** Reads the next `count` values into `out` (in the arena); returns the largest. */
  read(out: Int32Array, count: number): number {
    const largest = this.arena.readHybrid(this.state, out, count);
    if (largest < 0) throw new Error('RLE data ends early');
    return largest;
  }
}

// How the current page's values are stored.
const DICTIONARY_VALUES = 0;
const INT32_VALUES = 1;
const INT64_VALUES = 2;
const TEXT_VALUES = 3;
/** Decoded by hyparquet (any other type or encoding). */
const DECODED_VALUES = 4;

/**
 * One column chunk's values as text, a batch of rows at a time: for row r
 * of the batch, its text is `src[starts[r] .. starts[r] + lengths[r]]`, or
 * the row is null (`lengths[r]` NULL_VALUE) or odd (ODD_VALUE - n); when
 * `slotWidth` is not 0, `starts[r]` is instead an entry of a dictionary
 * laid out in slots (-1 for null). All of it lies in the arena, where the
 * line writer reads it. Pages are read one at a time from the chunk's
 * bytes: INT32/INT64 and text columns, PLAIN or dictionary-encoded, are
 * decoded here straight into text (a dictionary is written out once, as
 * text); any other type or encoding is decoded by hyparquet and written
 * value by value as `writeCell` says. Integers are written as decimal
 * digits when they are non-negative safe integers and as their `String`
 * otherwise; text values as `copyText` says.
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

  private view: DataView;
  private chunk: Uint8Array;
  private decoder: ColumnDecoder;
  private readonly isText: boolean;
  private readonly isFast: boolean;
  private readonly hasNulls: boolean;
  private readonly writeCell: CellWriter;
  /** A batch's text, when it is not a dictionary's or the page's. */
  private readonly out: Bytes;
  /** Uncompressed pages (reused page after page). */
  private readonly scratch: Bytes;
  /** The dictionary's text (reused chunk after chunk). */
  private readonly dictionaryText: Bytes;
  private readonly dictionarySlots: Bytes;
  private readonly arena: LineArena;
  private readonly levels: HybridReader;
  private readonly indices: HybridReader;
  /** A batch's definition levels and dictionary indices. */
  private readonly levelValues: Int32Array;
  private readonly indexValues: Int32Array;
  /** A V2 page's definition levels (they are not compressed with it). */
  private readonly levelBytes: Bytes;
  private at = 0;
  private pageRows = 0;
  private values = DECODED_VALUES;
  private page: Uint8Array = new Uint8Array(0);
  private pageView: DataView = new DataView(new ArrayBuffer(0));
  private valueAt = 0;
  private dictionary: TextDictionary | null = null;
  /** hyparquet's dictionary, for a column it decodes. */
  private decodedDictionary: DecodedArray | undefined = undefined;
  private decoded: DecodedArray = [];
  private batchStart = 0;

  constructor(decoder: ColumnDecoder, writeCell: CellWriter, arena: LineArena) {
    const allocate: Allocate = (bytes) => arena.bytes(bytes);
    this.arena = arena;
    this.levels = new HybridReader(arena);
    this.indices = new HybridReader(arena);
    this.levelValues = arena.ints(BATCH_ROWS);
    this.indexValues = arena.ints(BATCH_ROWS);
    this.levelBytes = new Bytes(1024, allocate);
    this.starts = arena.ints(BATCH_ROWS);
    this.lengths = arena.ints(BATCH_ROWS);
    this.out = new Bytes(64 * 1024, allocate);
    this.scratch = new Bytes(64 * 1024, allocate);
    this.dictionaryText = new Bytes(1024, allocate);
    this.dictionarySlots = new Bytes(1024, allocate);
    this.chunk = EMPTY;
    this.view = new DataView(EMPTY.buffer);
    this.decoder = decoder;
    this.writeCell = writeCell;
    const { element } = decoder;
    this.isText = isTextColumn(element);
    this.isFast =
      (this.isText && element.type === 'BYTE_ARRAY') ||
      isPlainIntegerColumn(element);
    this.hasNulls = getMaxDefinitionLevel(decoder.schemaPath) > 0;
  }

  /**
   * Starts on a row group's column chunk (its bytes and codec); the
   * buffers of the last one are reused.
   */
  load(chunk: Uint8Array, codec: ColumnDecoder['codec']): void {
    this.release();
    this.chunk = chunk;
    this.view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.decoder = { ...this.decoder, codec };
  }

  /** Rows left in the current page, the next page read when none; 0 at the end. */
  available(): number {
    while (this.pageRows === 0) {
      if (this.at >= this.chunk.length) return 0;
      this.readPage();
    }
    return this.pageRows;
  }

  /** Decodes the next `rows` rows (at most `available()` and BATCH_ROWS). */
  decode(rows: number): void {
    const { starts, lengths, hasNulls } = this;
    this.pageRows -= rows;
    this.slotWidth = 0;
    if (this.values === DECODED_VALUES) {
      this.decodeDecoded(rows);
      return;
    }
    if (hasNulls) this.levels.read(this.levelValues, rows);
    if (this.values === DICTIONARY_VALUES) {
      const dictionary = this.dictionary;
      if (!dictionary) throw new Error('dictionary page missing');
      const present = hasNulls ? this.arena.sum(this.levelValues, rows) : rows;
      this.src = dictionary.text;
      this.slotWidth = dictionary.slotWidth;
      const size = dictionary.starts.length;
      if (dictionary.slotWidth > 0) {
        // Slots: `starts` holds each row's entry, -1 for null.
        let largest = 0;
        if (present === rows) {
          largest = this.indices.read(starts, rows);
        } else {
          largest = this.indices.read(this.indexValues, present);
          this.arena.spread(this.levelValues, this.indexValues, starts, rows);
        }
        if (present > 0 && largest >= size) {
          throw new Error(`dictionary index ${largest} of ${size} entries`);
        }
        return;
      }
      this.indices.read(this.indexValues, present);
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
    if (this.values === TEXT_VALUES) {
      // Printable ASCII is left where it lies in the page.
      const end = this.arena.checkText(
        this.page,
        this.valueAt,
        levels,
        rows,
        starts,
        lengths
      );
      if (end >= 0) {
        this.valueAt = end;
        this.src = this.page;
        return;
      }
    } else {
      const is64 = this.values === INT64_VALUES;
      const present = levels ? this.arena.sum(levels, rows) : rows;
      const text = this.out.ensure(0, rows * 21);
      this.arena.writeIntegers(
        this.page,
        this.valueAt,
        levels,
        rows,
        is64,
        text,
        0,
        starts,
        lengths
      );
      this.valueAt += present * (is64 ? 8 : 4);
      this.src = text;
      return;
    }
    // Text with a space, a control or bytes beyond ASCII: copied with care.
    const { pageView, page } = this;
    let at = 0;
    for (let row = 0; row < rows; row++) {
      if (hasNulls && this.levelValues[row] === 0) {
        lengths[row] = NULL_VALUE;
        continue;
      }
      starts[row] = at;
      const valueAt = this.valueAt;
      const length = pageView.getUint32(valueAt, true);
      this.valueAt = valueAt + 4 + length;
      const written = copyText(this.out, at, page, valueAt + 4, length);
      lengths[row] = written;
      at += written >= 0 ? written : ODD_VALUE - written;
    }
    this.src = this.out.bytes;
  }

  /** decode() for a page hyparquet decoded: each value as `writeCell` writes it. */
  private decodeDecoded(rows: number): void {
    const { starts, lengths } = this;
    let at = 0;
    this.batchStart = this.valueAt;
    for (let row = 0; row < rows; row++) {
      const value: unknown = this.decoded[this.valueAt++];
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
    this.chunk = EMPTY;
    this.view = new DataView(EMPTY.buffer);
    this.page = EMPTY;
    this.pageView = this.view;
    this.dictionary = null;
    this.decodedDictionary = undefined;
    this.decoded = [];
    this.src = EMPTY;
    this.at = 0;
    this.pageRows = 0;
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
    if (this.values === DECODED_VALUES) {
      const value: unknown = this.decoded[this.batchStart + row];
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
    return this.decoder.type === 'INT64' ? BigInt(text) : Number(text);
  }

  /** Reads the next page header and gets its values ready. */
  private readPage(): void {
    const reader = { view: this.view, offset: this.at };
    const header = parquetHeader(reader);
    const body = this.chunk.subarray(
      reader.offset,
      reader.offset + header.compressed_page_size
    );
    this.at = reader.offset + header.compressed_page_size;
    if (header.type === 'DICTIONARY_PAGE') {
      this.readDictionary(header, body, reader);
    } else if (header.type === 'DATA_PAGE' || header.type === 'DATA_PAGE_V2') {
      this.readDataPage(header, body, reader);
    }
  }

  private readDictionary(
    header: PageHeader,
    body: Uint8Array,
    reader: { view: DataView; offset: number }
  ): void {
    const { type } = this.decoder;
    if (!this.isFast) {
      const { data } = readPage(reader, header, this.decoder, undefined, [], 0);
      this.decodedDictionary = data && convert(data, this.decoder);
      return;
    }
    this.dictionary = dictionaryText(
      this.decompress(body, header.uncompressed_page_size),
      header.dictionary_page_header?.num_values ?? 0,
      type,
      this.dictionaryText,
      this.dictionarySlots
    );
  }

  private readDataPage(
    header: PageHeader,
    body: Uint8Array,
    reader: { view: DataView; offset: number }
  ): void {
    const v1 = header.data_page_header;
    const v2 = header.data_page_header_v2;
    const encoding = v1?.encoding ?? v2?.encoding;
    const isDictionary =
      encoding === 'RLE_DICTIONARY' || encoding === 'PLAIN_DICTIONARY';
    if (!this.isFast || !(isDictionary || encoding === 'PLAIN')) {
      this.readDecodedPage(header, reader);
      return;
    }
    let values: Uint8Array;
    if (v2) {
      const levelBytes =
        v2.repetition_levels_byte_length + v2.definition_levels_byte_length;
      if (this.hasNulls) {
        const levels = body.subarray(
          v2.repetition_levels_byte_length,
          levelBytes
        );
        const copy = this.levelBytes.ensure(0, levels.length);
        copy.set(levels);
        this.levels.reset(copy.subarray(0, levels.length), 0, 1);
      }
      const size = header.uncompressed_page_size - levelBytes;
      values =
        v2.is_compressed === false || size === 0
          ? this.inArena(body.subarray(levelBytes))
          : this.decompress(body.subarray(levelBytes), size);
      this.pageRows = v2.num_rows;
    } else {
      const page = this.decompress(body, header.uncompressed_page_size);
      let at = 0;
      if (this.hasNulls) {
        const view = new DataView(page.buffer, page.byteOffset, 4);
        this.levels.reset(page, 4, 1);
        at = 4 + view.getUint32(0, true);
      }
      values = page.subarray(at);
      this.pageRows = v1?.num_values ?? 0;
    }
    this.page = values;
    this.pageView = new DataView(
      values.buffer,
      values.byteOffset,
      values.byteLength
    );
    this.valueAt = 0;
    if (isDictionary) {
      this.values = DICTIONARY_VALUES;
      if (this.pageRows > 0) {
        this.indices.reset(values, 1, values[0] ?? 0);
      }
    } else {
      this.values =
        this.decoder.type === 'BYTE_ARRAY'
          ? TEXT_VALUES
          : this.decoder.type === 'INT32'
            ? INT32_VALUES
            : INT64_VALUES;
    }
  }

  /**
   * A page's bytes, uncompressed: GZIP and SNAPPY pages into this column's
   * reused scratch buffer (valid until the next page: no garbage per page,
   * which piled up between the GCs of a process busy scanning), other
   * codecs as hyparquet-compressors gives them.
   */
  private decompress(body: Uint8Array, size: number): Uint8Array {
    const { codec } = this.decoder;
    if (codec === 'UNCOMPRESSED') return this.inArena(body);
    if (codec !== 'GZIP' && codec !== 'SNAPPY') {
      return this.inArena(
        decompressPage(body, size, codec, PARQUET_COMPRESSORS)
      );
    }
    const page = this.scratch.ensure(0, size).subarray(0, size);
    if (codec === 'SNAPPY') {
      snappyUncompress(body, page);
    } else {
      gunzipInto(body, page);
    }
    return page;
  }

  /** Bytes copied into this column's page buffer (in the arena). */
  private inArena(bytes: Uint8Array): Uint8Array {
    const page = this.scratch.ensure(0, bytes.length).subarray(0, bytes.length);
    page.set(bytes);
    return page;
  }

  /** A page hyparquet decodes: its values, one per row. */
  private readDecodedPage(
    header: PageHeader,
    reader: { view: DataView; offset: number }
  ): void {
    const { data } = readPage(
      reader,
      header,
      this.decoder,
      this.decodedDictionary,
      undefined,
      0
    );
    this.values = DECODED_VALUES;
    this.decoded = data ?? [];
    this.valueAt = 0;
    this.pageRows = this.decoded.length;
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
export { BATCH_ROWS, ColumnText, isTextColumn, NULL_VALUE };
