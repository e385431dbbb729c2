import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeTopLists,
  encodeTopLists,
  type TopLists,
} from '../../../shared/store/topListCodec.js';
import type {
  RejectedFlow,
  RejectedPort,
  RejectedSource,
  TopTalker,
} from '../../../shared/types.js';

const count = fc.oneof(fc.nat({ max: 300 }), fc.nat(), fc.maxSafeNat());
const address = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  fc.ipV4Extended(),
  fc.string({ maxLength: 40 }),
  fc.constantFrom('-', '', '10.0.0.01', '2001:DB8::1', '::', '::1', '1::')
);
const port = fc.option(
  fc.oneof(fc.constantFrom(0, 22, 443, 3389, 65_535), fc.nat({ max: 65_535 })),
  { nil: null }
);
const protocol = fc.option(
  fc.oneof(fc.constantFrom(0, 1, 6, 17, 58), fc.nat(255)),
  { nil: null }
);
const rejectedFlows = fc.array(
  fc
    .record({
      address,
      port,
      protocol,
      flows: count,
      packets: count,
      bytes: count,
    })
    .map((record) => ({ ...record })),
  { maxLength: 25 }
);
const rejectedPorts = fc.array(
  fc
    .record({ port, protocol, flows: count, packets: count, bytes: count })
    .map((record) => ({ ...record })),
  { maxLength: 25 }
);
const talkers = fc.array(
  fc
    .record({
      peer: address,
      port,
      protocol,
      flows: count,
      packets: count,
      bytes: count,
    })
    .map((record) => ({ ...record })),
  { maxLength: 5 }
);
const sources = fc.array(
  fc
    .record({ address, flows: count, packets: count, bytes: count })
    .map((record) => ({ ...record })),
  { maxLength: 5 }
);
const topLists: fc.Arbitrary<TopLists> = fc
  .record(
    {
      topTalkers: talkers,
      topRejectedSources: sources,
      topRejectedFlows: rejectedFlows,
      topRejectedPorts: rejectedPorts,
    },
    { requiredKeys: [] }
  )
  .map((record) => ({ ...record }));

const rejectedFlow = (
  address: string,
  overrides: Partial<RejectedFlow> = {}
): RejectedFlow => ({
  address,
  port: 22,
  protocol: 6,
  flows: 1,
  packets: 1,
  bytes: 40,
  ...overrides,
});

const rejectedPort = (overrides: Partial<RejectedPort> = {}): RejectedPort => ({
  port: 22,
  protocol: 6,
  flows: 1,
  packets: 1,
  bytes: 40,
  ...overrides,
});

/** LEB128 bytes of a count, written here by hand. */
function varint(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 128) {
    bytes.push((rest % 128) + 128);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return bytes;
}

