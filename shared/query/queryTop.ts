import { isoOfSeconds } from '../flowLogRules.js';
import type { CatalogReader } from '../store/catalogStore.js';
import type { RollupReader } from '../store/rollupStore.js';
import type { ApiQuery } from './apiQuery.js';
import { catalogsOf } from './attachCatalog.js';
import type { QueryResult } from './queryResult.js';
import {
  catalogColumns,
  catalogField,
  ROLLUP_COLUMNS,
  rollupRow,
} from './rollupRow.js';

/** What a window's top needs: the store's reader and the catalog. */
interface TopDeps {
  readonly reader: RollupReader;
  readonly catalog: CatalogReader;
}

/**
 * The busiest ENIs of one 5-minute window, ranked `by` a counter, with
 * their catalog names. Counters are exact; `membership` says whether the
 * list is provably the top. Lets the reader's `StoreError` through.
 * @example await queryTop({ route: 'top', windowStart, by: 'bytes', limit: 10, format: 'json' }, deps)
 */
async function queryTop(
  query: Extract<ApiQuery, { route: 'top' }>,
  deps: TopDeps
): Promise<QueryResult> {
  const { windowStart, by, limit } = query;
  const top = await deps.reader.rankWindow(windowStart, by, limit);
  const catalogs = await catalogsOf(
    deps.catalog,
    top.rollups.map((rollup) => rollup.interfaceId)
  );
  const rows = top.rollups.map((rollup) => ({
    ...rollupRow(rollup),
    ...catalogField(catalogs.get(rollup.interfaceId)),
  }));
  const csvRows = rows.map(({ catalog, ...row }) => ({
    ...row,
    ...catalogColumns(catalog),
  }));
  return {
    statusCode: 200,
    body: {
      windowStart,
      window: isoOfSeconds(windowStart),
      by,
      limit,
      // Counters are exact; which ENIs made the list is exact only
      // when the window's rankings prove it (see openapi.yaml).
      membership: top.isMembershipExact ? 'exact' : 'approximate',
      enis: rows,
    },
    table: {
      columns: [...ROLLUP_COLUMNS, 'name', 'interfaceType'],
      rows: csvRows,
    },
  };
}

export type { TopDeps };
export { queryTop };
