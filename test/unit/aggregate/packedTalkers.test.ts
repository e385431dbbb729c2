import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PackedAddresses,
  PackedTalkerRanking,
} from '../../../shared/aggregate/packedTalkers.js';
import {
  compareText,
  type DecodedTalker,
  inferSelf,
  toTopTalkers,
} from '../../../shared/aggregate/topLists.js';

/** An address as packAddress writes it: a tag, 4 or 6, then its bytes. */
type Address = { v4: readonly number[] } | { v6: readonly number[] };

/** The text of an address, by an independent formatter (WHATWG URL). */
function textOf(address: Address): string {
  if ('v4' in address) return address.v4.join('.');
  const groups = address.v6.map((group) => group.toString(16)).join(':');
  return new URL(`http://[${groups}]/`).hostname.slice(1, -1);
}

function packed(address: Address): number[] {
  if ('v4' in address) return [4, ...address.v4];
  return [6, ...address.v6.flatMap((group) => [group >> 8, group & 0xff])];
}

/** A talker as the text path decodes it, its addresses still to be packed. */
type Entry = Omit<DecodedTalker, 'src' | 'dst'> & {
  src: Address;
  dst: Address;
};

/**
 * Addresses from small pools, so that keys meet and counts tie; IPv4 texts
 * whose order differs from their values' (10.0.0.10 < 10.0.0.9).
 */
const address: fc.Arbitrary<Address> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .constantFrom(
        [10, 0, 0, 9],
        [10, 0, 0, 10],
        [9, 255, 0, 1],
        [100, 0, 0, 1],
        [2, 0, 0, 1],
        [1, 2, 3, 4]
      )
      .map((v4) => ({ v4 })),
  },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.constantFrom(0, 0, 1, 0x2a05, 0xd018, 0xffff), {
        minLength: 8,
        maxLength: 8,
      })
      .map((v6) => ({ v6 })),
  }
);
const entry: fc.Arbitrary<Entry> = fc.record({
  src: address,
  dst: address,
  direction: fc.constantFrom(0, 0, 1, 2),
  port: fc.constantFrom(null, 22, 443, 65535),
  protocol: fc.constantFrom(null, 6, 17),
  flows: fc.integer({ min: 0, max: 3 }),
  packets: fc.integer({ min: 0, max: 5 }),
  bytes: fc.integer({ min: 0, max: 4 }),
});

/** Packs the entries' labels into one memory, as the scanner lays them. */
function layOut(entries: readonly Entry[]): {
  memory: Uint8Array;
  labels: number[];
} {
  const bytes: number[] = [];
  const labels = entries.map((e) => {
    const at = bytes.length;
    const port = e.port ?? 0xffffff;
    const protocol = e.protocol ?? 0xffff;
    bytes.push(
      ...packed(e.src),
      ...packed(e.dst),
      e.direction,
      (port >> 16) & 0xff,
      (port >> 8) & 0xff,
      port & 0xff,
      protocol >> 8,
      protocol & 0xff
    );
    return at;
  });
  return { memory: Uint8Array.from(bytes), labels };
}

const asText = (e: Entry): DecodedTalker => ({
  src: textOf(e.src),
  dst: textOf(e.dst),
  direction: e.direction,
  port: e.port,
  protocol: e.protocol,
  flows: e.flows,
  packets: e.packets,
  bytes: e.bytes,
});

describe('PackedTalkerRanking', () => {
  it('ranks packed keys as the text path ranks their texts', () => {
    const ranking = new PackedTalkerRanking(new PackedAddresses());
    fc.assert(
      fc.property(
        fc.array(entry, { maxLength: 64, size: 'medium' }),
        (entries) => {
          // Prepare
          const { memory, labels } = layOut(entries);
          const talkers = entries.map(asText);
          const self = inferSelf(talkers);
          // Act
          entries.forEach((e, k) => {
            ranking.add(
              memory,
              labels[k] as number,
              e.flows,
              e.packets,
              e.bytes
            );
          });
          const result = ranking.finish(true);
          // Assess
          expect(result.talkers).toEqual(toTopTalkers(talkers, self));
          expect([...result.self].sort()).toEqual([...self].sort());
        }
      ),
      { numRuns: 500 }
    );
  });

  it('gives no talkers but still the own addresses without hasTalkers', () => {
    // Prepare
    const ranking = new PackedTalkerRanking(new PackedAddresses());
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
    const { memory, labels } = layOut([
      e,
      { ...e, dst: { v4: [10, 0, 0, 7] } },
    ]);
    // Act
    for (const label of labels) ranking.add(memory, label, 2, 3, 4);
    const result = ranking.finish(false);
    // Assess
    expect(result.talkers).toEqual([]);
    expect([...result.self]).toEqual(['10.0.0.5']);
  });
});

describe('PackedAddresses', () => {
  it('orders IPv4 keys as their texts', () => {
    const addresses = new PackedAddresses();
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 255 }), {
          minLength: 8,
          maxLength: 8,
        }),
        (octets) => {
          // Prepare
          const memory = Uint8Array.from([
            4,
            ...octets.slice(0, 4),
            4,
            ...octets.slice(4),
          ]);
          // Act
          const a = addresses.keyAt(memory, 0);
          const b = addresses.keyAt(memory, 5);
          // Assess
          const [textA, textB] = [
            octets.slice(0, 4).join('.'),
            octets.slice(4).join('.'),
          ];
          expect(addresses.textOf(a)).toBe(textA);
          expect(addresses.textOf(b)).toBe(textB);
          expect(Math.sign(addresses.compare(a, b))).toBe(
            compareText(textA, textB)
          );
        }
      ),
      { numRuns: 2000 }
    );
  });

  it('writes IPv6 addresses as RFC 5952 does', () => {
    const addresses = new PackedAddresses();
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(0, 0, 0, 1, 0xabc, 0xffff), {
          minLength: 8,
          maxLength: 8,
        }),
        (v6) => {
          // Prepare
          const memory = Uint8Array.from(packed({ v6 }));
          // Act
          const text = addresses.textAt(memory, 0);
          // Assess
          expect(text).toBe(textOf({ v6 }));
        }
      ),
      { numRuns: 1000 }
    );
  });
});
