import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PackedAddresses } from '../../../shared/aggregate/packedAddresses.js';

/** The text of IPv6 groups, by an independent formatter (WHATWG URL). */
function ipv6Text(v6: readonly number[]): string {
  const groups = v6.map((group) => group.toString(16)).join(':');
  return new URL(`http://[${groups}]/`).hostname.slice(1, -1);
}

describe('PackedAddresses', () => {
  it('gives IPv4 keys their texts, and equal keys only to equal addresses', () => {
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
          expect(a === b).toBe(textA === textB);
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
          const memory = Uint8Array.from([
            6,
            ...v6.flatMap((group) => [group >> 8, group & 0xff]),
          ]);
          // Act
          const text = addresses.textAt(memory, 0);
          // Assess
          expect(text).toBe(ipv6Text(v6));
        }
      ),
      { numRuns: 1000 }
    );
  });
});
