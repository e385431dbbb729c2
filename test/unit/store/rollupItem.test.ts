import { describe, expect, it } from 'vitest';
import { StoreError } from '../../../shared/errors.js';
import {
  rankingFromItem,
  rollupFromItem,
  rollupsFromItems,
} from '../../../shared/store/rollupItem.js';
import {
  compactionFor,
  rankingPutsFor,
  updateFor,
} from '../../../shared/store/rollupWrites.js';
import { topListAttribute } from '../../../shared/store/topListAttributes.js';
import type { Rollup } from '../../../shared/types.js';
import {
  applyUpdateItem,
  ConditionFailed,
  itemBytes,
  MemoryTable,
} from '../../helpers/applyUpdateItem.js';
import {
  counters,
  fullRollup,
  type Item,
  plainRollup,
  rejected,
  talker,
  WINDOW,
} from '../../helpers/storeFixtures.js';

/** Options of its own: table 'rollups', not the shared OPTIONS table. */
const OPTIONS = { tableName: 'rollups', retentionDays: 30, concurrency: 4 };

const keyItem = (): Item => ({
  pk: { S: 'ENI#eni-0a1b2c3d4e5f67890' },
  sk: { S: 'W#2026-11-01T00:05:00Z' },
});

/** The counters item of applying these contributions, in order, to an empty table. */
const itemOf = (
  contributions: readonly (readonly [id: string, rollup: Rollup])[]
): Item =>
  contributions.reduce(
    (item, [id, rollup]) =>
      applyUpdateItem(item, updateFor(rollup, id, OPTIONS)),
    {} as Item
  );

