import { describe, expect, it } from 'vitest';
import {
  ATTR,
  COUNTER_ATTR,
  partitionKey,
  rankingPartitionKey,
  sortKey,
} from '../../../shared/store/rollupLayout.js';
import { WINDOW } from '../../helpers/storeFixtures.js';

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

describe('rankingPartitionKey', () => {
  it('writes TOP# and the window start, apart from every ENI partition', () => {
    // Act
    const key = rankingPartitionKey(WINDOW);

    // Assess
    expect(key).toBe('TOP#2026-11-01T00:05:00Z');
    expect(key.startsWith('ENI#')).toBe(false);
  });
});

describe('the item layout', () => {
  it('gives every attribute its own short name (a review finding: the hour version once overwrote vpcId)', () => {
    // Act
    const names = [...Object.values(ATTR), ...Object.values(COUNTER_ATTR)];
    // Assess
    expect(new Set(names).size).toBe(names.length);
  });
});
