import { gzipSync } from 'node:zlib';
import { generateFlowLogLines } from '../../shared/generate/generateFlowLogLines.js';
import type { FlowLogFormat } from '../../shared/types.js';

/** The bytes as an async stream of chunks of the given sizes (cycled). */
async function* chunked(
  bytes: Uint8Array,
  sizes: readonly number[] = [65_536]
): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const size = Math.max(1, sizes[i % sizes.length] ?? 1);
    yield bytes.slice(at, at + size);
    at += size;
  }
}

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

/** gzip of a text, as VPC Flow Logs delivers it to S3. */
const gzipText = (text: string): Uint8Array => gzipSync(encode(text));

/** Synthetic lines (no header) for a format; deterministic for a seed. */
function sampleLines(
  format: FlowLogFormat,
  records: number,
  seed = 7,
  enis = 12
): string[] {
  return [
    ...generateFlowLogLines({
      format,
      records,
      enis,
      seed,
      startSeconds: 1_793_491_200,
    }),
  ];
}

export { chunked, encode, gzipText, sampleLines };
