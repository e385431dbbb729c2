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
  it('gives the catalog placement of an ENI whose records name no VPC or subnet', async () => {
    // Prepare
    const { catalog } = countingCatalog();
    const rollups = [rollupOf(KNOWN, { accountId: '210987654321' })];
    // Act
    const placed = await placementsOf(rollups, cachedPlacements(catalog));
    // Assess: the store keeps the record's account (see scopeRollups).
    expect(placed).toEqual(new Map([[KNOWN, CATALOG_IDS]]));
  });

  it('asks nothing for ENIs their records place, in any window', async () => {
    // Prepare
    const { catalog, lookups } = countingCatalog();
    const ids = { vpcId: 'vpc-11111111', subnetId: 'subnet-22222222' };
    const rollups = [rollupOf(KNOWN, ids), rollupOf(KNOWN, {}, WINDOW + 300)];
    // Act
    const placed = await placementsOf(rollups, cachedPlacements(catalog));
    // Assess
    expect(placed).toEqual(new Map());
    expect(lookups).toEqual([]);
  });

  it('places no ENI the catalog does not know', async () => {
    // Prepare
    const { catalog, lookups } = countingCatalog();
    const rollups = [rollupOf(UNKNOWN, { accountId: '123456789012' })];
    // Act
    const placed = await placementsOf(rollups, cachedPlacements(catalog));
    // Assess
    expect(placed).toEqual(new Map());
    expect(lookups).toEqual([[UNKNOWN]]);
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
