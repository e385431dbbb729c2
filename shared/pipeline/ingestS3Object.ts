import type { RollupOptions } from '../aggregate/rollupRecords.js';
import { MIN_PART_ITEMS } from '../config.js';
import { classifyFlowLogKey } from '../decode/flowLogKey.js';
import { messageOf, OutOfTimeError } from '../errors.js';
import type { ObjectSource } from '../source/s3ObjectSource.js';
import { contributionId } from '../store/contributionId.js';
import type { PartCheckpoints } from '../store/partCheckpoints.js';
import type { RollupStore } from '../store/rollupStore.js';
import type { S3ObjectRef } from '../types.js';
import {
  elapsedMs,
  type IngestCounts,
  labelled,
  newestWindowEnd,
  skipped,
} from './ingestSummary.js';
import { type PlacementSource, placementsOf } from './placeRollups.js';
import { withScanner } from './rollupFlowLog.js';
import { rollupParquetInParts } from './rollupParquet.js';
import {
  type PartHandlers,
  type ScannedPart,
  scanInParts,
} from './scanInParts.js';

/** What ingest needs from the outside world. */
interface IngestDeps {
  readonly source: ObjectSource;
  readonly store: RollupStore;
  readonly options: RollupOptions;
  /**
   * Where the cuts of objects ingested in parts are kept. Without it an
   * object is always one part, whatever it holds.
   */
  readonly checkpoints?: PartCheckpoints;
  /** (ENI, window) items a part may hold (none: no cap but memory). */
  readonly maxPartItems?: number;
  /** Memory a part may take, in bytes (see scanInParts; none: no limit). */
  readonly maxPartBytes?: number;
  /** Milliseconds left in this invocation (Lambda's context); none: no limit. */
  readonly remainingMs?: () => number;
  /**
   * Milliseconds of this function's CPU that writing one item takes
   * (`itemWriteMsAt`); with `remainingMs`, parts are also cut to end in
   * time. None: parts are sized by memory and `maxPartItems` alone.
   */
  readonly itemWriteMs?: number;
  /**
   * Places ENIs whose records name no VPC or subnet (the v2 format) from
   * the ENI catalog; none: scopes come from the records alone.
   */
  readonly placements?: PlacementSource;
}

/** What ingesting one S3 object did. */
interface ObjectSummary extends IngestCounts {
  readonly bucket: string;
  readonly key: string;
  readonly fileFormat?: 'text' | 'parquet';
  /** Parts of the object (1 unless it was too large for one). */
  readonly parts?: number;
  /** Parts an earlier attempt applied, skipped by this one. */
  readonly partsSkipped?: number;
}

/**
 * A part is begun only with at least this much time left, and twice the
 * time the last part took: a part that cannot end in time is left to the
 * retry, which resumes after the parts applied.
 */
const MIN_PART_MS = 20_000;

/**
 * CPU time to write one (ENI, window) item on a whole vCPU: the AWS SDK's
 * work for its conditional UpdateItem (middleware, signing, HTTP) and the
 * rollup's encoding. Measured in s3Ingest (`npm run bench:ingest`, 2M
 * records over 20,000 ENIs): 42 to 52 s of CPU for 65,733 items, 0.64 to
 * 0.78 ms each (0.8 to 1.1 before the client cached its middleware); the
 * rest is margin for slower cores and TLS, which the local stack has not.
 */
const ITEM_WRITE_MS_PER_VCPU = 1.25;

/**
 * Function memory that Lambda gives a whole vCPU
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html).
 */
const MB_PER_VCPU = 1769;

/**
 * Share of the time left when an object starts that one part's writes may
 * take: the first part ends in time, and the next begins only with twice
 * the last one's time left (see beforePart).
 */
const PART_TIME_SHARE = 0.5;

/**
 * Milliseconds to write one item with `memoryMb` of function memory: the
 * writes run on the JavaScript thread, which uses one vCPU at most.
 */
const itemWriteMsAt = (memoryMb: number): number =>
  ITEM_WRITE_MS_PER_VCPU * Math.max(1, MB_PER_VCPU / memoryMb);

