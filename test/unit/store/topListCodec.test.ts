import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ipv4Bytes,
  ipv6Bytes,
  ipv6Text,
} from '../../../shared/store/byteCodec.js';
import {
  decodeTopLists,
  encodeTopLists,
  type TopLists,
} from '../../../shared/store/topListCodec.js';
import type { RejectedSource, TopTalker } from '../../../shared/types.js';

const talker = (
  peer: string,
  overrides: Partial<TopTalker> = {}
): TopTalker => ({
  peer,
  port: 443,
  protocol: 6,
  flows: 3,
  packets: 1200,
  bytes: 1_500_000,
  ...overrides,
});

const rejected = (address: string, flows = 1): RejectedSource => ({
  address,
  flows,
  packets: flows,
  bytes: flows * 40,
});

const count = fc.oneof(fc.nat({ max: 300 }), fc.nat(), fc.maxSafeNat());
const address = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  fc.ipV4Extended(),
  fc.string({ maxLength: 40 }),
  fc.constantFrom('-', '', '10.0.0.01', '2001:DB8::1', '::', '::1', '1::')
);
const talkers = fc.array(
  fc
    .record({
      peer: address,
      port: fc.option(fc.nat({ max: 65_535 }), { nil: null }),
      protocol: fc.option(
        fc.oneof(fc.constantFrom(1, 6, 17, 58), fc.nat(255)),
        {
          nil: null,
        }
      ),
      flows: count,
      packets: count,
      bytes: count,
    })
    .map((record) => ({ ...record })),
  { maxLength: 25 }
);
const sources = fc.array(
  fc
    .record({ address, flows: count, packets: count, bytes: count })
    .map((record) => ({ ...record })),
  { maxLength: 25 }
);
const topLists: fc.Arbitrary<TopLists> = fc
  .record(
    { topTalkers: talkers, topRejectedSources: sources },
    { requiredKeys: [] }
  )
  .map((record) => ({ ...record }));

describe('encodeTopLists', () => {
  it('reads back exactly what it wrote, whatever the lists hold', () => {
    fc.assert(
      fc.property(topLists, (lists) => {
        // Act
        const read = decodeTopLists(encodeTopLists(lists));

        // Assess
        expect(read).toStrictEqual(lists);
      }),
      { numRuns: 500 }
    );
  });

  it('keeps an absent list absent and an empty list empty', () => {
    // Prepare
    const lists = { topTalkers: [] };

    // Act
    const read = decodeTopLists(encodeTopLists(lists));

    // Assess
    expect(read).toStrictEqual({ topTalkers: [] });
    expect(read).not.toHaveProperty('topRejectedSources');
  });

  it('writes an IPv4 TCP talker in 13 bytes and a rejected source in 8', () => {
    // Prepare
    const one = encodeTopLists({ topTalkers: [talker('10.0.1.5')] });
    const two = encodeTopLists({
      topTalkers: [talker('10.0.1.5'), talker('52.94.3.17')],
    });
    const source = encodeTopLists({
      topRejectedSources: [rejected('198.51.100.7', 2)],
    });

    // Act
    const perTalker = two.length - one.length;
    const perSource = source.length - 2;

    // Assess
    // header 1, address 4, port 2, flows 1, packets 2, bytes 3
    expect(perTalker).toBe(13);
    // header 1, address 4, flows 1, packets 1, bytes 1 (80)
    expect(perSource).toBe(8);
  });

  it('stores an IPv6 peer in canonical form as 16 bytes and any other text as text', () => {
    // Prepare
    const canonical = encodeTopLists({ topTalkers: [talker('2600:1f18::5')] });
    const upper = encodeTopLists({ topTalkers: [talker('2600:1F18::5')] });

    // Act
    const sizes = [canonical.length, upper.length];

    // Assess
    expect(sizes[0]).toBe(2 + 1 + 16 + 2 + 1 + 2 + 3);
    expect(sizes[1]).toBe(2 + 1 + 1 + 12 + 2 + 1 + 2 + 3);
    expect(decodeTopLists(upper).topTalkers?.[0]?.peer).toBe('2600:1F18::5');
  });

  it('writes the 20 talkers and 20 rejected sources of a busy window in under 480 bytes', () => {
    // Prepare
    const lists: TopLists = {
      topTalkers: Array.from({ length: 20 }, (_, i) =>
        talker(`52.94.${i}.${i * 7}`, { port: 32_768 + i * 1000 })
      ),
      topRejectedSources: Array.from({ length: 20 }, (_, i) =>
        rejected(`198.51.${i}.${200 - i}`, 1 + (i % 3))
      ),
    };

    // Act
    const bytes = encodeTopLists(lists);

    // Assess
    expect(bytes.length).toBeLessThan(480);
    expect(JSON.stringify(lists).length).toBeGreaterThan(2800);
  });

  it.each([
    ['a negative count', talker('10.0.0.1', { bytes: -1 })],
    ['a fraction', talker('10.0.0.1', { packets: 1.5 })],
    ['a count beyond 2^53', talker('10.0.0.1', { flows: 2 ** 53 })],
  ])('throws RangeError on %s', (_, bad) => {
    // Act
    const encode = () => encodeTopLists({ topTalkers: [bad] });

    // Assess
    expect(encode).toThrow(RangeError);
  });
});

