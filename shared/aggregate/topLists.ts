import { TOP_LIST_SIZE } from '../flowLogRules.js';
import type {
  RejectedFlow,
  RejectedPort,
  RejectedSource,
  TopTalker,
} from '../types.js';
import type { SketchEntry } from './topSketch.js';

/**
 * The top lists of a rollup: the sketches' keys taken apart (the binary
 * tails both ingest paths write), the ENI's own addresses inferred, and
 * the lists ranked and cut. Shared by the typed path, the WebAssembly
 * scanner's read-out and the merges.
 */

/** `RecordFacts.direction`: unknown, ingress, egress (flow-direction). */
const DIRECTION_UNKNOWN = 0;
const DIRECTION_INGRESS = 1;
const DIRECTION_EGRESS = 2;

/** Bytes of the binary tail of a talker key: direction, port (3), protocol (2). */
const TAIL_BYTES = 6;
/** Bytes of the binary tail of a rejected-flow key: destination port (3), protocol (2). */
const REJECTED_TAIL_BYTES = 5;

// A leading BOM is text, as the typed path (which decodes whole lines) keeps it.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** UTF-8 text of a short byte run; ASCII (every address) skips the decoder. */
function decodeText(bytes: Uint8Array): string {
  for (let i = 0; i < bytes.length; i++) {
    if ((bytes[i] as number) >= 0x80) return decoder.decode(bytes);
  }
  // apply takes the typed array as it is (spreading would iterate it).
  return String.fromCharCode.apply(null, bytes as unknown as number[]);
}

/** The port in 3 bytes at `at` of a key's tail; -1 for none (all ones). */
function portAt(bytes: Uint8Array, at: number): number {
  const port =
    ((bytes[at] as number) << 16) |
    ((bytes[at + 1] as number) << 8) |
    (bytes[at + 2] as number);
  return port === 0xffffff ? -1 : port;
}

/** The protocol in 2 bytes at `at` of a key's tail; -1 for none (all ones). */
function protocolAt(bytes: Uint8Array, at: number): number {
  const protocol = ((bytes[at] as number) << 8) | (bytes[at + 1] as number);
  return protocol === 0xffff ? -1 : protocol;
}

/** A top-talker key taken apart, with its counts. */
interface DecodedTalker {
  src: string;
  dst: string;
  direction: number;
  port: number | null;
  protocol: number | null;
  flows: number;
  packets: number;
  bytes: number;
}

/**
 * A talker from its addresses and the binary tail of its key at `tail` in
 * `bytes` (direction, service port in 3 bytes, protocol in 2; all ones for
 * none).
 */
function talkerOf(
  src: string,
  dst: string,
  bytes: Uint8Array,
  tail: number,
  entry: Omit<SketchEntry, 'key' | 'weight'>
): DecodedTalker {
  const port = portAt(bytes, tail + 1);
  const protocol = protocolAt(bytes, tail + 4);
  return {
    src,
    dst,
    direction: bytes[tail] as number,
    port: port < 0 ? null : port,
    protocol: protocol < 0 ? null : protocol,
    flows: entry.flows,
    packets: entry.packets,
    bytes: entry.bytes,
  };
}

/** A talker sketch entry taken apart: `src dst` text, then the tail. */
function decodeTalker(entry: SketchEntry): DecodedTalker {
  const { key } = entry;
  const tail = key.length - TAIL_BYTES;
  const space = key.indexOf(0x20);
  return talkerOf(
    decodeText(key.subarray(0, space < 0 ? tail : space)),
    space < 0 ? '' : decodeText(key.subarray(space + 1, tail)),
    key,
    tail,
    entry
  );
}

/** A rejected-source sketch entry: its key is the address. */
function decodeSource(entry: SketchEntry): RejectedSource {
  return {
    address: decodeText(entry.key),
    flows: entry.flows,
    packets: entry.packets,
    bytes: entry.bytes,
  };
}

