import {
  type BadRecordReason,
  badValueError,
  endBeforeStartError,
  fieldCountError,
  ParseError,
  spanTooLongError,
} from '../errors.js';
import { MAX_LINE_BYTES } from '../flowLogRules.js';
import type {
  FlowLogFormat,
  IngestStats,
  RejectedFlow,
  RejectedPort,
  RejectedSource,
  Rollup,
  TextRing,
} from '../types.js';
import { type WasmMemory, wasmApi } from '../wasmApi.js';
import {
  COUNTERS,
  IDS,
  mergeRollups,
  OPTIONAL_COUNTERS,
} from './mergeRollups.js';
import {
  type RollupShape,
  rollupShapeOf,
  toRollup,
  type WindowCounters,
} from './rollupAccumulator.js';
import { assertRollupFormat, type RollupOptions } from './rollupRecords.js';
import { DEFAULT_SAMPLE_LIMIT } from './statsCollector.js';
import {
  compareText,
  type DecodedTalker,
  decodeRejectedFlow,
  decodeRejectedPort,
  decodeSource,
  decodeTalker,
  rejectedFlowOf,
  talkerOf,
} from './topLists.js';
import { type SketchEntry, WAYS } from './topSketch.js';
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
}

// Mirrors of the constants and layouts in wasm/flowLogScannerCore.ts.
const KIND_TEXT = 0;
const KIND_INTEGER = 1;
const KIND_HASHED = 2;
const KIND_KEY = 3;
const HASHED_FIELDS = ['srcaddr', 'dstaddr'];
const KEY_FIELDS = ['interface-id', 'resource-id'];
/** The fields a rollup reads: every other text field may be anything. */
const ROLE_FIELDS: readonly string[] = [
  'interface-id',
  'resource-id',
  'srcaddr',
  'dstaddr',
  'srcport',
  'dstport',
  'protocol',
  'packets',
  'bytes',
  'start',
  'end',
  'action',
  'log-status',
  'tcp-flags',
  'flow-direction',
  'account-id',
  'vpc-id',
  'subnet-id',
  'instance-id',
];
const CHECKED_FIELDS = new Set(['action', 'log-status', 'flow-direction']);
const REASONS: readonly BadRecordReason[] = [
  'field-count',
  'bad-integer',
  'bad-action',
  'bad-log-status',
  'end-before-start',
  'missing-interface-id',
  'missing-time',
  'span-too-long',
  'line-too-long',
];
const REASON_LINE_TOO_LONG = 8;
const SHAPE_FLAGS: readonly [keyof RollupShape, number][] = [
  ['hasTalkers', 1],
  ['hasRejected', 2],
  ['hasAccountId', 4],
  ['hasVpcId', 8],
  ['hasSubnetId', 16],
  ['hasInstanceId', 32],
];
/** The counters of a window struct, in layout order. */
const COUNTER_NAMES = [...COUNTERS, ...OPTIONAL_COUNTERS];
const W_START = 0;
const W_ENI = 8;
const W_TALKER_SKETCH = 16;
const W_REJECTED_SKETCH = 40;
const W_REJECTED_FLOW_SKETCH = 256;
const W_REJECTED_PORT_SKETCH = 280;
const W_IDS = 64;
const W_COUNTERS = 96;
type CounterName = (typeof COUNTER_NAMES)[number];
/** Each counter's index in a window struct, in f64s (see rollupAt). */
const COUNTER_AT = Object.fromEntries(
  COUNTER_NAMES.map((name, index) => [name, W_COUNTERS / 8 + index])
) as Record<CounterName, number>;
const E_KEY = 4;
const E_LENGTH = 8;
const S_SETS = 0;
const S_ENTRIES = 8;
const S_LABELS = 12;
const S_LABEL_LENGTHS = 16;
const S_LABEL_BYTES = 20;
const N_SIZE = 32;
const B_SIZE = 40;

const utf8 = new TextDecoder();
/** A label's length byte with this bit set holds packed addresses. */
const PACKED = 0x80;
const MAX_CACHED_ADDRESSES = 4096;
const NEWLINE = 0x0a;
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

