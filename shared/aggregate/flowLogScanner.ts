import { MAX_LINE_BYTES } from '../flowLogRules.js';
import type { FlowLogFormat, IngestStats, Rollup, TextRing } from '../types.js';
import { configureScanner } from './configureScanner.js';
import { rollupJsonLines } from './rollupJsonLines.js';
import { assertRollupFormat, type RollupOptions } from './rollupRecords.js';
import { type RollupShape, rollupShapeOf } from './rollupShape.js';
import {
  instantiate,
  type ScannerExports,
  type ScannerMemory,
} from './scannerMemory.js';
import { ScannerStats } from './scannerStats.js';
import { DEFAULT_SAMPLE_LIMIT } from './statsCollector.js';
import { WindowReader } from './windowReader.js';

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
  private readonly shape: RollupShape;
  private readonly input: number;
  /** The most bytes pushed into the input buffer at once (the rest holds the carry). */
  private readonly piece: number;
  /** The memory of this scanner's ring: text in it is scanned in place. */
  private readonly ring: TextRing | null;
  /** The statistics and bad-record samples of the lines scanned. */
  private readonly statistics: ScannerStats;
  private carryLength = 0;
  private isOverlong = false;
  /** The line the scan stops before (a part's end), -1 for none. */
  private stopBefore = -1;
  /** The rollups were taken: the next push starts the next part. */
  private isTaken = false;
  /** Reads the windows out as rollups (and keeps what it decoded). */
  private readonly reader: WindowReader;

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
    this.shape = rollupShapeOf(format);
    this.reader = new WindowReader(this.shape);
    const sampleLimit = Math.max(
      0,
      options.sampleLimit ?? DEFAULT_SAMPLE_LIMIT
    );
    const wasm = memory?.take() ?? instantiate();
    this.wasm = wasm;
    this.ring = memory?.ring ?? null;
    this.statistics = new ScannerStats(wasm, format, sampleLimit);
    configureScanner(wasm, format, this.shape, options, sampleLimit);
    this.input = wasm.inputPointer();
    this.piece = wasm.inputCapacity() - MAX_LINE_BYTES - 16;
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
    const stats = this.statistics.take();
    return {
      items: this.wasm.getWindowCount(),
      rollups: this.reader.rollupsInOrder(this.wasm),
      jsonLines: () => rollupJsonLines(this.reader, this.wasm, this.shape),
      stats,
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

  /**
   * Scans [from, from + length) of memory; keeps the unfinished last line as
   * carry, at the start of the input buffer. Returns the bytes consumed
   * when the scan stopped at the part's end line (what follows is the next
   * part's, carry included when nothing was consumed), else -1.
   */
  private scan(from: number, length: number): number {
    const { wasm } = this;
    wasm.setSamplesLeft(this.statistics.samplesLeft());
    const consumed = wasm.scan(from, length);
    this.statistics.collectSamples();
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
    this.statistics.tooLong(lineNumber);
    this.wasm.setLineNumber(lineNumber + 1);
    this.isOverlong = false;
    this.carryLength = 0;
  }
}

/** What `takeRollups` hands over: a part's items, rollups and statistics. */
interface TakenRollups {
  readonly items: number;
  readonly rollups: IterableIterator<Rollup>;
  /**
   * The same rollups as JSON lines (rollupJsonLines), when a scanner holds
   * them (not the typed path's), for a reader that writes them out: read
   * either this or `rollups`, once; each chunk is valid until the next is
   * asked for.
   */
  readonly jsonLines?: () => Iterable<Uint8Array>;
  readonly stats: IngestStats;
}

/** A scanner's TakenRollups: it can always write them as JSON lines. */
interface ScannerRollups extends TakenRollups {
  readonly jsonLines: () => Iterable<Uint8Array>;
}

export type { ScannerRollups, TakenRollups };
export { FlowLogScanner };
