import {
  type BadRecordReason,
  badValueError,
  endBeforeStartError,
  fieldCountError,
  ParseError,
  spanTooLongError,
} from '../errors.js';
import type { FlowLogFormat, IngestStats } from '../types.js';
import type { ScannerExports } from './scannerMemory.js';
import { subtractStats } from './statsCollector.js';

// Mirrors of the constants and layouts in wasm/scannerLayout.ts: the
// reasons for bad records and the struct of a sample.
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
const B_SIZE = 40;

// A leading BOM is text, as the typed path (which decodes whole lines) keeps it.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * The statistics and bad-record samples of a FlowLogScanner's input.
 * The scanner instance counts lines, records and bad records by reason, and
 * writes its bad records' samples as structs in its memory (no more than
 * `samplesLeft()`, which the scanner passes on before each scan); this
 * reads the counts, turns the samples into `ParseError` messages and adds
 * the lines too long to reach the instance. A sample whose reason is out of
 * range reads as `field-count`.
 */
class ScannerStats {
  private readonly wasm: ScannerExports;
  private readonly format: FlowLogFormat;
  private readonly sampleLimit: number;
  private readonly samples: IngestStats['badRecordSamples'] = [];
  private tooLongLines = 0;
  /** The statistics at the last take (null: none yet). */
  private statsTaken: IngestStats | null = null;

  constructor(
    wasm: ScannerExports,
    format: FlowLogFormat,
    sampleLimit: number
  ) {
    this.wasm = wasm;
    this.format = format;
    this.sampleLimit = sampleLimit;
  }

  /** How many more samples the instance may write. */
  samplesLeft(): number {
    return this.sampleLimit - this.samples.length;
  }

  /** Counts (and samples) a line too long to keep, found across chunks. */
  tooLong(lineNumber: number): void {
    this.tooLongLines++;
    if (this.samples.length < this.sampleLimit) {
      const error = new ParseError('line-too-long', lineNumber);
      this.samples.push({
        lineNumber,
        reason: error.reason,
        message: error.message,
      });
    }
  }

  /** Keeps the samples the instance wrote in its last scan. */
  collectSamples(): void {
    const written = this.wasm.getSamplesWritten();
    if (written === 0) return;
    const view = new DataView(this.wasm.memory.buffer);
    const memory = new Uint8Array(this.wasm.memory.buffer);
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

  /** The statistics of the lines scanned since the last take. */
  take(): IngestStats {
    const total = this.stats();
    const base = this.statsTaken;
    this.statsTaken = total;
    return base === null ? total : subtractStats(total, base);
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

export { ScannerStats };
