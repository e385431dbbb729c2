import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineArena } from '../../../shared/decode/lineArena.js';
import { ENTRY_BYTES } from '../../../shared/decode/writeRowsBody.js';
import { MAX_LINE_BYTES } from '../../../shared/flowLogRules.js';

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const encode = (value: string): Uint8Array => new TextEncoder().encode(value);

/** Runs `use` with an arena, released after. */
function withArena<T>(use: (arena: LineArena) => T): T {
  const arena = LineArena.acquire();
  try {
    return use(arena);
  } finally {
    arena.release();
  }
}

/** A column of values (null, or text) as writeRows reads one: spans, or slots. */
interface Column {
  readonly values: readonly (string | null)[];
  readonly slots?: boolean;
  readonly blankable?: boolean;
  /** Rows whose value the text cannot carry (length ODD). */
  readonly odd?: readonly number[];
}

/** Writes the rows of these columns; returns the lines and where it stopped. */
function writeRows(
  arena: LineArena,
  columns: readonly Column[],
  header = 'h'
): { lines: string; row: number } {
  const rows = columns[0]?.values.length ?? 0;
  const table = arena.ints(2 + (columns.length * ENTRY_BYTES) / 4);
  columns.forEach((column, index) => {
    const distinct = [...new Set(column.values.filter((v) => v !== null))];
    const starts = arena.ints(Math.max(1, rows));
    const lengths = arena.ints(Math.max(1, rows));
    let source: Uint8Array;
    let width = 0;
    if (column.slots) {
      width = 16;
      source = arena.bytes(distinct.length * width + 8);
      distinct.forEach((value, entry) => {
        source.set(encode(value), entry * width);
        source[entry * width + width - 1] = encode(value).length;
      });
      column.values.forEach((value, row) => {
        starts[row] = value === null ? -1 : distinct.indexOf(value);
      });
    } else {
      const joined = encode(distinct.join(''));
      source = arena.bytes(joined.length + 8);
      source.set(joined);
      let at = 0;
      const offsets = distinct.map((value) => {
        const offset = at;
        at += encode(value).length;
        return offset;
      });
      column.values.forEach((value, row) => {
        if (value === null) {
          lengths[row] = -1;
          return;
        }
        const entry = distinct.indexOf(value);
        starts[row] = offsets[entry] ?? 0;
        lengths[row] = column.odd?.includes(row)
          ? -2 - encode(value).length
          : encode(value).length;
      });
    }
    const entry = 2 + (index * ENTRY_BYTES) / 4;
    table[entry] = source.byteOffset;
    table[entry + 1] = starts.byteOffset;
    table[entry + 2] = lengths.byteOffset;
    table[entry + 3] = width;
    table[entry + 4] = column.blankable ? 1 : 0;
  });
  const out = arena.bytes(4 * MAX_LINE_BYTES);
  const headerBytes = arena.bytes(64);
  headerBytes.set(encode(header));
  const { row, at } = arena.writeRows(
    table,
    columns.length,
    0,
    rows,
    out,
    0,
    out.length - MAX_LINE_BYTES - 2,
    headerBytes.subarray(0, encode(header).length)
  );
  return { lines: text(out.subarray(0, at)), row };
}

