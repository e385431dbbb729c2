import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { createGunzip } from 'node:zlib';
import type { TextRing } from '../types.js';
import {
  CONTROL_WORDS,
  DONE,
  FAILED,
  RUNNING,
  SLOTS,
  WORDS,
  WORKER_SOURCE,
} from './inflateWorkerSource.js';

/** Bytes of one slot of inflated text; the worker fills them in turn. */
const SLOT_BYTES = 1024 * 1024;
/** Compressed bytes that may wait for the worker (a power of two). */
const INPUT_BYTES = 1024 * 1024;
/** Room for the text of a zlib error. */
const MESSAGE_BYTES = 512;
/** Workers kept for later jobs (one per input inflating at once). */
const MAX_IDLE_WORKERS = 2;

/** What this module reaches into: a node:zlib stream's native handle. */
interface ZlibInternals {
  readonly _handle?: { readonly writeSync?: unknown };
  readonly _writeState?: unknown;
}

/**
 * Whether this Node.js has what the worker relies on: the synchronous
 * `writeSync` of a zlib stream's native handle and its write state. It has
 * been there since Node.js 0.x; should a release drop it, gunzipIfNeeded
 * falls back to the stream on this thread.
 */
const canInflateInWorker = ((): boolean => {
  const probe = createGunzip();
  const internals = probe as unknown as ZlibInternals;
  const isSupported =
    typeof internals._handle?.writeSync === 'function' &&
    internals._writeState instanceof Uint32Array;
  probe.close();
  return isSupported;
})();

/** A zlib error the worker reported (corrupt or truncated gzip data). */
class InflateError extends Error {
  override readonly name = 'InflateError';
}

/** One worker thread and the shared memory it works in; one job at a time. */
class Inflater {
  /** Workers left from earlier jobs, waiting for the next (unref'd). */
  private static readonly idle: Inflater[] = [];

  private readonly worker: Worker;
  private readonly control: Int32Array;
  private readonly input: Uint8Array;
  private readonly message: Uint8Array;
  /** The worker's own slots, for jobs given no ring. */
  private readonly ownRing: TextRing;
  /** Sends each job's TextRing to the worker. */
  private readonly port: MessagePort;
  /** Where the current job's text goes. */
  private ring: TextRing;
  /** The worker thread itself failed (it cannot be reused). */
  private failure: Error | null = null;
  private sourceError: { readonly error: unknown } | null = null;
  private isStopped = false;
  private written = 0;
  private consumed = 0;
  /** Waits in progress: the worker keeps the process alive meanwhile. */
  private waits = 0;

