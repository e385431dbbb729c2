import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  gunzipIfNeeded,
  splitLines,
  takeFirstLine,
} from '../../../shared/decode/flowLogText.js';
import { chunked, encode, gzipText } from '../../helpers/flowLogInput.js';

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const result: T[] = [];
  for await (const item of items) result.push(item);
  return result;
}

/** The whole text; each chunk is copied before the next is asked for. */
async function text(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  const copies: Uint8Array[] = [];
  for await (const chunk of chunks) copies.push(chunk.slice());
  return Buffer.concat(copies).toString('utf8');
}

describe('flowLogText', () => {
  it('gunzips gzip (in a worker or not) and passes plain text through, for any chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'grapheme', maxLength: 300 }),
        fc.array(fc.integer({ min: 1, max: 40 }), {
          minLength: 1,
          maxLength: 4,
        }),
        async (content, sizes) => {
          // Act
          const plain = await text(
            gunzipIfNeeded(chunked(encode(content), sizes), 'x')
          );
          const unzipped = await text(
            gunzipIfNeeded(chunked(gzipText(content), sizes), 'x')
          );
          const onThisThread = await text(
            gunzipIfNeeded(chunked(gzipText(content), sizes), 'x', {
              isWorkerAllowed: false,
            })
          );
          // Assess
          expect(plain).toBe(content);
          expect(unzipped).toBe(content);
          expect(onThisThread).toBe(content);
        }
      )
    );
  });

  it('splits lines across chunks, keeps CRs for the parser and multi-byte characters whole', async () => {
    // Prepare
    const input = 'a b\r\nç ü\n\n\r\r\nlast';
    // Act
    const lines = await collect(splitLines(chunked(encode(input), [1]), 1));
    // Assess
    expect(lines).toEqual([
      { lineNumber: 1, text: 'a b\r' },
      { lineNumber: 2, text: 'ç ü' },
      { lineNumber: 3, text: '' },
      { lineNumber: 4, text: '\r\r' },
      { lineNumber: 5, text: 'last' },
    ]);
  });

  it('marks an overlong line without holding it', async () => {
    // Prepare
    const input = `ok\n${'x'.repeat(70_000)}\nok`;
    // Act
    const lines = await collect(splitLines(chunked(encode(input), [1000]), 1));
    // Assess
    expect(lines.map((l) => l.text)).toEqual(['ok', null, 'ok']);
  });

  it('takes the first line and hands back the rest untouched', async () => {
    // Prepare
    const input = 'head er\r\nrest 1\nrest 2';
    // Act
    const first = await takeFirstLine(chunked(encode(input), [2]));
    // Assess
    expect(first.text).toBe('head er');
    expect(Buffer.from(first.bytes).toString()).toBe('head er\r\n');
    expect(await text(first.rest)).toBe('rest 1\nrest 2');
  });
});
