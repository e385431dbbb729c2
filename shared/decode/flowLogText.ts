import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { DecodeError, messageOf } from '../errors.js';
import { MAX_LINE_BYTES } from '../flowLogRules.js';
import type { TextRing } from '../types.js';
import {
  canInflateInWorker,
  gunzipInWorker,
  InflateError,
  TEXT_SLOT_BYTES,
  TEXT_SLOTS,
  warmInflateWorker,
} from './inflateWorker.js';

/**
 * zlib chunk size when inflating on this thread (the fallback without a
 * worker), and the CLI's file read size. 256 KiB inflates 1.4-1.7x faster
 * than Node's 16 KiB default; 1 MiB also quarters the hand-offs between
 * inflating (libuv pool) and scanning (this thread).
 */
const INFLATE_CHUNK_BYTES = 1024 * 1024;
/**
 * How much inflated text may wait for the scanner (bounded, so memory stays
 * flat): one chunk, enough when the consumer gives zlib a turn of the event
 * loop now and then (as rollupFlowLog does); more only costs memory.
 */
const INFLATE_AHEAD_BYTES = 1024 * 1024;

/** One line of text; `text` is null when the line is longer than MAX_LINE_BYTES. */
interface TextLine {
  readonly lineNumber: number;
  readonly text: string | null;
}

/** The first line of an input and the bytes that follow it. */
interface FirstLine {
  /** The first line without its line ending, or null for empty or overlong input. */
  readonly text: string | null;
  /** The first line's bytes including its newline (empty if `text` is null). */
  readonly bytes: Uint8Array;
  readonly rest: AsyncIterable<Uint8Array>;
}

const isGzip = (chunk: Uint8Array): boolean =>
  chunk.length >= 2 && chunk[0] === 0x1f && chunk[1] === 0x8b;

/** How gunzipIfNeeded decodes. */
interface GunzipOptions {
  /** Non-gzip bytes are a `DecodeError` (S3 `.log.gz` objects), not plain text. */
  readonly isGzipRequired?: boolean;
  /** False inflates on this thread (the fallback; for tests). */
  readonly isWorkerAllowed?: boolean;
  /** Where the worker writes the text (TEXT_SLOTS slots of TEXT_SLOT_BYTES). */
  readonly ring?: TextRing;
}

/**
 * Gunzips a byte stream when it starts with the gzip magic number, else
 * passes it through (plain-text flow logs) unless `isGzipRequired` (S3
 * `.log.gz` objects), which makes non-gzip bytes a `DecodeError`. Empty
 * input yields nothing. Concatenated gzip members are read as one stream.
 * Inflates in a worker thread (gunzipInWorker) where Node.js allows it,
 * into `ring` if one is given. Each chunk yielded is valid only until the
 * next is asked for: a consumer copies what it keeps. Throws `DecodeError`
 * (naming `label`) on corrupt or truncated gzip data; an error of the
 * source itself passes through.
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3-path.html
 */
async function* gunzipIfNeeded(
  chunks: AsyncIterable<Uint8Array>,
  label: string,
  {
    isGzipRequired = false,
    isWorkerAllowed = canInflateInWorker,
    ring,
  }: GunzipOptions = {}
): AsyncGenerator<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  // The magic number may straddle chunks: read until two bytes are in hand.
  let head: Uint8Array = new Uint8Array(0);
  while (head.length < 2) {
    const next = await iterator.next();
    if (next.done) break;
    // A copy: the source may reuse its buffer for the next chunk.
    head = Buffer.concat([head, next.value]);
  }
  if (head.length === 0) return;
  const remaining = { [Symbol.asyncIterator]: () => iterator };
  if (!isGzip(head)) {
    if (isGzipRequired) {
      throw new DecodeError(
        `${label}: not gzip (a .log.gz flow-log file starts with the bytes 1f 8b)`
      );
    }
    yield head;
    yield* remaining;
    return;
  }
  const compressed = prepend(head, remaining);
  try {
    yield* isWorkerAllowed
      ? gunzipInWorker(compressed, ring)
      : gunzipOnThisThread(compressed);
  } catch (error) {
    if (!(error instanceof InflateError || isZlibError(error))) throw error;
    throw new DecodeError(`${label}: not valid gzip (${messageOf(error)})`, {
      cause: error,
    });
  }
}

/** An error node:zlib raised (its codes are Z_DATA_ERROR, Z_BUF_ERROR...). */
const isZlibError = (error: unknown): boolean => {
  const code: unknown =
    error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('Z_');
};

