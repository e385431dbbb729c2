import type {
  FlowLogScanner,
  TakenRollups,
} from '../aggregate/flowLogScanner.js';
import { emptyStats } from '../aggregate/statsCollector.js';
import { FlowLogError } from '../errors.js';
import type { RecordedPart } from '../store/partCheckpoints.js';
import type { IngestStats } from '../types.js';

/**
 * An input whose whole rollup holds at most this many (ENI, window) items
 * is one part with no checkpoint: its contribution id is the input's own.
 * A code constant, not configuration: every attempt, whatever its memory,
 * must agree on it (a part's budget is never below it, see config.ts).
 */
const SMALL_INPUT_ITEMS = 1024;

/**
 * Memory of a Rollup built from an item while its part is written: the
 * object, its top lists (talkers, rejected sources, flows and ports, 20
 * each at most), its write request, the scope rankings' work. Measured in
 * s3Ingest under the heap limits Lambda's runtime sets for 1024 MB
 * (`npm run bench:ingest`, 2M records over 20,000 ENIs in one part): peak
 * RSS 658-663 MiB over 65,733 v2 items and 608-618 MiB over 65,659 v5
 * items, less the scanner's 80 MiB and a 150 MiB base: 6.7 and 6.0 KiB per
 * item (the same v2 items from Parquet: 594-767 MiB, up to 8.6 KiB). The
 * margin is for garbage collection's timing: under this machine's default
 * heap limits a v2 part of these items peaked at 826 to 976 MiB.
 */
const ROLLUP_BYTES_PER_ITEM = 10 * 1024;

/**
 * Text scanned between two turns of the event loop. The turns feed the
 * inflate worker its compressed input (and, in the fallback without a
 * worker, start zlib's next piece, which it begins only from a callback on
 * this thread).
 */
const SCAN_SLICE_BYTES = 512 * 1024;

/** Lets pending I/O callbacks (zlib's, the source's) run. */
const turnOfEventLoop = (): Promise<void> =>
  new Promise((resolve) => setImmediate(resolve));

/**
 * Pushes every chunk of the text into the scanner, a slice at a time with
 * a turn of the event loop between slices (one part: no part lines set).
 */
async function pushAll(
  scanner: FlowLogScanner,
  text: AsyncIterable<Uint8Array>
): Promise<void> {
  for await (const chunk of text) {
    for (let from = 0; from < chunk.length; from += SCAN_SLICE_BYTES) {
      scanner.push(chunk.subarray(from, from + SCAN_SLICE_BYTES));
      await turnOfEventLoop();
    }
  }
}

/** One finished part of an input, for the writer. */
interface ScannedPart extends TakenRollups {
  readonly index: number;
  /** The only part, covering the whole input: it takes the input's id. */
  readonly isWhole: boolean;
  /** Whether its end was recorded (so it is to be marked done once applied). */
  readonly isRecorded: boolean;
}

/** What the scan of an input's parts needs from the outside. */
interface PartHandlers {
  /** The parts earlier attempts recorded ([] for a first attempt). */
  readonly recorded: readonly RecordedPart[];
  /** Items a part may hold before it is cut. */
  readonly maxPartItems: number;
  /**
   * Bytes a part may take before it is cut: the scanner's memory, and
   * ROLLUP_BYTES_PER_ITEM for each rollup built from it while it is
   * written. None: items alone decide.
   */
  readonly maxPartBytes?: number;
  /** Records a part's end; resolves to the end recorded (see PartCheckpoints). */
  recordEnd(index: number, endLine: number | null): Promise<number | null>;
  /** Applies a part's rollups (read them before resolving) and marks it done. */
  applyPart(part: ScannedPart): Promise<void>;
  /** Called before each part after the first; throws to stop (out of time). */
  beforePart?(index: number): void;
}

