import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gunzipIfNeeded } from '../../../shared/decode/flowLogText.js';
import {
  canInflateInWorker,
  gunzipInWorker,
  InflateError,
  TEXT_SLOT_BYTES,
  TEXT_SLOTS,
  warmInflateWorker,
} from '../../../shared/decode/inflateWorker.js';
import { DecodeError } from '../../../shared/errors.js';
import { chunked } from '../../helpers/flowLogInput.js';

/** About 6.6 MB of numbered lines: more than the worker's 4 MiB of slots. */
const bigText = Array.from(
  { length: 60_000 },
  (_, i) => `line ${i} ${'x'.repeat(90 + (i % 17))}`
).join('\n');

/** The whole output; each piece is copied before the next is asked for. */
async function collect(pieces: AsyncIterable<Uint8Array>): Promise<string> {
  const copies: Uint8Array[] = [];
  for await (const piece of pieces) copies.push(piece.slice());
  return Buffer.concat(copies).toString('utf8');
}

async function* failingAfter(
  bytes: Uint8Array,
  error: Error
): AsyncGenerator<Uint8Array> {
  yield bytes.subarray(0, bytes.length >> 1);
  throw error;
}

/** A ring of TEXT_SLOTS slots with gaps between them, in its own memory. */
function gappedRing(gapBytes: number) {
  const stride = TEXT_SLOT_BYTES + gapBytes;
  return {
    buffer: new SharedArrayBuffer(TEXT_SLOTS * stride + gapBytes),
    slotOffsets: Array.from(
      { length: TEXT_SLOTS },
      (_, slot) => gapBytes + slot * stride
    ),
    slotBytes: TEXT_SLOT_BYTES,
  };
}