/**
 * The hot path: rolls up flow-log text straight from bytes, chunk by chunk.
 * Splitting, validation and accumulation run in WebAssembly (compiled from
 * AssemblyScript, wasm/flowLogScannerCore.ts) over linear memory, with no object
 * or string per record; this class feeds it chunks, turns its bad-record
 * samples into `ParseError`s and reads the rollups out at the end. It follows
 * exactly the rules of `parseFlowLogLine` (field count, integers, action,
 * log-status, end >= start, first problem from the left) and the keying of
 * `RecordRollup`; the tests hold both paths to the same output. Bad lines are
 * counted and sampled, never thrown. Memory is bounded by the number of
 * (ENI, window) pairs, one 576 KiB input buffer and, with a ScannerMemory,
 * its ring (4.25 MiB for the inflate worker's four 1 MiB slots), not by the
 * input size.
 * @example
 * const scanner = new FlowLogScanner(format, { windowMode: 'prorate' }, 2);
 * for await (const chunk of text) scanner.push(chunk);
 * const { rollups, stats } = scanner.finish();
 */
class FlowLogScanner {
  private readonly wasm: ScannerExports;
  private readonly format: FlowLogFormat;
  private readonly shape: RollupShape;
  private readonly input: number;
  /** The most bytes pushed into the input buffer at once (the rest holds the carry). */
  private readonly piece: number;
  private readonly sampleLimit: number;
  /** The memory of this scanner's ring: text in it is scanned in place. */
  private readonly ring: TextRing | null;
  private readonly samples: IngestStats['badRecordSamples'] = [];
  private carryLength = 0;
  private isOverlong = false;
  private tooLongLines = 0;
  /** The line the scan stops before (a part's end), -1 for none. */
  private stopBefore = -1;
  /** The rollups were taken: the next push starts the next part. */
  private isTaken = false;
  /** Texts of packed IPv4 addresses, by value. */
  private readonly ipv4Texts = new Map<number, string>();
  /** The statistics at the last take (null: none yet). */
  private statsTaken: IngestStats | null = null;

  /**
   * `firstLineNumber` is the number of the first line pushed (2 after a
   * header); `memory`, made earlier, lends its ring to the decoder.
   */
  constructor(
    format: FlowLogFormat,
    options: RollupOptions,
    firstLineNumber = 1,
    memory?: ScannerMemory
  ) {
    assertRollupFormat(format, options);
    this.format = format;
    this.shape = rollupShapeOf(format);
    this.sampleLimit = Math.max(0, options.sampleLimit ?? DEFAULT_SAMPLE_LIMIT);
    const wasm = memory?.take() ?? instantiate();
    this.wasm = wasm;
    this.ring = memory?.ring ?? null;
    const { fields } = format;
    const shapeFlags = SHAPE_FLAGS.reduce(
      (flags, [name, flag]) => (this.shape[name] ? flags | flag : flags),
      0
    );
    wasm.init(
      fields.length,
      options.windowMode === 'prorate',
      shapeFlags,
      this.sampleLimit
    );
    fields.forEach((field, column) => {
      const kind =
        field.type === 'integer'
          ? KIND_INTEGER
          : HASHED_FIELDS.includes(field.name)
            ? KIND_HASHED
            : KEY_FIELDS.includes(field.name)
              ? KIND_KEY
              : KIND_TEXT;
      wasm.setColumn(
        column,
        kind,
        kind === KIND_INTEGER || CHECKED_FIELDS.has(field.name)
      );
    });
    ROLE_FIELDS.forEach((name, role) => {
      const column = fields.findIndex((field) => field.name === name);
      wasm.setRole(role, column < 0 ? fields.length : column);
    });
    this.input = wasm.inputPointer();
    this.piece = wasm.inputCapacity() - MAX_LINE_BYTES - 16;
    wasm.setHeader(this.write(new TextEncoder().encode(format.header)));
    if (options.interfaceId !== undefined) {
      wasm.setDefaultEni(
        this.write(new TextEncoder().encode(options.interfaceId))
      );
    }
    wasm.setLineNumber(firstLineNumber);
    wasm.beginRollups();
  }

