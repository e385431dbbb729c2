import { COUNTERS } from '../aggregate/mergeRollups.js';
import type { CatalogSummary } from '../catalog/catalogEntry.js';
import { QueryError } from '../errors.js';
import type { CatalogReader } from '../store/catalogStore.js';
import type { RangeRanker } from '../store/rangeRanking.js';
import { seriesPartitionKey } from '../store/rollupLayout.js';
import type { ApiQuery } from './apiQuery.js';
import { catalogsOf } from './attachCatalog.js';
import { catalogColumns, catalogField, range } from './rollupRow.js';

/**
 * How many accounts a ranking of everything spans at most: each is read
 * as a scope of its own. Beyond, the caller names an account.
 */
const MAX_ACCOUNTS = 20;

/** What a ranking over a range needs. */
interface RangeTopDeps {
  readonly ranker: RangeRanker;
  readonly catalog: CatalogReader;
}

const SCOPE_PARAM = {
  account: 'accountId',
  vpc: 'vpcId',
  subnet: 'subnetId',
} as const;

/**
 * The busiest ENIs of a scope (or of every account) over [from, to):
 * counters over the range, exact where `isExact`; `membership` says
 * whether the list is provably the top. Throws `QueryError` 400 (naming
 * `accountId`) when everything spans more than `MAX_ACCOUNTS` accounts;
 * lets the ranker's `StoreError` through.
 * @example await queryRangeTop({ route: 'rangeTop', scope: null, from, to, by: 'bytes', limit: 10, format: 'json' }, deps)
 */
async function queryRangeTop(
  query: Extract<ApiQuery, { route: 'rangeTop' }>,
  deps: RangeTopDeps
) {
  const { scope, from, to, by, limit } = query;
  let keys: string[];
  if (scope === null) {
    const accounts = await deps.ranker.accounts();
    if (accounts.length > MAX_ACCOUNTS) {
      throw new QueryError(
        400,
        'scope_required',
        `the table holds ${accounts.length} accounts (more than ${MAX_ACCOUNTS}): give accountId, vpcId or subnetId`,
        'accountId'
      );
    }
    keys = accounts.map((id) => seriesPartitionKey('account', id));
  } else {
    keys = [seriesPartitionKey(scope.kind, scope.id)];
  }
  const top = await deps.ranker.rankRange(keys, from, to, by, limit);
  const catalogs: Map<string, CatalogSummary> = await catalogsOf(
    deps.catalog,
    top.enis.map((eni) => eni.interfaceId)
  );
  const rows = top.enis.map((eni) => ({
    interfaceId: eni.interfaceId,
    ...eni.counters,
    isExact: eni.isExact,
    ...(eni.atMost === undefined ? {} : { atMost: eni.atMost }),
    ...catalogField(catalogs.get(eni.interfaceId)),
  }));
  const csvRows = rows.map(({ catalog, atMost, ...row }) => ({
    ...row,
    ...catalogColumns(catalog),
  }));
  return {
    statusCode: 200,
    body: {
      ...range(from, to),
      by,
      limit,
      scope:
        scope === null
          ? null
          : { kind: scope.kind, [SCOPE_PARAM[scope.kind]]: scope.id },
      // Which ENIs made the list is exact only when the stored rankings
      // prove it; each ENI's counters say whether they are exact.
      membership: top.isMembershipExact ? 'exact' : 'approximate',
      enis: rows,
      itemsRead: top.itemsRead,
    },
    table: {
      columns: ['interfaceId', ...COUNTERS, 'isExact', 'name', 'interfaceType'],
      rows: csvRows,
    },
  };
}

export type { RangeTopDeps };
export { MAX_ACCOUNTS, queryRangeTop };
