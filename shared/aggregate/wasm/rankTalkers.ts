// AssemblyScript: the read-out's ranking of one window's top talkers
// (../windowReader.ts and rollupJson.ts call it once per window), with no
// string and no object per entry: the ENI's own addresses inferred, the entries of one
// (peer, port, protocol) summed, and the first TOP_LIST_SIZE chosen. The
// result equals what inferSelf, toTopTalkers and rankTalkers
// (../topLists.ts) give for the same entries as text; a test holds both
// to it. Addresses are compared as their texts only where counts tie.

import {
  addressBytes,
  compareAddresses,
  hashAddress,
  isSameAddress,
} from './addresses';
import { DIRECTION_EGRESS, DIRECTION_INGRESS } from './bytes';
import { alloc } from './heap';
import {
  N_BYTES,
  N_FLOWS,
  N_LABEL,
  N_PACKETS,
  N_SIZE,
  PACKED,
  S_COUNT,
  S_ENTRIES,
  S_LABEL_LENGTHS,
} from './sketch';

/** TOP_LIST_SIZE (../../flowLogRules.ts). */
const TOP: i32 = 20;
/** Entries a sketch holds at most (its count is a u8). */
const MAX_ENTRIES: i32 = 256;
/** Hash slots at most: a power of two over twice the addresses (2 an entry). */
const MAX_SLOTS: i32 = 1024;

// The result the host reads (../windowReader.ts mirrors this layout).
/** Two u32s: the own address inferred in each family (IPv4, IPv6), 0 for none. */
export const R_SELF = 0;
/** TOP entries of R_SIZE bytes, in rank order. */
export const R_ENTRIES = 8;
export const R_PEER = 0; // u32: the peer's packed address
export const R_PORT = 4; // i32, -1 for none
export const R_PROTOCOL = 8; // i32, -1 for none
export const R_FLOWS = 16; // f64
export const R_PACKETS = 24; // f64
export const R_BYTES = 32; // f64
export const R_SIZE = 40;

let result: usize = 0;
// Addresses seen (inferSelf): packed address, family, flows; insertion order.
let addressAt: usize = 0;
let addressFamily: usize = 0;
let addressFlows: usize = 0;
// Groups of one (peer, port, protocol), in the order they first appear.
let groupPeer: usize = 0;
let groupPort: usize = 0;
let groupProtocol: usize = 0;
let groupFlows: usize = 0;
let groupPackets: usize = 0;
let groupBytes: usize = 0;
/** Hash slots: an index + 1 into the addresses or the groups, 0 = empty. */
let slots: usize = 0;
/** The groups kept, best first. */
let top: usize = 0;

/** Allocates the scratch (at each init: the heap starts anew). */
export function initRanking(): void {
  result = alloc(<usize>(R_ENTRIES + TOP * R_SIZE));
  addressAt = alloc(<usize>MAX_ENTRIES * 2 * 4);
  addressFamily = alloc(<usize>MAX_ENTRIES * 2);
  addressFlows = alloc(<usize>MAX_ENTRIES * 2 * 8);
  groupPeer = alloc(<usize>MAX_ENTRIES * 4);
  groupPort = alloc(<usize>MAX_ENTRIES * 4);
  groupProtocol = alloc(<usize>MAX_ENTRIES * 4);
  groupFlows = alloc(<usize>MAX_ENTRIES * 8);
  groupPackets = alloc(<usize>MAX_ENTRIES * 8);
  groupBytes = alloc(<usize>MAX_ENTRIES * 8);
  slots = alloc(<usize>MAX_SLOTS * 2);
  top = alloc(<usize>(TOP + 1) * 4);
}

/** Where rankTalkers writes its result. */
export function rankingResult(): usize {
  return result;
}

/** The first slot of a hash in a table of `mask` + 1 slots. */
function slotOf(hash: u32, mask: u32): u32 {
  return ((hash * 0x9e3779b1) >> 16) & mask;
}

/** Slots for `items` keys: a power of two, at least twice as many. */
function maskFor(items: i32): u32 {
  let size: i32 = 16;
  while (size < items * 2 && size < MAX_SLOTS) size <<= 1;
  memory.fill(slots, 0, <usize>size * 2);
  return <u32>(size - 1);
}

let addressCount: i32 = 0;