  /**
   * Feeds the next chunk of text (any split, even mid-line or mid-character).
   * A chunk in a slot of this scanner's ring is scanned where it lies, the
   * unfinished line before it copied into the bytes in front of it. Returns
   * the bytes of the chunk consumed: all of them, unless the scan reached
   * the end of the part (`setPartLines`); the rest belongs to the next part
   * and is pushed again after `takeRollups`.
   */
  push(chunk: Uint8Array): number {
    this.beginIfTaken();
    if (this.isInRing(chunk) && !this.isOverlong) {
      // The unfinished line goes in front of the chunk (the room before
      // each slot, or the text already scanned).
      const carry = this.carryLength;
      const from = chunk.byteOffset - carry;
      this.memory().copyWithin(from, this.input, this.input + carry);
      const stopped = this.scan(from, chunk.byteOffset + chunk.length - from);
      return stopped < 0 ? chunk.length : Math.max(0, stopped - carry);
    }
    let from = 0;
    while (from < chunk.length) {
      if (this.isOverlong) {
        const newline = chunk.indexOf(NEWLINE, from);
        if (newline < 0) return chunk.length;
        this.tooLong();
        from = newline + 1;
        continue;
      }
      const length = Math.min(chunk.length - from, this.piece);
      const carry = this.carryLength;
      this.memory().set(
        chunk.subarray(from, from + length),
        this.input + carry
      );
      const stopped = this.scan(this.input, carry + length);
      if (stopped >= 0) return from + Math.max(0, stopped - carry);
      from += length;
    }
    return chunk.length;
  }

  /**
   * Rolls up only a part of the input's lines: those numbered below
   * `skipUntil` are skipped (a part ingested before), and the scan stops
   * before line `stopBefore` (-1: none), where `push` returns early.
   */
  setPartLines(skipUntil: number, stopBefore: number): void {
    this.stopBefore = stopBefore;
    this.wasm.setPartLines(skipUntil, stopBefore);
  }

  /** The number of the next line to scan (lines before it are done). */
  nextLineNumber(): number {
    return this.wasm.getLineNumber();
  }

  /** (ENI, window) items held since the last `takeRollups`. */
  itemCount(): number {
    return this.wasm.getWindowCount();
  }

  /** Bytes of scanner memory the items held since the last take use. */
  heapBytes(): number {
    return this.wasm.heapBytes();
  }

  /**
   * The rollups of the lines scanned since the last take, in order
   * (interfaceId, then windowStart), each built as it is read, and the
   * statistics of those lines. Read the rollups before the next `push`,
   * `takeRollups` or `finish`, which start the next part in their memory.
   */
  takeRollups(): TakenRollups {
    this.beginIfTaken();
    this.isTaken = true;
    const total = this.stats();
    const base = this.statsTaken;
    this.statsTaken = total;
    return {
      items: this.wasm.getWindowCount(),
      rollups: this.rollupsInOrder(),
      stats: base === null ? total : subtractStats(total, base),
    };
  }

  /** Ends the input (a last line without newline counts) and returns the rollups. */
  finish(): { rollups: Rollup[]; stats: IngestStats } {
    const { rollups, stats } = this.finishLazily();
    return { rollups: [...rollups], stats };
  }

  /**
   * Ends the input, as `finish`, with the rollups built as they are read
   * (read them before the scanner's memory serves another input).
   */
  finishLazily(): TakenRollups {
    this.beginIfTaken();
    if (this.isOverlong) {
      this.tooLong();
    } else if (this.carryLength > 0) {
      this.memory()[this.input + this.carryLength] = NEWLINE;
      this.scan(this.input, this.carryLength + 1);
    }
    return this.takeRollups();
  }

  /** Starts the next part once the last one's rollups were taken. */
  private beginIfTaken(): void {
    if (!this.isTaken) return;
    this.isTaken = false;
    this.wasm.beginRollups();
  }

