import type { RecordFacts } from './recordFacts.js';
import { REJECTED_TAIL_BYTES, TAIL_BYTES } from './topLists.js';
import { mixHash } from './topSketch.js';

// The keys of a record in the top-list sketches, as both ingest paths
// compute them: the hashes of a talker, a rejected flow and a rejected
// port, and the binary tails their labels end with (port and protocol).
// The WebAssembly twin is wasm/topListKeys.ts.

const HASH_PRIME = 0x01000193;

/**
 * The hash that identifies a top-talker key: source and destination address
 * hashes (`hashBytes`, a multiply-xorshift hash of their bytes) mixed with direction, service port (the
 * lower of the two ports) and protocol. Both ingest paths call this.
 */
function talkerHash(srcHash: number, dstHash: number, facts: RecordFacts) {
  const { srcport, dstport, protocol } = facts;
  const port =
    srcport < 0 || dstport < 0 ? 0xffffff : Math.min(srcport, dstport);
  let hash = Math.imul(srcHash ^ 0x20, HASH_PRIME);
  hash = Math.imul(hash ^ dstHash, HASH_PRIME);
  hash = Math.imul(hash ^ (facts.direction | (port << 2)), HASH_PRIME);
  return mixHash(
    Math.imul(hash ^ (protocol < 0 ? 0xffff : protocol), HASH_PRIME)
  );
}

/**
 * The hash that identifies a rejected-flow key: the source address hash
 * (`hashBytes`) mixed with the destination port and the protocol (all
 * ones when absent). Both ingest paths compute it.
 */
function rejectedFlowHash(srcHash: number, facts: RecordFacts): number {
  const port = facts.dstport < 0 ? 0xffffff : facts.dstport;
  let hash = Math.imul(srcHash ^ 0x52, HASH_PRIME);
  hash = Math.imul(hash ^ port, HASH_PRIME);
  return mixHash(
    Math.imul(hash ^ (facts.protocol < 0 ? 0xffff : facts.protocol), HASH_PRIME)
  );
}

/**
 * The hash that identifies a rejected-port key: destination port and
 * protocol (all ones when absent). Both ingest paths compute it.
 */
function rejectedPortHash(facts: RecordFacts): number {
  const port = facts.dstport < 0 ? 0xffffff : facts.dstport;
  const hash = Math.imul(port ^ 0x50, HASH_PRIME);
  return mixHash(
    Math.imul(hash ^ (facts.protocol < 0 ? 0xffff : facts.protocol), HASH_PRIME)
  );
}

const TAIL = new Uint8Array(TAIL_BYTES);
const REJECTED_TAIL = new Uint8Array(REJECTED_TAIL_BYTES);

/**
 * The tail of a talker label (`TAIL_BYTES`: direction, then service port
 * in three bytes and protocol in two, all ones when absent), written into
 * a buffer that the next call reuses.
 */
function talkerTail(facts: RecordFacts): Uint8Array {
  const { srcport, dstport, protocol } = facts;
  const port =
    srcport < 0 || dstport < 0 ? 0xffffff : Math.min(srcport, dstport);
  const proto = protocol < 0 ? 0xffff : protocol;
  TAIL[0] = facts.direction;
  TAIL[1] = (port >>> 16) & 0xff;
  TAIL[2] = (port >>> 8) & 0xff;
  TAIL[3] = port & 0xff;
  TAIL[4] = (proto >>> 8) & 0xff;
  TAIL[5] = proto & 0xff;
  return TAIL;
}

/**
 * The tail of a rejected-flow or rejected-port label
 * (`REJECTED_TAIL_BYTES`: destination port in three bytes, protocol in
 * two; all ones when absent), written into a buffer that the next call
 * reuses.
 */
function rejectedFlowTail(facts: RecordFacts): Uint8Array {
  const dstport = facts.dstport < 0 ? 0xffffff : facts.dstport;
  const proto = facts.protocol < 0 ? 0xffff : facts.protocol;
  REJECTED_TAIL[0] = (dstport >>> 16) & 0xff;
  REJECTED_TAIL[1] = (dstport >>> 8) & 0xff;
  REJECTED_TAIL[2] = dstport & 0xff;
  REJECTED_TAIL[3] = (proto >>> 8) & 0xff;
  REJECTED_TAIL[4] = proto & 0xff;
  return REJECTED_TAIL;
}

export {
  rejectedFlowHash,
  rejectedFlowTail,
  rejectedPortHash,
  talkerHash,
  talkerTail,
};
