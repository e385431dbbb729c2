// The inflate worker's side (inflateWorker.ts runs it): its source, and
// the control words both threads share.

/** Slots in the ring (a power of two): at most 4 MiB awaits the consumer. */
const SLOTS = 4;

/**
 * The words both threads read and write with Atomics. Counters only grow
 * (wrapping at 2^32); ring positions are counters masked by the ring size.
 */
const WORDS = {
  /** Bumped by the main thread to start a job. */
  job: 0,
  /** Compressed bytes the main thread has written into the input ring. */
  inWritten: 1,
  /** Compressed bytes the worker has taken from it. */
  inRead: 2,
  /** 1 once the main thread has written the whole input. */
  inEnd: 3,
  /** Slots the worker has filled. */
  produced: 4,
  /** Slots the main thread has handed back. */
  consumed: 5,
  /** RUNNING, DONE or FAILED (0 before the first job). */
  state: 6,
  /** 1 when the main thread abandons the job. */
  stop: 7,
  /** Bytes of the error text in the message buffer. */
  messageLength: 8,
  /** Bumped (and notified) on every change the main thread waits for. */
  signal: 9,
  /** Bumped (and notified) on every change the worker waits for. */
  wake: 10,
  /** The first of SLOTS slot lengths. */
  lengths: 16,
} as const;
const CONTROL_WORDS = WORDS.lengths + SLOTS;
const RUNNING = 1;
const DONE = 2;
const FAILED = 3;

/**
 * The worker, as plain CommonJS for `eval: true`, so that every bundle
 * (the CLI, the Lambda bundles, tsx, vitest) runs it without a file of its
 * own. It inflates with the synchronous `writeSync` of a node:zlib handle,
 * straight from the shared input ring into the shared output slots: no
 * buffer is allocated per chunk (so no garbage, no page faults, flat
 * memory), and no event-loop turn of either thread sits between two
 * pieces of inflating. zlib's own gunzip mode checks the CRC, reads
 * concatenated members and reports corrupt or truncated data. A job's text
 * goes into the worker's own slots, or into the TextRing sent with the job.
 */
const WORKER_SOURCE = `'use strict';
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const zlib = require('node:zlib');
const { words: W, slotBytes, slots } = workerData;
const control = new Int32Array(workerData.control);
const input = new Uint8Array(workerData.input);
let output = null;
let offsets = null;
const message = new Uint8Array(workerData.message);
const inputMask = input.length - 1;
const RUNNING = ${RUNNING}, DONE = ${DONE}, FAILED = ${FAILED};
const gunzip = zlib.createGunzip();
const handle = gunzip._handle;
const state = gunzip._writeState;
let failure = null;
handle.onerror = (text) => { failure = String(text); };
const signal = () => {
  Atomics.add(control, W.signal, 1);
  Atomics.notify(control, W.signal);
};

function runJob() {
  handle.reset();
  failure = null;
  let produced = 0, offset = 0, read = 0;
  const isStopped = () => Atomics.load(control, W.stop) === 1;
  // Hands over the filled part of the current slot, then waits for a free
  // one; false when the job was stopped.
  const handOver = () => {
    if (offset > 0) {
      control[W.lengths + (produced & (slots - 1))] = offset;
      produced = (produced + 1) | 0;
      Atomics.store(control, W.produced, produced);
      signal();
      offset = 0;
    }
    for (;;) {
      // Read first: a change after this read ends the wait below.
      const seen = Atomics.load(control, W.wake);
      if (isStopped()) return false;
      const consumed = Atomics.load(control, W.consumed);
      if (((produced - consumed) | 0) < slots) return true;
      Atomics.wait(control, W.wake, seen);
    }
  };
  // Inflates input[at, at + length) until zlib wants more input.
  const inflate = (flush, at, length) => {
    for (;;) {
      const slot = offsets[produced & (slots - 1)];
      handle.writeSync(flush, input, at, length, output, slot + offset, slotBytes - offset);
      if (failure !== null) return false;
      const availOut = state[0];
      const availIn = state[1];
      at += length - availIn;
      length = availIn;
      offset = slotBytes - availOut;
      if (availOut !== 0) return true;
      if (!handOver()) return false;
    }
  };
  let isOk = true;
  for (;;) {
    const seen = Atomics.load(control, W.wake);
    // The end is read before the count: the main thread stores its last
    // count before the end, so an end seen here means the count read next
    // is final. (Read after it, an end could follow a count read too early:
    // the last bytes were lost, and zlib said "unexpected end of file".)
    const isEnd = Atomics.load(control, W.inEnd) === 1;
    const written = Atomics.load(control, W.inWritten);
    const available = (written - read) | 0;
    if (available === 0) {
      if (isEnd) break;
      // Waiting for input: let the consumer have what is inflated so far.
      if (!handOver()) { isOk = false; break; }
      Atomics.wait(control, W.wake, seen);
      continue;
    }
    const at = read & inputMask;
    const length = Math.min(available, input.length - at);
    if (!inflate(zlib.constants.Z_NO_FLUSH, at, length)) { isOk = false; break; }
    read = (read + length) | 0;
    Atomics.store(control, W.inRead, read);
    Atomics.notify(control, W.inRead);
  }
  if (isOk && inflate(zlib.constants.Z_FINISH, 0, 0) && offset > 0) handOver();
  return failure;
}

let job = 0;
for (;;) {
  Atomics.wait(control, W.job, job);
  job = Atomics.load(control, W.job);
  // The job's TextRing, posted before the job word was bumped.
  const ring = receiveMessageOnPort(workerData.port)?.message;
  if (!ring) throw new Error('an inflate job came without its ring');
  output = new Uint8Array(ring.buffer);
  offsets = ring.slotOffsets;
  const failure = runJob();
  output = null;
  offsets = null;
  if (failure !== null) {
    const bytes = new TextEncoder().encode(failure).subarray(0, message.length);
    message.set(bytes);
    control[W.messageLength] = bytes.length;
  }
  Atomics.store(control, W.state, failure === null ? DONE : FAILED);
  signal();
}
`;

export { CONTROL_WORDS, DONE, FAILED, RUNNING, SLOTS, WORDS, WORKER_SOURCE };
