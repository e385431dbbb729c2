import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../../shared/errors.js';
import {
  detailFor,
  updateFor,
} from '../../../shared/store/dynamoRollupStore.js';
import {
  detailSortKey,
  partitionKey,
  rollupFromItem,
  rollupsFromItems,
  sortKey,
  topListsOf,
} from '../../../shared/store/rollupItem.js';
import type {
  RejectedSource,
  Rollup,
  TopTalker,
} from '../../../shared/types.js';
import {
  applyUpdateItem,
  ConditionFailed,
  MemoryTable,
} from '../../helpers/applyUpdateItem.js';

type Item = Record<string, AttributeValue>;

/** 2026-11-01T00:05:00Z */
const WINDOW = 1793491500;
const OPTIONS = { tableName: 'rollups', retentionDays: 30, concurrency: 4 };

const talker = (peer: string, bytes: number, flows = 1): TopTalker => ({
  peer,
  port: 443,
  protocol: 6,
  flows,
  packets: flows * 10,
  bytes,
});

const rejected = (address: string, flows: number): RejectedSource => ({
  address,
  flows,
  packets: flows,
  bytes: flows * 40,
});

const counters = (scale: number) => ({
  flows: 3 * scale,
  packets: 30 * scale,
  bytes: 3000 * scale,
  acceptFlows: 2 * scale,
  acceptPackets: 20 * scale,
  acceptBytes: 2000 * scale,
  rejectFlows: 1 * scale,
  rejectPackets: 10 * scale,
  rejectBytes: 1000 * scale,
  nodataRecords: 0,
  skipdataRecords: 1 * scale,
});

/** A rollup with every field a v5 format can fill. */
const fullRollup = (): Rollup => ({
  interfaceId: 'eni-0a1b2c3d4e5f67890',
  windowStart: WINDOW,
  ...counters(1),
  ingressPackets: 12,
  ingressBytes: 1200,
  egressPackets: 18,
  egressBytes: 1800,
  tcpBytes: 2500,
  udpBytes: 400,
  icmpBytes: 100,
  otherBytes: 0,
  synOnlyFlows: 1,
  accountId: '123456789012',
  vpcId: 'vpc-0abc',
  subnetId: 'subnet-0abc',
  instanceId: 'i-0abc',
  topTalkers: [talker('10.0.1.5', 2000), talker('10.0.2.9', 1000)],
  topRejectedSources: [rejected('198.51.100.7', 1)],
});

/** A v2 rollup: no optional counters, no VPC ids, no top lists. */
const plainRollup = (): Rollup => ({
  interfaceId: 'eni-0a1b2c3d4e5f67890',
  windowStart: WINDOW,
  ...counters(2),
});

const keyItem = (): Item => ({
  pk: { S: 'ENI#eni-0a1b2c3d4e5f67890' },
  sk: { S: 'W#2026-11-01T00:05:00Z' },
  interfaceId: { S: 'eni-0a1b2c3d4e5f67890' },
  windowStart: { N: String(WINDOW) },
});

/** The detail item detailFor writes for this rollup and contribution. */
const detailOf = (rollup: Rollup, contributionId: string): Item => {
  const item = detailFor(rollup, contributionId, OPTIONS)?.Item;
  if (item === undefined) throw new Error('the rollup has no top lists');
  return item;
};

/** A detail item of the keyItem window holding these stored top lists. */
const detailItem = (contributionId: string, topLists: string): Item => ({
  pk: { S: 'ENI#eni-0a1b2c3d4e5f67890' },
  sk: { S: `T#2026-11-01T00:05:00Z#${contributionId}` },
  interfaceId: { S: 'eni-0a1b2c3d4e5f67890' },
  windowStart: { N: String(WINDOW) },
  contributionId: { S: contributionId },
  topLists: { S: topLists },
});

describe('partitionKey', () => {
  it('prefixes the interface id with ENI#', () => {
    // Act
    const key = partitionKey('eni-0a1b2c3d4e5f67890');

    // Assess
    expect(key).toBe('ENI#eni-0a1b2c3d4e5f67890');
  });
});

