import { parquetSchema } from 'hyparquet';
import { MAX_LINE_BYTES } from '../flowLogRules.js';
import type { RandomAccessObject, RawFieldValue } from '../types.js';
import { BATCH_ROWS, type ColumnText, NULL_VALUE } from './columnText.js';
import { LineArena } from './lineArena.js';
import { writeCell } from './parquetCells.js';
import { readMetadata } from './parquetFlowLog.js';
import {
  flatColumns,
  type RowGroupText,
  readRowGroupText,
} from './parquetRowGroups.js';
import { ENTRY_BYTES } from './writeRowsBody.js';

/** A row that its text cannot carry as it is (see `writeCell`). */
interface OddRow {
  /** Its number in the file, from 1 (the line number its text would have). */
  readonly lineNumber: number;
  /** Its cells exactly as the typed path reads them (`openParquetFile`). */
  readonly cells: readonly RawFieldValue[];
}

/** Where the text of a Parquet file's rows goes. */
interface ParquetTextSink {
  /**
   * Per column: whether a value the text cannot carry may be written as
   * `-` (its field is one no rollup reads).
   */
  readonly isBlankable?: readonly boolean[];
  /**
   * Takes whole lines, each with its `\n`. The bytes are reused once the
   * call returns, or once its promise settles: a sink that returns one
   * holds the writing back until it has read them.
   */
  push(lines: Uint8Array): void | Promise<void>;
  /**
   * The line to write for an odd row (no `\n`, at most MAX_LINE_BYTES
   * bytes of UTF-8). May throw to stop the writing.
   */
  oddRow(row: OddRow): string;
}

/** An opened Parquet file, ready to be written as flow-log text. */
interface ParquetText {
  /** Its top-level column names, in order. */
  readonly columns: readonly string[];
  /**
   * Writes every row as a text line, row group by row group, or null when
   * a column is nested (such a file is for the typed path only). Throws
   * `DecodeError` naming the file when a row group cannot be decoded.
   */
  readonly writeText: ((sink: ParquetTextSink) => Promise<void>) | null;
}

/** The lines written between two pushes. */
const LINE_BUFFER_BYTES = 1024 * 1024;

const SPACE = 0x20;
const NEWLINE = 0x0a;
const DASH = 0x2d;
const encoder = new TextEncoder();

/**
 * Writes rows as flow-log text lines, batch by batch from each column's
 * text (ColumnText), into a megabyte of the arena that goes to the sink
 * when full: values joined by single spaces, `-` for null. Nothing per row.
 */
class RowTextWriter {
  private readonly sink: ParquetTextSink;
  private readonly arena: LineArena;
  /** The lines, in the arena. */
  private readonly buffer: Uint8Array;
  /** writeRows's column table: 8 bytes for its result, then an entry per column. */
  private readonly table: Int32Array;
  /** A row starts at or before this: a whole line and its `\n` fit after. */
  private readonly lastRowStart: number;
  private readonly isBlankable: readonly boolean[];
  /** The header line, in the arena. */
  private readonly header: Uint8Array;
  private length = 0;

  constructor(
    sink: ParquetTextSink,
    arena: LineArena,
    isBlankable: readonly boolean[],
    header: Uint8Array
  ) {
    this.sink = sink;
    this.arena = arena;
    this.buffer = arena.bytes(LINE_BUFFER_BYTES);
    this.lastRowStart = LINE_BUFFER_BYTES - MAX_LINE_BYTES - 2;
    this.table = arena.ints(2 + (isBlankable.length * ENTRY_BYTES) / 4);
    this.isBlankable = isBlankable;
    this.header = arena.bytes(header.length);
    this.header.set(header);
  }

  /**
   * Writes a row group's rows; its first row is line `lineNumber`. A
   * failure to decode is the row group's DecodeError; the sink's own
   * errors pass through.
   */
  async writeRowGroup(group: RowGroupText, lineNumber: number): Promise<void> {
    const { columns } = group;
    for (let done = 0; done < group.rows; ) {
      let rows = Math.min(BATCH_ROWS, group.rows - done);
      try {
        for (const [index, column] of columns.entries()) {
          const available = column.available();
          if (available === 0) {
            throw new Error(
              `column ${index} ends after ${done} of ${group.rows} rows`
            );
          }
          rows = Math.min(rows, available);
        }
        for (const column of columns) column.decode(rows);
      } catch (error) {
        throw group.fail(error);
      }
      await this.writeRows(columns, rows, lineNumber + done);
      done += rows;
    }
    // The row group's bytes can go before the next one is read.
    for (const column of columns) column.release();
  }

  /** Hands the buffered lines to the sink. */
  async flush(): Promise<void> {
    const { length } = this;
    this.length = 0;
    if (length > 0) await this.sink.push(this.buffer.subarray(0, length));
  }