/**
 * The items a part may hold so that its writes take PART_TIME_SHARE of
 * `remainingMs`, at `itemWriteMs` each; never fewer than MIN_PART_ITEMS
 * (an input of up to SMALL_INPUT_ITEMS is never cut, on any attempt).
 */
const itemsWithinTime = (remainingMs: number, itemWriteMs: number): number =>
  Math.max(
    MIN_PART_ITEMS,
    Math.floor((remainingMs * PART_TIME_SHARE) / itemWriteMs)
  );

/**
 * Ingests an object through the hot path (gzip text streamed, Parquet read
 * by ranges), in parts of at most `deps.maxPartItems` (ENI, window) items
 * and `deps.maxPartBytes` of memory (`scanInParts`): one part, with the
 * object's contribution id, for all but the largest objects; else each
 * part is a contribution of its own (`<id>#p<n>`), its cut recorded
 * before it is applied, so a retry (after a crash, a timeout, or with
 * other memory or batch sizes) follows the same cuts, skips the parts
 * applied, and counts every record once. Before each further part, when
 * the time left is short, throws an error saying how far it got: the
 * redelivery resumes there. Null when the object is gone.
 */
async function ingestInParts(
  ref: S3ObjectRef,
  label: string,
  deps: IngestDeps,
  startedMs: number,
  fileFormat: 'text' | 'parquet'
): Promise<(IngestCounts & { parts?: number; partsSkipped?: number }) | null> {
  const opened =
    fileFormat === 'text'
      ? await deps.source.stream(ref)
      : await deps.source.randomAccess(ref);
  if (opened === null) return null;
  const id = contributionId('s3', ref.bucket, ref.key, opened.version);
  const { checkpoints } = deps;
  // Without checkpoints a cut could not be kept: the object is one part.
  // With them, a part holds what memory, PART_MAX_ITEMS and the time left
  // allow (the retry resumes after the parts applied).
  const { remainingMs, itemWriteMs } = deps;
  const limits =
    checkpoints === undefined
      ? { maxPartItems: Number.POSITIVE_INFINITY }
      : {
          maxPartItems: Math.min(
            deps.maxPartItems ?? Number.POSITIVE_INFINITY,
            remainingMs === undefined || itemWriteMs === undefined
              ? Number.POSITIVE_INFINITY
              : itemsWithinTime(remainingMs(), itemWriteMs)
          ),
          maxPartBytes: deps.maxPartBytes,
        };
  const recorded = (await checkpoints?.load(id)) ?? [];
  let rollupItems = 0;
  let itemsWritten = 0;
  let itemsAlreadyApplied = 0;
  let writeCalls = 0;
  let writeCapacityUnits = 0;
  let newest: number | null = null;
  let partStartedMs = performance.now();
  let lastPartMs = 0;
  const applyPart = async (part: ScannedPart) => {
    const rollups = [...part.rollups];
    const partId = part.isWhole ? id : `${id}#p${part.index}`;
    const applied = await deps.store.applyContribution({
      id: partId,
      label: part.isWhole ? label : `${label} (part ${part.index})`,
      rollups,
      placements: await placementsOf(rollups, deps.placements),
    });
    rollupItems += rollups.length;
    itemsWritten += applied.itemsWritten;
    itemsAlreadyApplied += applied.itemsAlreadyApplied;
    writeCalls += applied.writeCalls;
    writeCapacityUnits += applied.writeCapacityUnits ?? 0;
    const end = newestWindowEnd(rollups);
    if (end !== null && (newest === null || end > newest)) newest = end;
    if (part.isRecorded) await checkpoints?.markDone(id, part.index);
    lastPartMs = performance.now() - partStartedMs;
  };
  const beforePart = (index: number) => {
    partStartedMs = performance.now();
    const left = deps.remainingMs?.();
    if (left === undefined || left >= Math.max(MIN_PART_MS, 2 * lastPartMs)) {
      return;
    }
    throw new OutOfTimeError(
      `${label}: ${index} parts applied, ${Math.round(left / 1000)} s left: the redelivery resumes at part ${index}. If objects keep running out of time, raise the function's timeout (up to 900 s) or its memory (larger parts, more CPU)`
    );
  };
  const handlers: PartHandlers = {
    recorded,
    ...limits,
    recordEnd: async (index, endLine) =>
      checkpoints === undefined
        ? endLine
        : checkpoints.recordEnd(id, index, endLine),
    applyPart,
    beforePart,
  };
  const scanned =
    'body' in opened
      ? await withScanner(
          { chunks: opened.body, label, isGzipRequired: true },
          deps.options,
          (scanner, text) => scanInParts(scanner, text, handlers)
        )
      : await rollupParquetInParts(opened.file, label, deps.options, handlers);
  if (scanned.kind !== 'scanned') {
    return skipped('not-per-eni', scanned.reason, startedMs);
  }
  const { parts, skippedParts, stats } = scanned.value;
  return {
    outcome: 'ingested',
    ...stats,
    rollupItems,
    itemsWritten,
    itemsAlreadyApplied,
    writeCalls,
    writeCapacityUnits,
    newestWindowEnd: newest,
    durationMs: elapsedMs(startedMs),
    parts,
    partsSkipped: skippedParts,
  };
}