describe('inflateWorker', () => {
  it('is available on this Node.js (a release without it would fall back, slower)', () => {
    // Assess
    expect(canInflateInWorker).toBe(true);
  });

  it('inflates more text than its slots hold, from chunks of any size', async () => {
    // Prepare
    const gzip = gzipSync(bigText);
    // Act
    const [odd, large] = await Promise.all([
      collect(gunzipInWorker(chunked(gzip, [1, 7, 4093, 65_536]))),
      collect(gunzipInWorker(chunked(gzip, [3_000_000]))),
    ]);
    // Assess
    expect(odd).toBe(bigText);
    expect(large).toBe(bigText);
  });

  it('yields pieces of at most 1 MiB that are overwritten once the next is asked for', async () => {
    // Prepare
    const gzip = gzipSync(bigText);
    const pieces: Uint8Array[] = [];
    const firstBytes: string[] = [];
    // Act
    for await (const piece of gunzipInWorker(chunked(gzip))) {
      pieces.push(piece);
      firstBytes.push(Buffer.from(piece.subarray(0, 32)).toString());
    }
    // Assess
    expect(pieces.length).toBeGreaterThan(4);
    expect(Math.max(...pieces.map((piece) => piece.length))).toBe(1 << 20);
    // The ring has four slots: the first piece's memory was reused.
    expect(Buffer.from(pieces[0]?.subarray(0, 32) ?? []).toString()).not.toBe(
      firstBytes[0]
    );
  });

  it('inflates into a given ring: every piece starts at one of its slots and leaves the gaps alone', async () => {
    // Prepare
    const ring = gappedRing(1000);
    const gaps = new Uint8Array(ring.buffer);
    gaps.fill(0xee);
    const starts: number[] = [];
    const copies: Uint8Array[] = [];
    // Act
    for await (const piece of gunzipInWorker(
      chunked(gzipSync(bigText), [65_536]),
      ring
    )) {
      expect(piece.buffer).toBe(ring.buffer);
      starts.push(piece.byteOffset);
      copies.push(piece.slice());
    }
    // Assess
    expect(Buffer.concat(copies).toString()).toBe(bigText);
    expect(starts.length).toBeGreaterThan(TEXT_SLOTS);
    for (const start of starts) expect(ring.slotOffsets).toContain(start);
    expect(gaps.subarray(0, 1000).every((byte) => byte === 0xee)).toBe(true);
    for (const start of ring.slotOffsets) {
      const gapAfter = gaps.subarray(
        start + TEXT_SLOT_BYTES,
        start + TEXT_SLOT_BYTES + 1000
      );
      expect(gapAfter.every((byte) => byte === 0xee)).toBe(true);
    }
  });

  it('goes back to its own slots for the next job after a ring', async () => {
    // Prepare
    const ring = gappedRing(64);
    await collect(gunzipInWorker(chunked(gzipSync('into the ring\n')), ring));
    const before = new Uint8Array(ring.buffer).slice();
    // Act
    const pieces: Uint8Array[] = [];
    for await (const piece of gunzipInWorker(chunked(gzipSync(bigText)))) {
      pieces.push(piece);
    }
    // Assess
    expect(pieces.some((piece) => piece.buffer === ring.buffer)).toBe(false);
    expect(Buffer.from(ring.buffer).equals(before)).toBe(true);
  });

  it.each([
    ['too few slots', { ...gappedRing(0), slotOffsets: [0] }],
    ['smaller slots', { ...gappedRing(0), slotBytes: 4096 }],
    [
      'a slot past the end of its buffer',
      {
        ...gappedRing(0),
        slotOffsets: [0, 1, 2, 4 * TEXT_SLOT_BYTES - 1],
      },
    ],
  ])('refuses a ring with %s', async (_, ring) => {
    // Act
    const inflating = collect(gunzipInWorker(chunked(gzipSync('x\n')), ring));
    // Assess
    await expect(inflating).rejects.toThrow(RangeError);
  });

  it('reads concatenated gzip members as one text', async () => {
    // Prepare
    const parts = ['first member\n', 'second member\n', bigText];
    const gzip = Buffer.concat(parts.map((part) => gzipSync(part)));
    // Act
    const text = await collect(gunzipInWorker(chunked(gzip, [1000])));
    // Assess
    expect(text).toBe(parts.join(''));
  });

  it.each([
    {
      what: 'truncated',
      bytes: gzipSync(bigText).subarray(0, 100_000),
      message: 'unexpected end of file',
    },
    {
      what: 'corrupt',
      bytes: Buffer.concat([
        gzipSync('fine\n').subarray(0, 10),
        Buffer.alloc(64, 0xff),
      ]),
      message: 'invalid',
    },
  ])(
    'throws InflateError for $what gzip, and the next input inflates',
    async ({ bytes, message }) => {
      // Act
      const failing = collect(gunzipInWorker(chunked(bytes, [4096])));
      // Assess
      await expect(failing).rejects.toThrow(InflateError);
      await expect(
        collect(gunzipInWorker(chunked(bytes, [4096])))
      ).rejects.toThrow(message);
      expect(await collect(gunzipInWorker(chunked(gzipSync('next\n'))))).toBe(
        'next\n'
      );
    }
  );

  it("passes the source's own error through, and the next input inflates", async () => {
    // Prepare
    const error = new Error('connection reset');
    // Act
    const failing = collect(
      gunzipInWorker(failingAfter(gzipSync(bigText), error))
    );
    // Assess
    await expect(failing).rejects.toBe(error);
    expect(await collect(gunzipInWorker(chunked(gzipSync(bigText))))).toBe(
      bigText
    );
  });

  it('stops when the consumer leaves early, and the next input inflates whole', async () => {
    // Prepare
    const gzip = gzipSync(bigText);
    let pieces = 0;
    // Act
    for await (const _ of gunzipInWorker(chunked(gzip, [1000]))) {
      pieces++;
      break;
    }
    const next = await collect(gunzipInWorker(chunked(gzip)));
    // Assess
    expect(pieces).toBe(1);
    expect(next).toBe(bigText);
  });

  it('gunzipIfNeeded names the input in a DecodeError, worker or not', async () => {
    // Prepare
    const truncated = gzipSync(bigText).subarray(0, 5000);
    // Act
    const results = await Promise.allSettled(
      [true, false].map((isWorkerAllowed) =>
        collect(
          gunzipIfNeeded(chunked(truncated), 'f.log.gz', { isWorkerAllowed })
        )
      )
    );
    // Assess
    for (const result of results) {
      expect(result.status).toBe('rejected');
      const reason = (result as PromiseRejectedResult).reason;
      expect(reason).toBeInstanceOf(DecodeError);
      expect(reason.message).toBe(
        'f.log.gz: not valid gzip (unexpected end of file)'
      );
    }
  });

  it('inflates the next input with a worker booted ahead of it', async () => {
    // Prepare
    warmInflateWorker();
    warmInflateWorker();
    const gzip = gzipSync(bigText);
    // Act
    const [first, second] = await Promise.all([
      collect(gunzipInWorker(chunked(gzip, [65_536]))),
      collect(gunzipInWorker(chunked(gzip, [4093]))),
    ]);
    // Assess
    expect(first).toBe(bigText);
    expect(second).toBe(bigText);
  });

  it('never keeps a process alive with a worker booted ahead and left idle', async () => {
    // Prepare
    const module = new URL(
      '../../../shared/decode/inflateWorker.ts',
      import.meta.url
    ).href;
    const script = `const m = await import(${JSON.stringify(module)}); m.warmInflateWorker(); console.log('warmed');`;
    // Act: a ref'd worker would hold the child until the timeout kills it.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { timeout: 20_000 }
    );
    // Assess
    expect(stdout.trim()).toBe('warmed');
  });

  it('finishes for a consumer slower than the worker (which waits for free slots)', async () => {
    // Prepare: about 20 MB of text, five times the slots.
    const text = bigText.repeat(3);
    const gzip = gzipSync(text);
    const copies: Uint8Array[] = [];
    // Act
    for await (const piece of gunzipInWorker(chunked(gzip, [65_536]))) {
      copies.push(piece.slice());
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // Assess
    expect(Buffer.concat(copies).toString('utf8')).toBe(text);
  });
});
