import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  inferSelf,
  toTopTalkers,
} from '../../../../shared/aggregate/topLists.js';
import type { TopTalker } from '../../../../shared/types.js';
import {
  type Address,
  asText,
  type Entry,
  entry,
  layOutSketch,
  readRanked,
  readSelf,
  scanner,
  talkerEntry,
} from '../../../helpers/scannerSketches.js';

describe('rankTalkers', () => {
  const { wasm, memory, free } = scanner();

  /** Ranks `entries` in wasm: the top talkers and the own addresses. */
  function rank(entries: readonly Entry[]): {
    talkers: TopTalker[];
    self: string[];
  } {
    layOutSketch(memory.buffer, free, entries.map(talkerEntry));
    const kept = wasm.rankTalkers(free);
    const talkers = readRanked(memory.buffer, wasm.rankingResult(), kept).map(
      ({ address, ...rest }) => ({ peer: address, ...rest })
    );
    return { talkers, self: readSelf(memory.buffer, wasm.rankingResult()) };
  }

  it.each([
    ['up to 64 entries', 0, 64, 1000],
    ['a full sketch of 200 to 255 entries', 200, 255, 50],
  ])(
    'ranks packed labels as the text path ranks their texts: %s',
    (_, minLength, maxLength, numRuns) => {
      fc.assert(
        fc.property(
          fc.array(entry, { minLength, maxLength, size: 'medium' }),
          (entries) => {
            // Prepare
            const talkers = entries.map(asText);
            const self = inferSelf(talkers);
            // Act
            const ranked = rank(entries);
            // Assess
            expect(ranked.talkers).toEqual(toTopTalkers(talkers, self));
            expect(ranked.self).toEqual([...self].sort());
          }
        ),
        { numRuns }
      );
    }
  );

  it('orders peers of equal bytes by their texts, not their values', () => {
    // Prepare: 10.0.0.10 sorts before 10.0.0.9 as text; IPv6 after both.
    const e = (src: Address): Entry => ({
      src,
      dst: { v4: [10, 1, 1, 1] },
      direction: 1,
      port: 443,
      protocol: 6,
      flows: 1,
      packets: 1,
      bytes: 7,
    });
    // Act
    const { talkers } = rank([
      e({ v6: [0x2a05, 0, 0, 0, 0, 0, 0, 1] }),
      e({ v4: [10, 0, 0, 9] }),
      e({ v4: [10, 0, 0, 10] }),
    ]);
    // Assess
    expect(talkers.map((t) => t.peer)).toEqual([
      '10.0.0.10',
      '10.0.0.9',
      '2a05::1',
    ]);
  });

  it('writes nothing and returns -1 when a label is text', () => {
    // Prepare
    const e: Entry = {
      src: { v4: [10, 0, 0, 5] },
      dst: { v4: [10, 0, 0, 9] },
      direction: 0,
      port: 443,
      protocol: 6,
      flows: 2,
      packets: 3,
      bytes: 4,
    };
    const text = { ...talkerEntry(e), isPacked: false };
    layOutSketch(memory.buffer, free, [talkerEntry(e), text]);
    // Act
    const kept = wasm.rankTalkers(free);
    // Assess
    expect(kept).toBe(-1);
  });
});