  private constructor() {
    const control = new SharedArrayBuffer(CONTROL_WORDS * 4);
    const input = new SharedArrayBuffer(INPUT_BYTES);
    const output = new SharedArrayBuffer(SLOT_BYTES * SLOTS);
    const message = new SharedArrayBuffer(MESSAGE_BYTES);
    this.control = new Int32Array(control);
    this.input = new Uint8Array(input);
    this.ownRing = {
      buffer: output,
      slotOffsets: Array.from(
        { length: SLOTS },
        (_, slot) => slot * SLOT_BYTES
      ),
      slotBytes: SLOT_BYTES,
    };
    this.ring = this.ownRing;
    this.message = new Uint8Array(message);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.port.unref();
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      // Node.js built-ins are all it needs: no loader hooks (tsx, vitest)
      // from the parent's command line, which also slow its start.
      execArgv: [],
      workerData: {
        control,
        input,
        message,
        words: WORDS,
        slotBytes: SLOT_BYTES,
        slots: SLOTS,
        port: port2,
      },
      transferList: [port2],
    });
    const fail = (error: Error) => {
      this.failure ??= error;
      this.signal();
      Atomics.notify(this.control, WORDS.inRead);
    };
    this.worker.unref();
    this.worker.on('error', fail);
    this.worker.on('exit', (code) =>
      fail(new Error(`the inflate worker exited (code ${code})`))
    );
  }

  /**
   * Starts a worker ahead of the first job, when none is idle: a thread
   * takes about 35 ms to boot, which then overlaps the caller's own start
   * (loading code, compiling the scanner) instead of delaying the input.
   */
  static warm(): void {
    if (Inflater.idle.length === 0) Inflater.idle.push(new Inflater());
  }

  /** An idle worker, or a new one; the job starts at once. */
  static start(ring: TextRing | undefined): Inflater {
    let inflater = Inflater.idle.pop();
    while (inflater?.failure) {
      inflater.port.close();
      inflater = Inflater.idle.pop();
    }
    inflater ??= new Inflater();
    inflater.begin(ring);
    return inflater;
  }

  private begin(ring = this.ownRing): void {
    const { control } = this;
    this.ring = ring;
    this.port.postMessage({
      buffer: ring.buffer,
      slotOffsets: ring.slotOffsets,
    });
    for (const word of [
      WORDS.inWritten,
      WORDS.inRead,
      WORDS.inEnd,
      WORDS.produced,
      WORDS.consumed,
      WORDS.stop,
      WORDS.messageLength,
    ]) {
      Atomics.store(control, word, 0);
    }
    Atomics.store(control, WORDS.state, RUNNING);
    Atomics.add(control, WORDS.job, 1);
    Atomics.notify(control, WORDS.job);
    this.written = 0;
    this.consumed = 0;
    this.isStopped = false;
    this.sourceError = null;
  }

  /**
   * Waits until the word is no longer `value`. The worker is ref'd only
   * meanwhile (Atomics.waitAsync alone does not keep the process alive),
   * so an input abandoned unread never holds the process open.
   */
  private async wait(word: number, value: number): Promise<void> {
    if (this.waits++ === 0) this.worker.ref();
    try {
      await Atomics.waitAsync(this.control, word, value).value;
    } finally {
      if (--this.waits === 0) this.worker.unref();
    }
  }

  /**
   * Copies the compressed input into the ring as the worker makes room.
   * Never rejects: a source error is kept for the consumer.
   */
  async feed(chunks: AsyncIterable<Uint8Array>): Promise<void> {
    const iterator = chunks[Symbol.asyncIterator]();
    try {
      while (!this.isStopped && !this.failure) {
        const next = await iterator.next();
        if (next.done) {
          Atomics.store(this.control, WORDS.inEnd, 1);
          this.wakeWorker();
          return;
        }
        await this.write(next.value);
      }
      await iterator.return?.();
    } catch (error) {
      this.sourceError = { error };
      this.signal();
    }
  }

  /** Wakes the worker's wait for input, for a free slot or to stop. */
  private wakeWorker(): void {
    Atomics.add(this.control, WORDS.wake, 1);
    Atomics.notify(this.control, WORDS.wake);
  }

  /** Wakes the consumer's wait in changed(). */
  private signal(): void {
    Atomics.add(this.control, WORDS.signal, 1);
    Atomics.notify(this.control, WORDS.signal);
  }

  private async write(chunk: Uint8Array): Promise<void> {
    const { control, input } = this;
    let from = 0;
    while (from < chunk.length && !this.isStopped && !this.failure) {
      const read = Atomics.load(control, WORDS.inRead);
      const free = INPUT_BYTES - ((this.written - read) | 0);
      if (free === 0) {
        await this.wait(WORDS.inRead, read);
        continue;
      }
      const at = this.written & (INPUT_BYTES - 1);
      const length = Math.min(free, INPUT_BYTES - at, chunk.length - from);
      input.set(chunk.subarray(from, from + length), at);
      from += length;
      this.written = (this.written + length) | 0;
      Atomics.store(control, WORDS.inWritten, this.written);
      this.wakeWorker();
    }
  }

  /**
   * The next piece of text, null when none is ready yet, or undefined at
   * the end. Throws the source's error, or `InflateError` for bad gzip.
   */
  take(): Uint8Array | null | undefined {
    const { control } = this;
    // The state is read before the count, so that DONE means every piece
    // was counted.
    const state = Atomics.load(control, WORDS.state);
    if (this.sourceError) throw this.sourceError.error;
    if (this.failure) throw this.failure;
    const produced = Atomics.load(control, WORDS.produced);
    if (produced !== this.consumed) {
      const slot = this.consumed & (SLOTS - 1);
      const length = control[WORDS.lengths + slot] ?? 0;
      const at = this.ring.slotOffsets[slot] ?? 0;
      return new Uint8Array(this.ring.buffer, at, length);
    }
    if (state === DONE) return undefined;
    if (state === FAILED) {
      const length = Atomics.load(control, WORDS.messageLength);
      throw new InflateError(
        new TextDecoder().decode(this.message.slice(0, length))
      );
    }
    return null;
  }

  /** Hands the piece from take() back to the worker. */
  release(): void {
    this.consumed = (this.consumed + 1) | 0;
    Atomics.store(this.control, WORDS.consumed, this.consumed);
    this.wakeWorker();
  }

  /** Resolves when the worker (or the feeder) has something new. */
  async changed(): Promise<void> {
    await this.waitUntil(
      () =>
        Atomics.load(this.control, WORDS.produced) !== this.consumed ||
        this.sourceError !== null
    );
  }

  /** Waits until `isReady()`, the job has ended or the worker has failed. */
  private async waitUntil(isReady: () => boolean): Promise<void> {
    for (;;) {
      // Read first: a change after this read ends the wait below.
      const signal = Atomics.load(this.control, WORDS.signal);
      if (
        isReady() ||
        this.failure ||
        Atomics.load(this.control, WORDS.state) !== RUNNING
      ) {
        return;
      }
      await this.wait(WORDS.signal, signal);
    }
  }

  /**
   * Ends the job (stopping the worker if it is still at it), waits for the
   * feeder and the worker, and keeps the worker for the next job.
   */
  async finish(feeding: Promise<void>): Promise<void> {
    const { control } = this;
    this.isStopped = true;
    Atomics.store(control, WORDS.stop, 1);
    this.wakeWorker();
    Atomics.notify(control, WORDS.inRead);
    await feeding;
    await this.waitUntil(() => false);
    // Let go of the caller's ring (a scanner's memory) while idle.
    this.ring = this.ownRing;
    if (this.failure || Inflater.idle.length >= MAX_IDLE_WORKERS) {
      this.port.close();
      await this.worker.terminate();
      return;
    }
    Inflater.idle.push(this);
  }
}

