import { type CatalogSummary, summaryOf } from '../catalog/catalogEntry.js';
import type { AddressOwner, CatalogReader } from '../store/catalogStore.js';
import type { RejectedSource, TopTalker } from '../types.js';

/** A peer that belongs to a known ENI: its id and name. */
interface PeerEni {
  readonly interfaceId: string;
  readonly name: string | null;
}

/** The catalog summaries of these ENIs, where the catalog knows them. */
async function catalogsOf(
  catalog: CatalogReader,
  interfaceIds: readonly string[]
): Promise<Map<string, CatalogSummary>> {
  if (interfaceIds.length === 0) return new Map();
  const records = await catalog.entriesOf(interfaceIds);
  return new Map(
    [...records].map(([interfaceId, record]) => [
      interfaceId,
      summaryOf(record),
    ])
  );
}

/** `10.0.3.21 (db-primary)`, or the address alone when no name is known. */
const labelOf = (address: string, owner: AddressOwner | undefined) =>
  owner?.name ? `${address} (${owner.name})` : address;

const peerOf = (owner: AddressOwner | undefined) =>
  owner === undefined
    ? {}
    : { eni: { interfaceId: owner.interfaceId, name: owner.name } };

/**
 * Top talkers and rejected sources with the ENI each address belongs to,
 * where the catalog knows it: `eni` ({ interfaceId, name }) and `label`
 * ("10.0.3.21 (db-primary)"; the address alone otherwise).
 */
async function namePeers<S extends RejectedSource>(
  catalog: CatalogReader,
  talkers: readonly TopTalker[],
  sources: readonly S[]
) {
  const addresses = [
    ...talkers.map((talker) => talker.peer),
    ...sources.map((source) => source.address),
  ];
  const owners =
    addresses.length === 0 ? new Map() : await catalog.ownersOf(addresses);
  return {
    topTalkers: talkers.map((talker) => {
      const owner = owners.get(talker.peer);
      return {
        ...talker,
        label: labelOf(talker.peer, owner),
        ...peerOf(owner),
      };
    }),
    topRejectedSources: sources.map((source) => {
      const owner = owners.get(source.address);
      return {
        ...source,
        label: labelOf(source.address, owner),
        ...peerOf(owner),
      };
    }),
  };
}

export type { PeerEni };
export { catalogsOf, namePeers };
