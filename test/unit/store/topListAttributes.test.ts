import { describe, expect, it } from 'vitest';
import { COUNTER_ATTR } from '../../../shared/store/rollupLayout.js';
import {
  topListAttribute,
  topListsOf,
} from '../../../shared/store/topListAttributes.js';
import { decodeTopLists } from '../../../shared/store/topListCodec.js';
import { fullRollup, plainRollup } from '../../helpers/storeFixtures.js';

describe('topListAttribute', () => {
  it('names t: and the first 8 characters of the contribution id', () => {
    // Act
    const name = topListAttribute('M9Azh3Jg2LLmCVKILSxkmH');

    // Assess
    expect(name).toBe('t:M9Azh3Jg');
  });

  it('never equals a counter or id attribute', () => {
    // Act
    const name = topListAttribute('');

    // Assess
    expect(Object.values(COUNTER_ATTR)).not.toContain(name);
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

  it('stores both lists in binary, read back as they were', () => {
    // Prepare
    const rollup = fullRollup();

    // Act
    const stored = topListsOf(rollup);

    // Assess
    expect(stored).toBeInstanceOf(Uint8Array);
    expect(decodeTopLists(stored ?? new Uint8Array())).toStrictEqual({
      topTalkers: rollup.topTalkers,
      topRejectedSources: rollup.topRejectedSources,
    });
  });
});