  /**
   * Writes the last decoded batch, `rows` rows from line `lineNumber`:
   * WebAssembly (LineArena.writeRows) writes the rows it can, and stops at
   * a row that may be odd (a value the text cannot carry, too long, the
   * header), which `writeRow` writes here.
   */
  private async writeRows(
    columns: readonly ColumnText[],
    rows: number,
    lineNumber: number
  ): Promise<void> {
    const { table, isBlankable } = this;
    for (const [index, column] of columns.entries()) {
      const entry = 2 + (index * ENTRY_BYTES) / 4;
      table[entry] = column.src.byteOffset;
      table[entry + 1] = column.starts.byteOffset;
      table[entry + 2] = column.lengths.byteOffset;
      table[entry + 3] = column.slotWidth;
      table[entry + 4] = isBlankable[index] === true ? 1 : 0;
    }
    for (let row = 0; row < rows; ) {
      const written = this.arena.writeRows(
        table,
        columns.length,
        row,
        rows,
        this.buffer,
        this.length,
        this.lastRowStart,
        this.header
      );
      this.length = written.at;
      row = written.row;
      if (row >= rows) break;
      if (this.length > this.lastRowStart) {
        await this.flush();
        continue;
      }
      this.length = this.writeRow(columns, row, lineNumber + row, this.length);
      row++;
    }
  }

  /**
   * Writes one row of the batch at `rowStart` (its line, or the sink's
   * line for it when it is odd); returns the end, after its newline.
   */
  private writeRow(
    columns: readonly ColumnText[],
    row: number,
    lineNumber: number,
    rowStart: number
  ): number {
    const { buffer, isBlankable } = this;
    const end = rowStart + MAX_LINE_BYTES + 1;
    let at = rowStart;
    let isOdd = false;
    for (const [index, column] of columns.entries()) {
      if (index > 0) buffer[at++] = SPACE;
      const { start, length } = column.span(row);
      if (length >= 0) {
        if (at + length > end) {
          isOdd = true;
          break;
        }
        buffer.set(column.src.subarray(start, start + length), at);
        at += length;
      } else if (length === NULL_VALUE || isBlankable[index] === true) {
        buffer[at++] = DASH;
      } else {
        isOdd = true;
        break;
      }
    }
    if (
      isOdd ||
      at - rowStart > MAX_LINE_BYTES ||
      (at - rowStart === this.header.length && this.isHeader(rowStart))
    ) {
      at = this.writeOdd(rowStart, columns, row, lineNumber);
    }
    buffer[at] = NEWLINE;
    return at + 1;
  }

  /** Whether the line at `from` is the header (the scanner would skip it). */
  private isHeader(from: number): boolean {
    const { buffer, header } = this;
    for (let i = 0; i < header.length; i++) {
      if (buffer[from + i] !== header[i]) return false;
    }
    return true;
  }

  /** Writes the sink's line for an odd row at `at`; returns its end. */
  private writeOdd(
    at: number,
    columns: readonly ColumnText[],
    row: number,
    lineNumber: number
  ): number {
    const cells = columns.map((column) => column.typedCell(row));
    const line = this.sink.oddRow({ lineNumber, cells });
    const { read, written } = encoder.encodeInto(
      line,
      this.buffer.subarray(at, at + MAX_LINE_BYTES)
    );
    if (read !== line.length || line.includes('\n')) {
      throw new RangeError(`line ${lineNumber}: the odd-row line does not fit`);
    }
    return at + written;
  }
}

/**
 * Opens a Parquet file (VPC Flow Logs' `.log.parquet`) to be written as
 * flow-log text, column-wise: each row group is read with one ranged read,
 * each column decoded a page at a time straight into text (a dictionary
 * page once, as text; see `readRowGroupText`), and the rows written from
 * the columns' text as lines in the format of the column names: values
 * joined by single spaces, `-` for null, integers (BigInt too) as decimal
 * digits, text copied from its bytes. The sink gets the lines a megabyte
 * at a time. The decoding and the writing of lines run over a pooled
 * WebAssembly memory (LineArena). No array or object per row; memory is
 * the row group's compressed bytes, a page and a dictionary per column,
 * and the arena's batch buffers: flat in the number of rows.
 *
 * Each line reads, cell for cell, as `parseFlowLogRow` reads the typed
 * row (see `cellText`). A row whose text would not is an odd row, and the
 * sink gets its typed cells and gives the line to write instead: a value
 * with a space, `\n` or `\r` (unless its column is in `isBlankable`: then
 * it is written as `-`), a line over MAX_LINE_BYTES, or a line equal to
 * the header (a scanner skips those).
 * Throws `DecodeError` naming `label` when the bytes are not Parquet.
 * @example
 * const parquet = await openParquetText(file, 's3://b/k');
 * await parquet.writeText?.({ push: (lines) => scanner.push(lines), oddRow });
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3-path.html
 */
async function openParquetText(
  file: RandomAccessObject,
  label: string
): Promise<ParquetText> {
  const metadata = await readMetadata(file, label);
  const schema = parquetSchema(metadata);
  const columns = schema.children.map((child) => child.element.name);
  const paths = flatColumns(schema);
  if (paths === null) return { columns, writeText: null };
  const header = encoder.encode(columns.join(' '));
  async function writeText(sink: ParquetTextSink): Promise<void> {
    const arena = LineArena.acquire();
    try {
      const writer = new RowTextWriter(
        sink,
        arena,
        sink.isBlankable ?? columns.map(() => false),
        header
      );
      let lineNumber = 1;
      const groups = readRowGroupText(
        file,
        metadata,
        paths ?? [],
        writeCell,
        arena,
        label
      );
      for await (const group of groups) {
        await writer.writeRowGroup(group, lineNumber);
        lineNumber += group.rows;
      }
      await writer.flush();
    } finally {
      arena.release();
    }
  }
  return { columns, writeText };
}

export type { OddRow, ParquetText, ParquetTextSink };
export { openParquetText };
