import type {
  RejectedFlow,
  RejectedPort,
  RejectedSource,
  TopTalker,
} from '../types.js';
import { ByteReader, ByteWriter } from './byteCodec.js';

/** The top lists of one rollup, as `Rollup` has them (each may be absent or empty). */
interface TopLists {
  readonly topTalkers?: readonly TopTalker[];
  readonly topRejectedSources?: readonly RejectedSource[];
  readonly topRejectedFlows?: readonly RejectedFlow[];
  readonly topRejectedPorts?: readonly RejectedPort[];
}

// The first byte: the format version above bit 4, then whether each list
// is there (a rollup may carry an empty list: it reads back the same).
// Version 1 (before rejected flows) kept its version above bit 2 and two
// flags; it is still read.
const FORMAT_VERSION = 3;
const HAS_TALKERS = 1;
const HAS_REJECTED = 2;
const HAS_REJECTED_FLOWS = 4;
const HAS_REJECTED_PORTS = 8;

// A talker's first byte: bits 0-1 how its peer address is written
// (byteCodec's ADDRESS_*), bits 2-3 its protocol, bit 4 whether a port
// follows. Most talkers are TCP or UDP: those protocols take no byte.
const PROTOCOL_NONE = 0;
const PROTOCOL_TCP = 1;
const PROTOCOL_UDP = 2;
const PROTOCOL_OTHER = 3;
const HAS_PORT = 16;

function protocolCode(protocol: number | null): number {
  if (protocol === null) return PROTOCOL_NONE;
  if (protocol === 6) return PROTOCOL_TCP;
  if (protocol === 17) return PROTOCOL_UDP;
  return PROTOCOL_OTHER;
}

/**
 * The top lists of one rollup in a compact binary form (an attribute of
 * type B): a byte with the format version and which lists there are; then
 * each list's length and entries. A talker is a header byte (how its peer
 * is written, its protocol, whether it has a port), its peer as 4 or 16 raw
 * bytes (the text when the address is not in canonical form), port,
 * protocol when neither TCP nor UDP, and flows, packets, bytes as varints:
 * 12-14 bytes for a typical IPv4 talker (JSON took about 80). A rejected
 * source is a header byte, its address and three varints; a rejected flow
 * (source, destination port, protocol) is written as a talker is, a
 * rejected port as a talker without its address.
 * Throws `RangeError` on a count that is not a non-negative safe integer.
 * @example encodeTopLists({ topTalkers: rollup.topTalkers, topRejectedSources: rollup.topRejectedSources })
 */
function encodeTopLists(lists: TopLists): Uint8Array {
  const out = new ByteWriter();
  const { topTalkers, topRejectedSources, topRejectedFlows, topRejectedPorts } =
    lists;
  out.byte(
    (FORMAT_VERSION << 4) |
      (topRejectedPorts ? HAS_REJECTED_PORTS : 0) |
      (topTalkers ? HAS_TALKERS : 0) |
      (topRejectedSources ? HAS_REJECTED : 0) |
      (topRejectedFlows ? HAS_REJECTED_FLOWS : 0)
  );
  if (topTalkers) {
    out.varint(topTalkers.length);
    for (const talker of topTalkers) writeTalker(out, talker);
  }
  if (topRejectedSources) {
    out.varint(topRejectedSources.length);
    for (const source of topRejectedSources) {
      const body = new ByteWriter();
      const kind = body.address(source.address);
      body.varint(source.flows);
      body.varint(source.packets);
      body.varint(source.bytes);
      out.byte(kind);
      out.bytes(body.finish());
    }
  }
  if (topRejectedFlows) {
    // A rejected flow is written as a talker whose peer is its source.
    out.varint(topRejectedFlows.length);
    for (const { address, ...flow } of topRejectedFlows) {
      writeTalker(out, { peer: address, ...flow });
    }
  }
  if (topRejectedPorts) {
    out.varint(topRejectedPorts.length);
    for (const port of topRejectedPorts) {
      const code = protocolCode(port.protocol);
      out.byte((code << 2) | (port.port === null ? 0 : HAS_PORT));
      if (port.port !== null) out.varint(port.port);
      if (code === PROTOCOL_OTHER) out.varint(port.protocol ?? 0);
      out.varint(port.flows);
      out.varint(port.packets);
      out.varint(port.bytes);
    }
  }
  return out.finish();
}