/** Whether the ring has SLOTS slots of SLOT_BYTES, all within its buffer. */
const isRingOfSlots = ({ buffer, slotOffsets, slotBytes }: TextRing) =>
  slotBytes === SLOT_BYTES &&
  slotOffsets.length === SLOTS &&
  slotOffsets.every(
    (offset) =>
      Number.isSafeInteger(offset) &&
      offset >= 0 &&
      offset + SLOT_BYTES <= buffer.byteLength
  );

/**
 * Gunzips a byte stream in a worker thread, so that inflating runs on
 * another core while the consumer scans: the input is copied into a
 * shared ring, the text comes back in shared slots. Yields pieces of up to
 * 1 MiB that stay valid only until the next is asked for (the worker
 * refills their memory then): a consumer copies what it keeps. Throws the
 * source's own error, or `InflateError` on corrupt or truncated gzip data.
 * With a `ring` (of TEXT_SLOTS slots of TEXT_SLOT_BYTES), the text goes
 * there instead, for a consumer that reads it where it lies.
 * @example
 * for await (const text of gunzipInWorker(chunks)) scanner.push(text);
 */
async function* gunzipInWorker(
  chunks: AsyncIterable<Uint8Array>,
  ring?: TextRing
): AsyncGenerator<Uint8Array> {
  if (ring && !isRingOfSlots(ring)) {
    throw new RangeError(
      `a TextRing for gunzipInWorker has ${SLOTS} slots of ${SLOT_BYTES} bytes within its buffer`
    );
  }
  const inflater = Inflater.start(ring);
  const feeding = inflater.feed(chunks);
  try {
    for (;;) {
      const piece = inflater.take();
      if (piece === undefined) return;
      if (piece === null) {
        await inflater.changed();
        continue;
      }
      yield piece;
      inflater.release();
    }
  } finally {
    await inflater.finish(feeding);
  }
}

/**
 * Boots an inflate worker now, for the first input to take: call it early
 * (at a cold start, before opening the input) to hide the thread's boot.
 * Idle workers never keep the process alive. Without worker support it
 * does nothing.
 */
function warmInflateWorker(): void {
  if (canInflateInWorker) Inflater.warm();
}

export {
  canInflateInWorker,
  gunzipInWorker,
  InflateError,
  SLOT_BYTES as TEXT_SLOT_BYTES,
  SLOTS as TEXT_SLOTS,
  warmInflateWorker,
};
