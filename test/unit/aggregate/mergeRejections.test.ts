import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  mergeRejections,
  type Rejections,
  rejectedPortsOf,
} from '../../../shared/aggregate/mergeRejections.js';
import type {
  RejectedFlow,
  RejectedPort,
  RejectedSource,
} from '../../../shared/types.js';

const flow = (
  address: string,
  port: number | null,
  protocol: number | null,
  flows: number,
  bytes = flows * 40
): RejectedFlow => ({
  address,
  port,
  protocol,
  flows,
  packets: flows,
  bytes,
});

const source = (
  address: string,
  flows: number,
  bytes = flows * 40
): RejectedSource => ({ address, flows, packets: flows, bytes });

const port = (
  number: number | null,
  protocol: number | null,
  flows: number,
  bytes = flows * 40
): RejectedPort => ({ port: number, protocol, flows, packets: flows, bytes });

// Few distinct keys, so that parts share them and sums happen.
const ADDRESSES = ['198.51.100.7', '203.0.113.9', '2001:db8::1', '10.0.0.5'];
const count = fc.integer({ min: 0, max: 1_000_000 });
const portNumber = fc.constantFrom(22, 443, 3389, 0, null);
const protocol = fc.constantFrom(6, 17, 1, null);
const arbitraryFlow = fc.record({
  address: fc.constantFrom(...ADDRESSES),
  port: portNumber,
  protocol,
  flows: count,
  packets: count,
  bytes: count,
});
const arbitrarySource = fc.record({
  address: fc.constantFrom(...ADDRESSES),
  flows: count,
  packets: count,
  bytes: count,
});
const arbitraryPort = fc.record({
  port: portNumber,
  protocol,
  flows: count,
  packets: count,
  bytes: count,
});
const arbitraryPart: fc.Arbitrary<Rejections> = fc.record({
  flows: fc.array(arbitraryFlow, { maxLength: 6 }),
  sources: fc.array(arbitrarySource, { maxLength: 6 }),
  ports: fc.array(arbitraryPort, { maxLength: 6 }),
});

type Counts = { flows: number; packets: number; bytes: number };

/** Entries summed by key, computed here: a plain reduce per key. */
function summed<T extends Counts>(
  entries: readonly T[],
  keyOf: (entry: T) => string
): T[] {
  const keys = [...new Set(entries.map(keyOf))];
  return keys.map((key) => {
    const same = entries.filter((entry) => keyOf(entry) === key);
    const [first] = same as [T, ...T[]];
    return {
      ...first,
      flows: same.reduce((sum, entry) => sum + entry.flows, 0),
      packets: same.reduce((sum, entry) => sum + entry.packets, 0),
      bytes: same.reduce((sum, entry) => sum + entry.bytes, 0),
    };
  });
}

const total = (entries: readonly Counts[], name: keyof Counts): number =>
  entries.reduce((sum, entry) => sum + entry[name], 0);

