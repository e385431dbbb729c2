import type { LineArena } from './lineArena.js';

/**
 * Reads an RLE / bit-packed hybrid run stream (the encoding of definition
 * levels and dictionary indices) in batches, in WebAssembly
 * (LineArena.readHybrid): the stream's bytes and the values lie in the
 * arena. Throws when the stream ends before the values asked for.
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

export { HybridReader };
