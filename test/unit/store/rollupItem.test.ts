import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../../shared/errors.js';
import { updateFor } from '../../../shared/store/dynamoRollupStore.js';
import {
  partitionKey,
  rollupFromItem,
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
  it('reads back a rollup written by updateFor to an empty item', () => {
    // Prepare
    const rollup = fullRollup();
    const item = applyUpdateItem({}, updateFor(rollup, 'c1', OPTIONS));

    // Act
    const read = rollupFromItem(item);

    // Assess
    expect(read).toStrictEqual(rollup);
    expect(item.expiresAt).toEqual({ N: String(WINDOW + 30 * 86_400) });
    expect(item.contributions).toEqual({ SS: ['c1'] });
  });

  it('reads back a v2 rollup without optional counters, ids or top lists', () => {
    // Prepare
    const rollup = plainRollup();
    const item = applyUpdateItem({}, updateFor(rollup, 'c1', OPTIONS));

    // Act
    const read = rollupFromItem(item);

    // Assess
    expect(read).toStrictEqual(rollup);
    expect(Object.keys(item).filter((name) => name.startsWith('top#'))).toEqual(
      []
    );
  });

  it('adds the counters of two contributions and merges their top lists', () => {
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

    // Act
    const read = rollupFromItem(twice);

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
  });

  it('leaves an item unchanged when its contribution is applied again', () => {
    // Prepare
    const update = updateFor(fullRollup(), 'c1', OPTIONS);
    const once = applyUpdateItem({}, update);

    // Act
    const replay = () => applyUpdateItem(once, update);

    // Assess
    expect(replay).toThrow(ConditionFailed);
    expect(rollupFromItem(once)).toStrictEqual(fullRollup());
  });

  it('merges the top lists of several top#<id> attributes', () => {
    // Prepare
    const item: Item = {
      ...keyItem(),
      bytes: { N: '5000' },
      'top#a': {
        S: JSON.stringify({
          t: [talker('10.0.1.5', 1000)],
          r: [rejected('198.51.100.7', 2)],
        }),
      },
      'top#b': {
        S: JSON.stringify({
          t: [talker('10.0.1.5', 500), talker('10.0.2.9', 2000)],
        }),
      },
      'top#c': { S: JSON.stringify({ r: [rejected('198.51.100.7', 3)] }) },
    };

    // Act
    const read = rollupFromItem(item);

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
    const item: Item = {
      ...keyItem(),
      'top#a': { S: JSON.stringify({ t: peers(1) }) },
      'top#b': { S: JSON.stringify({ t: peers(16) }) },
    };

    // Act
    const read = rollupFromItem(item);

    // Assess
    expect(read.topTalkers?.map((entry) => entry.bytes)).toEqual(
      Array.from({ length: 20 }, (_, index) => (30 - index) * 10)
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