  /** Whether the chunk lies in one of the ring's slots. */
  private isInRing(chunk: Uint8Array): boolean {
    const { ring } = this;
    if (chunk.buffer !== ring?.buffer) return false;
    return ring.slotOffsets.some(
      (slot) =>
        slot <= chunk.byteOffset &&
        chunk.byteOffset + chunk.length <= slot + ring.slotBytes
    );
  }

  private memory(): Uint8Array {
    return new Uint8Array(this.wasm.memory.buffer);
  }

  /** Copies bytes to the start of the input buffer; returns their length. */
  private write(bytes: Uint8Array): number {
    this.memory().set(bytes, this.input);
    return bytes.length;
  }

  /**
   * Scans [from, from + length) of memory; keeps the unfinished last line as
   * carry, at the start of the input buffer. Returns the bytes consumed
   * when the scan stopped at the part's end line (what follows is the next
   * part's, carry included when nothing was consumed), else -1.
   */
  private scan(from: number, length: number): number {
    const { wasm } = this;
    wasm.setSamplesLeft(this.sampleLimit - this.samples.length);
    const consumed = wasm.scan(from, length);
    this.collectSamples();
    if (wasm.getLineNumber() === this.stopBefore) {
      if (consumed > 0) this.carryLength = 0;
      return consumed;
    }
    const rest = length - consumed;
    if (rest > MAX_LINE_BYTES) {
      this.isOverlong = true;
      this.carryLength = 0;
      return -1;
    }
    const memory = this.memory();
    memory.copyWithin(this.input, from + consumed, from + length);
    this.carryLength = rest;
    return -1;
  }

  /** A line too long to keep, found across chunks. */
  private tooLong(): void {
    const lineNumber = this.wasm.getLineNumber();
    this.tooLongLines++;
    if (this.samples.length < this.sampleLimit) {
      const error = new ParseError('line-too-long', lineNumber);
      this.samples.push({
        lineNumber,
        reason: error.reason,
        message: error.message,
      });
    }
    this.wasm.setLineNumber(lineNumber + 1);
    this.isOverlong = false;
    this.carryLength = 0;
  }

  private collectSamples(): void {
    const written = this.wasm.getSamplesWritten();
    if (written === 0) return;
    const view = new DataView(this.wasm.memory.buffer);
    const memory = this.memory();
    const base = this.wasm.samplesPointer();
    for (let k = 0; k < written; k++) {
      const at = base + k * B_SIZE;
      const lineNumber = view.getInt32(at, true);
      const reason = REASONS[view.getInt32(at + 4, true)] ?? 'field-count';
      const column = view.getInt32(at + 8, true);
      const value = view.getUint32(at + 12, true);
      const a = view.getFloat64(at + 24, true);
      const b = view.getFloat64(at + 32, true);
      const text = utf8.decode(
        memory.subarray(value, value + view.getInt32(at + 16, true))
      );
      const error =
        reason === 'field-count'
          ? fieldCountError(lineNumber, a, this.format.fields.length)
          : reason === 'end-before-start'
            ? endBeforeStartError(lineNumber, a, b)
            : reason === 'span-too-long'
              ? spanTooLongError(lineNumber, a)
              : (reason === 'bad-integer' ||
                    reason === 'bad-action' ||
                    reason === 'bad-log-status') &&
                  column >= 0
                ? badValueError(
                    reason,
                    lineNumber,
                    this.format.fields[column]?.name,
                    text
                  )
                : new ParseError(reason, lineNumber);
      this.samples.push({
        lineNumber,
        reason: error.reason,
        message: error.message,
      });
    }
  }

  private stats(): IngestStats {
    const { wasm } = this;
    const badRecordsByReason: Record<string, number> = {};
    let badRecords = 0;
    REASONS.forEach((reason, index) => {
      const count =
        wasm.statistic(4 + index) +
        (index === REASON_LINE_TOO_LONG ? this.tooLongLines : 0);
      if (count > 0) badRecordsByReason[reason] = count;
      badRecords += count;
    });
    return {
      lines: wasm.statistic(0) + this.tooLongLines,
      records: wasm.statistic(1),
      nodataRecords: wasm.statistic(2),
      skipdataRecords: wasm.statistic(3),
      badRecords,
      badRecordsByReason,
      badRecordSamples: [...this.samples],
    };
  }

