import {
  COUNTERS,
  emptyRollup,
  IDS,
  mergeRollups,
  OPTIONAL_COUNTERS,
  withoutTopLists,
} from '../aggregate/mergeRollups.js';
import type { CatalogSummary } from '../catalog/catalogEntry.js';
import { QueryError, StoreError } from '../errors.js';
import { isoOfSeconds, windowStartOf } from '../flowLogRules.js';
import type { CatalogReader } from '../store/catalogStore.js';
import type { RangeRanker } from '../store/rangeRanking.js';
import { type SeriesKind, stepStartOf } from '../store/rollupItem.js';
import type { RollupReader } from '../store/rollupStore.js';
import type { Rollup } from '../types.js';
import type { ApiQuery, PageQuery } from './apiQuery.js';
import { catalogsOf, namePeers } from './attachCatalog.js';
import { decodePageToken, encodePageToken } from './pageToken.js';
import { queryRangeTop } from './queryRangeTop.js';
import { queryRejections } from './queryRejections.js';

/** What the queries need: the store's reader, the ENI catalog and the page-token key. */
interface QueryDeps {
  readonly reader: RollupReader;
  /** Rankings over ranges (`GET /top`). */
  readonly ranker: RangeRanker;
  readonly catalog: CatalogReader;
  readonly tokenSecret: string;
}

/** A query's answer: the JSON body, and the same data as CSV rows. */
interface QueryResult {
  readonly statusCode: number;
  /** Extra response headers (the next page's token, for CSV clients). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: Readonly<Record<string, unknown>>;
  readonly table: {
    readonly columns: readonly string[];
    readonly rows: readonly Readonly<Record<string, unknown>>[];
  };
}

const ROLLUP_COLUMNS = [
  'interfaceId',
  'windowStart',
  'window',
  ...COUNTERS,
  ...OPTIONAL_COUNTERS,
  ...IDS,
] as const;

/** A rollup as the API shows it: every counter, the window as ISO too; no top lists. */
function rollupRow(rollup: Rollup): Record<string, unknown> {
  return {
    ...withoutTopLists(rollup),
    window: isoOfSeconds(rollup.windowStart),
  };
}

/** The windows that overlap [from, to): first and last window start. */
const windowsOf = (from: number, to: number) => ({
  fromWindow: windowStartOf(from),
  toWindow: windowStartOf(Math.max(from, to - 1)),
});

const range = (from: number, to: number) => ({
  from: isoOfSeconds(from),
  to: isoOfSeconds(to),
});

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

/** `{ catalog }` when the catalog knows the ENI; nothing otherwise. */
const catalogField = (catalog: CatalogSummary | undefined) =>
  catalog === undefined ? {} : { catalog };

/** The counters and ids of a rollup that it has. */
function countersOf(rollup: Rollup): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const name of [...COUNTERS, ...OPTIONAL_COUNTERS, ...IDS]) {
    if (rollup[name] !== undefined) picked[name] = rollup[name];
  }
  return picked;
}

/** Adds up rollups of one ENI over a range; top lists merged (approximate). */
function totalOf(interfaceId: string, rollups: readonly Rollup[]): Rollup {
  return rollups.reduce(
    (total, rollup) => mergeRollups(total, { ...rollup, windowStart: 0 }),
    emptyRollup(interfaceId, 0)
  );
}

/**
 * The page token a series query carries, checked against the series and,
 * when the request gives one, the range; null on a first page.
 */
function tokenOf(query: PageQuery, series: string, secret: string) {
  if (query.nextToken === null) return null;
  const { from, to } = query;
  return decodePageToken(
    query.nextToken,
    secret,
    query.isRangeGiven ? { series, from, to } : { series }
  );
}

async function run(
  query: Exclude<ApiQuery, { route: 'health' }>,
  deps: QueryDeps
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
    case 'rangeTop':
      return await queryRangeTop(query, deps);
    case 'rejections':
      return await queryRejections(query, deps);
    case 'scopes': {
      const list = await deps.ranker.scopes();
      const last = list.days.at(-1);
      const body = {
        accounts: list.accounts,
        vpcs: list.vpcs,
        subnets: list.subnets,
        days: list.days.map(isoOfSeconds),
        // The newest day with data: where a dashboard opens.
        latestDay: last === undefined ? null : isoOfSeconds(last),
      };
      const rows = [
        ...list.accounts.map((id) => ({ kind: 'account', id })),
        ...list.vpcs.map((id) => ({ kind: 'vpc', id })),
        ...list.subnets.map((id) => ({ kind: 'subnet', id })),
      ];
      return {
        statusCode: 200,
        body,
        table: { columns: ['kind', 'id'], rows },
      };
    }
    case 'top': {
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
        name: catalog?.name ?? null,
        interfaceType: catalog?.interfaceType ?? null,
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
  }
}

/**
 * Answers a validated query from the rollup store. Top lists merged over
 * a range are approximate (see `mergeRollups`); so may be which ENIs a
 * window's top holds (`membership`), never their counters. Throws `QueryError`: 400
 * for a `nextToken` this API did not issue for the query, 503 (with a
 * retry hint) when the store fails.
 * @example await queryRollups({ route: 'top', windowStart, by: 'bytes', limit: 10, format: 'json' }, deps)
 */
async function queryRollups(
  query: ApiQuery,
  deps: QueryDeps
): Promise<QueryResult> {
  try {
    if (query.route === 'health') {
      await deps.reader.ping();
      const body = { status: 'ok' };
      return {
        statusCode: 200,
        body,
        table: { columns: ['status'], rows: [body] },
      };
    }
    return await run(query, deps);
  } catch (error) {
    if (error instanceof RangeError) {
      // The reader refuses a page end outside the query: a forged token.
      throw new QueryError(
        400,
        'invalid_next_token',
        `nextToken is not a token this API issued for this query (${error.message})`,
        'nextToken',
        { cause: error }
      );
    }
    if (error instanceof StoreError) {
      throw new QueryError(
        503,
        'unavailable',
        'the rollup table is unavailable; retry in a few seconds',
        undefined,
        { cause: error }
      );
    }
    throw error;
  }
}

export type { QueryDeps, QueryResult };
export { queryRollups };
