import type { DecodedArray, PageHeader } from 'hyparquet';
import { snappyUncompress } from 'hyparquet';
import { parquetHeader, readPage } from 'hyparquet/src/column.js';
import { convert } from 'hyparquet/src/convert.js';
import { decompressPage } from 'hyparquet/src/datapage.js';
import { getMaxDefinitionLevel } from 'hyparquet/src/schema.js';
import { gunzipInto } from './gunzipInto.js';
import { HybridReader } from './hybridReader.js';
import { isPlainIntegerColumn, isTextColumn } from './isTextColumn.js';
import type { LineArena } from './lineArena.js';
import { dictionaryText, type TextDictionary } from './parquetDictionary.js';
import { PARQUET_COMPRESSORS } from './parquetFlowLog.js';
import { type Allocate, Bytes } from './textBytes.js';

/** What hyparquet's page reader needs to know of a column. */
type ColumnDecoder = Parameters<typeof readPage>[2];

const EMPTY = new Uint8Array(0);

// How the current page's values are stored.
/** The page's values are dictionary indices (`ColumnPages.indices`). */
const DICTIONARY_VALUES = 0;
/** The page's values are PLAIN INT32. */
const INT32_VALUES = 1;
/** The page's values are PLAIN INT64. */
const INT64_VALUES = 2;
/** The page's values are PLAIN BYTE_ARRAY. */
const TEXT_VALUES = 3;
/** Decoded by hyparquet (any other type or encoding). */
const DECODED_VALUES = 4;

/**
 * One column chunk's pages, read one at a time from the chunk's bytes for
 * ColumnText, which decodes the current page's values a batch at a time
 * (advancing `valueAt` and `pageRows`). INT32/INT64 and text columns,
 * PLAIN or dictionary-encoded, are left as stored (uncompressed, in the
 * arena; a dictionary is written out once, as text); any other type or
 * encoding is decoded by hyparquet. Throws as hyparquet does on a page it
 * cannot read.
 */
class ColumnPages {
  /** How the current page's values are stored (DICTIONARY_VALUES, ...). */
  values = DECODED_VALUES;
  /** The current page's values (uncompressed, in the arena). */
  page: Uint8Array = new Uint8Array(0);
  /** `page`, to read its values' lengths from. */
  pageView: DataView = new DataView(new ArrayBuffer(0));
  /** Where the next value lies: in `page`, or in `decoded`. */
  valueAt = 0;
  /** Rows left in the current page. */
  pageRows = 0;
  /** The chunk's dictionary, as text. */
  dictionary: TextDictionary | null = null;
  /** The current page's values, when hyparquet decoded them. */
  decoded: DecodedArray = [];
  /** The current page's definition levels (when `hasNulls`). */
  readonly levels: HybridReader;
  /** The current page's dictionary indices. */
  readonly indices: HybridReader;
  /** Whether the column has definition levels (can be null). */
  readonly hasNulls: boolean;

  private view: DataView;
  private chunk: Uint8Array;
  private decoder: ColumnDecoder;
  private readonly isFast: boolean;
  /** Uncompressed pages (reused page after page). */
  private readonly scratch: Bytes;
  /** The dictionary's text (reused chunk after chunk). */
  private readonly dictionaryText: Bytes;
  private readonly dictionarySlots: Bytes;
  /** A V2 page's definition levels (they are not compressed with it). */
  private readonly levelBytes: Bytes;
  private at = 0;
  /** hyparquet's dictionary, for a column it decodes. */
  private decodedDictionary: DecodedArray | undefined = undefined;

  constructor(decoder: ColumnDecoder, arena: LineArena) {
    const allocate: Allocate = (bytes) => arena.bytes(bytes);
    this.levels = new HybridReader(arena);
    this.indices = new HybridReader(arena);
    this.levelBytes = new Bytes(1024, allocate);
    this.scratch = new Bytes(64 * 1024, allocate);
    this.dictionaryText = new Bytes(1024, allocate);
    this.dictionarySlots = new Bytes(1024, allocate);
    this.chunk = EMPTY;
    this.view = new DataView(EMPTY.buffer);
    this.decoder = decoder;
    const { element } = decoder;
    this.isFast =
      (isTextColumn(element) && element.type === 'BYTE_ARRAY') ||
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

  /** Lets go of the chunk's bytes, pages and dictionary (the row group is done). */
  release(): void {
    this.chunk = EMPTY;
    this.view = new DataView(EMPTY.buffer);
    this.page = EMPTY;
    this.pageView = this.view;
    this.dictionary = null;
    this.decodedDictionary = undefined;
    this.decoded = [];
    this.at = 0;
    this.pageRows = 0;
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

export type { ColumnDecoder };
export {
  ColumnPages,
  DECODED_VALUES,
  DICTIONARY_VALUES,
  INT32_VALUES,
  INT64_VALUES,
  TEXT_VALUES,
};
