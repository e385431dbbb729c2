import { describe, expect, it } from 'vitest';
import type { Ec2NetworkInterface } from '../../../shared/catalog/catalogEntry.js';
import { CatalogError } from '../../../shared/errors.js';
import { refreshCatalog } from '../../../shared/pipeline/refreshCatalog.js';
import type { CatalogSource } from '../../../shared/source/ec2Catalog.js';
import type {
  CatalogWriter,
  StoredState,
} from '../../../shared/store/catalogStore.js';

const NOW = 1_796_000_000;

/** A writer over a map of stored states that records every call. */
function recordingWriter(stored: Map<string, StoredState>) {
  const calls: string[] = [];
  const writer: CatalogWriter = {
    list: async () => new Map(stored),
    putEntry: async (entry) => {
      calls.push(`put ${entry.interfaceId}`);
    },
    markDeleted: async (interfaceId) => {
      calls.push(`delete ${interfaceId}`);
    },
    putAddress: async (address) => {
      calls.push(`address ${address}`);
    },
    deleteAddress: async (address) => {
      calls.push(`remove ${address}`);
    },
  };
  return { writer, calls };
}

const sourceOf = (
  pages: readonly (readonly Ec2NetworkInterface[])[]
): CatalogSource => ({
  async *networkInterfaces() {
    yield* pages;
  },
  instanceNames: async () => new Map(),
});

const live: StoredState = { fingerprint: 'x', lastSeen: NOW, deletedAt: null };

describe('refreshCatalog', () => {
  it('refuses an empty listing while the catalog holds live ENIs, and deletes nothing', async () => {
    // Prepare
    const stored = new Map([
      ['ENI#eni-0a1b2c3d4e5f60101', live],
      ['ADDR#10.0.4.15', live],
    ]);
    const { writer, calls } = recordingWriter(stored);
    // Act
    const refreshing = refreshCatalog(
      { source: sourceOf([[]]), store: writer, concurrency: 4 },
      NOW
    );
    // Assess
    await expect(refreshing).rejects.toThrow(CatalogError);
    await expect(refreshing).rejects.toThrow(/holds 1 live ones/);
    expect(calls).toEqual([]);
  });

  it('accepts an empty listing when the catalog holds only deleted ENIs', async () => {
    // Prepare
    const stored = new Map([
      ['ENI#eni-0a1b2c3d4e5f60101', { ...live, deletedAt: NOW - 60 }],
    ]);
    const { writer, calls } = recordingWriter(stored);
    // Act
    const summary = await refreshCatalog(
      { source: sourceOf([[]]), store: writer, concurrency: 4 },
      NOW
    );
    // Assess
    expect(summary).toMatchObject({ enis: 0, written: 0, deleted: 0 });
    expect(calls).toEqual([]);
  });

  it('marks nothing deleted when the listing fails on a later page', async () => {
    // Prepare
    const stored = new Map([['ENI#eni-0a1b2c3d4e5f60199', live]]);
    const { writer, calls } = recordingWriter(stored);
    const source: CatalogSource = {
      async *networkInterfaces() {
        yield [{ NetworkInterfaceId: 'eni-0a1b2c3d4e5f60101' }];
        throw new Error('RequestLimitExceeded');
      },
      instanceNames: async () => new Map(),
    };
    // Act
    const refreshing = refreshCatalog(
      { source, store: writer, concurrency: 4 },
      NOW
    );
    // Assess
    await expect(refreshing).rejects.toThrow('RequestLimitExceeded');
    expect(calls).toEqual([]);
  });
});