describe('mergeRejections', () => {
  it('sums flows, sources and ports of the same key over parts', () => {
    // Prepare
    const a: Rejections = {
      flows: [flow('198.51.100.7', 22, 6, 3), flow('203.0.113.9', 22, 6, 1)],
      sources: [source('198.51.100.7', 3), source('203.0.113.9', 1)],
      ports: [port(22, 6, 4)],
    };
    const b: Rejections = {
      flows: [flow('198.51.100.7', 22, 6, 2), flow('198.51.100.7', 22, 17, 5)],
      sources: [source('198.51.100.7', 7)],
      ports: [port(22, 6, 2), port(22, 17, 5)],
    };

    // Act
    const merged = mergeRejections([a, b], 20);

    // Assess
    expect(merged).toEqual({
      flows: [
        flow('198.51.100.7', 22, 6, 5),
        flow('198.51.100.7', 22, 17, 5),
        flow('203.0.113.9', 22, 6, 1),
      ],
      sources: [source('198.51.100.7', 10), source('203.0.113.9', 1)],
      ports: [port(22, 6, 6), port(22, 17, 5)],
    });
  });

  it('ranks by flows, then bytes, then address, port and protocol, a missing port first', () => {
    // Prepare
    const part: Rejections = {
      flows: [
        flow('203.0.113.9', 443, 6, 2, 80),
        flow('198.51.100.7', 443, 6, 2, 80),
        flow('198.51.100.7', 22, 6, 2, 80),
        flow('198.51.100.7', null, null, 2, 80),
        flow('10.0.0.5', 22, 6, 2, 900),
        flow('10.0.0.5', 3389, 6, 9, 10),
      ],
      sources: [
        source('203.0.113.9', 2, 80),
        source('198.51.100.7', 2, 80),
        source('10.0.0.5', 2, 900),
      ],
      ports: [
        port(443, 17, 2, 80),
        port(443, 6, 2, 80),
        port(null, null, 2, 80),
        port(22, 6, 2, 900),
      ],
    };

    // Act
    const merged = mergeRejections([part], 20);

    // Assess
    expect(merged.flows).toEqual([
      flow('10.0.0.5', 3389, 6, 9, 10),
      flow('10.0.0.5', 22, 6, 2, 900),
      flow('198.51.100.7', null, null, 2, 80),
      flow('198.51.100.7', 22, 6, 2, 80),
      flow('198.51.100.7', 443, 6, 2, 80),
      flow('203.0.113.9', 443, 6, 2, 80),
    ]);
    expect(merged.sources.map((s) => s.address)).toEqual([
      '10.0.0.5',
      '198.51.100.7',
      '203.0.113.9',
    ]);
    expect(merged.ports).toEqual([
      port(22, 6, 2, 900),
      port(null, null, 2, 80),
      port(443, 6, 2, 80),
      port(443, 17, 2, 80),
    ]);
  });

  it('keeps a missing port and port 0 apart, and a missing protocol and protocol 0', () => {
    // Prepare
    const part: Rejections = {
      flows: [flow('198.51.100.7', null, 1, 1), flow('198.51.100.7', 0, 1, 1)],
      sources: [],
      ports: [port(null, 1, 1), port(0, 1, 1), port(0, null, 1), port(0, 0, 1)],
    };

    // Act
    const merged = mergeRejections([part, part], 20);

    // Assess
    expect(merged.flows).toEqual([
      flow('198.51.100.7', null, 1, 2),
      flow('198.51.100.7', 0, 1, 2),
    ]);
    expect(merged.ports).toEqual([
      port(null, 1, 2),
      port(0, null, 2),
      port(0, 0, 2),
      port(0, 1, 2),
    ]);
  });

  it('cuts each list to its size after summing, busiest kept', () => {
    // Prepare: 198.51.100.7 is the busiest only once its parts are summed.
    const parts: Rejections[] = [
      {
        flows: [flow('203.0.113.9', 22, 6, 3), flow('198.51.100.7', 22, 6, 2)],
        sources: [source('203.0.113.9', 3), source('198.51.100.7', 2)],
        ports: [port(3389, 6, 3), port(22, 6, 2)],
      },
      {
        flows: [flow('198.51.100.7', 22, 6, 2), flow('10.0.0.5', 443, 6, 1)],
        sources: [source('198.51.100.7', 2), source('10.0.0.5', 1)],
        ports: [port(22, 6, 2), port(443, 6, 1)],
      },
    ];

    // Act
    const one = mergeRejections(parts, 1);
    const two = mergeRejections(parts, 2);
    const none = mergeRejections(parts, 0);

    // Assess
    expect(one).toEqual({
      flows: [flow('198.51.100.7', 22, 6, 4)],
      sources: [source('198.51.100.7', 4)],
      ports: [port(22, 6, 4)],
    });
    expect(two.flows).toEqual([
      flow('198.51.100.7', 22, 6, 4),
      flow('203.0.113.9', 22, 6, 3),
    ]);
    expect(two.ports).toEqual([port(22, 6, 4), port(3389, 6, 3)]);
    expect(none).toEqual({ flows: [], sources: [], ports: [] });
  });

  it('answers no parts with empty lists and leaves its inputs as they were', () => {
    // Prepare
    const part: Rejections = {
      flows: [flow('198.51.100.7', 22, 6, 1)],
      sources: [source('198.51.100.7', 1)],
      ports: [port(22, 6, 1)],
    };
    const before = structuredClone(part);

    // Act
    const empty = mergeRejections([], 20);
    mergeRejections([part, part], 20);

    // Assess
    expect(empty).toEqual({ flows: [], sources: [], ports: [] });
    expect(part).toEqual(before);
  });

  it('equals the sums computed here, ranked and cut, for any parts', () => {
    fc.assert(
      fc.property(
        fc.array(arbitraryPart, { maxLength: 6 }),
        fc.integer({ min: 0, max: 8 }),
        (parts, size) => {
          // Act
          const merged = mergeRejections(parts, size);

          // Assess
          const flows = summed(
            parts.flatMap((part) => part.flows),
            (f) => `${f.address}|${f.port}|${f.protocol}`
          );
          const sources = summed(
            parts.flatMap((part) => part.sources),
            (s) => s.address
          );
          const ports = summed(
            parts.flatMap((part) => part.ports),
            (p) => `${p.port}|${p.protocol}`
          );
          const byPort = (a: RejectedPort, b: RejectedPort) =>
            (a.port ?? -1) - (b.port ?? -1) ||
            (a.protocol ?? -1) - (b.protocol ?? -1);
          const byCounts = (a: Counts, b: Counts) =>
            b.flows - a.flows || b.bytes - a.bytes;
          const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
          expect(merged).toEqual({
            flows: flows
              .sort(
                (a, b) =>
                  byCounts(a, b) || byText(a.address, b.address) || byPort(a, b)
              )
              .slice(0, size),
            sources: sources
              .sort((a, b) => byCounts(a, b) || byText(a.address, b.address))
              .slice(0, size),
            ports: ports
              .sort((a, b) => byCounts(a, b) || byPort(a, b))
              .slice(0, size),
          });
        }
      ),
      { numRuns: 300 }
    );
  });

  it('is order-free: any order of the parts and of their entries gives the same lists', () => {
    fc.assert(
      fc.property(
        fc.array(arbitraryPart, { maxLength: 6 }).chain((parts) =>
          fc.tuple(
            fc.constant(parts),
            fc.shuffledSubarray(parts, {
              minLength: parts.length,
              maxLength: parts.length,
            })
          )
        ),
        fc.integer({ min: 1, max: 8 }),
        ([parts, shuffled], size) => {
          // Prepare: the parts reordered, and each part's lists reversed.
          const reordered = shuffled.map((part) => ({
            flows: [...part.flows].reverse(),
            sources: [...part.sources].reverse(),
            ports: [...part.ports].reverse(),
          }));

          // Act
          const merged = mergeRejections(parts, size);
          const again = mergeRejections(reordered, size);

          // Assess
          expect(again).toEqual(merged);
        }
      ),
      { numRuns: 300 }
    );
  });

  it('is order-free as a fold: merging parts in any grouping, uncut, gives the same lists', () => {
    fc.assert(
      fc.property(
        fc.array(arbitraryPart, { minLength: 1, maxLength: 6 }),
        fc.nat(),
        (parts, at) => {
          // Prepare
          const split = at % (parts.length + 1);
          const all = Number.POSITIVE_INFINITY;

          // Act
          const whole = mergeRejections(parts, all);
          const grouped = mergeRejections(
            [
              mergeRejections(parts.slice(0, split), all),
              mergeRejections(parts.slice(split), all),
            ],
            all
          );

          // Assess
          expect(grouped).toEqual(whole);
        }
      ),
      { numRuns: 300 }
    );
  });

  it('preserves the totals of flows, packets and bytes when nothing is cut', () => {
    fc.assert(
      fc.property(fc.array(arbitraryPart, { maxLength: 6 }), (parts) => {
        // Act
        const merged = mergeRejections(parts, Number.POSITIVE_INFINITY);

        // Assess
        for (const list of ['flows', 'sources', 'ports'] as const) {
          const input = parts.flatMap(
            (part) => part[list] as readonly Counts[]
          );
          for (const name of ['flows', 'packets', 'bytes'] as const) {
            expect(total(merged[list], name)).toBe(total(input, name));
          }
        }
      }),
      { numRuns: 200 }
    );
  });
});