/** A talker (or a rejected flow): header byte, address, port, protocol, counts. */
function writeTalker(out: ByteWriter, talker: TopTalker): void {
  // The header byte comes first, but how the address is written is
  // known only once it is: write the rest into its own buffer.
  const body = new ByteWriter();
  const kind = body.address(talker.peer);
  const code = protocolCode(talker.protocol);
  if (talker.port !== null) body.varint(talker.port);
  if (code === PROTOCOL_OTHER) body.varint(talker.protocol ?? 0);
  body.varint(talker.flows);
  body.varint(talker.packets);
  body.varint(talker.bytes);
  out.byte(kind | (code << 2) | (talker.port === null ? 0 : HAS_PORT));
  out.bytes(body.finish());
}

function readTalker(input: ByteReader): TopTalker {
  const header = input.byte();
  if (header >= 32) throw new RangeError(`bad talker header ${header}`);
  const peer = input.address(header & 3);
  const code = (header >> 2) & 3;
  const port = header & HAS_PORT ? input.varint() : null;
  const protocol = readProtocol(input, code);
  const flows = input.varint();
  const packets = input.varint();
  return { peer, port, protocol, flows, packets, bytes: input.varint() };
}

/** The protocol a header's code names (reading it when another). */
function readProtocol(input: ByteReader, code: number): number | null {
  if (code === PROTOCOL_NONE) return null;
  if (code === PROTOCOL_TCP) return 6;
  if (code === PROTOCOL_UDP) return 17;
  return input.varint();
}

function readPort(input: ByteReader): RejectedPort {
  const header = input.byte();
  if ((header & ~(HAS_PORT | 12)) !== 0) {
    throw new RangeError(`bad port header ${header}`);
  }
  const port = header & HAS_PORT ? input.varint() : null;
  const protocol = readProtocol(input, (header >> 2) & 3);
  const flows = input.varint();
  const packets = input.varint();
  return { port, protocol, flows, packets, bytes: input.varint() };
}

function readRejected(input: ByteReader): RejectedSource {
  const header = input.byte();
  if (header >= 4) throw new RangeError(`bad source header ${header}`);
  const address = input.address(header);
  const flows = input.varint();
  const packets = input.varint();
  return { address, flows, packets, bytes: input.varint() };
}

/**
 * Reads top lists written by `encodeTopLists`, exactly as they were (an
 * absent list stays absent, an empty one empty). Throws `RangeError` on
 * bytes it did not write (another format version, truncated, trailing
 * bytes, a bad header).
 */
function decodeTopLists(bytes: Uint8Array): {
  topTalkers?: TopTalker[];
  topRejectedSources?: RejectedSource[];
  topRejectedFlows?: RejectedFlow[];
  topRejectedPorts?: RejectedPort[];
} {
  const input = new ByteReader(bytes);
  const first = input.byte();
  const isVersion1 = first >> 2 === 1;
  if (!isVersion1 && first >> 4 !== FORMAT_VERSION) {
    throw new RangeError(`unknown top-list format ${first >> 4}`);
  }
  const lists: {
    topTalkers?: TopTalker[];
    topRejectedSources?: RejectedSource[];
    topRejectedFlows?: RejectedFlow[];
    topRejectedPorts?: RejectedPort[];
  } = {};
  if (first & HAS_TALKERS) {
    const talkers: TopTalker[] = [];
    for (let n = input.varint(); n > 0; n--) talkers.push(readTalker(input));
    lists.topTalkers = talkers;
  }
  if (first & HAS_REJECTED) {
    const sources: RejectedSource[] = [];
    for (let n = input.varint(); n > 0; n--) sources.push(readRejected(input));
    lists.topRejectedSources = sources;
  }
  if (!isVersion1 && first & HAS_REJECTED_FLOWS) {
    const flows: RejectedFlow[] = [];
    for (let n = input.varint(); n > 0; n--) {
      const { peer, ...flow } = readTalker(input);
      flows.push({ address: peer, ...flow });
    }
    lists.topRejectedFlows = flows;
  }
  if (!isVersion1 && first & HAS_REJECTED_PORTS) {
    const ports: RejectedPort[] = [];
    for (let n = input.varint(); n > 0; n--) ports.push(readPort(input));
    lists.topRejectedPorts = ports;
  }
  if (!input.isAtEnd) throw new RangeError('bytes after the top lists');
  return lists;
}

export type { TopLists };
export { decodeTopLists, encodeTopLists };