/** What scanning an input in parts did. */
interface PartsOutcome {
  /** Parts of the input (known so far: all of them once it is done). */
  readonly parts: number;
  /** Parts an earlier attempt applied, skipped now. */
  readonly skippedParts: number;
  /** Statistics of the lines of the parts applied now. */
  readonly stats: IngestStats;
}

/**
 * Rolls up a text input in parts of at most `maxPartItems` (ENI, window)
 * items and `maxPartBytes` of memory each (a part ends when one more slice
 * like its last would pass them), so that memory is bounded whatever the input holds, and
 * hands each part to `applyPart` as it ends. Parts are cut at line
 * boundaries; a cut is recorded (`recordEnd`) before its part is applied,
 * and an attempt after a crash follows the recorded cuts (whatever its
 * own budget), skips the lines of parts marked done, and cuts anew only
 * past them: each part is then a contribution with a fixed id, applied
 * exactly once. An input small enough for one part is not recorded at
 * all. Throws `FlowLogError` when a recorded cut does not fit the input
 * (never for a well-formed retry), and whatever the handlers throw.
 * @example
 * const outcome = await scanInParts(scanner, text, {
 *   recorded: [], maxPartItems: 50_000,
 *   recordEnd: async (index, end) => end,
 *   applyPart: async (part) => write([...part.rollups]),
 * });
 */
async function scanInParts(
  scanner: FlowLogScanner,
  text: AsyncIterable<Uint8Array>,
  handlers: PartHandlers
): Promise<PartsOutcome> {
  const { recorded } = handlers;
  const done = partsDone(recorded);
  let index = done.next;
  const skippedParts = index;
  const totals: IngestStats[] = [];
  if (done.isAll) return { parts: index, skippedParts, stats: emptyStats() };
  const recordedEnd = (k: number) => recorded[k]?.endLine ?? -1;
  scanner.setPartLines(
    index > 0 ? (recorded[index - 1]?.endLine ?? 0) : 0,
    recordedEnd(index)
  );

  const endPart = async (endLine: number | null, taken: TakenRollups) => {
    totals.push(taken.stats);
    await applyCut(handlers, index, endLine, taken);
    index++;
  };

  for await (const chunk of text) {
    for (let from = 0; from < chunk.length; ) {
      const slice = chunk.subarray(from, from + SCAN_SLICE_BYTES);
      const itemsBefore = scanner.itemCount();
      // Short of the slice only when the scan stopped at the part's end.
      from += scanner.push(slice);
      const sliceItems = scanner.itemCount() - itemsBefore;
      if (isAtRecordedEnd(scanner, recorded, index)) {
        // The scan reached the recorded end of this part.
        await endPart(recordedEnd(index), scanner.takeRollups());
        handlers.beforePart?.(index);
        scanner.setPartLines(0, recordedEnd(index));
      } else if (
        recorded[index] === undefined &&
        isFull(scanner, handlers, sliceItems)
      ) {
        // Lines before the next one are done; the unfinished line it
        // starts with belongs to the next part.
        await endPart(scanner.nextLineNumber(), scanner.takeRollups());
        handlers.beforePart?.(index);
        scanner.setPartLines(0, -1);
      }
      await turnOfEventLoop();
    }
  }
  const last = scanner.finishLazily();
  const expected = recorded[index];
  if (expected !== undefined && expected.endLine !== null) {
    throw new FlowLogError(
      `the input ended at line ${scanner.nextLineNumber()}, before the recorded end of part ${index} (line ${expected.endLine}): not the input that was cut`
    );
  }
  await endPart(null, last);
  return { parts: index, skippedParts, stats: sumStats(totals) };
}

/**
 * The first part of an input that no attempt has applied yet, and whether
 * the parts applied cover the whole input (the last of them ends at its
 * end, `null`).
 */
function partsDone(recorded: readonly RecordedPart[]): {
  readonly next: number;
  readonly isAll: boolean;
} {
  let next = 0;
  while (recorded[next]?.isDone) next++;
  return { next, isAll: next > 0 && recorded[next - 1]?.endLine === null };
}