describe('encodeTopLists with rejected flows and ports', () => {
  it('reads back exactly the rejected flows and ports it wrote, beside the other lists', () => {
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

  it('keeps null ports and protocols, port 0 and protocol 0, and other protocols apart', () => {
    // Prepare
    const lists: TopLists = {
      topRejectedFlows: [
        rejectedFlow('198.51.100.7', { port: null, protocol: null }),
        rejectedFlow('198.51.100.7', { port: 0, protocol: 1 }),
        rejectedFlow('2001:db8::9', { port: 0, protocol: 0 }),
        rejectedFlow('2001:db8::9', { port: null, protocol: 58 }),
        rejectedFlow('not an address', { port: 53, protocol: 17 }),
      ],
      topRejectedPorts: [
        rejectedPort({ port: null, protocol: null }),
        rejectedPort({ port: 0, protocol: 1 }),
        rejectedPort({ port: 0, protocol: 0 }),
        rejectedPort({ port: null, protocol: 6 }),
        rejectedPort({ port: 65_535, protocol: 255 }),
      ],
    };

    // Act
    const read = decodeTopLists(encodeTopLists(lists));

    // Assess
    expect(read).toStrictEqual(lists);
  });

  it('keeps absent lists absent and empty lists empty', () => {
    // Prepare
    const onlyPorts = { topRejectedPorts: [] };
    const onlyFlows = { topRejectedFlows: [] };

    // Act
    const ports = decodeTopLists(encodeTopLists(onlyPorts));
    const flows = decodeTopLists(encodeTopLists(onlyFlows));
    const none = decodeTopLists(encodeTopLists({}));

    // Assess
    expect(ports).toStrictEqual({ topRejectedPorts: [] });
    expect(flows).toStrictEqual({ topRejectedFlows: [] });
    expect(none).toStrictEqual({});
  });

  it('writes format 3 in the high bits of its first byte and a flag per list below', () => {
    // Prepare
    const all: TopLists = {
      topTalkers: [],
      topRejectedSources: [],
      topRejectedFlows: [],
      topRejectedPorts: [],
    };

    // Act
    const firsts = [
      encodeTopLists({})[0],
      encodeTopLists({ topTalkers: [] })[0],
      encodeTopLists({ topRejectedSources: [] })[0],
      encodeTopLists({ topRejectedFlows: [] })[0],
      encodeTopLists({ topRejectedPorts: [] })[0],
      encodeTopLists(all)[0],
    ];

    // Assess
    expect(firsts).toEqual([0x30, 0x31, 0x32, 0x34, 0x38, 0x3f]);
  });

  it('writes an IPv4 TCP rejected flow in 9 bytes, as a talker, and a TCP rejected port in 5', () => {
    // Prepare
    const one = { topRejectedFlows: [rejectedFlow('198.51.100.7')] };
    const port = { topRejectedPorts: [rejectedPort()] };

    // Act
    const flowBytes = encodeTopLists(one);
    const portBytes = encodeTopLists(port);

    // Assess
    // first byte 1, count 1; header 1, address 4, port 1, flows, packets, bytes 1 each
    expect([...flowBytes]).toEqual([
      0x34,
      1,
      16 | 4,
      198,
      51,
      100,
      7,
      22,
      1,
      1,
      40,
    ]);
    // first byte 1, count 1; header 1, port 1, flows, packets, bytes 1 each
    expect([...portBytes]).toEqual([0x38, 1, 16 | 4, 22, 1, 1, 40]);
  });

  it('throws RangeError on a rejected port or flow count that is not a safe non-negative integer', () => {
    // Prepare
    const bad = [
      { topRejectedPorts: [rejectedPort({ flows: -1 })] },
      { topRejectedPorts: [rejectedPort({ bytes: 2 ** 53 })] },
      { topRejectedFlows: [rejectedFlow('10.0.0.1', { packets: 0.5 })] },
      { topRejectedFlows: [rejectedFlow('10.0.0.1', { port: -22 })] },
    ];

    // Act
    const encodes = bad.map((lists) => () => encodeTopLists(lists));

    // Assess
    for (const encode of encodes) expect(encode).toThrow(RangeError);
  });
});

describe('decodeTopLists of older formats', () => {
  const talkers: TopTalker[] = [
    {
      peer: '10.0.1.5',
      port: 443,
      protocol: 6,
      flows: 3,
      packets: 1200,
      bytes: 1_500_000,
    },
    {
      peer: '2001:db8::1',
      port: null,
      protocol: 1,
      flows: 1,
      packets: 2,
      bytes: 168,
    },
  ];
  const sources: RejectedSource[] = [
    { address: '198.51.100.7', flows: 2, packets: 2, bytes: 80 },
    { address: 'not-an-address', flows: 1, packets: 1, bytes: 40 },
  ];
  /**
   * Format 1 as it was written (before rejected flows), by hand: a first
   * byte (1 << 2) | flags (1 talkers, 2 rejected sources), then each list's
   * length and entries; a talker is a header byte (address kind in bits
   * 0-1, protocol code in 2-3: 0 none, 1 TCP, 2 UDP, 3 other; 16 when a
   * port follows), its address, port, other protocol, flows, packets,
   * bytes; a source a header byte (address kind), address, flows,
   * packets, bytes.
   */
  const format1 = Uint8Array.of(
    (1 << 2) | 1 | 2,
    2,
    0 | (1 << 2) | 16,
    10,
    0,
    1,
    5,
    ...varint(443),
    ...varint(3),
    ...varint(1200),
    ...varint(1_500_000),
    1 | (3 << 2),
    0x20,
    0x01,
    0x0d,
    0xb8,
    ...Array<number>(11).fill(0),
    1,
    ...varint(1),
    ...varint(1),
    ...varint(2),
    ...varint(168),
    2,
    0,
    198,
    51,
    100,
    7,
    2,
    2,
    80,
    2,
    ...varint(14),
    ...new TextEncoder().encode('not-an-address'),
    1,
    1,
    40
  );

  it('still reads format 1: its talkers and rejected sources, and no rejected flows or ports', () => {
    // Act
    const read = decodeTopLists(format1);

    // Assess
    expect(varint(1_500_000)).toEqual([224, 198, 91]);
    expect(read).toStrictEqual({
      topTalkers: talkers,
      topRejectedSources: sources,
    });
  });

  it.each([
    ['no lists', [1 << 2], {}],
    ['empty talkers', [(1 << 2) | 1, 0], { topTalkers: [] }],
    ['empty rejected sources', [(1 << 2) | 2, 0], { topRejectedSources: [] }],
    [
      'both empty',
      [(1 << 2) | 3, 0, 0],
      { topTalkers: [], topRejectedSources: [] },
    ],
  ])(
    'reads a format-1 byte string with %s (its version bit is not the rejected-flows flag)',
    (_, bytes, expected) => {
      // Act
      const read = decodeTopLists(Uint8Array.from(bytes));

      // Assess
      expect(read).toStrictEqual(expected);
    }
  );

  it('reads format 1 and its format-3 rewrite as the same lists', () => {
    // Prepare
    const rewritten = encodeTopLists({
      topTalkers: talkers,
      topRejectedSources: sources,
    });

    // Act
    const old = decodeTopLists(format1);
    const now = decodeTopLists(rewritten);

    // Assess
    expect(now).toStrictEqual(old);
    expect(rewritten[0]).toBe(0x33);
    expect([...rewritten.subarray(1)]).toEqual([...format1.subarray(1)]);
  });

  it('throws RangeError on a format-1 byte string cut short or followed by more', () => {
    // Prepare
    const cut = format1.subarray(0, format1.length - 1);
    const longer = Uint8Array.of(...format1, 0);

    // Act
    const decodes = [() => decodeTopLists(cut), () => decodeTopLists(longer)];

    // Assess
    for (const decode of decodes) expect(decode).toThrow(RangeError);
  });
});

describe('decodeTopLists of unknown bytes', () => {
  const good = encodeTopLists({
    topRejectedFlows: [rejectedFlow('198.51.100.7')],
    topRejectedPorts: [rejectedPort()],
  });

  it.each([
    ['version 0', [0]],
    ['version 0 with flags', [3]],
    ['version 2 where format 1 kept its version', [2 << 2]],
    ['version 2 where format 3 keeps its version', [2 << 4]],
    ['version 4', [4 << 4]],
    ['version 15', [0xff]],
  ])('throws RangeError on %s', (_, bytes) => {
    // Act
    const decode = () => decodeTopLists(Uint8Array.from(bytes));

    // Assess
    expect(decode).toThrow(RangeError);
    expect(decode).toThrow(/unknown top-list format/);
  });

  it.each([
    ['a truncated rejected port', good.subarray(0, good.length - 1)],
    ['trailing bytes after the ports', Uint8Array.of(...good, 0)],
    ['a rejected port header with an address kind', Uint8Array.of(0x38, 1, 1)],
    ['a rejected port header above its flags', Uint8Array.of(0x38, 1, 32)],
    ['a rejected flow header above its flags', Uint8Array.of(0x34, 1, 32)],
    ['a rejected flow with a bad address kind', Uint8Array.of(0x34, 1, 3)],
    ['a count of rejected flows beyond the bytes', Uint8Array.of(0x34, 5)],
  ])('throws RangeError on %s', (_, bytes) => {
    // Act
    const decode = () => decodeTopLists(bytes);

    // Assess
    expect(decode).toThrow(RangeError);
  });

  it('review finding: throws RangeError, not TypeError, on a rejected flow whose text address is not UTF-8', () => {
    // Prepare: one rejected flow, its address written as text (kind 2) of
    // one byte, 0x80, which no UTF-8 text starts with.
    const bytes = Uint8Array.of(0x34, 1, 2, 1, 0x80, 1, 1, 40);

    // Act
    const decode = () => decodeTopLists(bytes);

    // Assess
    expect(decode).toThrow(RangeError);
  });

  it('never throws anything but RangeError on arbitrary bytes of format 3', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 15 }),
        fc.uint8Array({ maxLength: 64 }),
        (flags, rest) => {
          // Prepare
          const bytes = Uint8Array.of((3 << 4) | flags, ...rest);

          // Act
          let thrown: unknown;
          try {
            decodeTopLists(bytes);
          } catch (error) {
            thrown = error;
          }

          // Assess
          if (thrown !== undefined) expect(thrown).toBeInstanceOf(RangeError);
        }
      ),
      {
        numRuns: 1000,
        // A talker whose text address is not UTF-8 (found by this property).
        examples: [[1, Uint8Array.of(1, 2, 1, 128)]],
      }
    );
  });
});
