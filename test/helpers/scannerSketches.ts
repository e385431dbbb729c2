import fc from 'fast-check';
import { PackedAddresses } from '../../shared/aggregate/packedAddresses.js';
import {
  instantiate,
  type ScannerExports,
} from '../../shared/aggregate/scannerMemory.js';
import type { DecodedTalker } from '../../shared/aggregate/topLists.js';
import { type WasmMemory, wasmApi } from '../../shared/wasmApi.js';

// Sketches laid out in a scanner's WebAssembly memory as the scanner lays
// them, for the read-out's rankings (wasm/rankTalkers.ts,
// wasm/rankRejected.ts), and their results read back.

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

/** A label's bytes: the packed source and destination, then the tail. */
function label(e: Entry): number[] {
  const port = e.port ?? 0xffffff;
  const protocol = e.protocol ?? 0xffff;
  return [
    ...packed(e.src),
    ...packed(e.dst),
    e.direction,
    (port >> 16) & 0xff,
    (port >> 8) & 0xff,
    port & 0xff,
    protocol >> 8,
    protocol & 0xff,
  ];
}

// The layouts of wasm/sketch.ts (S_*, N_*) and wasm/rankTalkers.ts (R_*).
const S_COUNT = 2;
const S_ENTRIES = 8;
const S_LABEL_LENGTHS = 16;
const N_PACKETS = 8;
const N_BYTES = 16;
const N_LABEL = 24;
const N_FLOWS = 28;
const N_SIZE = 32;
const PACKED = 0x80;
const R_ENTRIES = 8;
const R_SIZE = 40;

/** A scanner instance over a memory with room past its heap for sketches. */
function scanner(): {
  wasm: ScannerExports;
  memory: WasmMemory;
  free: number;
} {
  const memory = new wasmApi.Memory({
    initial: 1,
    maximum: 65_536,
    shared: true,
  });
  const wasm = instantiate(memory);
  wasm.init(14, true, 0, 1);
  const free = memory.grow(8) * 65_536;
  return { wasm, memory, free };
}

/** A sketch entry: its label's bytes (packed or text) and its counts. */
interface SketchEntry {
  label: readonly number[];
  isPacked: boolean;
  flows: number;
  packets: number;
  bytes: number;
}

/** A talker entry as the scanner labels it (packed addresses). */
const talkerEntry = (e: Entry): SketchEntry => ({
  label: label(e),
  isPacked: true,
  flows: e.flows,
  packets: e.packets,
  bytes: e.bytes,
});

/**
 * Lays out a sketch of `entries` at `at`, as the scanner does: a header,
 * the entries, their label lengths (PACKED or not), the labels.
 */
function layOutSketch(
  buffer: ArrayBufferLike,
  at: number,
  entries: readonly SketchEntry[]
): void {
  const view = new DataView(buffer);
  const bytes = new Uint8Array(buffer);
  const block = at + 64;
  const lengths = block + entries.length * N_SIZE;
  let labelAt = lengths + entries.length * 2 + 8;
  view.setUint8(at + S_COUNT, entries.length);
  view.setUint32(at + S_ENTRIES, block, true);
  view.setUint32(at + S_LABEL_LENGTHS, lengths, true);
  entries.forEach((e, k) => {
    const entry = block + k * N_SIZE;
    bytes.set(e.label, labelAt);
    view.setFloat64(entry + N_PACKETS, e.packets, true);
    view.setFloat64(entry + N_BYTES, e.bytes, true);
    view.setUint32(entry + N_LABEL, labelAt, true);
    view.setUint32(entry + N_FLOWS, e.flows, true);
    view.setUint8(lengths + k * 2, e.label.length | (e.isPacked ? PACKED : 0));
    labelAt += e.label.length;
  });
}

/** An entry a ranking wrote: its address as text ('' for none). */
interface RankedEntry {
  address: string;
  port: number | null;
  protocol: number | null;
  flows: number;
  packets: number;
  bytes: number;
}

/** The `kept` entries a ranking wrote at `result`, best first. */
function readRanked(
  buffer: ArrayBufferLike,
  result: number,
  kept: number
): RankedEntry[] {
  const view = new DataView(buffer);
  const bytes = new Uint8Array(buffer);
  const addresses = new PackedAddresses();
  return Array.from({ length: kept }, (_, rank) => {
    const at = result + R_ENTRIES + rank * R_SIZE;
    const address = view.getUint32(at, true);
    const port = view.getInt32(at + 4, true);
    const protocol = view.getInt32(at + 8, true);
    return {
      address: address === 0 ? '' : addresses.textAt(bytes, address),
      port: port < 0 ? null : port,
      protocol: protocol < 0 ? null : protocol,
      flows: view.getFloat64(at + 16, true),
      packets: view.getFloat64(at + 24, true),
      bytes: view.getFloat64(at + 32, true),
    };
  });
}

/** The own addresses the last rankTalkers inferred, as text (no repeats). */
function readSelf(buffer: ArrayBufferLike, result: number): string[] {
  const view = new DataView(buffer);
  const bytes = new Uint8Array(buffer);
  const addresses = new PackedAddresses();
  const self = [0, 4]
    .map((offset) => view.getUint32(result + offset, true))
    .filter((at) => at !== 0)
    .map((at) => addresses.textAt(bytes, at));
  return [...new Set(self)].sort();
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

export type { Address, Entry, SketchEntry };
export {
  address,
  asText,
  entry,
  layOutSketch,
  packed,
  readRanked,
  readSelf,
  scanner,
  talkerEntry,
  textOf,
};
