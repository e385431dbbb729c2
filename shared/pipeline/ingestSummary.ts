import {
  DecodeError,
  FlowLogError,
  FormatError,
  messageOf,
  StoreError,
} from '../errors.js';
import { WINDOW_SECONDS } from '../flowLogRules.js';
import type { Contribution, RollupStore } from '../store/rollupStore.js';
import type { IngestStats, Rollup } from '../types.js';

/** Why an input was not ingested (it is counted, not failed). */
type SkipReason =
  | 'not-a-flow-log-key'
  | 'object-missing'
  | 'not-per-eni'
  | 'control-message'
  | 'empty-batch';

/** What ingesting one input did: logged as one line, sent as metrics. */
interface IngestCounts extends Partial<IngestStats> {
  readonly outcome: 'ingested' | 'skipped';
  readonly skipReason?: SkipReason;
  readonly detail?: string;
  /** (ENI, window) items this input contributes to. */
  readonly rollupItems: number;
  readonly itemsWritten: number;
  readonly itemsAlreadyApplied: number;
  readonly writeCalls: number;
  /** DynamoDB write capacity units the writes consumed, as DynamoDB reported them. */
  readonly writeCapacityUnits?: number;
  /** End of the newest window, epoch seconds: ingest lag = now - this. */
  readonly newestWindowEnd: number | null;
  readonly durationMs: number;
}

const elapsedMs = (startedMs: number): number =>
  Math.round(performance.now() - startedMs);

const skipped = (
  skipReason: SkipReason,
  detail: string,
  startedMs: number
): IngestCounts => ({
  outcome: 'skipped',
  skipReason,
  detail,
  rollupItems: 0,
  itemsWritten: 0,
  itemsAlreadyApplied: 0,
  writeCalls: 0,
  newestWindowEnd: null,
  durationMs: elapsedMs(startedMs),
});

/** Applies one contribution and says what it did. */
async function applyRollups(
  store: RollupStore,
  contribution: Contribution,
  stats: IngestStats,
  startedMs: number
): Promise<IngestCounts> {
  const applied = await store.applyContribution(contribution);
  const { rollups } = contribution;
  return {
    outcome: 'ingested',
    ...stats,
    rollupItems: rollups.length,
    ...applied,
    newestWindowEnd: newestWindowEnd(rollups),
    durationMs: elapsedMs(startedMs),
  };
}

/** A loop, not Math.max(...spread): a big file holds more windows than a call has arguments. */
function newestWindowEnd(rollups: readonly Rollup[]): number | null {
  let newest: number | null = null;
  for (const { windowStart } of rollups) {
    if (newest === null || windowStart > newest) newest = windowStart;
  }
  return newest === null ? null : newest + WINDOW_SECONDS;
}

/** Adds the input's label to an error that does not name it yet, keeping its kind. */
function labelled(error: unknown, label: string): unknown {
  if (error instanceof FlowLogError && error.message.includes(label)) {
    return error;
  }
  const message = messageOf(error);
  // Keep what kind of failure it was; an error from elsewhere (an SDK
  // call, a stream) stays a plain FlowLogError, not a decode failure.
  const Kind =
    [DecodeError, FormatError, StoreError].find(
      (kind) => error instanceof kind
    ) ?? FlowLogError;
  return new Kind(`${label}: ${message}`, { cause: error });
}

export type { IngestCounts, SkipReason };
export { applyRollups, elapsedMs, labelled, newestWindowEnd, skipped };
