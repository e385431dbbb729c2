import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inferSelf } from '../../../../shared/aggregate/topLists.js';
import { rankRejections } from '../../../../shared/aggregate/toRollup.js';
import {
  type Address,
  address,
  asText,
  type Entry,
  entry,
  layOutSketch,
  packed,
  readRanked,
  type SketchEntry,
  scanner,
  talkerEntry,
  textOf,
} from '../../../helpers/scannerSketches.js';

/** A rejected-list entry: a source, its port and protocol, its counts. */
interface Rejected {
  address: Address;
  port: number | null;
  protocol: number | null;
  flows: number;
  packets: number;
  bytes: number;
}

/** Flows, bytes and ports from small pools, so that counts tie. */
const rejected: fc.Arbitrary<Rejected> = fc.record({
  address,
  port: fc.constantFrom(null, 22, 443, 65535),
  protocol: fc.constantFrom(null, 6, 17),
  // Mostly small, so that counts tie; some flows past 2^31 (a u32 read as
  // signed would misorder them) and bytes past 2^32 or fractional (f64s).
  flows: fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 1, max: 3 }) },
    fc.constantFrom(0x7fffffff, 0x80000000, 0xffffffff)
  ),
  packets: fc.integer({ min: 0, max: 5 }),
  bytes: fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 4 }) },
    fc.constantFrom(0.5, 2.5, 2 ** 40)
  ),
});

/** The port (3 bytes) and protocol (2 bytes) tail; all ones for none. */
function tail(r: Rejected): number[] {
  const port = r.port ?? 0xffffff;
  const protocol = r.protocol ?? 0xffff;
  return [
    (port >> 16) & 0xff,
    (port >> 8) & 0xff,
    port & 0xff,
    protocol >> 8,
    protocol & 0xff,
  ];
}

const counts = (r: Rejected) => ({
  flows: r.flows,
  packets: r.packets,
  bytes: r.bytes,
});
/** The sketch entries of each list, labelled as the scanner labels them. */
const sourceEntry = (r: Rejected): SketchEntry => ({
  label: packed(r.address),
  isPacked: true,
  ...counts(r),
});
const flowEntry = (r: Rejected): SketchEntry => ({
  label: [...packed(r.address), ...tail(r)],
  isPacked: true,
  ...counts(r),
});
const portEntry = (r: Rejected): SketchEntry => ({
  label: tail(r),
  isPacked: false,
  ...counts(r),
});

/** Keeps the first of entries with the same key, as a sketch holds them. */
const unique = <T>(items: readonly T[], key: (item: T) => string): T[] => [
  ...new Map(items.map((item) => [key(item), item] as const)).values(),
];

describe('rankRejected', () => {
  const { wasm, memory, free } = scanner();
  const SOURCES = 0;
  const FLOWS = 1;
  const PORTS = 2;

  /** Lays out `entries` and ranks them as list `list`. */
  function rank(entries: readonly SketchEntry[], list: number) {
    layOutSketch(memory.buffer, free + 65_536, entries);
    const kept = wasm.rankRejected(free + 65_536, list);
    return kept < 0
      ? null
      : readRanked(memory.buffer, wasm.rejectedResult(), kept);
  }

  it('ranks each list as the text path does, without the own addresses', () => {
    fc.assert(
      fc.property(
        fc.array(entry, { maxLength: 24 }),
        fc.array(rejected, { maxLength: 64 }),
        (talkers, entries) => {
          // Prepare: rankTalkers infers the own addresses first.
          layOutSketch(memory.buffer, free, talkers.map(talkerEntry));
          wasm.rankTalkers(free);
          const self = inferSelf(talkers.map(asText));
          const sources = unique(entries, (r) => textOf(r.address));
          const flows = unique(
            entries,
            (r) => `${textOf(r.address)} ${r.port} ${r.protocol}`
          );
          const ports = unique(entries, (r) => `${r.port} ${r.protocol}`);
          const expected = rankRejections(
            self,
            sources.map((r) => ({ address: textOf(r.address), ...counts(r) })),
            flows.map((r) => ({
              address: textOf(r.address),
              port: r.port,
              protocol: r.protocol,
              ...counts(r),
            })),
            ports.map((r) => ({
              port: r.port,
              protocol: r.protocol,
              ...counts(r),
            }))
          );
          // Act
          const rankedSources = rank(sources.map(sourceEntry), SOURCES);
          const rankedFlows = rank(flows.map(flowEntry), FLOWS);
          const rankedPorts = rank(ports.map(portEntry), PORTS);
          // Assess
          expect(
            rankedSources?.map(({ address, flows, packets, bytes }) => ({
              address,
              flows,
              packets,
              bytes,
            }))
          ).toEqual(expected.sources);
          expect(rankedFlows).toEqual(expected.flows);
          expect(rankedPorts?.map(({ address: _, ...port }) => port)).toEqual(
            expected.ports
          );
        }
      ),
      { numRuns: 1000 }
    );
  });

  it('filters by no own address after a rankTalkers that returned -1', () => {
    // Prepare: a window that infers 10.0.0.5, then one with a text label.
    const own: Entry = {
      src: { v4: [10, 0, 0, 5] },
      dst: { v4: [10, 0, 0, 9] },
      direction: 0,
      port: 443,
      protocol: 6,
      flows: 2,
      packets: 3,
      bytes: 4,
    };
    layOutSketch(memory.buffer, free, [talkerEntry(own)]);
    wasm.rankTalkers(free);
    layOutSketch(memory.buffer, free, [
      { ...talkerEntry(own), isPacked: false },
    ]);
    const r: Rejected = { ...own, address: own.src };
    // Act
    const kept = wasm.rankTalkers(free);
    const sources = rank([sourceEntry(r)], SOURCES);
    // Assess
    expect(kept).toBe(-1);
    expect(sources?.map((s) => s.address)).toEqual(['10.0.0.5']);
  });

  it('returns -1 for sources and flows whose address is text', () => {
    // Prepare
    const r: Rejected = {
      address: { v4: [10, 0, 0, 5] },
      port: 22,
      protocol: 6,
      flows: 1,
      packets: 1,
      bytes: 60,
    };
    const text = (e: SketchEntry) => ({ ...e, isPacked: false });
    // Act
    const sources = rank([sourceEntry(r), text(sourceEntry(r))], SOURCES);
    const flows = rank([text(flowEntry(r))], FLOWS);
    // Assess
    expect(sources).toBeNull();
    expect(flows).toBeNull();
  });
});
