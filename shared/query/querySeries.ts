import { COUNTERS, IDS, OPTIONAL_COUNTERS } from '../aggregate/mergeRollups.js';
import { windowStartOf } from '../flowLogRules.js';
import type { CatalogReader } from '../store/catalogStore.js';
import { type SeriesKind, stepStartOf } from '../store/rollupLayout.js';
import type { RollupReader } from '../store/rollupStore.js';
import type { Rollup } from '../types.js';
import type { ApiQuery } from './apiQuery.js';
import { catalogsOf } from './attachCatalog.js';
import { encodePageToken, tokenOf } from './pageToken.js';
import type { QueryResult } from './queryResult.js';
import {
  catalogField,
  countersOf,
  ROLLUP_COLUMNS,
  range,
  rollupRow,
} from './rollupRow.js';

/** What a series needs: the store's reader, the catalog, the page-token key. */
interface SeriesDeps {
  readonly reader: RollupReader;
  readonly catalog: CatalogReader;
  readonly tokenSecret: string;
}

/** The body's name for a series' id. */
const SERIES_PARAM: Readonly<Record<SeriesKind, string>> = {
  eni: 'interfaceId',
  vpc: 'vpcId',
  subnet: 'subnetId',
  account: 'accountId',
};

/** A scope's rows: the step's start and the counters (no interfaceId). */
const SCOPE_COLUMNS = ROLLUP_COLUMNS.filter(
  (column) => column !== 'interfaceId'
);

/** A row of a series: an ENI's as rollupRow; a scope's without interfaceId. */
function seriesRow(kind: SeriesKind, rollup: Rollup): Record<string, unknown> {
  const { interfaceId, ...row } = rollupRow(rollup);
  return kind === 'eni' ? { interfaceId, ...row } : row;
}

/**
 * A series at a step (an ENI at 1h or 1d, or a VPC, subnet or account at
 * any step), a page at a time (`series`, with the next page's token); or
 * a scope's totals over [from, to) (`scopeSummary`). Throws `QueryError`
 * 400 for a `nextToken` this API did not issue for the query; lets the
 * reader's errors through (`StoreError`, or `RangeError` for a page end
 * outside the query).
 * @example await querySeries({ route: 'scopeSummary', kind: 'vpc', id, from, to, format: 'json' }, deps)
 */
async function querySeries(
  query: Extract<ApiQuery, { route: 'series' | 'scopeSummary' }>,
  deps: SeriesDeps
): Promise<QueryResult> {
  switch (query.route) {
    case 'series': {
      const { kind, id, step, limit } = query;
      const series = `${kind}:${id}:${step}`;
      const token = tokenOf(query, series, deps.tokenSecret);
      const { from, to } = token ?? query;
      const page =
        to > from
          ? await deps.reader.seriesPage(
              { kind, id, step },
              stepStartOf(step, from),
              stepStartOf(step, Math.max(from, to - 1)),
              limit,
              token?.lastKey ?? null
            )
          : { rollups: [], lastKey: null };
      const rows = page.rollups.map((rollup) => seriesRow(kind, rollup));
      const nextToken =
        page.lastKey === null
          ? undefined
          : encodePageToken(
              { series, from, to, lastKey: page.lastKey },
              deps.tokenSecret
            );
      const catalogs =
        kind === 'eni' ? await catalogsOf(deps.catalog, [id]) : new Map();
      return {
        statusCode: 200,
        headers: nextToken ? { 'x-next-token': nextToken } : {},
        body: {
          [SERIES_PARAM[kind]]: id,
          ...catalogField(catalogs.get(id)),
          ...range(from, to),
          step,
          limit,
          rollups: rows,
          nextToken,
        },
        table: {
          columns: kind === 'eni' ? ROLLUP_COLUMNS : SCOPE_COLUMNS,
          rows,
        },
      };
    }
    case 'scopeSummary': {
      const { kind, id, from, to } = query;
      const first = windowStartOf(from);
      const end = to > from ? windowStartOf(to - 1) + 300 : first;
      const found =
        end > first ? await deps.reader.scopeTotal(kind, id, first, end) : null;
      const totals = found === null ? {} : countersOf(found.total);
      const windows = found?.windows ?? 0;
      return {
        statusCode: 200,
        body: { [SERIES_PARAM[kind]]: id, ...range(from, to), windows, totals },
        table: {
          columns: [
            SERIES_PARAM[kind],
            'from',
            'to',
            'windows',
            ...COUNTERS,
            ...OPTIONAL_COUNTERS,
            ...IDS,
          ],
          rows: [
            {
              [SERIES_PARAM[kind]]: id,
              ...range(from, to),
              windows,
              ...totals,
            },
          ],
        },
      };
    }
  }
}

export type { SeriesDeps };
export { querySeries };
