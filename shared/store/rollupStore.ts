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

export type { ApplyResult, Contribution, RollupStore };
