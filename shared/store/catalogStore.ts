import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { CatalogEntry, CatalogRecord } from '../catalog/catalogEntry.js';
import { messageOf, StoreError } from '../errors.js';
import {
  batchGetItems,
  forEachBounded,
  type Item,
  queryItems,
} from './dynamoCalls.js';
import { partitionKey } from './rollupLayout.js';

/** The sort key of catalog items (in the ENI's own partition, and an address's). */
const CATALOG_SORT_KEY = 'CATALOG';
const ADDRESS_PREFIX = 'ADDR#';
/** The sparse index that lists catalog items (rollup items lack its key). */
const CATALOG_INDEX = 'catalog';
/** Partitions of the catalog index: a refresh's writes spread over them. */
const CATALOG_SHARDS = 16;
const DAY_SECONDS = 86_400;

const A = {
  pk: 'pk',
  sk: 'sk',
  shard: 'cs',
  entry: 'e',
  fingerprint: 'fp',
  lastSeen: 'ls',
  deletedAt: 'del',
  eni: 'eni',
  name: 'nm',
  expiresAt: 'expiresAt',
} as const;

/** What the refresh knows of a stored catalog item (from the index). */
interface StoredState {
  readonly fingerprint: string;
  readonly lastSeen: number;
  readonly deletedAt: number | null;
}

/** A peer address that belongs to a known ENI. */
interface AddressOwner {
  readonly interfaceId: string;
  readonly name: string | null;
}

/** The catalog as the refresh writes it. */
interface CatalogWriter {
  /** Every catalog item (ENIs and addresses) by table pk, from the index. */
  list(): Promise<Map<string, StoredState>>;
  putEntry(
    entry: CatalogEntry,
    fingerprint: string,
    now: number
  ): Promise<void>;
  /** Marks a live ENI gone; it expires `retentionDays` later. */
  markDeleted(interfaceId: string, now: number): Promise<void>;
  putAddress(
    address: string,
    owner: AddressOwner,
    fingerprint: string,
    now: number
  ): Promise<void>;
  deleteAddress(address: string): Promise<void>;
}

/** The catalog as the query API reads it. */
interface CatalogReader {
  /** The records of these ENIs that the catalog has. */
  entriesOf(
    interfaceIds: readonly string[]
  ): Promise<Map<string, CatalogRecord>>;
  /** The ENIs these addresses belong to, where known. */
  ownersOf(addresses: readonly string[]): Promise<Map<string, AddressOwner>>;
}

const addressKey = (address: string) => `${ADDRESS_PREFIX}${address}`;

/** The index partition of a table pk (FNV-1a, mod CATALOG_SHARDS). */
function shardOf(pk: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < pk.length; i++) {
    hash = Math.imul(hash ^ pk.charCodeAt(i), 0x01000193);
  }
  return `CATALOG#${(hash >>> 0) % CATALOG_SHARDS}`;
}

const keyOf = (pk: string): Item => ({
  [A.pk]: { S: pk },
  [A.sk]: { S: CATALOG_SORT_KEY },
});

/** A stored catalog item back as a record; null when it is not one. */
function recordOf(item: Item): CatalogRecord | null {
  const json = item[A.entry]?.S;
  if (json === undefined) return null;
  const deletedAt = item[A.deletedAt]?.N;
  return {
    ...(JSON.parse(json) as CatalogEntry),
    lastSeen: Number(item[A.lastSeen]?.N ?? 0),
    deletedAt: deletedAt === undefined ? null : Number(deletedAt),
  };
}

/**
 * The ENI catalog in the rollup table. An ENI's item sits in its own
 * partition (`ENI#<id>`, sort key `CATALOG`) and holds the entry as JSON,
 * its fingerprint and `lastSeen`; a deleted ENI gets `del` and expires
 * after the retention. Each private or public address of a live ENI has an
 * item (`ADDR#<address>`) naming its ENI, for naming peers. Catalog items
 * carry `cs`, the key of the sparse `catalog` index (16 partitions) that
 * lists them; rollup items do not, so no ingest write pays for it. Every
 * failure after the SDK's retries is a `StoreError`.
 */
