import {
  type BadRecordReason,
  badValueError,
  endBeforeStartError,
  fieldCountError,
  ParseError,
  spanTooLongError,
} from '../errors.js';
import { MAX_LINE_BYTES } from '../flowLogRules.js';
import type { FlowLogFormat, IngestStats, Rollup, TextRing } from '../types.js';
import { rollupJsonLines } from './rollupJsonLines.js';
import { assertRollupFormat, type RollupOptions } from './rollupRecords.js';
import { type RollupShape, rollupShapeOf } from './rollupShape.js';
import {
  instantiate,
  type ScannerExports,
  type ScannerMemory,
} from './scannerMemory.js';
import { DEFAULT_SAMPLE_LIMIT } from './statsCollector.js';
import { WindowReader } from './windowReader.js';

// Mirrors of the constants and layouts in wasm/scannerLayout.ts.
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
const B_SIZE = 40;

const utf8 = new TextDecoder();
const NEWLINE = 0x0a;
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
  /** Reads the windows out as rollups (and keeps what it decoded). */
  private readonly reader: WindowReader;
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
    this.reader = new WindowReader(this.shape);
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
  takeRollups(): ScannerRollups {
    this.beginIfTaken();
    this.isTaken = true;
    const total = this.stats();
    const base = this.statsTaken;
    this.statsTaken = total;
    return {
      items: this.wasm.getWindowCount(),
      rollups: this.reader.rollupsInOrder(this.wasm),
      jsonLines: () => rollupJsonLines(this.reader, this.wasm, this.shape),
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
  finishLazily(): ScannerRollups {
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
}

/** What `takeRollups` hands over: a part's items, rollups and statistics. */
interface TakenRollups {
  readonly items: number;
  readonly rollups: IterableIterator<Rollup>;
  readonly stats: IngestStats;
}

/** A scanner's TakenRollups, which it can also write as JSON lines. */
interface ScannerRollups extends TakenRollups {
  /**
   * The same rollups as JSON lines (rollupJsonLines), for a reader that
   * writes them out: read either this or `rollups`, once.
   */
  readonly jsonLines: () => Iterable<Uint8Array>;
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

export type { ScannerRollups, TakenRollups };
export { FlowLogScanner, ROLE_FIELDS };
