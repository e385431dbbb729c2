import { isoOfSeconds } from '../flowLogRules.js';
import type { RangeRanker } from '../store/rangeRanking.js';
import type { QueryResult } from './queryResult.js';

/** What the scope list needs: the scope rankings. */
interface ScopesDeps {
  readonly ranker: RangeRanker;
}

/**
 * The scopes the table holds (accounts, VPCs, subnets) and the days with
 * data, the newest as `latestDay` (null when there is none). Lets the
 * ranker's `StoreError` through.
 * @example await queryScopes(deps)
 */
async function queryScopes(deps: ScopesDeps): Promise<QueryResult> {
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

export type { ScopesDeps };
export { queryScopes };