describe('LineArena', () => {
  it('writes rows as lines: values joined by spaces, - for null, slots and spans alike', () => {
    withArena((arena) => {
      // Act
      const { lines, row } = writeRows(arena, [
        { values: ['eni-1', 'eni-22', null] },
        { values: ['OK', null, 'SKIPDATA'], slots: true },
        { values: ['1', '12345678901234567890', '3'] },
      ]);

      // Assess
      expect(row).toBe(3);
      expect(lines).toBe(
        'eni-1 OK 1\neni-22 - 12345678901234567890\n- SKIPDATA 3\n'
      );
    });
  });

  it('stops at a row with a value it cannot write, and writes - for one in a blankable column', () => {
    withArena((arena) => {
      // Act
      const strict = writeRows(arena, [
        { values: ['a', 'b', 'c'] },
        { values: ['x', 'y z', 'w'], odd: [1] },
      ]);
      const blank = writeRows(arena, [
        { values: ['a', 'b', 'c'] },
        { values: ['x', 'y z', 'w'], odd: [1], blankable: true },
      ]);

      // Assess
      expect(strict).toEqual({ lines: 'a x\n', row: 1 });
      expect(blank).toEqual({ lines: 'a x\nb -\nc w\n', row: 3 });
    });
  });

  it('stops at a line equal to the header and at a line over MAX_LINE_BYTES', () => {
    withArena((arena) => {
      // Act
      const header = writeRows(
        arena,
        [{ values: ['a', 'start', 'b'] }, { values: ['1', 'end', '2'] }],
        'start end'
      );
      const long = writeRows(arena, [
        { values: ['a', 'x'.repeat(MAX_LINE_BYTES - 1), 'b'] },
        { values: ['1', '2', '3'] },
      ]);

      // Assess
      expect(header).toEqual({ lines: 'a 1\n', row: 1 });
      expect(long).toEqual({ lines: 'a 1\n', row: 1 });
    });
  });

  it('reads RLE and bit-packed runs of any width as the Parquet encoding defines them', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 32 }),
        fc.array(
          fc.record({
            isPacked: fc.boolean(),
            groups: fc.integer({ min: 1, max: 5 }),
            seed: fc.nat(),
          }),
          { minLength: 1, maxLength: 6 }
        ),
        fc.integer({ min: 1, max: 50 }),
        (width, runs, batch) => {
          withArena((arena) => {
            // Prepare: encode the runs, remembering the values.
            const max = width === 32 ? 2 ** 32 - 1 : 2 ** width - 1;
            const bytes: number[] = [];
            const expected: number[] = [];
            const leb = (value: number) => {
              let rest = value;
              do {
                const byte = rest & 0x7f;
                rest >>>= 7;
                bytes.push(rest ? byte | 0x80 : byte);
              } while (rest);
            };
            for (const run of runs) {
              const count = run.groups * 8;
              if (run.isPacked) {
                leb((run.groups << 1) | 1);
                let bits = 0n;
                for (let i = 0; i < count; i++) {
                  const value =
                    (run.seed * 2_654_435_761 + i * 40_503) % (max + 1);
                  expected.push(value);
                  bits |= BigInt(value) << BigInt(i * width);
                }
                for (let i = 0; i < run.groups * width; i++) {
                  bytes.push(Number((bits >> BigInt(i * 8)) & 0xffn));
                }
              } else {
                leb(count << 1);
                const value = run.seed % (max + 1);
                for (let i = 0; i < count; i++) expected.push(value);
                for (let i = 0; i < Math.ceil(width / 8); i++) {
                  bytes.push(Math.floor(value / 2 ** (8 * i)) & 0xff);
                }
              }
            }
            const stream = arena.bytes(bytes.length);
            stream.set(bytes);
            const state = arena.ints(8);
            state.set([
              stream.byteOffset,
              stream.byteOffset + bytes.length,
              width,
              0,
            ]);
            const out = arena.ints(expected.length);

            // Act
            const read: number[] = [];
            let largest = 0;
            for (let at = 0; at < expected.length; at += batch) {
              const count = Math.min(batch, expected.length - at);
              largest = Math.max(
                largest,
                arena.readHybrid(state, out, count) >>> 0
              );
              read.push(
                ...[...out.subarray(0, count)].map((value) => value >>> 0)
              );
            }

            // Assess
            expect(read).toEqual(expected);
            expect(largest).toBe(Math.max(...expected));
            expect(arena.readHybrid(state, out, 1)).toBe(-1);
          });
        }
      ),
      { numRuns: 200 }
    );
  });

  it('writes any INT32 or INT64 as the digits String gives it, nulls as -1', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.option(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })),
          {
            minLength: 1,
            maxLength: 40,
          }
        ),
        fc.boolean(),
        (cells, is64) => {
          withArena((arena) => {
            // Prepare
            const values = cells.map((cell) =>
              cell === null || is64 ? cell : BigInt.asIntN(32, cell)
            );
            const present = values.filter((value) => value !== null);
            const page = arena.bytes(present.length * 8 + 8);
            const view = new DataView(
              page.buffer,
              page.byteOffset,
              page.length
            );
            present.forEach((value, i) => {
              if (is64) view.setBigInt64(i * 8, value as bigint, true);
              else view.setInt32(i * 4, Number(value), true);
            });
            const levels = arena.ints(values.length);
            levels.set(values.map((value) => (value === null ? 0 : 1)));
            const digits = arena.bytes(values.length * 21);
            const starts = arena.ints(values.length);
            const lengths = arena.ints(values.length);

            // Act
            arena.writeIntegers(
              page,
              0,
              levels,
              values.length,
              is64,
              digits,
              0,
              starts,
              lengths
            );

            // Assess
            const written = values.map((_, row) =>
              (lengths[row] ?? 0) < 0
                ? null
                : text(
                    digits.subarray(
                      starts[row],
                      (starts[row] ?? 0) + (lengths[row] ?? 0)
                    )
                  )
            );
            expect(written).toEqual(
              values.map((value) => (value === null ? null : String(value)))
            );
          });
        }
      ),
      { numRuns: 200 }
    );
  });

  it('finds a byte under 0x21 or over 0x7f at any place in a PLAIN text value, and no other', () => {
    withArena((arena) => {
      const page = arena.bytes(64);
      const view = new DataView(page.buffer, page.byteOffset, page.length);
      const starts = arena.ints(1);
      const lengths = arena.ints(1);
      for (let length = 1; length <= 19; length++) {
        for (let at = 0; at < length; at++) {
          for (let byte = 0; byte < 256; byte++) {
            // Prepare
            page.fill(0x61, 4, 4 + length);
            page[4 + at] = byte;
            view.setUint32(0, length, true);

            // Act
            const end = arena.checkText(page, 0, null, 1, starts, lengths);

            // Assess
            const isPrintable = byte >= 0x21 && byte < 0x80;
            if (end >= 0 !== isPrintable) {
              throw new Error(`byte ${byte} at ${at} of ${length}: ${end}`);
            }
            if (isPrintable)
              expect([end, starts[0], lengths[0]]).toEqual([
                4 + length,
                4,
                length,
              ]);
          }
        }
      }
    });
  });

  it('keeps views valid as it grows, and is pooled', () => {
    // Prepare
    const arena = LineArena.acquire();
    const first = arena.bytes(16);
    first.set(encode('kept'));

    // Act
    const big = arena.bytes(8 * 1024 * 1024);
    big[big.length - 1] = 7;
    arena.release();
    const again = LineArena.acquire();

    // Assess
    expect(text(first.subarray(0, 4))).toBe('kept');
    expect(big[big.length - 1]).toBe(7);
    expect(again).toBe(arena);
    expect(() => arena.release()).not.toThrow();
    expect(() => arena.release()).toThrow('released twice');
  });
});
