import { MAX_LINE_BYTES } from '../flowLogRules.js';
import type { TextRing } from '../types.js';
import { type WasmMemory, wasmApi } from '../wasmApi.js';
import { FLOW_LOG_SCANNER_WASM } from './wasm/flowLogScannerWasm.js';

/** The exports of wasm/flowLogScannerCore.ts (AssemblyScript). */
interface ScannerExports {
  readonly memory: { readonly buffer: SharedArrayBuffer };
  init(
    columns: number,
    isProrate: boolean,
    shape: number,
    sampleLimit: number
  ): void;
  setColumn(column: number, kind: number, isChecked: boolean): void;
  setRole(role: number, column: number): void;
  setHeader(length: number): void;
  setDefaultEni(length: number): void;
  inputPointer(): number;
  inputCapacity(): number;
  getLineNumber(): number;
  setLineNumber(value: number): void;
  setSamplesLeft(value: number): void;
  getSamplesWritten(): number;
  samplesPointer(): number;
  statistic(which: number): number;
  reserveRing(bytes: number): number;
  scan(from: number, length: number): number;
  getWindowCount(): number;
  heapBytes(): number;
  beginRollups(): void;
  setPartLines(skipUntil: number, stopBefore: number): void;
  windowAt(index: number): number;
  eniAt(index: number): number;
  /** Ranks a talker sketch whose labels are packed (-1 when one is text). */
  rankTalkers(sketch: number): number;
  /** Where rankTalkers writes its result. */
  rankingResult(): number;
  /** Ranks a rejected list after rankTalkers (-1 when an address is text). */
  rankRejected(sketch: number, list: number): number;
  /** Where rankRejected writes its result. */
  rejectedResult(): number;
  /** Room for the JSON read-out of `count` windows: where their order goes. */
  beginJson(count: number): number;
  /**
   * Writes the JSON lines of the windows at order positions `from` to `to`
   * at jsonOut (jsonLength bytes); returns where it stopped, -(position +
   * 1) for a window it leaves to the host.
   */
  writeJson(from: number, to: number, shape: number): number;
  /** Where writeJson writes its lines. */
  jsonOut(): number;
  /** The bytes the last writeJson wrote at jsonOut. */
  jsonLength(): number;
}

/** Room before each ring slot for the unfinished line carried into it. */
const RING_ROOM_BYTES = MAX_LINE_BYTES + 64;
/** Pooled memories (as many as inputs scanned at once, usually one). */
const MAX_IDLE_MEMORIES = 2;
/**
 * The largest memory kept for the next input (the bench files, 200 ENIs
 * over four windows, grow theirs to 17 MiB): a larger one would keep its
 * size, and its zeroing at each reuse, for every input after it.
 */
const MAX_POOLED_BYTES = 128 * 1024 * 1024;
/** A ring's bytes: its slots, the room before each, and 64 bytes of slack
 * after the last (the scan reads up to 16 bytes past the text). */
const ringBytes = (slots: number, slotBytes: number): number =>
  slots * (RING_ROOM_BYTES + slotBytes) + 64;

let compiled: object | null = null;

/** A shared memory as the module declares it (a page, growing to 4 GiB). */
const newMemory = (): WasmMemory =>
  new wasmApi.Memory({ initial: 1, maximum: 65_536, shared: true });

/**
 * Compiles the module once per process; each scanner gets its own instance,
 * over `memory` (shared, up to 4 GiB as the module declares) or a new one.
 */
function instantiate(memory = newMemory()): ScannerExports {
  compiled ??= new wasmApi.Module(Buffer.from(FLOW_LOG_SCANNER_WASM, 'base64'));
  const instance = new wasmApi.Instance(compiled, {
    env: {
      memory,
      // Unused today (no code path aborts); an import the module lacks is ignored.
      abort: () => {
        throw new Error('flow-log scanner aborted');
      },
    },
  });
  return instance.exports as unknown as ScannerExports;
}

/**
 * WebAssembly memory for one scanner at a time, made before the input's
 * format is known, with a ring of text slots in it: text a worker inflates
 * into `ring` is scanned where it lies, with no copy between the threads.
 * Memories are pooled: the worker thread receives each ring's buffer anew,
 * and an idle worker seldom collects garbage, so a new memory per input
 * stayed alive in it (RSS grew by each input's memory). `acquire` one, give
 * it to one FlowLogScanner, `release` it once nothing writes its ring. A
 * memory never shrinks: one grown past MAX_POOLED_BYTES is not pooled.
 */
class ScannerMemory {
  /** Memories free for the next input (one per input scanned at once). */
  private static readonly idle: ScannerMemory[] = [];

  readonly ring: TextRing;
  private readonly memory: WasmMemory;
  /** The instance for the scanner, until it takes it. */
  private wasm: ScannerExports | null;
  private isIdle = false;

  private constructor(slots: number, slotBytes: number) {
    this.memory = newMemory();
    this.wasm = instantiate(this.memory);
    const stride = RING_ROOM_BYTES + slotBytes;
    const base = this.wasm.reserveRing(ringBytes(slots, slotBytes));
    this.ring = {
      buffer: this.memory.buffer,
      slotOffsets: Array.from(
        { length: slots },
        (_, slot) => base + slot * stride + RING_ROOM_BYTES
      ),
      slotBytes,
    };
  }

  /** A pooled memory with `slots` slots of `slotBytes` (room before each). */
  static acquire(slots: number, slotBytes: number): ScannerMemory {
    const idle = ScannerMemory.idle;
    const at = idle.findIndex(
      ({ ring }) =>
        ring.slotBytes === slotBytes && ring.slotOffsets.length === slots
    );
    const memory = at < 0 ? undefined : idle.splice(at, 1)[0];
    if (!memory) return new ScannerMemory(slots, slotBytes);
    memory.isIdle = false;
    const wasm = instantiate(memory.memory);
    const base = wasm.reserveRing(ringBytes(slots, slotBytes));
    if (base + RING_ROOM_BYTES !== memory.ring.slotOffsets[0]) {
      throw new Error('the ring moved in a reused ScannerMemory');
    }
    memory.wasm = wasm;
    return memory;
  }

  /** The instance for one scanner; init zeroes what an earlier one left. */
  take(): ScannerExports {
    const { wasm } = this;
    if (!wasm) throw new Error('a ScannerMemory serves one scanner');
    this.wasm = null;
    return wasm;
  }

  /** Back to the pool, once the scanner is done and the ring's writer stopped. */
  release(): void {
    if (this.isIdle) throw new Error('a ScannerMemory released twice');
    this.isIdle = true;
    this.wasm = null;
    if (this.memory.buffer.byteLength > MAX_POOLED_BYTES) return;
    const idle = ScannerMemory.idle;
    // The most recent are kept: the next input most likely has their shape.
    if (idle.length >= MAX_IDLE_MEMORIES) idle.shift();
    idle.push(this);
  }
}

export type { ScannerExports };
export { instantiate, ScannerMemory };