  /**
   * The windows in order (interfaceId, then windowStart), each turned into
   * a Rollup only when read: no array of every rollup is built.
   */
  private *rollupsInOrder(): Generator<Rollup> {
    const { wasm } = this;
    const count = wasm.getWindowCount();
    const memory = this.memory();
    const views: MemoryViews = {
      view: new DataView(wasm.memory.buffer),
      bytes: memory,
      floats: new Float64Array(wasm.memory.buffer),
      text: (at, length) => utf8.decode(memory.subarray(at, at + length)),
    };
    const { view, text } = views;
    const ids: string[] = [];
    const eniOf = new Int32Array(count);
    const starts = new Float64Array(count);
    for (let k = 0; k < count; k++) {
      const at = wasm.windowAt(k);
      const eniIndex = view.getInt32(at + W_ENI, true);
      if (ids[eniIndex] === undefined) {
        const eni = wasm.eniAt(eniIndex);
        ids[eniIndex] = text(
          view.getUint32(eni + E_KEY, true),
          view.getInt32(eni + E_LENGTH, true)
        );
      }
      eniOf[k] = eniIndex;
      starts[k] = view.getFloat64(at + W_START, true);
    }
    // ENIs ranked by id once; windows sorted by (rank, start) as numbers.
    const ranks = new Int32Array(ids.length);
    ids
      .map((id, index) => ({ id, index }))
      .sort((a, b) => compareText(a.id, b.id))
      .forEach(({ index }, rank) => {
        ranks[index] = rank;
      });
    const rankOf = (k: number) => ranks[eniOf[k] as number] as number;
    const order = Uint32Array.from({ length: count }, (_, k) => k).sort(
      (a, b) =>
        rankOf(a) - rankOf(b) || (starts[a] as number) - (starts[b] as number)
    );
    // ENIs interned by bytes may decode to one id (invalid UTF-8): their
    // rollups are adjacent here and merged, as the typed path keys them.
    let held: Rollup | null = null;
    for (const k of order) {
      const id = ids[eniOf[k] as number] as string;
      const rollup = this.rollupAt(wasm.windowAt(k), id, views);
      if (
        held !== null &&
        held.interfaceId === rollup.interfaceId &&
        held.windowStart === rollup.windowStart
      ) {
        held = mergeRollups(held, rollup);
        continue;
      }
      if (held !== null) yield held;
      held = rollup;
    }
    if (held !== null) yield held;
  }

  /** The rollup of the window struct at `at`. */
  private rollupAt(
    at: number,
    interfaceId: string,
    views: MemoryViews
  ): Rollup {
    const { view, floats, text } = views;
    // Read by name into one object literal (a keyed loop is 3x slower).
    const base = at / 8;
    const c = (name: CounterName) => floats[base + COUNTER_AT[name]] as number;
    const id = (which: number) => {
      const length = view.getInt32(at + W_IDS + which * 8 + 4, true);
      return length < 0
        ? null
        : text(view.getUint32(at + W_IDS + which * 8, true), length);
    };
    const counters: WindowCounters = {
      windowStart: floats[base + W_START / 8] as number,
      flows: c('flows'),
      packets: c('packets'),
      bytes: c('bytes'),
      acceptFlows: c('acceptFlows'),
      acceptPackets: c('acceptPackets'),
      acceptBytes: c('acceptBytes'),
      rejectFlows: c('rejectFlows'),
      rejectPackets: c('rejectPackets'),
      rejectBytes: c('rejectBytes'),
      nodataRecords: c('nodataRecords'),
      skipdataRecords: c('skipdataRecords'),
      ingressPackets: c('ingressPackets'),
      ingressBytes: c('ingressBytes'),
      egressPackets: c('egressPackets'),
      egressBytes: c('egressBytes'),
      tcpBytes: c('tcpBytes'),
      udpBytes: c('udpBytes'),
      icmpBytes: c('icmpBytes'),
      otherBytes: c('otherBytes'),
      synOnlyFlows: c('synOnlyFlows'),
      accountId: id(ID_AT.accountId),
      vpcId: id(ID_AT.vpcId),
      subnetId: id(ID_AT.subnetId),
      instanceId: id(ID_AT.instanceId),
    };
    return toRollup(
      interfaceId,
      counters,
      this.shape,
      this.talkers(views, at + W_TALKER_SKETCH),
      this.sources(views, at + W_REJECTED_SKETCH),
      this.rejectedFlows(views, at + W_REJECTED_FLOW_SKETCH),
      this.rejectedPorts(views, at + W_REJECTED_PORT_SKETCH)
    );
  }

