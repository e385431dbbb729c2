import { open } from 'node:fs/promises';
import { INFLATE_CHUNK_BYTES } from '../../shared/decode/flowLogText.js';

/**
 * The file's bytes, read into one reused buffer: the pipeline copies what
 * it keeps before asking for more (gunzipIfNeeded), and a fresh buffer per
 * read would leave 1 MiB of garbage each time for the GC to catch up with.
 */
async function* readFile(path: string): AsyncGenerator<Uint8Array> {
  const file = await open(path);
  try {
    const buffer = Buffer.allocUnsafe(INFLATE_CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await file.close();
  }
}

export { readFile };
