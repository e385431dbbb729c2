import type { CatalogReader } from '../store/catalogStore.js';
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

/** The ids that place an ENI in its scopes. */
const PLACING_IDS = ['accountId', 'vpcId', 'subnetId'] as const;
/** An ENI's scopes: its account, VPC and subnet, where known. */
type ScopeIds = Partial<Pick<Rollup, (typeof PLACING_IDS)[number]>>;

/**
 * Each ENI's ids as its rollups give them (the smallest value where two
 * differ). A record's ids land on the window it starts in; in prorate
 * mode its later windows get traffic but no ids, and are placed by these.
 */
function idsByEni(rollups: readonly Rollup[]): Map<string, Partial<Rollup>> {
  const ids = new Map<string, Partial<Rollup>>();
  for (const rollup of rollups) {
    const known = ids.get(rollup.interfaceId) ?? {};
    for (const name of PLACING_IDS) {
      const value = rollup[name];
      const seen = known[name];
      if (value !== undefined && (seen === undefined || value < seen)) {
        known[name] = value;
      }
    }
    ids.set(rollup.interfaceId, known);
  }
  return ids;
}

/**
 * Where each ENI of a contribution belongs: its account, VPC and subnet,
 * first as its own rollups give them (any window: a record's ids land on
 * the window it starts in, and its prorated tail in later windows has
 * none, see idsByEni), then, for a VPC or subnet still missing (the v2
 * format), from the ENI catalog. The store sums each ENI window into
 * these scopes; the ENI rollups themselves are stored as they are. An ENI
 * neither knows is absent (it then counts in no scope it lacks). Throws
 * what the source throws (a `StoreError`), failing the contribution so
 * that it is retried.
 */
async function placementsOf(
  rollups: readonly Rollup[],
  source: PlacementSource | undefined
): Promise<Map<string, ScopeIds>> {
  const ids = idsByEni(rollups);
  const unplaced = [...ids]
    .filter(
      ([, known]) => known.vpcId === undefined || known.subnetId === undefined
    )
    .map(([interfaceId]) => interfaceId);
  const placements =
    source === undefined || unplaced.length === 0
      ? new Map<string, Placement>()
      : await source.placementsOf(unplaced);
  const placed = new Map<string, ScopeIds>();
  for (const [interfaceId, known] of ids) {
    const placement = placements.get(interfaceId);
    const scopeIds: ScopeIds = {};
    for (const name of PLACING_IDS) {
      const value = known[name] ?? placement?.[name] ?? undefined;
      if (value !== undefined && value !== null) scopeIds[name] = value;
    }
    placed.set(interfaceId, scopeIds);
  }
  return placed;
}

export type { Placement, PlacementSource, ScopeIds };
export { cachedPlacements, PLACEMENT_TTL_MS, placementsOf };
