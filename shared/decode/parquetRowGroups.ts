import type {
  ColumnChunk,
  FileMetaData,
  RowGroup,
  SchemaTree,
} from 'hyparquet';
import { DEFAULT_PARSERS } from 'hyparquet/src/convert.js';
import { getTreePath, isFlatColumn } from 'hyparquet/src/schema.js';
import { DecodeError, messageOf } from '../errors.js';
import type { RandomAccessObject } from '../types.js';
import { type CellWriter, ColumnText } from './columnText.js';
import { isTextColumn } from './isTextColumn.js';
import type { LineArena } from './lineArena.js';
import { PARQUET_COMPRESSORS } from './parquetFlowLog.js';

/** Text columns keep their bytes: no string per value. */
const BYTES_PARSERS = {
  ...DEFAULT_PARSERS,
  stringFromBytes: (bytes: Uint8Array) => bytes,
};

/**
 * The top-level columns of a file, each a flat (non-nested, non-repeated)
 * leaf, or null when one is not: only flat columns are read page by page.
 */
function flatColumns(schema: SchemaTree): SchemaTree[][] | null {
  const paths = schema.children.map((child) =>
    getTreePath(schema, [child.element.name])
  );
  return paths.every(isFlatColumn) ? paths : null;
}

/** One row group's columns as text (ColumnText), and its rows. */
interface RowGroupText {
  /** The row group's number in the file, from 0. */
  readonly group: number;
  readonly rows: number;
  readonly columns: readonly ColumnText[];
  /** A DecodeError naming the row group, for a failure while decoding it. */
  fail(error: unknown): DecodeError;
}

/** The byte range of a column chunk, as hyparquet computes it. */
function chunkRange(chunk: ColumnChunk): { start: number; end: number } {
  const meta = chunk.meta_data;
  if (!meta) throw new Error('column metadata is missing');
  const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
  return { start, end: start + Number(meta.total_compressed_size) };
}

/**
 * Loads one row group's column chunks into the columns' ColumnText, with
 * one ranged read (its own function, so that no frame keeps the bytes once
 * the columns let go of them).
 */
async function loadRowGroup(
  file: RandomAccessObject,
  rowGroup: RowGroup,
  texts: readonly ColumnText[],
  columns: readonly SchemaTree[][]
): Promise<void> {
  const chunks = columns.map((path) => {
    const name = path[1]?.element.name;
    const chunk = rowGroup.columns.find(
      (candidate) => candidate.meta_data?.path_in_schema[0] === name
    );
    if (!chunk?.meta_data) throw new Error(`no column chunk for ${name}`);
    return chunk;
  });
  const ranges = chunks.map(chunkRange);
  const from = Math.min(...ranges.map((range) => range.start));
  const to = Math.max(...ranges.map((range) => range.end));
  const bytes = new Uint8Array(await file.slice(from, to));
  chunks.forEach((chunk, column) => {
    const range = ranges[column] ?? { start: from, end: from };
    texts[column]?.load(
      bytes.subarray(range.start - from, range.end - from),
      chunk.meta_data?.codec ?? 'UNCOMPRESSED'
    );
  });
}

/**
 * Reads a Parquet file's row groups one at a time, each with one ranged
 * read of its column chunks, and gives each column as ColumnText (one per
 * column, reused row group after row group, its buffers in `arena`): a
 * caller holds one page per column and a batch of row positions, not the
 * row group's values (nor an array or object per row). `columns` are the
 * file's top-level columns, all flat (`flatColumns`). Throws `DecodeError`
 * naming `label` and the row group when one cannot be read.
 */
async function* readRowGroupText(
  file: RandomAccessObject,
  metadata: FileMetaData,
  columns: readonly SchemaTree[][],
  writeCell: CellWriter,
  arena: LineArena,
  label: string
): AsyncGenerator<RowGroupText> {
  const texts = columns.map((schemaPath) => {
    const element = schemaPath[1]?.element ?? { name: '' };
    return new ColumnText(
      {
        pathInSchema: [element.name],
        type: element.type ?? 'BYTE_ARRAY',
        element,
        schemaPath,
        codec: 'UNCOMPRESSED',
        compressors: PARQUET_COMPRESSORS,
        parsers: isTextColumn(element) ? BYTES_PARSERS : DEFAULT_PARSERS,
      },
      writeCell,
      arena
    );
  });
  for (const [group, rowGroup] of metadata.row_groups.entries()) {
    const rows = Number(rowGroup.num_rows);
    if (rows === 0) continue;
    const fail = (error: unknown) =>
      error instanceof DecodeError
        ? error
        : new DecodeError(
            `${label}: cannot read Parquet row group ${group} (${messageOf(error)})`,
            { cause: error }
          );
    try {
      await loadRowGroup(file, rowGroup, texts, columns);
    } catch (error) {
      throw fail(error);
    }
    yield { group, rows, columns: texts, fail };
  }
  for (const text of texts) text.release();
}

export type { RowGroupText };
export { flatColumns, readRowGroupText };