/**
 * A rejected flow from the tail of its key at `tail` in `bytes`
 * (destination port in 3 bytes, protocol in 2; all ones for none).
 */
function rejectedFlowOf(
  address: string,
  bytes: Uint8Array,
  tail: number,
  entry: Omit<SketchEntry, 'key' | 'weight'>
): RejectedFlow {
  const port = portAt(bytes, tail);
  const protocol = protocolAt(bytes, tail + 3);
  return {
    address,
    port: port < 0 ? null : port,
    protocol: protocol < 0 ? null : protocol,
    flows: entry.flows,
    packets: entry.packets,
    bytes: entry.bytes,
  };
}

/** A rejected-port sketch entry: its key is the tail alone. */
function decodeRejectedPort(entry: SketchEntry): RejectedPort {
  const { address: _, ...port } = rejectedFlowOf('', entry.key, 0, entry);
  return port;
}

/** A rejected-flow sketch entry: the source address text, then the tail. */
function decodeRejectedFlow(entry: SketchEntry): RejectedFlow {
  const tail = entry.key.length - REJECTED_TAIL_BYTES;
  return rejectedFlowOf(
    decodeText(entry.key.subarray(0, tail)),
    entry.key,
    tail,
    entry
  );
}

/**
 * The ENI's own addresses when some flows lack a direction: per address
 * family, the address seen in the most flows (ties: the lowest), if it is in
 * at least half of that family's flows. Empty when every flow has a direction.
 */
function inferSelf(talkers: DecodedTalker[]): Set<string> {
  const self = new Set<string>();
  if (!talkers.some((t) => t.direction === DIRECTION_UNKNOWN)) return self;
  // One pass; index 0 counts IPv4 flows, 1 IPv6 (by the source's family).
  const flowsByAddress = [new Map<string, number>(), new Map<string, number>()];
  const totals = [0, 0];
  for (const { src, dst, flows } of talkers) {
    const family = src.includes(':') ? 1 : 0;
    const counts = flowsByAddress[family] as Map<string, number>;
    totals[family] = (totals[family] as number) + flows;
    counts.set(src, (counts.get(src) ?? 0) + flows);
    if (dst !== src) counts.set(dst, (counts.get(dst) ?? 0) + flows);
  }
  flowsByAddress.forEach((counts, family) => {
    let best = '';
    let bestFlows = 0;
    for (const [address, flows] of counts) {
      if (flows > bestFlows || (flows === bestFlows && address < best)) {
        best = address;
        bestFlows = flows;
      }
    }
    if (bestFlows > 0 && bestFlows * 2 >= (totals[family] as number)) {
      self.add(best);
    }
  });
  return self;
}

/**
 * Turns tracked (src, dst, port, protocol) keys into peers of the ENI: the
 * source of ingress and the destination of egress traffic; without a
 * direction, the side that is not the ENI's own (inferred) address.
 */
function toTopTalkers(
  talkers: DecodedTalker[],
  self: Set<string>
): TopTalker[] {
  const byPeer = new Map<string, TopTalker>();
  for (const talker of talkers) {
    const { src, dst, direction, port, protocol } = talker;
    const peer =
      direction === DIRECTION_INGRESS
        ? src
        : direction === DIRECTION_EGRESS
          ? dst
          : self.has(src)
            ? dst
            : src;
    const id = `${peer} ${port} ${protocol}`;
    const seen = byPeer.get(id);
    byPeer.set(id, {
      peer,
      port,
      protocol,
      flows: (seen?.flows ?? 0) + talker.flows,
      packets: (seen?.packets ?? 0) + talker.packets,
      bytes: (seen?.bytes ?? 0) + talker.bytes,
    });
  }
  return rankTalkers([...byPeer.values()]);
}

