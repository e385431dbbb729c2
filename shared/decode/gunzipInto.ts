import { constants, createGunzip, gunzipSync } from 'node:zlib';

/** The part of a node:zlib stream this module reaches into. */
interface ZlibInternals {
  readonly _handle?: {
    reset(): void;
    writeSync(
      flush: number,
      input: Uint8Array,
      inputOffset: number,
      inputLength: number,
      output: Uint8Array,
      outputOffset: number,
      outputLength: number
    ): void;
    onerror: (message: string) => void;
  };
  /** After writeSync: [output bytes left, input bytes left]. */
  readonly _writeState?: Uint32Array;
}

/** One gzip inflater, reset per call: inflating is synchronous. */
let inflater: {
  readonly handle: NonNullable<ZlibInternals['_handle']>;
  readonly state: Uint32Array;
  failure: string | null;
} | null = null;

/**
 * The synchronous `writeSync` of a zlib stream's native handle (the one
 * the inflate worker uses, there since Node.js 0.x), or null when this
 * Node.js lacks it.
 */
function nativeInflater(): typeof inflater {
  if (inflater !== null) return inflater;
  const stream = createGunzip() as unknown as ZlibInternals;
  const handle = stream._handle;
  const state = stream._writeState;
  if (
    typeof handle?.writeSync !== 'function' ||
    !(state instanceof Uint32Array)
  ) {
    return null;
  }
  const created = { handle, state, failure: null as string | null };
  handle.onerror = (message: string) => {
    created.failure = String(message);
  };
  inflater = created;
  return created;
}

/**
 * Inflates one gzip member (a Parquet GZIP page) into `output`, which must
 * be exactly its uncompressed size: no buffer is allocated, so a reader
 * that reuses its output makes no garbage per page. Throws when the data
 * is corrupt, or inflates to another size than `output`'s. Falls back to
 * `gunzipSync` (and a copy) for several members or a Node.js without the
 * native handle.
 */
function gunzipInto(input: Uint8Array, output: Uint8Array): void {
  const native = nativeInflater();
  if (native !== null) {
    native.failure = null;
    native.handle.reset();
    native.handle.writeSync(
      constants.Z_FINISH,
      input,
      0,
      input.length,
      output,
      0,
      output.length
    );
    if (native.failure !== null) throw new Error(native.failure);
    const [outputLeft, inputLeft] = native.state;
    if (inputLeft === 0 && outputLeft === 0) return;
    if (inputLeft === 0) {
      throw new Error(
        `page inflates to ${output.length - (outputLeft ?? 0)} bytes, not ${output.length}`
      );
    }
  }
  // Several gzip members, or no native handle.
  const page = gunzipSync(input);
  if (page.length !== output.length) {
    throw new Error(
      `page inflates to ${page.length} bytes, not ${output.length}`
    );
  }
  output.set(page);
}

export { gunzipInto };