describe('sortKey', () => {
  it('writes the window start as W# and ISO-8601 UTC without milliseconds', () => {
    // Act
    const key = sortKey(WINDOW);

    // Assess
    expect(key).toBe('W#2026-11-01T00:05:00Z');
  });

  it('writes the epoch as W#1970-01-01T00:00:00Z', () => {
    // Act
    const key = sortKey(0);

    // Assess
    expect(key).toBe('W#1970-01-01T00:00:00Z');
  });

  it('sorts as text in the order of the window starts', () => {
    // Prepare
    const starts = [0, 299_700, WINDOW - 300, WINDOW, 4102444500];

    // Act
    const keys = starts.map(sortKey);

    // Assess
    expect([...keys].sort()).toEqual(keys);
    expect(new Set(keys).size).toBe(starts.length);
  });
});

describe('detailSortKey', () => {
  it('writes T#, the window start in ISO-8601 UTC and the contribution id', () => {
    // Act
    const key = detailSortKey(WINDOW, 'M9Azh3Jg2LLmCVKILSxkmH');

    // Assess
    expect(key).toBe('T#2026-11-01T00:05:00Z#M9Azh3Jg2LLmCVKILSxkmH');
  });

  it('never equals a counters sort key', () => {
    // Act
    const key = detailSortKey(WINDOW, '');

    // Assess
    expect(key).not.toBe(sortKey(WINDOW));
    expect(key.startsWith('W#')).toBe(false);
  });

  it('sorts the details of one window together, in the order of the windows', () => {
    // Prepare
    const keys = [
      detailSortKey(WINDOW - 300, 'zzzz'),
      detailSortKey(WINDOW, 'AAAA'),
      detailSortKey(WINDOW, 'M9Az'),
      detailSortKey(WINDOW, 'c1'),
      detailSortKey(WINDOW + 300, '----'),
    ];

    // Act
    const sorted = [...keys].sort();

    // Assess
    expect(sorted).toEqual(keys);
  });
});

describe('topListsOf', () => {
  it('returns null for a rollup without top lists', () => {
    // Act
    const stored = topListsOf(plainRollup());

    // Assess
    expect(stored).toBeNull();
  });

  it('returns null when both top lists are empty', () => {
    // Prepare
    const rollup = { ...plainRollup(), topTalkers: [], topRejectedSources: [] };

    // Act
    const stored = topListsOf(rollup);

    // Assess
    expect(stored).toBeNull();
  });

  it('stores both lists as compact JSON under t and r', () => {
    // Prepare
    const rollup = fullRollup();

    // Act
    const stored = topListsOf(rollup);

    // Assess
    expect(stored).toBe(
      JSON.stringify({ t: rollup.topTalkers, r: rollup.topRejectedSources })
    );
  });

  it('leaves out a list the rollup does not have', () => {
    // Prepare
    const rollup = { ...plainRollup(), topTalkers: [talker('10.0.1.5', 9)] };

    // Act
    const stored = topListsOf(rollup);

    // Assess
    expect(stored).toBe(
      '{"t":[{"peer":"10.0.1.5","port":443,"protocol":6,"flows":1,"packets":10,"bytes":9}]}'
    );
  });
});