/** Sorts by bytes (then peer, port, protocol) and keeps the top `size`. */
function rankTalkers(talkers: TopTalker[], size = TOP_LIST_SIZE): TopTalker[] {
  return talkers
    .sort(
      (a, b) =>
        b.bytes - a.bytes ||
        compareText(a.peer, b.peer) ||
        (a.port ?? -1) - (b.port ?? -1) ||
        (a.protocol ?? -1) - (b.protocol ?? -1)
    )
    .slice(0, size);
}

/** Sorts by flows (then bytes, address) and keeps the top `size`. */
function rankRejected(
  sources: RejectedSource[],
  size = TOP_LIST_SIZE
): RejectedSource[] {
  return sources
    .sort(
      (a, b) =>
        b.flows - a.flows ||
        b.bytes - a.bytes ||
        compareText(a.address, b.address)
    )
    .slice(0, size);
}

/**
 * Sorts by flows (then bytes, address, port, protocol) and keeps the top
 * `size`.
 */
function rankRejectedFlows(
  flows: RejectedFlow[],
  size = TOP_LIST_SIZE
): RejectedFlow[] {
  return flows
    .sort(
      (a, b) =>
        b.flows - a.flows ||
        b.bytes - a.bytes ||
        compareText(a.address, b.address) ||
        (a.port ?? -1) - (b.port ?? -1) ||
        (a.protocol ?? -1) - (b.protocol ?? -1)
    )
    .slice(0, size);
}

type Counts = { flows: number; packets: number; bytes: number };

/**
 * Entries of any lists with the same key as one: counts added, the first's
 * other fields kept (they make the key). One copy per key, added to in
 * place; the inputs are not changed.
 */
function sumByKey<T extends Counts>(
  lists: Iterable<readonly T[]>,
  keyOf: (entry: T) => string
): T[] {
  const byKey = new Map<string, T>();
  for (const entries of lists) {
    for (const entry of entries) {
      const key = keyOf(entry);
      const seen = byKey.get(key);
      if (seen === undefined) {
        byKey.set(key, { ...entry });
        continue;
      }
      seen.flows += entry.flows;
      seen.packets += entry.packets;
      seen.bytes += entry.bytes;
    }
  }
  return [...byKey.values()];
}

/** The keys top-list entries are summed by. */
const talkerKey = (talker: TopTalker): string =>
  `${talker.peer} ${talker.port} ${talker.protocol}`;
const sourceKey = (source: RejectedSource): string => source.address;
const flowKey = (flow: RejectedFlow): string =>
  `${flow.address} ${flow.port} ${flow.protocol}`;
const portKey = (port: RejectedPort): string => `${port.port} ${port.protocol}`;

/** Sorts by flows (then bytes, port, protocol) and keeps the top `size`. */
function rankRejectedPorts(
  ports: RejectedPort[],
  size = TOP_LIST_SIZE
): RejectedPort[] {
  return ports
    .sort(
      (a, b) =>
        b.flows - a.flows ||
        b.bytes - a.bytes ||
        (a.port ?? -1) - (b.port ?? -1) ||
        (a.protocol ?? -1) - (b.protocol ?? -1)
    )
    .slice(0, size);
}

/** Code-unit order of two strings, for stable sorts (-1, 0, 1). */
const compareText = (a: string, b: string): number =>
  a < b ? -1 : a > b ? 1 : 0;

export type { DecodedTalker };
export {
  compareText,
  DIRECTION_EGRESS,
  DIRECTION_INGRESS,
  DIRECTION_UNKNOWN,
  decodeRejectedFlow,
  decodeRejectedPort,
  decodeSource,
  decodeTalker,
  flowKey,
  inferSelf,
  portAt,
  portKey,
  protocolAt,
  REJECTED_TAIL_BYTES,
  rankRejected,
  rankRejectedFlows,
  rankRejectedPorts,
  rankTalkers,
  rejectedFlowOf,
  sourceKey,
  sumByKey,
  TAIL_BYTES,
  talkerKey,
  talkerOf,
  toTopTalkers,
};
