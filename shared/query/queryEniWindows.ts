import {
  COUNTERS,
  emptyRollup,
  IDS,
  mergeRollups,
  OPTIONAL_COUNTERS,
} from '../aggregate/mergeRollups.js';
import { isoOfSeconds, windowStartOf } from '../flowLogRules.js';
import type { CatalogReader } from '../store/catalogStore.js';
import type { RollupReader } from '../store/rollupStore.js';
import type { Rollup } from '../types.js';
import type { ApiQuery } from './apiQuery.js';
import { catalogsOf, namePeers } from './attachCatalog.js';
import { encodePageToken, tokenOf } from './pageToken.js';
import type { QueryResult } from './queryResult.js';
import {
  catalogField,
  countersOf,
  ROLLUP_COLUMNS,
  range,
  rollupRow,
} from './rollupRow.js';

/** What one ENI's windows need: the store's reader, the catalog, the page-token key. */
interface EniWindowsDeps {
  readonly reader: RollupReader;
  readonly catalog: CatalogReader;
  readonly tokenSecret: string;
}

/** The windows that overlap [from, to): first and last window start. */
const windowsOf = (from: number, to: number) => ({
  fromWindow: windowStartOf(from),
  toWindow: windowStartOf(Math.max(from, to - 1)),
});

/** Adds up rollups of one ENI over a range; top lists merged (approximate). */
function totalOf(interfaceId: string, rollups: readonly Rollup[]): Rollup {
  return rollups.reduce(
    (total, rollup) => mergeRollups(total, { ...rollup, windowStart: 0 }),
    emptyRollup(interfaceId, 0)
  );
}

/**
 * One ENI's 5-minute windows over [from, to): a page of its rollups
 * (`rollups`, with the next page's token), or their totals with the
 * peers named from the catalog (`summary`). Top lists merged over the
 * range are approximate (see `mergeRollups`). Throws `QueryError` 400
 * for a `nextToken` this API did not issue for the query; lets the
 * reader's errors through (`StoreError`, or `RangeError` for a page end
 * outside the query).
 * @example await queryEniWindows({ route: 'summary', interfaceId, from, to, format: 'json' }, deps)
 */
async function queryEniWindows(
  query: Extract<ApiQuery, { route: 'rollups' | 'summary' }>,
  deps: EniWindowsDeps
): Promise<QueryResult> {
  switch (query.route) {
    case 'rollups': {
      const { interfaceId, limit } = query;
      const token = tokenOf(query, interfaceId, deps.tokenSecret);
      const { from, to } = token ?? query;
      const { fromWindow, toWindow } = windowsOf(from, to);
      const startAfter = token?.lastKey ?? null;
      // from = to is an empty range: `to` is exclusive.
      const page =
        to > from
          ? await deps.reader.rollupPage(
              interfaceId,
              fromWindow,
              toWindow,
              limit,
              startAfter
            )
          : { rollups: [], lastKey: null };
      const rows = page.rollups.map(rollupRow);
      const nextToken =
        page.lastKey === null
          ? undefined
          : encodePageToken(
              { series: interfaceId, from, to, lastKey: page.lastKey },
              deps.tokenSecret
            );
      const catalogs = await catalogsOf(deps.catalog, [interfaceId]);
      return {
        statusCode: 200,
        headers: nextToken ? { 'x-next-token': nextToken } : {},
        body: {
          interfaceId,
          ...catalogField(catalogs.get(interfaceId)),
          ...range(from, to),
          limit,
          rollups: rows,
          nextToken,
        },
        table: { columns: ROLLUP_COLUMNS, rows },
      };
    }
    case 'summary': {
      const { interfaceId, from, to } = query;
      const { fromWindow, toWindow } = windowsOf(from, to);
      const rollups =
        to > from
          ? await deps.reader.allRollups(interfaceId, fromWindow, toWindow)
          : [];
      const total = totalOf(interfaceId, rollups);
      const totals = countersOf(total);
      const skipdataWindows = rollups
        .filter((rollup) => rollup.skipdataRecords > 0)
        .map((rollup) => ({
          windowStart: rollup.windowStart,
          window: isoOfSeconds(rollup.windowStart),
          skipdataRecords: rollup.skipdataRecords,
        }));
      const row = {
        interfaceId,
        ...range(from, to),
        windows: rollups.length,
        ...totals,
      };
      const [catalogs, peers] = await Promise.all([
        catalogsOf(deps.catalog, [interfaceId]),
        namePeers(
          deps.catalog,
          total.topTalkers ?? [],
          total.topRejectedSources ?? []
        ),
      ]);
      return {
        statusCode: 200,
        body: {
          interfaceId,
          ...catalogField(catalogs.get(interfaceId)),
          ...range(from, to),
          windows: rollups.length,
          totals,
          ...peers,
          skipdataWindows,
        },
        table: {
          columns: [
            'interfaceId',
            'from',
            'to',
            'windows',
            ...COUNTERS,
            ...OPTIONAL_COUNTERS,
            ...IDS,
          ],
          rows: [row],
        },
      };
    }
  }
}

export type { EniWindowsDeps };
export { queryEniWindows };