/**
 * Ends part `index` at `endLine` (null: the input's end) and applies it:
 * its cut is recorded first, unless it was recorded by an earlier attempt
 * or the part is a whole input of at most SMALL_INPUT_ITEMS items (which
 * takes the input's own id and needs no checkpoint). Throws `FlowLogError`
 * when another attempt, running at the same time, recorded another cut.
 */
async function applyCut(
  handlers: PartHandlers,
  index: number,
  endLine: number | null,
  taken: TakenRollups
): Promise<void> {
  let isRecorded = handlers.recorded[index] !== undefined;
  const isWhole = index === 0 && endLine === null;
  if (!isRecorded && !(isWhole && taken.items <= SMALL_INPUT_ITEMS)) {
    const end = await handlers.recordEnd(index, endLine);
    if (end !== endLine) {
      throw new FlowLogError(
        `part ${index} was cut at line ${end ?? 'end'} by another attempt running at the same time; the retry follows that cut`
      );
    }
    isRecorded = true;
  }
  await handlers.applyPart({ ...taken, index, isWhole, isRecorded });
}

/**
 * The memory the part in the scanner takes once its rollups are built: the
 * scanner's own, and ROLLUP_BYTES_PER_ITEM for each of its items.
 */
const partBytes = (scanner: FlowLogScanner): number =>
  scanner.heapBytes() + scanner.itemCount() * ROLLUP_BYTES_PER_ITEM;

/**
 * Whether the part in the scanner has reached its budget of items or bytes,
 * or would pass its bytes with another slice like the last (which added
 * `sliceItems`): so a part stays within its budget, not one slice beyond.
 */
function isFull(
  scanner: FlowLogScanner,
  handlers: PartHandlers,
  sliceItems: number
): boolean {
  return reachesBudget(
    handlers,
    scanner.itemCount(),
    partBytes(scanner) + sliceItems * ROLLUP_BYTES_PER_ITEM
  );
}

/**
 * Whether a part of `items` items has reached `handlers`' budget: its
 * items, or its bytes once `projectedBytes` (what it would take after
 * another step like its last) is counted. Text (isFull) and the typed
 * path (rollupRecordsInParts) cut by this one rule.
 */
function reachesBudget(
  handlers: PartHandlers,
  items: number,
  projectedBytes: number
): boolean {
  if (items >= handlers.maxPartItems) return true;
  const { maxPartBytes } = handlers;
  return maxPartBytes !== undefined && projectedBytes >= maxPartBytes;
}

/** Whether the scanner has reached the recorded end of the current part. */
function isAtRecordedEnd(
  scanner: FlowLogScanner,
  recorded: readonly RecordedPart[],
  index: number
): boolean {
  const end = recorded[index]?.endLine;
  return end !== undefined && end !== null && scanner.nextLineNumber() === end;
}

/** The statistics of several parts as one (samples kept in order). */
function sumStats(parts: readonly IngestStats[]): IngestStats {
  const sum = emptyStats();
  for (const part of parts) {
    sum.lines += part.lines;
    sum.records += part.records;
    sum.nodataRecords += part.nodataRecords;
    sum.skipdataRecords += part.skipdataRecords;
    sum.badRecords += part.badRecords;
    for (const [reason, count] of Object.entries(part.badRecordsByReason)) {
      sum.badRecordsByReason[reason] =
        (sum.badRecordsByReason[reason] ?? 0) + count;
    }
    sum.badRecordSamples.push(...part.badRecordSamples);
  }
  return sum;
}

export type { PartHandlers, PartsOutcome, ScannedPart };
export {
  applyCut,
  partBytes,
  partsDone,
  pushAll,
  ROLLUP_BYTES_PER_ITEM,
  reachesBudget,
  SMALL_INPUT_ITEMS,
  scanInParts,
  sumStats,
};