describe('rollupFromItem', () => {
  it('reads back a rollup written by updateFor and detailFor to an empty table', () => {
    // Prepare
    const rollup = fullRollup();
    const item = applyUpdateItem({}, updateFor(rollup, 'c1', OPTIONS));
    const detail = detailOf(rollup, 'c1');

    // Act
    const read = rollupFromItem(item, [detail]);

    // Assess
    expect(read).toStrictEqual(rollup);
    expect(item.expiresAt).toEqual({ N: String(WINDOW + 30 * 86_400) });
    expect(item.contributions).toEqual({ SS: ['c1'] });
    expect(item).not.toHaveProperty('topLists');
    expect(detail.contributionId).toEqual({ S: 'c1' });
  });

  it('reads a counters item without details as a rollup without top lists', () => {
    // Prepare
    const rollup = fullRollup();
    const item = applyUpdateItem({}, updateFor(rollup, 'c1', OPTIONS));

    // Act
    const read = rollupFromItem(item);

    // Assess
    const { topTalkers: _, topRejectedSources: __, ...withoutTops } = rollup;
    expect(read).toStrictEqual(withoutTops);
  });

  it('reads back a v2 rollup without optional counters, ids or top lists', () => {
    // Prepare
    const rollup = plainRollup();
    const item = applyUpdateItem({}, updateFor(rollup, 'c1', OPTIONS));

    // Act
    const read = rollupFromItem(item, []);

    // Assess
    expect(read).toStrictEqual(rollup);
    expect(detailFor(rollup, 'c1', OPTIONS)).toBeNull();
    expect(item).not.toHaveProperty('topLists');
  });

  it('adds the counters of two contributions and merges the top lists of their details', () => {
    // Prepare
    const first = fullRollup();
    const second: Rollup = {
      ...plainRollup(),
      accountId: '999999999999',
      topTalkers: [talker('10.0.2.9', 1500, 2), talker('10.0.3.3', 100)],
      topRejectedSources: [rejected('203.0.113.1', 5)],
    };
    const once = applyUpdateItem({}, updateFor(first, 'c1', OPTIONS));
    const twice = applyUpdateItem(once, updateFor(second, 'c2', OPTIONS));
    const details = [detailOf(first, 'c1'), detailOf(second, 'c2')];

    // Act
    const read = rollupFromItem(twice, details);

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
    expect(twice.contributions).toEqual({ SS: ['c1', 'c2'] });
    expect(details.map((detail) => detail.sk?.S)).toEqual([
      'T#2026-11-01T00:05:00Z#c1',
      'T#2026-11-01T00:05:00Z#c2',
    ]);
  });

  it('leaves the table unchanged when a contribution is applied again', () => {
    // Prepare
    const table = new MemoryTable();
    const rollup = fullRollup();
    const detail = detailFor(rollup, 'c1', OPTIONS);
    const update = updateFor(rollup, 'c1', OPTIONS);
    if (detail === null) throw new Error('the rollup has no top lists');
    table.put(detail);
    table.update(update);
    const once = table.items();

    // Act
    table.put(detail);
    const replay = () => table.update(update);

    // Assess
    expect(replay).toThrow(ConditionFailed);
    expect(table.items()).toEqual(once);
    expect(once).toHaveLength(2);
    expect(rollupsFromItems(table.items())).toStrictEqual([fullRollup()]);
  });

  it('merges the top lists of several detail items', () => {
    // Prepare
    const item: Item = { ...keyItem(), bytes: { N: '5000' } };
    const details = [
      detailItem(
        'a',
        JSON.stringify({
          t: [talker('10.0.1.5', 1000)],
          r: [rejected('198.51.100.7', 2)],
        })
      ),
      detailItem(
        'b',
        JSON.stringify({
          t: [talker('10.0.1.5', 500), talker('10.0.2.9', 2000)],
        })
      ),
      detailItem('c', JSON.stringify({ r: [rejected('198.51.100.7', 3)] })),
    ];

    // Act
    const read = rollupFromItem(item, details);

    // Assess
    expect(read.bytes).toBe(5000);
    expect(read.topTalkers).toEqual([
      talker('10.0.2.9', 2000),
      {
        peer: '10.0.1.5',
        port: 443,
        protocol: 6,
        flows: 2,
        packets: 20,
        bytes: 1500,
      },
    ]);
    expect(read.topRejectedSources).toEqual([rejected('198.51.100.7', 5)]);
  });

  it('keeps the top 20 when merged top lists hold more peers', () => {
    // Prepare
    const peers = (from: number) =>
      Array.from({ length: 15 }, (_, index) =>
        talker(`10.0.0.${from + index}`, (from + index) * 10)
      );
    const details = [
      detailItem('a', JSON.stringify({ t: peers(1) })),
      detailItem('b', JSON.stringify({ t: peers(16) })),
    ];

    // Act
    const read = rollupFromItem(keyItem(), details);

    // Assess
    expect(read.topTalkers?.map((entry) => entry.bytes)).toEqual(
      Array.from({ length: 20 }, (_, index) => (30 - index) * 10)
    );
  });

  it('skips a detail without top lists', () => {
    // Prepare
    const { topLists: _, ...empty } = detailItem('a', '{}');
    const details = [
      empty,
      detailItem('b', JSON.stringify({ t: [talker('10.0.1.5', 9)] })),
    ];

    // Act
    const read = rollupFromItem(keyItem(), details);

    // Assess
    expect(read.topTalkers).toEqual([talker('10.0.1.5', 9)]);
    expect(read).not.toHaveProperty('topRejectedSources');
  });

  it('throws StoreError naming the detail whose top lists are not JSON', () => {
    // Prepare
    const details = [detailItem('bad', '{"t":[')];

    // Act
    const read = () => rollupFromItem(keyItem(), details);

    // Assess
    expect(read).toThrow(StoreError);
    expect(read).toThrow(
      'bad top lists in ENI#eni-0a1b2c3d4e5f67890/T#2026-11-01T00:05:00Z#bad'
    );
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

  it.each(['interfaceId', 'windowStart'] as const)(
    'throws StoreError for an item without %s',
    (missing) => {
      // Prepare
      const { [missing]: _dropped, ...item } = keyItem();

      // Act
      const read = () => rollupFromItem(item);

      // Assess
      expect(read).toThrow(StoreError);
      expect(read).toThrow(
        'not a rollup item: ENI#eni-0a1b2c3d4e5f67890/W#2026-11-01T00:05:00Z'
      );
    }
  );

  it('throws StoreError for an item of another kind', () => {
    // Prepare
    const item: Item = { pk: { S: 'HEALTH' }, sk: { S: 'PING' } };

    // Act
    const read = () => rollupFromItem(item);

    // Assess
    expect(read).toThrow(StoreError);
    expect(read).toThrow('not a rollup item: HEALTH/PING');
  });
});

describe('rollupsFromItems', () => {
  const other = (): Rollup => ({
    ...plainRollup(),
    interfaceId: 'eni-0ffffffffffffffff',
    windowStart: WINDOW + 300,
    topTalkers: [talker('10.9.9.9', 77)],
  });

  /** The items the store writes for these contributions, in table order. */
  const tableOf = (
    contributions: readonly (readonly [id: string, rollup: Rollup])[]
  ): Item[] => {
    const table = new MemoryTable();
    for (const [id, rollup] of contributions) {
      const detail = detailFor(rollup, id, OPTIONS);
      if (detail !== null) table.put(detail);
      table.update(updateFor(rollup, id, OPTIONS));
    }
    return table.items();
  };

  it('reads each counters item with the details of its own ENI and window', () => {
    // Prepare
    const second: Rollup = {
      ...plainRollup(),
      topTalkers: [talker('10.0.2.9', 1500, 2)],
    };
    const items = tableOf([
      ['c1', fullRollup()],
      ['c2', second],
      ['c3', other()],
      // Another window of the first ENI: its details are not the first's.
      ['c4', { ...fullRollup(), windowStart: WINDOW + 300 }],
    ]);

    // Act
    const rollups = rollupsFromItems(items);

    // Assess
    expect(items.filter((item) => item.sk?.S?.startsWith('T#'))).toHaveLength(
      4
    );
    expect(rollups).toStrictEqual([
      {
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
        ],
      },
      { ...fullRollup(), windowStart: WINDOW + 300 },
      other(),
    ]);
  });

  it('returns the counters items in item order, details in any order', () => {
    // Prepare
    const items = tableOf([
      ['c1', fullRollup()],
      ['c2', other()],
    ]);
    const [detailA, countersA, detailB, countersB] = items;
    if (!detailA || !countersA || !detailB || !countersB) {
      throw new Error('expected four items');
    }

    // Act
    const rollups = rollupsFromItems([countersB, detailA, countersA, detailB]);

    // Assess
    expect(rollups).toStrictEqual([other(), fullRollup()]);
  });

  it('ignores a detail item whose counters item is not there', () => {
    // Prepare
    const orphan = detailOf(other(), 'c9');

    // Act
    const rollups = rollupsFromItems([
      ...tableOf([['c1', plainRollup()]]),
      orphan,
    ]);

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
      ...tableOf([['c1', plainRollup()]]),
      { pk: { S: 'HEALTH' }, sk: { S: 'PING' } },
    ];

    // Act
    const read = () => rollupsFromItems(items);

    // Assess
    expect(read).toThrow(StoreError);
    expect(read).toThrow('not a rollup item: HEALTH/PING');
  });
});