describe('decodeTopLists', () => {
  const good = encodeTopLists({
    topTalkers: [talker('10.0.1.5')],
    topRejectedSources: [rejected('198.51.100.7')],
  });

  it.each([
    ['another format version', Uint8Array.of(2 << 2)],
    ['an empty attribute', new Uint8Array()],
    ['a truncated list', good.subarray(0, good.length - 1)],
    ['trailing bytes', Uint8Array.of(...good, 0)],
    ['a bad talker header', Uint8Array.of((1 << 2) | 1, 1, 255)],
    ['a bad address kind', Uint8Array.of((1 << 2) | 2, 1, 3)],
    [
      'a varint longer than 8 bytes',
      Uint8Array.of((1 << 2) | 1, ...Array(9).fill(128), 1),
    ],
  ])('throws RangeError on %s', (_, bytes) => {
    // Act
    const decode = () => decodeTopLists(bytes);

    // Assess
    expect(decode).toThrow(RangeError);
  });

  it('never throws anything but RangeError on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        // Act
        let thrown: unknown;
        try {
          decodeTopLists(bytes);
        } catch (error) {
          thrown = error;
        }

        // Assess
        expect(thrown === undefined || thrown instanceof RangeError).toBe(true);
      })
    );
  });
});

describe('ipv6Bytes', () => {
  it.each([
    ['2600:1f18:ab0:1::beef', true],
    ['::', true],
    ['::1', true],
    ['2001:db8::1:0:0:1', true],
    ['2001:db8:0:0:1::1', false],
    ['2001:0db8::1', false],
    ['2001:DB8::1', false],
    ['1:2:3:4:5:6:7:8', true],
    ['1::2::3', false],
    ['10.0.0.1', false],
  ])('takes %s as canonical: %s', (text, isCanonical) => {
    // Act
    const bytes = ipv6Bytes(text);

    // Assess
    expect(bytes !== null).toBe(isCanonical);
    if (bytes) expect(ipv6Text(bytes)).toBe(text);
  });

  it('reads back every canonical address it accepts', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (raw) => {
        // Act
        const text = ipv6Text(raw);

        // Assess
        expect(ipv6Bytes(text)).toEqual(raw);
      })
    );
  });
});

describe('ipv4Bytes', () => {
  it.each([
    ['10.0.1.5', [10, 0, 1, 5]],
    ['255.255.255.255', [255, 255, 255, 255]],
    ['10.0.1.05', null],
    ['256.0.0.1', null],
    ['10.0.1', null],
    ['10.0.1.5.6', null],
  ])('reads %s as %j', (text, expected) => {
    // Act
    const bytes = ipv4Bytes(text);

    // Assess
    expect(bytes === null ? null : [...bytes]).toEqual(expected);
  });
});
