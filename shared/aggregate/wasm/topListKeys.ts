// AssemblyScript: the keys of a record in the top-list sketches
// (topListUpdates.ts), as the typed path's ../topListKeys.ts computes
// them: the hashes of a talker, a rejected flow and a rejected port, and
// the tails their labels end with (port and protocol, packed).

import { mixHash } from './bytes';

const HASH_PRIME: u32 = 0x01000193;

/** ToInt32 of a safe integer held in a double, as JavaScript's bit operators. */
function toInt32(value: f64): i32 {
  return <i32>(<i64>value);
}

/** The service port as talkerHash computes it: lower port, or 0xffffff. */
function servicePort(srcport: f64, dstport: f64): f64 {
  return srcport < 0 || dstport < 0 ? 0xffffff : Math.min(srcport, dstport);
}

/** As talkerHash in ../topListKeys.ts. */
export function talkerHash(
  srcHash: u32,
  dstHash: u32,
  srcport: f64,
  dstport: f64,
  direction: i32,
  protocol: f64
): u32 {
  const port = servicePort(srcport, dstport);
  let hash = (srcHash ^ 0x20) * HASH_PRIME;
  hash = (hash ^ dstHash) * HASH_PRIME;
  hash = (hash ^ <u32>(direction | (toInt32(port) << 2))) * HASH_PRIME;
  return mixHash((hash ^ protocolKey(protocol)) * HASH_PRIME);
}

/** As rejectedFlowHash in ../topListKeys.ts: source, destination port, protocol. */
export function rejectedFlowHash(
  srcHash: u32,
  dstport: f64,
  protocol: f64
): u32 {
  const port: u32 = dstport < 0 ? 0xffffff : <u32>toInt32(dstport);
  let hash = (srcHash ^ 0x52) * HASH_PRIME;
  hash = (hash ^ port) * HASH_PRIME;
  return mixHash((hash ^ protocolKey(protocol)) * HASH_PRIME);
}

/** As rejectedPortHash in ../topListKeys.ts: destination port, protocol. */
export function rejectedPortHash(dstport: f64, protocol: f64): u32 {
  const port: u32 = dstport < 0 ? 0xffffff : <u32>toInt32(dstport);
  const hash = (port ^ 0x50) * HASH_PRIME;
  return mixHash((hash ^ protocolKey(protocol)) * HASH_PRIME);
}

/**
 * The five bytes that end a rejected-flow label (destination port in three
 * bytes, protocol in two; all ones when absent), in the low bytes of a word.
 */
export function rejectedFlowTail(dstport: f64, protocolValue: f64): u64 {
  const port: u64 = dstport < 0 ? 0xffffff : <u64>(<i64>dstport);
  const protocol = <u64>protocolKey(protocolValue);
  return (
    ((port >> 16) & 0xff) |
    (((port >> 8) & 0xff) << 8) |
    ((port & 0xff) << 16) |
    (((protocol >> 8) & 0xff) << 24) |
    ((protocol & 0xff) << 32)
  );
}

/** The protocol as talker keys hold it: ToInt32 of it, or 0xffff if absent. */
function protocolKey(protocol: f64): u32 {
  return protocol < 0 ? 0xffff : <u32>toInt32(protocol);
}

/**
 * The six bytes that end a talker label (direction, service port in three
 * bytes, protocol in two), as TopSketch keys do, in the low bytes of a word.
 */
export function talkerTail(
  srcport: f64,
  dstport: f64,
  direction: i32,
  protocolValue: f64
): u64 {
  const port = <u64>(<i64>servicePort(srcport, dstport));
  const protocol = <u64>protocolKey(protocolValue);
  return (
    <u64>direction |
    (((port >> 16) & 0xff) << 8) |
    (((port >> 8) & 0xff) << 16) |
    ((port & 0xff) << 24) |
    (((protocol >> 8) & 0xff) << 32) |
    ((protocol & 0xff) << 40)
  );
}
