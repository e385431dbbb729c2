import {
  COUNTERS,
  IDS,
  OPTIONAL_COUNTERS,
  withoutTopLists,
} from '../aggregate/mergeRollups.js';
import type { CatalogSummary } from '../catalog/catalogEntry.js';
import { isoOfSeconds } from '../flowLogRules.js';
import type { Rollup } from '../types.js';

/**
 * How the query routes show rollups: a rollup's row and its CSV columns,
 * a range's ISO bounds, the catalog field and the counters of a total.
 */

/** The CSV columns of a rollup row: ids, window, every counter. */
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

/** A range as the API shows it: `from` and `to` in ISO 8601. */
const range = (from: number, to: number) => ({
  from: isoOfSeconds(from),
  to: isoOfSeconds(to),
});

/** `{ catalog }` when the catalog knows the ENI; nothing otherwise. */
const catalogField = (catalog: CatalogSummary | undefined) =>
  catalog === undefined ? {} : { catalog };

/** The catalog's CSV columns of an ENI: its name and type, null when unknown. */
const catalogColumns = (catalog: CatalogSummary | undefined) => ({
  name: catalog?.name ?? null,
  interfaceType: catalog?.interfaceType ?? null,
});

/** The counters and ids of a rollup that it has. */
function countersOf(rollup: Rollup): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const name of [...COUNTERS, ...OPTIONAL_COUNTERS, ...IDS]) {
    if (rollup[name] !== undefined) picked[name] = rollup[name];
  }
  return picked;
}

export {
  catalogColumns,
  catalogField,
  countersOf,
  ROLLUP_COLUMNS,
  range,
  rollupRow,
};
