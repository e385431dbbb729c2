import type { Rollup } from '../types.js';
import type { SeriesReader } from './seriesReader.js';
import type { RankingMetric } from './windowRanking.js';

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
  /**
   * The ENI catalog's account, VPC and subnet of ENIs whose records name
   * no VPC or subnet (v2): the scopes their windows add to. A value the
   * rollups give wins. Absent: the rollups' own ids only.
   */
  readonly placements?: ReadonlyMap<
    string,
    Partial<Pick<Rollup, 'accountId' | 'vpcId' | 'subnetId'>>
  >;
}

/** What applying a contribution did. */
interface ApplyResult {
  /** (ENI, window) items whose counters this contribution added to. */
  readonly itemsWritten: number;
  /** (ENI, window) items that already held this contribution (a redelivery or retry). */
  readonly itemsAlreadyApplied: number;
  /**
   * Write requests sent: one UpdateItem per item (and one more when its
   * top lists are merged), one PutItem per window ranking, one UpdateItem
   * per scope window and one PutItem per scope hour and day recomputed;
   * SDK retries not counted.
   */
  readonly writeCalls: number;
  /**
   * Write capacity units the table reported for the writes that succeeded
   * (`ReturnConsumedCapacity`). Not in it: writes whose condition failed,
   * which DynamoDB also bills (at least 1 unit each).
   */
  readonly writeCapacityUnits?: number;
}

/**
 * Where rollups live. `applyContribution` adds each rollup to its
 * (ENI, window) item exactly once per contribution id; it throws
 * `StoreError` when a write still fails after the SDK's retries.
 */
interface RollupStore {
  applyContribution(contribution: Contribution): Promise<ApplyResult>;
}

/** The busiest ENIs of a window. */
interface WindowTop {
  /** Busiest first by the metric asked for, every counter exact. */
  readonly rollups: readonly Rollup[];
  /**
   * True when no ENI left out has more of the metric than the last one
   * given; false when the window's rankings could not prove it (a
   * contribution cut its ranking above an ENI, or reads were capped).
   */
  readonly isMembershipExact: boolean;
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
interface RollupReader extends SeriesReader {
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
  /**
   * The ENIs of one window, busiest first by `by`, at most `limit`, with
   * their exact counters, and whether no ENI left out could rank higher.
   */
  rankWindow(
    windowStart: number,
    by: RankingMetric,
    limit: number
  ): Promise<WindowTop>;
  /** The ENIs `rankWindow` gives. */
  topOfWindow(
    windowStart: number,
    by: RankingMetric,
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
  WindowTop,
};