/**
 * Ingests one S3 object exactly once: reads it (streamed gzip text, or
 * Parquet by ranges), rolls it up, and applies the rollups to the store
 * as one contribution whose id is bucket, key and the version read
 * (VersionId, else ETag); an object too large for one part, text or
 * Parquet, goes in parts (`ingestInParts`). A key outside the VPC Flow Logs layouts, an
 * object already deleted, or a Transit Gateway log is skipped and said
 * so in the summary. An object that cannot be read or decoded, or a store
 * that keeps failing, throws an error naming the object: nothing is
 * written for an object that fails to decode, and a retry after a partial
 * write only adds what is missing.
 * @example const summary = await ingestS3Object({ bucket, key }, deps);
 */
async function ingestS3Object(
  ref: S3ObjectRef,
  deps: IngestDeps
): Promise<ObjectSummary> {
  const startedMs = performance.now();
  const label = `s3://${ref.bucket}/${ref.key}`;
  const names = { bucket: ref.bucket, key: ref.key };
  const key = classifyFlowLogKey(ref.key);
  if (key.kind === 'skip') {
    return {
      ...names,
      ...skipped('not-a-flow-log-key', key.reason, startedMs),
    };
  }
  try {
    const summary = await ingestInParts(
      ref,
      label,
      deps,
      startedMs,
      key.fileFormat
    );
    return summary === null
      ? { ...names, ...skipped('object-missing', 'no such key', startedMs) }
      : { ...names, fileFormat: key.fileFormat, ...summary };
  } catch (error) {
    throw labelled(error, label);
  }
}

/**
 * Ingests every object of one event in turn, reporting each summary as it
 * lands. Tries all of them, then throws one error naming every object that
 * failed (so the event is redelivered; the ones that succeeded are skipped
 * as already applied).
 */
async function ingestS3Objects(
  refs: readonly S3ObjectRef[],
  deps: IngestDeps,
  report: (summary: ObjectSummary) => void
): Promise<ObjectSummary[]> {
  const summaries: ObjectSummary[] = [];
  const failures: unknown[] = [];
  for (const ref of refs) {
    try {
      const summary = await ingestS3Object(ref, deps);
      report(summary);
      summaries.push(summary);
    } catch (error) {
      failures.push(error);
    }
  }
  const [first] = failures;
  if (failures.length === 1) throw first;
  if (failures.length > 1) {
    const messages = failures.map(messageOf);
    throw new AggregateError(
      failures,
      `${failures.length} of ${refs.length} objects failed: ${messages.join('; ')}`
    );
  }
  return summaries;
}

export type { IngestDeps, ObjectSummary };
export { ingestS3Object, ingestS3Objects, itemsWithinTime, itemWriteMsAt };