/** gunzipIfNeeded's fallback: node:zlib's stream, inflating on the libuv pool. */
async function* gunzipOnThisThread(
  compressed: AsyncIterable<Uint8Array>
): AsyncGenerator<Uint8Array> {
  const gunzip = createGunzip({
    chunkSize: INFLATE_CHUNK_BYTES,
    // Stream options pass through to the Transform: let inflate (on the
    // libuv pool) run ahead of the scanner by a few chunks.
    ...{ readableHighWaterMark: INFLATE_AHEAD_BYTES },
  });
  const source = Readable.from(compressed, { objectMode: false });
  source.on('error', (error) => gunzip.destroy(error));
  source.pipe(gunzip);
  try {
    yield* gunzip;
  } finally {
    source.destroy();
  }
}

/** `head` (unless empty), then everything of `rest`. */
async function* prepend(
  head: Uint8Array,
  rest: AsyncIterable<Uint8Array> | Iterable<Uint8Array>
): AsyncGenerator<Uint8Array> {
  if (head.length > 0) yield head;
  yield* rest;
}

const utf8 = new TextDecoder();

const stripReturn = (bytes: Uint8Array): Uint8Array =>
  bytes.length > 0 && bytes[bytes.length - 1] === 0x0d
    ? bytes.subarray(0, bytes.length - 1)
    : bytes;

/**
 * Reads the first line (to look for a header) and hands back the rest of the
 * stream untouched. A chunk need only stay valid until the next is asked
 * for. Never throws on content.
 */
async function takeFirstLine(
  chunks: AsyncIterable<Uint8Array>
): Promise<FirstLine> {
  const iterator = chunks[Symbol.asyncIterator]();
  const parts: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const next = await iterator.next();
    if (next.done) break;
    const chunk = next.value;
    const newline = chunk.indexOf(0x0a);
    if (newline >= 0) {
      parts.push(chunk.subarray(0, newline + 1));
      const line = Buffer.concat(parts);
      const rest = chunk.subarray(newline + 1);
      return {
        text:
          line.length - 1 > MAX_LINE_BYTES
            ? null
            : utf8.decode(stripReturn(line.subarray(0, line.length - 1))),
        bytes: line,
        rest: prepend(rest, { [Symbol.asyncIterator]: () => iterator }),
      };
    }
    // Kept past the next read: a copy (see gunzipIfNeeded).
    parts.push(chunk.slice());
    length += chunk.length;
    if (length > MAX_LINE_BYTES) {
      return {
        text: null,
        bytes: new Uint8Array(0),
        rest: prepend(Buffer.concat(parts), {
          [Symbol.asyncIterator]: () => iterator,
        }),
      };
    }
  }
  const line = Buffer.concat(parts);
  return {
    text: line.length === 0 ? null : utf8.decode(stripReturn(line)),
    bytes: line,
    rest: prepend(new Uint8Array(0), []),
  };
}

/**
 * Splits a byte stream into text lines numbered from `firstLineNumber`. A
 * line over MAX_LINE_BYTES (its newline excluded) comes back with text null,
 * and is never held whole in memory. Line endings other than `\n` (a
 * trailing `\r`) are left to the parser. A chunk need only stay valid
 * until the next is asked for.
 */
async function* splitLines(
  chunks: AsyncIterable<Uint8Array>,
  firstLineNumber: number
): AsyncGenerator<TextLine> {
  let lineNumber = firstLineNumber;
  let parts: Uint8Array[] = [];
  let length = 0;
  const take = (): TextLine => {
    const tooLong = length > MAX_LINE_BYTES;
    const text = tooLong ? null : utf8.decode(Buffer.concat(parts));
    parts = [];
    length = 0;
    return { lineNumber: lineNumber++, text };
  };
  for await (const chunk of chunks) {
    let from = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, from);
      const to = newline < 0 ? chunk.length : newline;
      if (length <= MAX_LINE_BYTES && to > from) {
        // An unfinished line outlives this chunk: keep a copy of its part
        // (see gunzipIfNeeded).
        parts.push(
          newline < 0 ? chunk.slice(from, to) : chunk.subarray(from, to)
        );
      }
      length += to - from;
      if (newline < 0) break;
      yield take();
      from = newline + 1;
    }
  }
  if (length > 0) yield take();
}

export type { FirstLine, GunzipOptions, TextLine };
export {
  gunzipIfNeeded,
  INFLATE_CHUNK_BYTES,
  prepend,
  splitLines,
  TEXT_SLOT_BYTES,
  TEXT_SLOTS,
  takeFirstLine,
  warmInflateWorker,
};
