import type { Rollup } from '../types.js';
import type { RollupShape } from './rollupShape.js';
import type { ScannerExports } from './scannerMemory.js';
import {
  AdjacentMerger,
  type ScannedWindows,
  type WindowReader,
} from './windowReader.js';

// What a rollup carries besides the counters every rollup has, a bit each
// (J_* of wasm/rollupJson.ts).
const J_DIRECTION = 1;
const J_PROTOCOL = 2;
const J_TCP_FLAGS = 4;
const J_TALKERS = 8;
const J_REJECTED = 16;

/** What the JSON read-out needs of a scanner's WebAssembly instance. */
type JsonWindows = ScannedWindows &
  Pick<ScannerExports, 'beginJson' | 'writeJson' | 'jsonOut' | 'jsonLength'>;

const utf8 = new TextEncoder();
/** The host's lines are written in chunks of about this many bytes. */
const PENDING_BYTES = 64 * 1024;

/** The shape bits wasm/rollupJson.ts writes by. */
function jsonShape(shape: RollupShape): number {
  return (
    (shape.hasDirection ? J_DIRECTION : 0) |
    (shape.hasProtocol ? J_PROTOCOL : 0) |
    (shape.hasTcpFlags ? J_TCP_FLAGS : 0) |
    (shape.hasTalkers ? J_TALKERS : 0) |
    (shape.hasRejected ? J_REJECTED : 0)
  );
}

/**
 * The rollups of `reader.rollupsInOrder(wasm)` as JSON lines (each one's
 * `JSON.stringify` and a newline, UTF-8), in chunks of up to 256 KiB. A
 * chunk written in WebAssembly is a view of the scanner's memory, valid
 * until the next chunk is asked for: write it out (and wait until it is
 * taken) or copy it first. WebAssembly (wasm/rollupJson.ts) writes the
 * windows whose JSON it writes byte for byte as JSON.stringify does, with
 * no object or string per rollup; the windows it leaves (a text to escape
 * or not ASCII, a number not whole, a top list with a text label) are
 * built as rollups, merged where adjacent ones are one item, and
 * stringified. Reads memory only, as WindowReader does.
 */
function* rollupJsonLines(
  reader: WindowReader,
  wasm: JsonWindows,
  shape: RollupShape
): Generator<Uint8Array> {
  // Allocates (the memory may grow): before the reader takes its views.
  const orderAt = wasm.beginJson(wasm.getWindowCount());
  const windows = reader.windowsInOrder(wasm);
  new Uint32Array(wasm.memory.buffer, orderAt, windows.count).set(
    windows.order
  );
  const bits = jsonShape(shape);
  // The host's windows, merged where adjacent ones are one item, then
  // stringified into one chunk of lines (pending).
  const merger = new AdjacentMerger();
  let pending: string[] = [];
  let pendingBytes = 0;
  const addLine = (rollup: Rollup | null) => {
    if (rollup === null) return;
    const line = `${JSON.stringify(rollup)}\n`;
    pending.push(line);
    pendingBytes += line.length;
  };
  const takePending = (): Uint8Array => {
    const chunk = utf8.encode(pending.join(''));
    pending = [];
    pendingBytes = 0;
    return chunk;
  };
  let position = 0;
  while (position < windows.count) {
    const stopped = wasm.writeJson(position, windows.count, bits);
    const length = wasm.jsonLength();
    if (length > 0) {
      addLine(merger.take());
      if (pending.length > 0) yield takePending();
      yield new Uint8Array(wasm.memory.buffer, wasm.jsonOut(), length);
    }
    if (stopped >= 0) {
      position = stopped;
      continue;
    }
    // The window at -stopped - 1 is the host's.
    position = -stopped - 1;
    addLine(merger.add(windows.rollupAt(position)));
    position++;
    if (pendingBytes >= PENDING_BYTES) yield takePending();
  }
  addLine(merger.take());
  if (pending.length > 0) yield takePending();
}

export type { JsonWindows };
export { rollupJsonLines };
