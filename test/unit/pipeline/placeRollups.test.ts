import { describe, expect, it } from 'vitest';
import { emptyRollup } from '../../../shared/aggregate/mergeRollups.js';
import type { CatalogRecord } from '../../../shared/catalog/catalogEntry.js';
import {
  cachedPlacements,
  PLACEMENT_TTL_MS,
  placementsOf,
} from '../../../shared/pipeline/placeRollups.js';
import type { CatalogReader } from '../../../shared/store/catalogStore.js';
import type { Rollup } from '../../../shared/types.js';

const KNOWN = 'eni-0a1b2c3d4e5f60101';
const UNKNOWN = 'eni-0a1b2c3d4e5f60199';
const WINDOW = 1_793_491_200;
const CATALOG_IDS = {
  accountId: '123456789012',
  vpcId: 'vpc-0a1b2c3d4e5f60718',
  subnetId: 'subnet-0a1b2c3d4e5f60001',
};

const record = (interfaceId: string): CatalogRecord => ({
  interfaceId,
  name: 'web-1',
  interfaceType: 'interface',
  description: null,
  ...CATALOG_IDS,
  availabilityZone: 'us-east-1a',
  requesterId: null,
  requesterManaged: false,
  instanceId: null,
  instanceName: null,
  securityGroups: [],
  privateAddresses: [],
  publicAddresses: [],
  tags: {},
  lastSeen: WINDOW,
  deletedAt: null,
});

/** A catalog that knows KNOWN and records each lookup. */
function countingCatalog() {
  const lookups: string[][] = [];
  const catalog: CatalogReader = {
    entriesOf: async (ids) => {
      lookups.push([...ids]);
      return new Map(
        ids.filter((id) => id === KNOWN).map((id) => [id, record(id)])
      );
    },
    ownersOf: async () => new Map(),
  };
  return { catalog, lookups };
}

const rollupOf = (
  interfaceId: string,
  ids: Partial<Rollup> = {},
  windowStart = WINDOW
): Rollup => ({ ...emptyRollup(interfaceId, windowStart), ...ids });

describe('placementsOf', () => {
  it('takes the VPC and subnet a v2 record lacks from the catalog, and the account from the record', async () => {
    // Prepare
    const { catalog } = countingCatalog();
    const rollups = [rollupOf(KNOWN, { accountId: '210987654321' })];
    // Act
    const placed = await placementsOf(rollups, cachedPlacements(catalog));
    // Assess
    expect(placed.get(KNOWN)).toEqual({
      ...CATALOG_IDS,
      accountId: '210987654321',
    });
  });

  it('never replaces what the records say, and asks nothing for placed ENIs', async () => {
    // Prepare
    const { catalog, lookups } = countingCatalog();
    const ids = { vpcId: 'vpc-11111111', subnetId: 'subnet-22222222' };
    // Act
    const placed = await placementsOf(
      [rollupOf(KNOWN, ids)],
      cachedPlacements(catalog)
    );
    // Assess
    expect(placed.get(KNOWN)).toEqual(ids);
    expect(lookups).toEqual([]);
  });

  it('places an ENI the catalog does not know by its records alone', async () => {
    // Prepare
    const { catalog } = countingCatalog();
    const rollups = [rollupOf(UNKNOWN, { accountId: '123456789012' })];
    // Act
    const placed = await placementsOf(rollups, cachedPlacements(catalog));
    // Assess
    expect(placed.get(UNKNOWN)).toEqual({ accountId: '123456789012' });
  });

  it("places a flow's prorated tail by its ENI's other windows, without a catalog", async () => {
    // Prepare: the record's ids land on its first window only.
    const rollups = [
      rollupOf(UNKNOWN, CATALOG_IDS),
      rollupOf(UNKNOWN, {}, WINDOW + 300),
    ];
    // Act
    const placed = await placementsOf(rollups, undefined);
    // Assess
    expect(placed).toEqual(new Map([[UNKNOWN, CATALOG_IDS]]));
  });

  it('asks the catalog once per ENI per quarter hour, unknown ENIs included', async () => {
    // Prepare
    const { catalog, lookups } = countingCatalog();
    let now = 0;
    const source = cachedPlacements(catalog, () => now);
    const rollups = [rollupOf(KNOWN), rollupOf(UNKNOWN), rollupOf(KNOWN)];
    // Act
    await placementsOf(rollups, source);
    now += PLACEMENT_TTL_MS - 1;
    await placementsOf(rollups, source);
    now += 2;
    await placementsOf(rollups, source);
    // Assess
    expect(lookups).toEqual([
      [KNOWN, UNKNOWN],
      [KNOWN, UNKNOWN],
    ]);
  });
});
