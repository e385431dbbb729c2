import type { CatalogRecord } from '../../shared/catalog/catalogEntry.js';
import type {
  AddressOwner,
  CatalogReader,
} from '../../shared/store/catalogStore.js';

/**
 * A catalog held in memory, for unit tests of the query layer (the
 * integration tests read the real one from dynalite).
 */
function memoryCatalog(
  records: readonly CatalogRecord[] = [],
  owners: Readonly<Record<string, AddressOwner>> = {}
): CatalogReader {
  return {
    entriesOf: async (ids) =>
      new Map(
        records
          .filter((record) => ids.includes(record.interfaceId))
          .map((record) => [record.interfaceId, record])
      ),
    ownersOf: async (addresses) =>
      new Map(
        Object.entries(owners).filter(([address]) =>
          addresses.includes(address)
        )
      ),
  };
}

export { memoryCatalog };
