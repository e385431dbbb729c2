import { MessageChannel, Worker } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import {
  TEXT_SLOT_BYTES as SLOT_BYTES,
  TEXT_SLOTS,
} from '../../../shared/decode/inflateWorker.js';
import {
  CONTROL_WORDS,
  DONE,
  FAILED,
  RUNNING,
  WORDS,
  WORKER_SOURCE,
} from '../../../shared/decode/inflateWorkerSource.js';

/** The test's own input ring (any power of two holds this test's gzip). */
const INPUT_BYTES = 256 * 1024;
/** How long the worker sleeps after each read of the input's count. */
const PAUSE_MS = 300;

/**
 * Run before the worker's source: after every read of the input's count
 * (WORDS.inWritten) the worker sleeps, as a thread descheduled there would,
 * so that the main thread's next steps fall between that read and the
 * worker's next one.
 */
const PAUSE_AFTER_COUNT = `'use strict';
{
  const load = Atomics.load;
  const nap = new Int32Array(new SharedArrayBuffer(4));
  Atomics.load = (array, index) => {
    const value = load(array, index);
    if (array.length === ${CONTROL_WORDS} && index === ${WORDS.inWritten}) {
      Atomics.wait(nap, 0, 0, ${PAUSE_MS});
    }
    return value;
  };
}
`;

let worker: Worker | undefined;

afterEach(async () => {
  await worker?.terminate();
  worker = undefined;
});

/** Resolves once `word` of `control` holds `value`. */
async function until(
  control: Int32Array,
  word: number,
  value: number
): Promise<void> {
  for (;;) {
    const seen = Atomics.load(control, word);
    if (seen === value) return;
    await Atomics.waitAsync(control, word, seen, 1000).value;
  }
}

describe('WORKER_SOURCE', () => {
  it('inflates the last bytes written while it was between reading the count and the end (it reported "unexpected end of file")', async () => {
    // Prepare: the main thread's side of one job, by hand. The first part
    // of the gzip is in the input ring before the job starts; the rest
    // comes once the worker has read the first part, that is while it
    // sleeps after reading the count again.
    const text = Array.from(
      { length: 20_000 },
      (_, i) => `line ${i} ${'y'.repeat(i % 53)}`
    ).join('\n');
    const gzip = gzipSync(text);
    const split = gzip.length - 64;
    const controlBuffer = new SharedArrayBuffer(CONTROL_WORDS * 4);
    const control = new Int32Array(controlBuffer);
    const inputBuffer = new SharedArrayBuffer(INPUT_BYTES);
    const input = new Uint8Array(inputBuffer);
    const output = new SharedArrayBuffer(SLOT_BYTES * TEXT_SLOTS);
    const slotOffsets = Array.from(
      { length: TEXT_SLOTS },
      (_, slot) => slot * SLOT_BYTES
    );
    const message = new SharedArrayBuffer(512);
    const { port1, port2 } = new MessageChannel();
    worker = new Worker(PAUSE_AFTER_COUNT + WORKER_SOURCE, {
      eval: true,
      execArgv: [],
      workerData: {
        control: controlBuffer,
        input: inputBuffer,
        message,
        words: WORDS,
        slotBytes: SLOT_BYTES,
        slots: TEXT_SLOTS,
        port: port2,
      },
      transferList: [port2],
    });
    input.set(gzip.subarray(0, split));
    Atomics.store(control, WORDS.inWritten, split);
    port1.postMessage({ buffer: output, slotOffsets });
    Atomics.store(control, WORDS.state, RUNNING);
    Atomics.add(control, WORDS.job, 1);
    Atomics.notify(control, WORDS.job);
    // Act: the rest, and the end, as soon as the first part is read.
    await until(control, WORDS.inRead, split);
    input.set(gzip.subarray(split), split);
    Atomics.store(control, WORDS.inWritten, gzip.length);
    Atomics.store(control, WORDS.inEnd, 1);
    Atomics.add(control, WORDS.wake, 1);
    Atomics.notify(control, WORDS.wake);
    await Promise.race([
      until(control, WORDS.state, DONE),
      until(control, WORDS.state, FAILED),
    ]);
    port1.close();
    // Assess
    const zlibMessage = Buffer.from(
      message,
      0,
      Atomics.load(control, WORDS.messageLength)
    ).toString('utf8');
    expect({ state: Atomics.load(control, WORDS.state), zlibMessage }).toEqual({
      state: DONE,
      zlibMessage: '',
    });
    const produced = Atomics.load(control, WORDS.produced);
    const pieces = Array.from({ length: produced }, (_, slot) =>
      Buffer.from(
        output,
        slotOffsets[slot] ?? 0,
        control[WORDS.lengths + slot] ?? 0
      )
    );
    expect(Buffer.concat(pieces).toString('utf8')).toBe(text);
  });
});