  /**
   * The talkers of a sketch, in sketch order (toRollup ranks them). Packed
   * labels are read as addresses straight from memory; text labels as the
   * typed path reads its keys.
   */
  private talkers(views: MemoryViews, sketch: number): DecodedTalker[] {
    const talkers: DecodedTalker[] = [];
    const { view, bytes: memory } = views;
    this.eachEntry(view, sketch, (label, length, entry) => {
      if ((length & PACKED) === 0) {
        const key = memory.subarray(label, label + length);
        talkers.push(decodeTalker({ key, weight: 0, ...entry }));
        return;
      }
      const dst = label + addressBytes(memory, label);
      const tail = dst + addressBytes(memory, dst);
      const src = this.addressText(memory, label);
      talkers.push(
        talkerOf(src, this.addressText(memory, dst), memory, tail, entry)
      );
    });
    return talkers;
  }

  /** The rejected sources of a sketch, in sketch order. */
  private sources(views: MemoryViews, sketch: number): RejectedSource[] {
    const sources: RejectedSource[] = [];
    const { view, bytes: memory } = views;
    this.eachEntry(view, sketch, (label, length, entry) => {
      sources.push(
        (length & PACKED) === 0
          ? decodeSource({
              key: memory.subarray(label, label + length),
              weight: 0,
              ...entry,
            })
          : { address: this.addressText(memory, label), ...entry }
      );
    });
    return sources;
  }

  /** The rejected flows (source, port, protocol) of a sketch, in sketch order. */
  private rejectedFlows(views: MemoryViews, sketch: number): RejectedFlow[] {
    const flows: RejectedFlow[] = [];
    const { view, bytes: memory } = views;
    this.eachEntry(view, sketch, (label, length, entry) => {
      if ((length & PACKED) === 0) {
        const key = memory.subarray(label, label + length);
        flows.push(decodeRejectedFlow({ key, weight: 0, ...entry }));
        return;
      }
      const tail = label + addressBytes(memory, label);
      flows.push(
        rejectedFlowOf(this.addressText(memory, label), memory, tail, entry)
      );
    });
    return flows;
  }

  /** The rejected ports of a sketch (labels: the tail alone), in sketch order. */
  private rejectedPorts(views: MemoryViews, sketch: number): RejectedPort[] {
    const ports: RejectedPort[] = [];
    const { view, bytes: memory } = views;
    this.eachEntry(view, sketch, (label, length, entry) => {
      const key = memory.subarray(label, label + length);
      ports.push(decodeRejectedPort({ key, weight: 0, ...entry }));
    });
    return ports;
  }

  /** Calls `visit` with the label and counts of each used entry of a sketch. */
  private eachEntry(
    view: DataView,
    sketch: number,
    visit: (label: number, length: number, entry: EntryCounts) => void
  ): void {
    const count = view.getInt32(sketch + S_SETS, true) * WAYS;
    const entries = view.getUint32(sketch + S_ENTRIES, true);
    const labels = view.getUint32(sketch + S_LABELS, true);
    const lengths = view.getUint32(sketch + S_LABEL_LENGTHS, true);
    const labelBytes = view.getUint32(sketch + S_LABEL_BYTES, true);
    for (let entry = 0; entry < count; entry++) {
      const at = entries + entry * N_SIZE;
      const flows = view.getUint32(at + 28, true);
      if (flows === 0) continue;
      visit(labels + entry * labelBytes, view.getUint8(lengths + entry), {
        flows,
        packets: view.getFloat64(at + 8, true),
        bytes: view.getFloat64(at + 16, true),
      });
    }
  }

