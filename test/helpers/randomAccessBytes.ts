import type { RandomAccessObject } from '../../shared/types.js';

/** A RandomAccessObject over bytes in memory, and the ranges read from it. */
interface RandomAccessBytes extends RandomAccessObject {
  /** Every `slice` call so far, as [start, end). */
  readonly reads: (readonly [number, number])[];
}

/**
 * Wraps bytes as a RandomAccessObject (the shape S3 ranged GETs give), so a
 * test can hand a Parquet file to a decoder and see which ranges it read.
 */
function randomAccessBytes(bytes: Uint8Array): RandomAccessBytes {
  const reads: (readonly [number, number])[] = [];
  return {
    byteLength: bytes.byteLength,
    reads,
    slice(start: number, end = bytes.byteLength): Promise<ArrayBuffer> {
      reads.push([start, end]);
      // A copy, as a ranged GET would return, never a view of the whole.
      return Promise.resolve(new Uint8Array(bytes.subarray(start, end)).buffer);
    },
  };
}

export type { RandomAccessBytes };
export { randomAccessBytes };