describe('rollupFromItem', () => {
  it('reads back a rollup written by updateFor to an empty table, top lists included', () => {
    // Prepare
    const rollup = fullRollup();
    const item = itemOf([['c1', rollup]]);

    // Act
    const read = rollupFromItem(item);

    // Assess
    expect(read).toStrictEqual(rollup);
    expect(item.expiresAt).toEqual({ N: String(WINDOW + 30 * 86_400) });
    expect(item.c).toEqual({ SS: ['c1'] });
    expect(item.n).toEqual({ N: '1' });
    expect(item[topListAttribute('c1')]?.B).toBeInstanceOf(Uint8Array);
  });

  it('stores a v5 rollup with its top lists in well under 1 KB, with short names only', () => {
    // Prepare
    const item = itemOf([['M9Azh3Jg2LLmCVKILSxkmH', fullRollup()]]);

    // Act
    const size = itemBytes(item);

    // Assess
    expect(size).toBeLessThan(400);
    const long = Object.keys(item).filter(
      (name) =>
        name.length > 2 && name !== 'expiresAt' && !name.startsWith('t:')
    );
    expect(long).toEqual([]);
  });

  it('leaves the top lists out when asked to', () => {
    // Prepare
    const rollup = fullRollup();
    const item = itemOf([['c1', rollup]]);

    // Act
    const read = rollupFromItem(item, false);

    // Assess
    const {
      topTalkers: _,
      topRejectedSources: __,
      topRejectedFlows: ___,
      topRejectedPorts: ____,
      ...withoutTops
    } = rollup;
    expect(read).toStrictEqual(withoutTops);
  });

  it('reads back a v2 rollup without optional counters, ids or top lists', () => {
    // Prepare
    const rollup = plainRollup();
    const item = itemOf([['c1', rollup]]);

    // Act
    const read = rollupFromItem(item);

    // Assess
    expect(read).toStrictEqual(rollup);
    expect(Object.keys(item).filter((name) => name.startsWith('t'))).toEqual(
      []
    );
    expect(item).not.toHaveProperty('n');
  });

  it('adds the counters of two contributions and merges their top lists', () => {
    // Prepare
    const second: Rollup = {
      ...plainRollup(),
      accountId: '999999999999',
      topTalkers: [talker('10.0.2.9', 1500, 2), talker('10.0.3.3', 100)],
      topRejectedSources: [rejected('203.0.113.1', 5)],
    };
    const item = itemOf([
      ['c1', fullRollup()],
      ['c2', second],
    ]);

    // Act
    const read = rollupFromItem(item);

    // Assess
    expect(read).toStrictEqual({
      ...fullRollup(),
      ...counters(3),
      topTalkers: [
        {
          peer: '10.0.2.9',
          port: 443,
          protocol: 6,
          flows: 3,
          packets: 30,
          bytes: 2500,
        },
        talker('10.0.1.5', 2000),
        talker('10.0.3.3', 100),
      ],
      topRejectedSources: [
        rejected('203.0.113.1', 5),
        rejected('198.51.100.7', 1),
      ],
    });
    expect(item.c).toEqual({ SS: ['c1', 'c2'] });
    expect(item.n).toEqual({ N: '2' });
  });

  it('leaves the item unchanged when a contribution is applied again', () => {
    // Prepare
    const table = new MemoryTable();
    const update = updateFor(fullRollup(), 'c1', OPTIONS);
    table.update(update);
    const once = table.items();

    // Act
    const replay = () => table.update(update);

    // Assess
    expect(replay).toThrow(ConditionFailed);
    expect(table.items()).toEqual(once);
    expect(rollupsFromItems(table.items())).toStrictEqual([fullRollup()]);
  });

  it('keeps the top 20 when merged top lists hold more peers', () => {
    // Prepare
    const peers = (from: number) =>
      Array.from({ length: 15 }, (_, index) =>
        talker(`10.0.0.${from + index}`, (from + index) * 10)
      );
    const item = itemOf([
      ['a', { ...plainRollup(), topTalkers: peers(1) }],
      ['b', { ...plainRollup(), topTalkers: peers(16) }],
    ]);

    // Act
    const read = rollupFromItem(item);

    // Assess
    expect(read.topTalkers?.map((entry) => entry.bytes)).toEqual(
      Array.from({ length: 20 }, (_, index) => (30 - index) * 10)
    );
  });

  it('reads the merged lists of a compacted item with the lists added since', () => {
    // Prepare
    const tops = (peer: string, bytes: number): Rollup => ({
      ...plainRollup(),
      topTalkers: [talker(peer, bytes)],
    });
    let item = itemOf(
      ['a', 'b', 'c', 'd'].map((id, i) => [id, tops(`10.0.0.${i}`, 10 + i)])
    );
    const compaction = compactionFor(item, OPTIONS);
    if (compaction === null) throw new Error('no compaction');
    item = applyUpdateItem(item, compaction);
    item = applyUpdateItem(
      item,
      updateFor(tops('10.0.0.1', 100), 'e', OPTIONS)
    );

    // Act
    const read = rollupFromItem(item);

    // Assess
    expect(read.topTalkers).toEqual(
      [
        talker('10.0.0.1', 111, 2),
        talker('10.0.0.3', 13),
        talker('10.0.0.2', 12),
        talker('10.0.0.0', 10),
      ].map((entry) => ({ ...entry, packets: entry.flows * 10 }))
    );
    expect(read.flows).toBe(5 * 6);
    expect(Object.keys(item).filter((name) => name.startsWith('t'))).toEqual([
      't',
      topListAttribute('e'),
    ]);
    expect(item.n).toEqual({ N: '2' });
  });

  it('throws StoreError naming the item and attribute of a top list it cannot read', () => {
    // Prepare
    const item: Item = { ...keyItem(), 't:bad': { B: Uint8Array.of(99) } };

    // Act
    const read = () => rollupFromItem(item);

    // Assess
    expect(read).toThrow(StoreError);
    expect(read).toThrow(
      'bad top lists t:bad in ENI#eni-0a1b2c3d4e5f67890/W#2026-11-01T00:05:00Z'
    );
  });

  it('throws StoreError for a top list that is not binary', () => {
    // Prepare
    const item: Item = { ...keyItem(), t: { S: '{"t":[]}' } };

    // Act
    const read = () => rollupFromItem(item);

    // Assess
    expect(read).toThrow('bad top lists t in ENI#');
  });

  it('reads missing counters as 0 and leaves out absent optional fields', () => {
    // Act
    const read = rollupFromItem(keyItem());

    // Assess
    expect(read).toStrictEqual({
      interfaceId: 'eni-0a1b2c3d4e5f67890',
      windowStart: WINDOW,
      ...counters(0),
    });
  });

  it.each([
    [
      'no pk',
      { sk: { S: 'W#2026-11-01T00:05:00Z' } },
      'undefined/W#2026-11-01T00:05:00Z',
    ],
    [
      'an empty ENI',
      { pk: { S: 'ENI#' }, sk: { S: 'W#2026-11-01T00:05:00Z' } },
      'ENI#/W#2026-11-01T00:05:00Z',
    ],
    [
      'a sort key that is no window',
      { pk: { S: 'ENI#eni-1' }, sk: { S: 'W#yesterday' } },
      'ENI#eni-1/W#yesterday',
    ],
    ['another kind', { pk: { S: 'HEALTH' }, sk: { S: 'PING' } }, 'HEALTH/PING'],
  ] as const)('throws StoreError for an item with %s', (_, item, where) => {
    // Act
    const read = () => rollupFromItem(item as Item);

    // Assess
    expect(read).toThrow(StoreError);
    expect(read).toThrow(`not a rollup item: ${where}`);
  });
});