function createDynamoCatalogStore(
  client: DynamoDBClient,
  options: { tableName: string; retentionDays: number; concurrency: number }
): CatalogWriter & CatalogReader {
  const { tableName } = options;
  const failed = (what: string, error: unknown) =>
    new StoreError(
      `catalog ${what} in ${tableName} failed: ${messageOf(error)}`,
      {
        cause: error,
      }
    );

  async function list(): Promise<Map<string, StoredState>> {
    const states = new Map<string, StoredState>();
    const shards = Array.from({ length: CATALOG_SHARDS }, (_, k) => k);
    await forEachBounded(shards, options.concurrency, async (shard) => {
      let items: Item[];
      try {
        ({ items } = await queryItems(client, {
          TableName: tableName,
          IndexName: CATALOG_INDEX,
          KeyConditionExpression: '#cs = :cs',
          ExpressionAttributeNames: { '#cs': A.shard },
          ExpressionAttributeValues: { ':cs': { S: `CATALOG#${shard}` } },
        }));
      } catch (error) {
        throw failed('listing', error);
      }
      for (const item of items) {
        const pk = item[A.pk]?.S;
        if (pk === undefined) continue;
        const deletedAt = item[A.deletedAt]?.N;
        states.set(pk, {
          fingerprint: item[A.fingerprint]?.S ?? '',
          lastSeen: Number(item[A.lastSeen]?.N ?? 0),
          deletedAt: deletedAt === undefined ? null : Number(deletedAt),
        });
      }
    });
    return states;
  }

  async function put(what: string, item: Item): Promise<void> {
    try {
      await client.send(
        new PutItemCommand({ TableName: tableName, Item: item })
      );
    } catch (error) {
      throw failed(`write of ${what}`, error);
    }
  }

  function putEntry(entry: CatalogEntry, fingerprint: string, now: number) {
    const pk = partitionKey(entry.interfaceId);
    return put(entry.interfaceId, {
      ...keyOf(pk),
      [A.shard]: { S: shardOf(pk) },
      [A.entry]: { S: JSON.stringify(entry) },
      [A.fingerprint]: { S: fingerprint },
      [A.lastSeen]: { N: String(now) },
    });
  }

  async function markDeleted(interfaceId: string, now: number) {
    try {
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: keyOf(partitionKey(interfaceId)),
          UpdateExpression: 'SET #del = :now, #exp = :exp',
          ConditionExpression:
            'attribute_exists(#pk) AND attribute_not_exists(#del)',
          ExpressionAttributeNames: {
            '#pk': A.pk,
            '#del': A.deletedAt,
            '#exp': A.expiresAt,
          },
          ExpressionAttributeValues: {
            ':now': { N: String(now) },
            ':exp': { N: String(now + options.retentionDays * DAY_SECONDS) },
          },
        })
      );
    } catch (error) {
      // Marked already (a concurrent refresh): nothing to do.
      if (error instanceof ConditionalCheckFailedException) return;
      throw failed(`deletion of ${interfaceId}`, error);
    }
  }

  function putAddress(
    address: string,
    owner: AddressOwner,
    fingerprint: string,
    now: number
  ) {
    const pk = addressKey(address);
    return put(address, {
      ...keyOf(pk),
      [A.shard]: { S: shardOf(pk) },
      [A.eni]: { S: owner.interfaceId },
      ...(owner.name === null ? {} : { [A.name]: { S: owner.name } }),
      [A.fingerprint]: { S: fingerprint },
      [A.lastSeen]: { N: String(now) },
    });
  }

  async function deleteAddress(address: string) {
    try {
      await client.send(
        new DeleteItemCommand({
          TableName: tableName,
          Key: keyOf(addressKey(address)),
        })
      );
    } catch (error) {
      throw failed(`removal of ${address}`, error);
    }
  }

  async function entriesOf(interfaceIds: readonly string[]) {
    const keys = [...new Set(interfaceIds)].map((id) =>
      keyOf(partitionKey(id))
    );
    let items: Item[];
    try {
      items = await batchGetItems(client, tableName, keys);
    } catch (error) {
      throw failed('read', error);
    }
    const records = new Map<string, CatalogRecord>();
    for (const item of items) {
      const record = recordOf(item);
      if (record !== null) records.set(record.interfaceId, record);
    }
    return records;
  }

  async function ownersOf(addresses: readonly string[]) {
    const keys = [...new Set(addresses)].map((address) =>
      keyOf(addressKey(address))
    );
    let items: Item[];
    try {
      items = await batchGetItems(client, tableName, keys);
    } catch (error) {
      throw failed('read', error);
    }
    const owners = new Map<string, AddressOwner>();
    for (const item of items) {
      const pk = item[A.pk]?.S ?? '';
      const interfaceId = item[A.eni]?.S;
      if (!pk.startsWith(ADDRESS_PREFIX) || interfaceId === undefined) continue;
      owners.set(pk.slice(ADDRESS_PREFIX.length), {
        interfaceId,
        name: item[A.name]?.S ?? null,
      });
    }
    return owners;
  }

  return {
    list,
    putEntry,
    markDeleted,
    putAddress,
    deleteAddress,
    entriesOf,
    ownersOf,
  };
}

export type { AddressOwner, CatalogReader, CatalogWriter, StoredState };
export {
  ADDRESS_PREFIX,
  addressKey,
  CATALOG_INDEX,
  CATALOG_SHARDS,
  createDynamoCatalogStore,
  shardOf,
};
