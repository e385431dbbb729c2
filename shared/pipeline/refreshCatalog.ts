import {
  type CatalogEntry,
  type Ec2NetworkInterface,
  fingerprintOf,
  instanceIdsOf,
  toCatalogEntry,
} from '../catalog/catalogEntry.js';
import { CatalogError } from '../errors.js';
import type { CatalogSource } from '../source/ec2Catalog.js';
import {
  ADDRESS_PREFIX,
  type AddressOwner,
  type CatalogWriter,
  type StoredState,
} from '../store/catalogStore.js';
import { forEachBounded } from '../store/dynamoCalls.js';
import { partitionKey } from '../store/rollupLayout.js';

/** What one refresh found and wrote. */
interface CatalogRefreshSummary {
  /** ENIs EC2 lists now. */
  readonly enis: number;
  /** Catalog items written: new, changed, or confirmed after a day. */
  readonly written: number;
  readonly unchanged: number;
  /** ENIs EC2 no longer lists, marked deleted by this refresh. */
  readonly deleted: number;
  readonly addressesWritten: number;
  readonly addressesRemoved: number;
  /** Instances whose Name tags were asked for. */
  readonly instances: number;
}

/** What the refresh needs: EC2 (or a stand-in), the store, a write limit. */
interface CatalogDeps {
  readonly source: CatalogSource;
  readonly store: CatalogWriter;
  readonly concurrency: number;
}

/**
 * An unchanged entry is written again after this long, so that `lastSeen`
 * stays within a day of the truth at 1/96 of the writes of every run.
 */
const CONFIRM_SECONDS = 86_400;

/**
 * Brings the ENI catalog up to date with EC2: lists every ENI (all pages)
 * and its instance's Name tag, writes the entries whose facts changed (or
 * that were last written a day ago), marks ENIs that EC2 no longer lists
 * as deleted (kept, readable, expiring with the retention), and keeps one
 * item per address of a live ENI. Nothing is marked deleted unless the
 * listing completed: any EC2 or store failure throws before that, and the
 * next run starts over (every write is idempotent). An empty listing while
 * the catalog holds live ENIs throws `CatalogError` and deletes nothing.
 * @example const summary = await refreshCatalog(deps, Math.floor(Date.now() / 1000));
 */
async function refreshCatalog(
  deps: CatalogDeps,
  nowSeconds: number
): Promise<CatalogRefreshSummary> {
  const stored = await deps.store.list();
  const enis: Ec2NetworkInterface[] = [];
  for await (const page of deps.source.networkInterfaces()) enis.push(...page);
  const instanceIds = instanceIdsOf(enis);
  const instanceNames = await deps.source.instanceNames(instanceIds);
  const entries = new Map<string, CatalogEntry>();
  for (const eni of enis) {
    const entry = toCatalogEntry(eni, instanceNames);
    if (entry !== null) entries.set(entry.interfaceId, entry);
  }

  const liveStored = [...stored].filter(
    ([pk, state]) => !pk.startsWith(ADDRESS_PREFIX) && state.deletedAt === null
  ).length;
  if (entries.size === 0 && liveStored > 0) {
    // Wrong region, narrowed permissions or an outage look like this; a
    // fleet does not vanish between two runs.
    throw new CatalogError(
      `EC2 listed no network interfaces, but the catalog holds ${liveStored} live ones: nothing was marked deleted. Check the function's region and its ec2:DescribeNetworkInterfaces permission`
    );
  }

  const isDue = (state: StoredState | undefined, fingerprint: string) =>
    state === undefined ||
    state.fingerprint !== fingerprint ||
    state.deletedAt !== null ||
    nowSeconds - state.lastSeen >= CONFIRM_SECONDS;

  const writes = [...entries.values()]
    .map((entry) => ({ entry, fingerprint: fingerprintOf(entry) }))
    .filter(({ entry, fingerprint }) =>
      isDue(stored.get(partitionKey(entry.interfaceId)), fingerprint)
    );
  await forEachBounded(writes, deps.concurrency, ({ entry, fingerprint }) =>
    deps.store.putEntry(entry, fingerprint, nowSeconds)
  );

  const owners = ownersOf(entries);
  const addressWrites = [...owners].filter(([address, owner]) =>
    isDue(stored.get(`${ADDRESS_PREFIX}${address}`), ownerFingerprint(owner))
  );
  await forEachBounded(addressWrites, deps.concurrency, ([address, owner]) =>
    deps.store.putAddress(address, owner, ownerFingerprint(owner), nowSeconds)
  );

  const gone: string[] = [];
  const staleAddresses: string[] = [];
  for (const [pk, state] of stored) {
    if (pk.startsWith(ADDRESS_PREFIX)) {
      const address = pk.slice(ADDRESS_PREFIX.length);
      if (!owners.has(address)) staleAddresses.push(address);
      continue;
    }
    const interfaceId = pk.slice(partitionKey('').length);
    if (state.deletedAt === null && !entries.has(interfaceId)) {
      gone.push(interfaceId);
    }
  }
  await forEachBounded(gone, deps.concurrency, (interfaceId) =>
    deps.store.markDeleted(interfaceId, nowSeconds)
  );
  await forEachBounded(staleAddresses, deps.concurrency, (address) =>
    deps.store.deleteAddress(address)
  );

  return {
    enis: entries.size,
    written: writes.length,
    unchanged: entries.size - writes.length,
    deleted: gone.length,
    addressesWritten: addressWrites.length,
    addressesRemoved: staleAddresses.length,
    instances: instanceIds.length,
  };
}

const ownerFingerprint = (owner: AddressOwner) =>
  `${owner.interfaceId}|${owner.name ?? ''}`;

/**
 * Each address of a live ENI and the ENI it belongs to. An address two
 * ENIs claim (a moving secondary IP seen mid-move) goes to the smaller id,
 * so that the choice does not flip between runs.
 */
function ownersOf(
  entries: ReadonlyMap<string, CatalogEntry>
): Map<string, AddressOwner> {
  const owners = new Map<string, AddressOwner>();
  for (const entry of entries.values()) {
    for (const address of [
      ...entry.privateAddresses,
      ...entry.publicAddresses,
    ]) {
      const known = owners.get(address);
      if (known === undefined || entry.interfaceId < known.interfaceId) {
        owners.set(address, {
          interfaceId: entry.interfaceId,
          name: entry.name,
        });
      }
    }
  }
  return owners;
}

export type { CatalogDeps, CatalogRefreshSummary };
export { refreshCatalog };