  /**
   * The text of the packed address at `at` (wasm/flowLogScannerCore.ts
   * `packAddress`: a tag, 4 or 6, then its bytes): exactly the text that
   * was packed. IPv4 texts are cached (peers recur across windows).
   */
  private addressText(memory: Uint8Array, at: number): string {
    if (memory[at] !== 4) {
      const groups: number[] = [];
      for (let k = 0; k < 8; k++) {
        groups.push(
          ((memory[at + 1 + 2 * k] as number) << 8) |
            (memory[at + 2 + 2 * k] as number)
        );
      }
      return formatIpv6(groups);
    }
    const value =
      (((memory[at + 1] as number) << 24) |
        ((memory[at + 2] as number) << 16) |
        ((memory[at + 3] as number) << 8) |
        (memory[at + 4] as number)) >>>
      0;
    const cache = this.ipv4Texts;
    let text = cache.get(value);
    if (text === undefined) {
      if (cache.size >= MAX_CACHED_ADDRESSES) cache.clear();
      text = `${memory[at + 1]}.${memory[at + 2]}.${memory[at + 3]}.${memory[at + 4]}`;
      cache.set(value, text);
    }
    return text;
  }
}

/** Views of the scanner's memory, made once for all the rollups read. */
interface MemoryViews {
  readonly view: DataView;
  readonly bytes: Uint8Array;
  readonly floats: Float64Array;
  /** The UTF-8 text of `length` bytes at `at`. */
  readonly text: (at: number, length: number) => string;
}

/** Each id's slot in a window struct's ids (W_IDS), in IDS order. */
const ID_AT = Object.fromEntries(
  IDS.map((name, index) => [name, index])
) as Record<(typeof IDS)[number], number>;

/** The counts of a sketch entry. */
type EntryCounts = Omit<SketchEntry, 'key' | 'weight'>;

/** Bytes of the packed address at `at`, its tag included. */
const addressBytes = (memory: Uint8Array, at: number): number =>
  memory[at] === 4 ? 5 : 17;

/** An IPv6 address as RFC 5952 writes it (see packIpv6 in the core). */
function formatIpv6(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 0;
  let runStart = 0;
  groups.forEach((group, k) => {
    if (group !== 0) runStart = k + 1;
    else if (k + 1 - runStart > bestLength) {
      bestStart = runStart;
      bestLength = k + 1 - runStart;
    }
  });
  const hex = (part: readonly number[]) =>
    part.map((group) => group.toString(16)).join(':');
  if (bestLength < 2) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}

/** What `takeRollups` hands over: a part's items, rollups and statistics. */
interface TakenRollups {
  readonly items: number;
  readonly rollups: IterableIterator<Rollup>;
  readonly stats: IngestStats;
}

/** The statistics of the lines between two snapshots of the running totals. */
function subtractStats(total: IngestStats, base: IngestStats): IngestStats {
  const badRecordsByReason: Record<string, number> = {};
  for (const [reason, count] of Object.entries(total.badRecordsByReason)) {
    const part = count - (base.badRecordsByReason[reason] ?? 0);
    if (part > 0) badRecordsByReason[reason] = part;
  }
  return {
    lines: total.lines - base.lines,
    records: total.records - base.records,
    nodataRecords: total.nodataRecords - base.nodataRecords,
    skipdataRecords: total.skipdataRecords - base.skipdataRecords,
    badRecords: total.badRecords - base.badRecords,
    badRecordsByReason,
    badRecordSamples: total.badRecordSamples.slice(
      base.badRecordSamples.length
    ),
  };
}

export type { TakenRollups };
export { FlowLogScanner, ROLE_FIELDS, ScannerMemory };
