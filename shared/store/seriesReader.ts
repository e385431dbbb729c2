import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { emptyRollup, mergeRollups } from '../aggregate/mergeRollups.js';
import { messageOf, StoreError } from '../errors.js';
import type { Rollup } from '../types.js';
import { queryBetween } from './dynamoCalls.js';
import { checkPageKey, fromPageKey, pageKeyOf } from './pageKeys.js';
import { rollupFromItem } from './rollupItem.js';
import {
  ATTR,
  type SeriesKind,
  STEP_SECONDS,
  type Step,
  seriesPartitionKey,
  startOfSortKey,
  stepSortKey,
  stepStartOf,
} from './rollupLayout.js';
import type { PageKey, RollupPage } from './rollupStore.js';

type Item = Record<string, AttributeValue>;

/** A series: an ENI or a scope, at a step. */
interface Series {
  readonly kind: SeriesKind;
  readonly id: string;
  readonly step: Step;
}

/** How a series is read: its items per step, and totals over a range. */
interface SeriesReader {
  /**
   * The series' steps in [fromStep, toStep] (step starts), oldest first,
   * `limit` steps a page. A step no data touched is absent. Throws
   * `RangeError` for a `startAfter` this query did not hand out.
   */
  seriesPage(
    series: Series,
    fromStep: number,
    toStep: number,
    limit: number,
    startAfter: PageKey | null
  ): Promise<RollupPage>;
  /**
   * A scope's totals over [from, to) (seconds, 5-minute aligned), read
   * from the coarsest items that fit: days inside, hours and windows at
   * the edges (at most 99 items for any range up to 31 days). Null when
   * no data is there; `windows` counts the 5-minute windows with data.
   */
  scopeTotal(
    kind: Exclude<SeriesKind, 'eni'>,
    id: string,
    from: number,
    to: number
  ): Promise<{ total: Rollup; windows: number; items: number } | null>;
}

/** [start, end) cut into whole days inside, whole hours and windows at the edges. */
function coverOf(
  from: number,
  to: number
): { step: Step; first: number; last: number }[] {
  const pieces: { step: Step; first: number; last: number }[] = [];
  const cut = (start: number, end: number, steps: readonly Step[]) => {
    const [step, ...finer] = steps;
    if (step === undefined || start >= end) return;
    const size = STEP_SECONDS[step];
    const first = Math.ceil(start / size) * size;
    const last = Math.floor(end / size) * size;
    if (first >= last) {
      cut(start, end, finer);
      return;
    }
    cut(start, first, finer);
    pieces.push({ step, first, last: last - size });
    cut(last, end, finer);
  };
  cut(from, to, ['1d', '1h', '5m']);
  return pieces;
}

/**
 * Reads series for the query API. A scope's hours and days are items of
 * their own (kept by the store, see scopeTiers.ts); an ENI's are the sums
 * of its 5-minute windows, read a page (at most 2,016 windows) at a time.
 * Every failure after the SDK's retries is a `StoreError`.
 */
function createSeriesReader(
  client: DynamoDBClient,
  tableName: string
): SeriesReader {
  /** The items of pk with sk in [low, high], all or the first `maxItems`. */
  async function queryAll(
    pk: string,
    low: string,
    high: string,
    maxItems?: number,
    startKey?: Item
  ): Promise<Item[]> {
    try {
      return await queryBetween(
        client,
        { tableName, pk, low, high },
        { maxItems, startKey }
      );
    } catch (error) {
      throw new StoreError(`reading ${tableName} failed: ${messageOf(error)}`, {
        cause: error,
      });
    }
  }

  async function seriesPage(
    series: Series,
    fromStep: number,
    toStep: number,
    limit: number,
    startAfter: PageKey | null
  ): Promise<RollupPage> {
    const pk = seriesPartitionKey(series.kind, series.id);
    // Stored items: 5-minute windows of any series, a scope's hours and days.
    const isStored = series.step === '5m' || series.kind !== 'eni';
    const itemStep: Step = isStored ? series.step : '5m';
    const low = stepSortKey(itemStep, fromStep);
    const lastItem =
      toStep + STEP_SECONDS[series.step] - STEP_SECONDS[itemStep];
    const high = stepSortKey(itemStep, lastItem);
    if (startAfter !== null) checkPageKey(startAfter, pk, low, high);
    const after = startAfter === null ? undefined : fromPageKey(startAfter);
    if (isStored) {
      // One item more than asked: a next page exists only if it arrives.
      const items = await queryAll(pk, low, high, limit + 1, after);
      const last = items.length > limit ? items[limit - 1] : undefined;
      return {
        rollups: items
          .slice(0, limit)
          .map((item) => rollupFromItem(item, false)),
        lastKey: last ? pageKeyOf(last) : null,
      };
    }
    // An ENI at 1h or 1d: its windows of `limit` steps, summed per step.
    const size = STEP_SECONDS[series.step];
    const first =
      startAfter === null
        ? fromStep
        : stepStartOf(series.step, startOfSortKey(startAfter.sk ?? '')) + size;
    const lastStep = Math.min(toStep, first + (limit - 1) * size);
    if (first > lastStep) return { rollups: [], lastKey: null };
    const items = await queryAll(
      pk,
      stepSortKey('5m', first),
      stepSortKey('5m', lastStep + size - 300)
    );
    const sums = new Map<number, Rollup>();
    for (const item of items) {
      const window = rollupFromItem(item, false);
      const start = stepStartOf(series.step, window.windowStart);
      const part = { ...window, windowStart: start };
      const seen = sums.get(start);
      sums.set(start, seen ? mergeRollups(seen, part) : part);
    }
    return {
      rollups: [...sums.values()].sort((a, b) => a.windowStart - b.windowStart),
      lastKey:
        lastStep < toStep
          ? { pk, sk: stepSortKey('5m', lastStep + size - 300) }
          : null,
    };
  }

  async function scopeTotal(
    kind: Exclude<SeriesKind, 'eni'>,
    id: string,
    from: number,
    to: number
  ) {
    const pk = seriesPartitionKey(kind, id);
    const pieces = coverOf(from, to);
    const lists = await Promise.all(
      pieces.map(({ step, first, last }) =>
        queryAll(pk, stepSortKey(step, first), stepSortKey(step, last))
      )
    );
    const items = lists.flat();
    if (items.length === 0) return null;
    let total = emptyRollup(id, from);
    let windows = 0;
    for (const item of items) {
      const count = item[ATTR.windowCount]?.N;
      windows += count === undefined ? 1 : Number(count);
      total = mergeRollups(total, {
        ...rollupFromItem(item, false),
        windowStart: from,
      });
    }
    return { total, windows, items: items.length };
  }

  return { seriesPage, scopeTotal };
}

export type { Series, SeriesReader };
export { coverOf, createSeriesReader };
