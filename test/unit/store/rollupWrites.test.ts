import type {
  AttributeValue,
  UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { rankingFromItem } from '../../../shared/store/rollupItem.js';
import {
  compactionFor,
  rankingPutsFor,
  updateFor,
} from '../../../shared/store/rollupWrites.js';
import { MAX_INLINE_TOP_LISTS } from '../../../shared/store/topListAttributes.js';
import { decodeTopLists } from '../../../shared/store/topListCodec.js';
import type { Rollup } from '../../../shared/types.js';
import { MemoryTable } from '../../helpers/applyUpdateItem.js';
import {
  contributionOf,
  ID,
  type Item,
  OPTIONS,
  rollupOf,
  WINDOW,
  withTops,
} from '../../helpers/storeFixtures.js';

/** The attribute names and values of an update expression, resolved. */
function clauses(input: UpdateItemCommandInput) {
  const names = input.ExpressionAttributeNames ?? {};
  const values = input.ExpressionAttributeValues ?? {};
  const [setPart = '', addPart = ''] = (input.UpdateExpression ?? '')
    .replace(/^SET /, '')
    .split(' ADD ');
  const sets = new Map<string, unknown>();
  for (const clause of setPart.split(/, (?![^(]*\))/)) {
    const [name = '', expression = ''] = clause.split(' = ');
    const value = values[expression];
    sets.set(
      names[name] ?? name,
      value ??
        expression.replace(/[#:]\w+/g, (token) =>
          token.startsWith('#')
            ? (names[token] ?? token)
            : JSON.stringify(values[token])
        )
    );
  }
  const adds = new Map<string, AttributeValue | undefined>();
  for (const clause of addPart.split(', ')) {
    const [name = '', value = ''] = clause.split(' ');
    adds.set(names[name] ?? name, values[value]);
  }
  return { sets, adds };
}

describe('updateFor', () => {
  const full: Rollup = {
    ...rollupOf('eni-0a1b2c3d4e5f67890'),
    tcpBytes: 2500,
    synOnlyFlows: 0,
    accountId: '123456789012',
    vpcId: 'vpc-0abc',
    topTalkers: [
      {
        peer: '10.0.1.5',
        port: 443,
        protocol: 6,
        flows: 1,
        packets: 10,
        bytes: 900,
      },
    ],
  };

  it('keys the item by ENI and window and asks for the capacity it consumed', () => {
    // Act
    const input = updateFor(full, 'c1', OPTIONS);

    // Assess
    expect(input.TableName).toBe(OPTIONS.tableName);
    expect(input.Key).toEqual({
      pk: { S: 'ENI#eni-0a1b2c3d4e5f67890' },
      sk: { S: 'W#2026-11-01T00:05:00Z' },
    });
    expect(input.ReturnConsumedCapacity).toBe('TOTAL');
  });

  it('never sets cs, the key of the catalog index, so rollup writes pay no index write', () => {
    // Act
    const input = updateFor(full, 'c1', OPTIONS);
    // Assess
    expect(Object.values(input.ExpressionAttributeNames ?? {})).not.toContain(
      'cs'
    );
    const puts = rankingPutsFor(contributionOf([full]), OPTIONS);
    expect(puts.length).toBeGreaterThan(0);
    for (const put of puts) expect(put.Item).not.toHaveProperty('cs');
  });

  it('applies a rollup with top lists only when its id is new and the item holds fewer than the most top lists', () => {
    // Act
    const input = updateFor(full, 'c1', OPTIONS);

    // Assess
    expect(input.ConditionExpression).toBe(
      'NOT contains(#c, :c) AND (attribute_not_exists(#n) OR #n < :max)'
    );
    expect(input.ExpressionAttributeNames).toMatchObject({
      '#c': 'c',
      '#n': 'n',
    });
    expect(input.ExpressionAttributeValues).toMatchObject({
      ':c': { S: 'c1' },
      ':max': { N: String(MAX_INLINE_TOP_LISTS) },
    });
    expect(input.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
  });

  it('applies a rollup without top lists only when its id is new, and asks for no item back', () => {
    // Act
    const input = updateFor(rollupOf('eni-0a1b2c3d4e5f67890'), 'c1', OPTIONS);

    // Assess
    expect(input.ConditionExpression).toBe('NOT contains(#c, :c)');
    expect(input).not.toHaveProperty('ReturnValuesOnConditionCheckFailure');
    expect(Object.values(input.ExpressionAttributeNames ?? {})).not.toContain(
      'n'
    );
  });

  it('adds every counter present under its short name, the contribution id and one top list', () => {
    // Act
    const { adds } = clauses(updateFor(full, 'c1', OPTIONS));

    // Assess
    expect(Object.fromEntries(adds)).toStrictEqual({
      f: { N: '3' },
      p: { N: '30' },
      b: { N: '3000' },
      af: { N: '2' },
      ap: { N: '20' },
      ab: { N: '2000' },
      rf: { N: '1' },
      rp: { N: '10' },
      rb: { N: '1000' },
      nd: { N: '0' },
      sd: { N: '0' },
      tb: { N: '2500' },
      sf: { N: '0' },
      c: { SS: ['c1'] },
      n: { N: '1' },
    });
  });

  it('leaves out the optional counters and ids a rollup does not have', () => {
    // Act
    const input = updateFor(full, 'c1', OPTIONS);

    // Assess
    const named = Object.values(input.ExpressionAttributeNames ?? {});
    for (const absent of ['ip', 'ib', 'ep', 'eb', 'ub', 'cb', 'ob', 's', 'i']) {
      expect(named).not.toContain(absent);
    }
    expect(JSON.stringify(input)).not.toContain('undefined');
  });

  it('sets the expiry, the ids once and the top lists in binary under the contribution', () => {
    // Act
    const { sets } = clauses(
      updateFor(full, 'M9Azh3Jg2LLmCVKILSxkmH', OPTIONS)
    );

    // Assess
    const tops = sets.get('t:M9Azh3Jg') as AttributeValue;
    expect([...sets.keys()]).toEqual(['expiresAt', 'a', 'v', 't:M9Azh3Jg']);
    expect(sets.get('expiresAt')).toEqual({ N: String(WINDOW + 30 * 86_400) });
    expect(sets.get('a')).toBe('if_not_exists(a, {"S":"123456789012"})');
    expect(sets.get('v')).toBe('if_not_exists(v, {"S":"vpc-0abc"})');
    expect(decodeTopLists(tops.B ?? new Uint8Array())).toStrictEqual({
      topTalkers: full.topTalkers,
    });
  });

  it('expires the item retentionDays after its window starts', () => {
    // Act
    const { sets } = clauses(
      updateFor(full, 'c1', { ...OPTIONS, retentionDays: 1 })
    );

    // Assess
    expect(sets.get('expiresAt')).toEqual({ N: String(WINDOW + 86_400) });
  });

  it('binds every name and value the expressions use, and no other', () => {
    for (const rollup of [full, rollupOf('eni-0a1b2c3d4e5f67890')]) {
      // Act
      const input = updateFor(rollup, 'c1', OPTIONS);

      // Assess
      const expressions = `${input.UpdateExpression} ${input.ConditionExpression}`;
      const used = new Set(expressions.match(/[#:]\w+/g));
      const bound = [
        ...Object.keys(input.ExpressionAttributeNames ?? {}),
        ...Object.keys(input.ExpressionAttributeValues ?? {}),
      ];
      expect(new Set(bound)).toEqual(used);
    }
  });
});

describe('rankingPutsFor', () => {
  const rollups = [
    rollupOf('eni-0000000000000000b', WINDOW + 300),
    rollupOf('eni-0000000000000000a'),
    rollupOf('eni-0000000000000000b'),
  ];

  it('puts one ranking item per window, keyed by window and contribution, expiring with the window', () => {
    // Act
    const puts = rankingPutsFor(contributionOf(rollups), OPTIONS);

    // Assess
    expect(
      puts.map((put) => [put.Item?.pk, put.Item?.sk, put.Item?.expiresAt])
    ).toEqual([
      [
        { S: 'TOP#2026-11-01T00:05:00Z' },
        { S: ID },
        { N: String(WINDOW + 30 * 86_400) },
      ],
      [
        { S: 'TOP#2026-11-01T00:10:00Z' },
        { S: ID },
        { N: String(WINDOW + 300 + 30 * 86_400) },
      ],
    ]);
    expect(
      puts.map((put) =>
        rankingFromItem(put.Item ?? {}).entries.map(
          (entry) => entry.interfaceId
        )
      )
    ).toEqual([
      ['eni-0000000000000000a', 'eni-0000000000000000b'],
      ['eni-0000000000000000b'],
    ]);
    expect(puts.every((put) => put.ReturnConsumedCapacity === 'TOTAL')).toBe(
      true
    );
  });

  it('is an unconditional put of the same items for the same contribution', () => {
    // Act
    const puts = rankingPutsFor(contributionOf(rollups), OPTIONS);

    // Assess
    expect(puts.some((put) => 'ConditionExpression' in put)).toBe(false);
    expect(
      rankingPutsFor(contributionOf([...rollups].reverse()), OPTIONS)
    ).toStrictEqual(puts);
  });

  it('puts nothing for a contribution without rollups', () => {
    // Act
    const puts = rankingPutsFor(contributionOf([]), OPTIONS);

    // Assess
    expect(puts).toEqual([]);
  });
});

describe('compactionFor', () => {
  /** A counters item that took these contributions' top lists. */
  const itemWith = (ids: readonly string[]): Item => {
    const table = new MemoryTable();
    ids.forEach((id, i) => {
      table.update(
        updateFor(withTops(rollupOf('eni-0a1b2c3d4e5f67890'), i), id, OPTIONS)
      );
    });
    return table.items()[0] ?? {};
  };

  it('merges every top list into t, counts 1, on condition the item is as read', () => {
    // Prepare
    const item = itemWith(['aaaaaaaa1', 'bbbbbbbb2']);

    // Act
    const input = compactionFor(item, OPTIONS);

    // Assess
    expect(input?.Key).toEqual({ pk: item.pk, sk: item.sk });
    expect(input?.UpdateExpression).toBe(
      'SET #t = :t, #n = :count REMOVE #r0, #r1'
    );
    expect(input?.ConditionExpression).toBe(
      '#n = :seen AND attribute_exists(#r0) AND attribute_exists(#r1)'
    );
    expect(input?.ExpressionAttributeNames).toEqual({
      '#n': 'n',
      '#r0': 't:aaaaaaaa',
      '#r1': 't:bbbbbbbb',
      '#t': 't',
    });
    expect(input?.ExpressionAttributeValues?.[':seen']).toEqual({ N: '2' });
    expect(input?.ExpressionAttributeValues?.[':count']).toEqual({ N: '1' });
    const merged = decodeTopLists(
      input?.ExpressionAttributeValues?.[':t']?.B ?? new Uint8Array()
    );
    expect(merged.topTalkers?.map((talker) => talker.peer)).toEqual([
      '10.0.0.5',
      '10.0.1.5',
    ]);
    expect(merged.topRejectedSources).toHaveLength(2);
  });

  it('returns null for an item that holds no top lists', () => {
    // Prepare
    const table = new MemoryTable();
    table.update(updateFor(rollupOf('eni-0a1b2c3d4e5f67890'), 'c1', OPTIONS));

    // Act
    const input = compactionFor(table.items()[0] ?? {}, OPTIONS);

    // Assess
    expect(input).toBeNull();
  });
});