/** Adds `flows` to an address of a family (inferSelf's counts). */
function countAddress(at: usize, family: i32, flows: f64, mask: u32): void {
  let slot = slotOf(hashAddress(at) ^ <u32>family, mask);
  for (;;) {
    const index = <i32>load<u16>(slots + <usize>slot * 2) - 1;
    if (index < 0) break;
    if (
      <i32>load<u8>(addressFamily + <usize>index) === family &&
      isSameAddress(at, <usize>load<u32>(addressAt + <usize>index * 4))
    ) {
      const cell = addressFlows + <usize>index * 8;
      store<f64>(cell, load<f64>(cell) + flows);
      return;
    }
    slot = (slot + 1) & mask;
  }
  const index = addressCount++;
  store<u16>(slots + <usize>slot * 2, <u16>(index + 1));
  store<u32>(addressAt + <usize>index * 4, <u32>at);
  store<u8>(addressFamily + <usize>index, <u8>family);
  store<f64>(addressFlows + <usize>index * 8, flows);
}

/**
 * inferSelf: per family (of the source), the address in the most flows
 * (ties: the lowest text), if in at least half of that family's flows.
 * Writes both to the result (0 for none).
 */
function inferSelf(entries: usize, count: i32): void {
  addressCount = 0;
  const mask = maskFor(count * 2);
  let total4: f64 = 0;
  let total6: f64 = 0;
  for (let k: i32 = 0; k < count; k++) {
    const entry = entries + <usize>k * N_SIZE;
    const src = <usize>load<u32>(entry + N_LABEL);
    const dst = src + addressBytes(src);
    const flows = <f64>load<u32>(entry + N_FLOWS);
    const family: i32 = load<u8>(src) === 4 ? 0 : 1;
    if (family === 0) total4 += flows;
    else total6 += flows;
    countAddress(src, family, flows, mask);
    if (!isSameAddress(dst, src)) countAddress(dst, family, flows, mask);
  }
  for (let family: i32 = 0; family < 2; family++) {
    let best: usize = 0;
    let bestFlows: f64 = 0;
    for (let index: i32 = 0; index < addressCount; index++) {
      if (<i32>load<u8>(addressFamily + <usize>index) !== family) continue;
      const at = <usize>load<u32>(addressAt + <usize>index * 4);
      const flows = load<f64>(addressFlows + <usize>index * 8);
      if (
        flows > bestFlows ||
        (flows === bestFlows && flows > 0 && compareAddresses(at, best) < 0)
      ) {
        best = at;
        bestFlows = flows;
      }
    }
    const total = family === 0 ? total4 : total6;
    const isSelf = bestFlows > 0 && bestFlows * 2 >= total;
    store<u32>(result + R_SELF + <usize>family * 4, isSelf ? <u32>best : 0);
  }
}

/**
 * Whether the address at `at` is one of the own addresses the last
 * rankTalkers inferred.
 */
export function isSelf(at: usize): bool {
  const a = <usize>load<u32>(result + R_SELF);
  const b = <usize>load<u32>(result + R_SELF + 4);
  return (a !== 0 && isSameAddress(at, a)) || (b !== 0 && isSameAddress(at, b));
}

/** Whether group `a` ranks before group `b`: bytes, peer text, port, protocol. */
function isBefore(a: usize, b: usize): bool {
  const x = load<f64>(groupBytes + a * 8);
  const y = load<f64>(groupBytes + b * 8);
  if (x !== y) return x > y;
  const byPeer = compareAddresses(
    <usize>load<u32>(groupPeer + a * 4),
    <usize>load<u32>(groupPeer + b * 4)
  );
  if (byPeer !== 0) return byPeer < 0;
  const portA = load<i32>(groupPort + a * 4);
  const portB = load<i32>(groupPort + b * 4);
  if (portA !== portB) return portA < portB;
  return load<i32>(groupProtocol + a * 4) < load<i32>(groupProtocol + b * 4);
}

/** The port (3 bytes) at `at` of a label's tail; -1 for none (all ones). */
export function portAt(at: usize): i32 {
  const port =
    ((<i32>load<u8>(at)) << 16) |
    ((<i32>load<u8>(at + 1)) << 8) |
    <i32>load<u8>(at + 2);
  return port === 0xffffff ? -1 : port;
}

/** The protocol (2 bytes) at `at` of a label's tail; -1 for none. */
export function protocolAt(at: usize): i32 {
  const protocol = ((<i32>load<u8>(at)) << 8) | <i32>load<u8>(at + 1);
  return protocol === 0xffff ? -1 : protocol;
}

/**
 * Ranks the talker sketch at `sketch` when every label is packed: the own
 * addresses inferred (when some entry has no direction), each entry's peer
 * grouped with its port and protocol, counts summed in the entries' order,
 * and the first TOP groups written to the result, best first. Returns
 * how many were written, or -1 (nothing written) when a label is text:
 * the host then ranks the entries as text.
 */
