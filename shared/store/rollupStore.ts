import type { Rollup } from '../types.js';

/**
 * One unit of input (an S3 object, a CloudWatch batch) and the rollups it
 * contributes. Its `id` is deterministic, so a redelivered input carries
 * the same id and is applied at most once.
 */
interface Contribution {
  readonly id: string;
  /** Names the input in errors (`s3://bucket/key`). */
  readonly label: string;
  readonly rollups: readonly Rollup[];
}

/** What applying a contribution did. */
interface ApplyResult {
  /** Items whose counters this contribution added to. */
  readonly itemsWritten: number;
  /** Items that already held this contribution (a redelivery or retry). */
  readonly itemsAlreadyApplied: number;
  /** Write requests sent, one per stored item (counters, and details when there are top lists); SDK retries not counted. */
  readonly writeCalls: number;
}

/**
 * Where rollups live. `applyContribution` adds each rollup to its
 * (ENI, window) item exactly once per contribution id; it throws
 * `StoreError` when a write still fails after the SDK's retries.
 */
interface RollupStore {
  applyContribution(contribution: Contribution): Promise<ApplyResult>;
}

/** Where a page of a query ended: the key to start the next page after. */
type PageKey = Readonly<Record<string, string>>;

/** One page of an ENI's rollups, oldest first. */
interface RollupPage {
  readonly rollups: readonly Rollup[];
  /** Null when no more pages remain. */
  readonly lastKey: PageKey | null;
}

/**
 * How the query API reads rollups. Window bounds are window starts (epoch
 * seconds, inclusive). Every method throws `StoreError` when the store
 * fails after the SDK's retries.
 */
interface RollupReader {
  /**
   * Counters of an ENI's windows in [fromWindow, toWindow], oldest first, a
   * page at a time. Throws `RangeError` when `startAfter` is not a key of
   * that ENI and range (a page key it did not hand out for this query).
   */
  rollupPage(
    interfaceId: string,
    fromWindow: number,
    toWindow: number,
    limit: number,
    startAfter: PageKey | null
  ): Promise<RollupPage>;
  /** Every rollup of an ENI in [fromWindow, toWindow], with its top lists. */
  allRollups(
    interfaceId: string,
    fromWindow: number,
    toWindow: number
  ): Promise<Rollup[]>;
  /** The ENIs of one window, busiest first by `by`, at most `limit`. */
  topOfWindow(
    windowStart: number,
    by: 'bytes' | 'packets' | 'flows' | 'rejectFlows',
    limit: number
  ): Promise<Rollup[]>;
  /** Resolves when the table answers. */
  ping(): Promise<void>;
}

export type {
  ApplyResult,
  Contribution,
  PageKey,
  RollupPage,
  RollupReader,
  RollupStore,
};
