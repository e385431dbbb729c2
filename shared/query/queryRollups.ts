import { QueryError, StoreError } from '../errors.js';
import type { CatalogReader } from '../store/catalogStore.js';
import type { RangeRanker } from '../store/rangeRanking.js';
import type { RollupReader } from '../store/rollupStore.js';
import type { ApiQuery } from './apiQuery.js';
import { queryEniWindows } from './queryEniWindows.js';
import { queryRangeTop } from './queryRangeTop.js';
import { queryRejections } from './queryRejections.js';
import type { QueryResult } from './queryResult.js';
import { queryScopes } from './queryScopes.js';
import { querySeries } from './querySeries.js';
import { queryTop } from './queryTop.js';

/** What the queries need: the store's reader, the ENI catalog and the page-token key. */
interface QueryDeps {
  readonly reader: RollupReader;
  /** Rankings over ranges (`GET /top`). */
  readonly ranker: RangeRanker;
  readonly catalog: CatalogReader;
  readonly tokenSecret: string;
}

/** Hands each route to the module that answers it. */
async function run(
  query: Exclude<ApiQuery, { route: 'health' }>,
  deps: QueryDeps
): Promise<QueryResult> {
  switch (query.route) {
    case 'rollups':
    case 'summary':
      return await queryEniWindows(query, deps);
    case 'series':
    case 'scopeSummary':
      return await querySeries(query, deps);
    case 'rangeTop':
      return await queryRangeTop(query, deps);
    case 'rejections':
      return await queryRejections(query, deps);
    case 'scopes':
      return await queryScopes(deps);
    case 'top':
      return await queryTop(query, deps);
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

export type { QueryDeps };
export { queryRollups };