describe('rejectedPortsOf', () => {
  it('sums the flows of every source by destination port and protocol, without addresses', () => {
    // Prepare
    const flows = [
      flow('198.51.100.7', 22, 6, 3, 120),
      flow('203.0.113.9', 22, 6, 1, 40),
      flow('203.0.113.9', 22, 17, 4, 400),
      flow('198.51.100.7', null, null, 1, 40),
    ];

    // Act
    const ports = rejectedPortsOf(flows, 10);

    // Assess
    expect(ports).toEqual([
      { port: 22, protocol: 17, flows: 4, packets: 4, bytes: 400 },
      { port: 22, protocol: 6, flows: 4, packets: 4, bytes: 160 },
      { port: null, protocol: null, flows: 1, packets: 1, bytes: 40 },
    ]);
    expect(ports.every((p) => !('address' in p))).toBe(true);
  });

  it('cuts to its size, busiest first, and answers no flows with no ports', () => {
    // Prepare
    const flows = [
      flow('198.51.100.7', 443, 6, 1),
      flow('198.51.100.7', 22, 6, 2),
      flow('198.51.100.7', 3389, 6, 3),
    ];

    // Act
    const two = rejectedPortsOf(flows, 2);
    const none = rejectedPortsOf([], 10);

    // Assess
    expect(two.map((p) => [p.port, p.flows])).toEqual([
      [3389, 3],
      [22, 2],
    ]);
    expect(none).toEqual([]);
  });

  it('equals mergeRejections of the same flows as ports, for any flows', () => {
    fc.assert(
      fc.property(
        fc.array(arbitraryFlow, { maxLength: 20 }),
        fc.integer({ min: 0, max: 8 }),
        (flows, size) => {
          // Prepare
          const asPorts = flows.map(({ address: _, ...rest }) => rest);

          // Act
          const ports = rejectedPortsOf(flows, size);

          // Assess
          expect(ports).toEqual(
            mergeRejections([{ flows: [], sources: [], ports: asPorts }], size)
              .ports
          );
          if (size >= 20) {
            expect(total(ports, 'flows')).toBe(total(flows, 'flows'));
          }
          expect(total(ports, 'flows')).toBeLessThanOrEqual(
            total(flows, 'flows')
          );
        }
      ),
      { numRuns: 200 }
    );
  });
});