export function rankTalkers(sketch: usize): i32 {
  const count = <i32>load<u8>(sketch + S_COUNT);
  const entries = <usize>load<u32>(sketch + S_ENTRIES);
  const lengths = <usize>load<u32>(sketch + S_LABEL_LENGTHS);
  // No own address until inferred: a -1 leaves none for rankRejected.
  store<u64>(result + R_SELF, 0);
  let hasUnknown = false;
  for (let k: i32 = 0; k < count; k++) {
    if ((<i32>load<u8>(lengths + <usize>k * 2) & PACKED) === 0) return -1;
    const src = <usize>load<u32>(entries + <usize>k * N_SIZE + N_LABEL);
    const dst = src + addressBytes(src);
    if (load<u8>(dst + addressBytes(dst)) === 0) hasUnknown = true;
  }
  if (hasUnknown) inferSelf(entries, count);
  // Group by (peer, port, protocol), in the order groups first appear.
  const mask = maskFor(count);
  let groups: i32 = 0;
  for (let k: i32 = 0; k < count; k++) {
    const entry = entries + <usize>k * N_SIZE;
    const src = <usize>load<u32>(entry + N_LABEL);
    const dst = src + addressBytes(src);
    const tail = dst + addressBytes(dst);
    const direction = <i32>load<u8>(tail);
    const peer =
      direction === DIRECTION_INGRESS
        ? src
        : direction === DIRECTION_EGRESS
          ? dst
          : isSelf(src)
            ? dst
            : src;
    const port = portAt(tail + 1);
    const protocol = protocolAt(tail + 4);
    let slot = slotOf(
      hashAddress(peer) ^ (<u32>port * 0x27d4eb2d) ^ ((<u32>protocol) << 24),
      mask
    );
    let group: i32 = -1;
    for (;;) {
      const index = <i32>load<u16>(slots + <usize>slot * 2) - 1;
      if (index < 0) break;
      const at = <usize>index;
      if (
        load<i32>(groupPort + at * 4) === port &&
        load<i32>(groupProtocol + at * 4) === protocol &&
        isSameAddress(peer, <usize>load<u32>(groupPeer + at * 4))
      ) {
        group = index;
        break;
      }
      slot = (slot + 1) & mask;
    }
    const flows = <f64>load<u32>(entry + N_FLOWS);
    const packets = load<f64>(entry + N_PACKETS);
    const bytes = load<f64>(entry + N_BYTES);
    if (group < 0) {
      const at = <usize>groups;
      store<u16>(slots + <usize>slot * 2, <u16>(groups + 1));
      store<u32>(groupPeer + at * 4, <u32>peer);
      store<i32>(groupPort + at * 4, port);
      store<i32>(groupProtocol + at * 4, protocol);
      store<f64>(groupFlows + at * 8, flows);
      store<f64>(groupPackets + at * 8, packets);
      store<f64>(groupBytes + at * 8, bytes);
      groups++;
      continue;
    }
    const at = <usize>group;
    store<f64>(groupFlows + at * 8, load<f64>(groupFlows + at * 8) + flows);
    store<f64>(
      groupPackets + at * 8,
      load<f64>(groupPackets + at * 8) + packets
    );
    store<f64>(groupBytes + at * 8, load<f64>(groupBytes + at * 8) + bytes);
  }
  // The first TOP groups, by insertion into the kept ones (best first).
  let kept: i32 = 0;
  for (let g: i32 = 0; g < groups; g++) {
    if (
      kept === TOP &&
      !isBefore(<usize>g, <usize>load<i32>(top + <usize>(TOP - 1) * 4))
    ) {
      continue;
    }
    let place = kept < TOP ? kept : TOP - 1;
    while (
      place > 0 &&
      isBefore(<usize>g, <usize>load<i32>(top + <usize>(place - 1) * 4))
    ) {
      store<i32>(
        top + <usize>place * 4,
        load<i32>(top + <usize>(place - 1) * 4)
      );
      place--;
    }
    store<i32>(top + <usize>place * 4, g);
    if (kept < TOP) kept++;
  }
  for (let rank: i32 = 0; rank < kept; rank++) {
    const at = <usize>load<i32>(top + <usize>rank * 4);
    const out = result + R_ENTRIES + <usize>rank * R_SIZE;
    store<u32>(out + R_PEER, load<u32>(groupPeer + at * 4));
    store<i32>(out + R_PORT, load<i32>(groupPort + at * 4));
    store<i32>(out + R_PROTOCOL, load<i32>(groupProtocol + at * 4));
    store<f64>(out + R_FLOWS, load<f64>(groupFlows + at * 8));
    store<f64>(out + R_PACKETS, load<f64>(groupPackets + at * 8));
    store<f64>(out + R_BYTES, load<f64>(groupBytes + at * 8));
  }
  return kept;
}