describe('rollupsFromItems', () => {
  const other = (): Rollup => ({
    ...plainRollup(),
    interfaceId: 'eni-0ffffffffffffffff',
    windowStart: WINDOW + 300,
    topTalkers: [talker('10.9.9.9', 77)],
  });

  it('reads every counters item in item order and skips ranking items', () => {
    // Prepare
    const table = new MemoryTable();
    for (const rollup of [fullRollup(), other()]) {
      const contribution = { id: 'c1', label: 'x', rollups: [rollup] };
      for (const put of rankingPutsFor(contribution, OPTIONS)) table.put(put);
      table.update(updateFor(rollup, 'c1', OPTIONS));
    }
    const items = table.items();

    // Act
    const rollups = rollupsFromItems([...items].reverse());

    // Assess
    expect(items).toHaveLength(4);
    expect(rollups).toStrictEqual([other(), fullRollup()]);
  });

  it('skips the part checkpoints of large inputs', () => {
    // Prepare
    const items: Item[] = [
      { pk: { S: 'PARTS#M9Azh3Jg2LLmCVKILSxkmH' }, sk: { S: 'PARTS' } },
      itemOf([['c1', plainRollup()]]),
    ];

    // Act
    const rollups = rollupsFromItems(items);

    // Assess
    expect(rollups).toStrictEqual([plainRollup()]);
  });

  it('returns nothing for no items', () => {
    // Act
    const rollups = rollupsFromItems([]);

    // Assess
    expect(rollups).toEqual([]);
  });

  it('throws StoreError for an item of another kind', () => {
    // Prepare
    const items: Item[] = [
      itemOf([['c1', plainRollup()]]),
      { pk: { S: 'HEALTH' }, sk: { S: 'PING' } },
    ];

    // Act
    const read = () => rollupsFromItems(items);

    // Assess
    expect(read).toThrow(StoreError);
    expect(read).toThrow('not a rollup item: HEALTH/PING');
  });
});

describe('rankingFromItem', () => {
  it('reads back the ranking of a contribution in one window', () => {
    // Prepare
    const [put] = rankingPutsFor(
      { id: 'c1', label: 'x', rollups: [fullRollup()] },
      OPTIONS
    );

    // Act
    const ranking = rankingFromItem(put?.Item ?? {});

    // Assess
    expect(ranking).toEqual({
      windowStart: WINDOW,
      enis: 1,
      size: 100,
      entries: [
        {
          interfaceId: 'eni-0a1b2c3d4e5f67890',
          bytes: 3000,
          packets: 30,
          flows: 3,
          rejectFlows: 1,
        },
      ],
    });
  });

  it.each([
    [
      'no ranking',
      { pk: { S: 'TOP#2026-11-01T00:05:00Z' }, sk: { S: 'c1' } },
      'not a ranking item: TOP#2026-11-01T00:05:00Z/c1',
    ],
    [
      'a key that is no window',
      {
        pk: { S: 'TOP#now' },
        sk: { S: 'c1' },
        r: { B: Uint8Array.of(1, 0, 100, 0) },
      },
      'not a ranking item: TOP#now/c1',
    ],
    [
      'a bad ranking',
      {
        pk: { S: 'TOP#2026-11-01T00:05:00Z' },
        sk: { S: 'c1' },
        r: { B: Uint8Array.of(7) },
      },
      'bad ranking in TOP#2026-11-01T00:05:00Z/c1',
    ],
  ] as const)('throws StoreError for an item with %s', (_, item, message) => {
    // Act
    const read = () => rankingFromItem(item as Item);

    // Assess
    expect(read).toThrow(StoreError);
    expect(read).toThrow(message);
  });
});
