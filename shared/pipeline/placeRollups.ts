import type { CatalogReader } from '../store/catalogStore.js';
import { idsByEni, type ScopeIds } from '../store/scopeRollups.js';
import type { Rollup } from '../types.js';

/** Where the catalog places an ENI. */
interface Placement {
  readonly accountId: string | null;
  readonly vpcId: string | null;
  readonly subnetId: string | null;
}

/** Places ENIs for ingest: the catalog, cached for a while. */
interface PlacementSource {
  placementsOf(
    interfaceIds: readonly string[]
  ): Promise<Map<string, Placement>>;
}

/** How long a placement (or the catalog not knowing an ENI) is trusted. */
const PLACEMENT_TTL_MS = 15 * 60 * 1000;
/** Placements kept per container at most (a 50,000-ENI fleet fits). */
const MAX_CACHED_PLACEMENTS = 100_000;

/**
 * The ENI catalog as a placement source, cached per container for 15
 * minutes (the catalog's own refresh period), unknown ENIs included, so
 * a fleet's objects read the catalog about once per quarter hour, not
 * once each. `nowMs` is the clock (tests pass their own).
 */
function cachedPlacements(
  catalog: CatalogReader,
  nowMs: () => number = Date.now
): PlacementSource {
  const cache = new Map<
    string,
    { placement: Placement | null; atMs: number }
  >();
  return {
    async placementsOf(interfaceIds) {
      const now = nowMs();
      const missing = [...new Set(interfaceIds)].filter((id) => {
        const cached = cache.get(id);
        return cached === undefined || now - cached.atMs > PLACEMENT_TTL_MS;
      });
      if (missing.length > 0) {
        const records = await catalog.entriesOf(missing);
        if (cache.size + missing.length > MAX_CACHED_PLACEMENTS) cache.clear();
        for (const id of missing) {
          const record = records.get(id);
          cache.set(id, {
            placement: record
              ? {
                  accountId: record.accountId,
                  vpcId: record.vpcId,
                  subnetId: record.subnetId,
                }
              : null,
            atMs: now,
          });
        }
      }
      const placements = new Map<string, Placement>();
      for (const id of interfaceIds) {
        const placement = cache.get(id)?.placement;
        if (placement) placements.set(id, placement);
      }
      return placements;
    },
  };
}

/**
 * The catalog's placement of the ENIs of a contribution whose windows name
 * no VPC or subnet in any of them (the v2 format): the store adds their
 * windows to these scopes (a value the rollups give wins, see
 * scopeRollupsOf). Empty without a source or when every ENI is placed.
 * Throws what the source throws (a `StoreError`), failing the
 * contribution so that it is retried.
 */
async function placementsOf(
  rollups: readonly Rollup[],
  source: PlacementSource | undefined
): Promise<Map<string, ScopeIds>> {
  const unplaced = [...idsByEni(rollups)]
    .filter(([, ids]) => ids.vpcId === undefined || ids.subnetId === undefined)
    .map(([interfaceId]) => interfaceId);
  if (source === undefined || unplaced.length === 0) return new Map();
  const placed = new Map<string, ScopeIds>();
  for (const [interfaceId, placement] of await source.placementsOf(unplaced)) {
    const ids: ScopeIds = {};
    if (placement.accountId !== null) ids.accountId = placement.accountId;
    if (placement.vpcId !== null) ids.vpcId = placement.vpcId;
    if (placement.subnetId !== null) ids.subnetId = placement.subnetId;
    placed.set(interfaceId, ids);
  }
  return placed;
}

export type { Placement, PlacementSource };
export { cachedPlacements, PLACEMENT_TTL_MS, placementsOf };
