// AssemblyScript: the read-out's ranking of one window's rejected lists
// (../windowReader.ts and rollupJson.ts call it after rankTalkers), with
// no string and no object per entry: the ENI's own addresses left out, the first
// TOP_LIST_SIZE entries chosen. The result equals what rankRejected,
// rankRejectedFlows and rankRejectedPorts (../topLists.ts) give for the
// same entries as text (with rankRejections' filter, ../toRollup.ts); a test holds them
// to it. Addresses are compared as their texts only where counts tie.

import { compareAddresses } from './addresses';
import { alloc } from './heap';
import {
  isSelf,
  portAt,
  protocolAt,
  R_BYTES,
  R_ENTRIES,
  R_FLOWS,
  R_PACKETS,
  R_PEER,
  R_PORT,
  R_PROTOCOL,
  R_SIZE,
} from './rankTalkers';
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
/** The kinds of rejected list: their labels and their order. */
const SOURCES: i32 = 0; // label: the source address; flows, bytes, address
// 1, flows: the source address, then port (3) and protocol (2)
const PORTS: i32 = 2; // port (3) and protocol (2); flows, bytes, port, protocol

/** Where rankRejected writes (the layout of rankTalkers' result, R_*). */
let result: usize = 0;
/** The entries kept, best first. */
let top: usize = 0;

/** Allocates the result (at each init: the heap starts anew). */
export function initRejectedRanking(): void {
  result = alloc(<usize>(R_ENTRIES + TOP * R_SIZE));
  top = alloc(<usize>(TOP + 1) * 4);
}

/** Where rankRejected writes its result. */
export function rejectedResult(): usize {
  return result;
}

let kind: i32 = SOURCES;
let entries: usize = 0;

/** The address of entry `k` (0 for a port list). */
function addressOf(k: usize): usize {
  return kind === PORTS ? 0 : <usize>load<u32>(entries + k * N_SIZE + N_LABEL);
}

/** The tail of entry `k`: its port (3 bytes), then its protocol (2). */
function tailOf(k: usize): usize {
  const label = <usize>load<u32>(entries + k * N_SIZE + N_LABEL);
  if (kind === PORTS) return label;
  return label + (load<u8>(label) === 4 ? 5 : 17);
}

/** Whether entry `a` ranks before entry `b`: flows, bytes, address, port, protocol. */
function isBefore(a: usize, b: usize): bool {
  const x = entries + a * N_SIZE;
  const y = entries + b * N_SIZE;
  const flowsA = load<u32>(x + N_FLOWS);
  const flowsB = load<u32>(y + N_FLOWS);
  if (flowsA !== flowsB) return flowsA > flowsB;
  const bytesA = load<f64>(x + N_BYTES);
  const bytesB = load<f64>(y + N_BYTES);
  if (bytesA !== bytesB) return bytesA > bytesB;
  if (kind !== PORTS) {
    const byAddress = compareAddresses(addressOf(a), addressOf(b));
    if (byAddress !== 0) return byAddress < 0;
    if (kind === SOURCES) return false;
  }
  const tailA = tailOf(a);
  const tailB = tailOf(b);
  const portA = portAt(tailA);
  const portB = portAt(tailB);
  if (portA !== portB) return portA < portB;
  return protocolAt(tailA + 3) < protocolAt(tailB + 3);
}

/**
 * Ranks the rejected list of `listKind` (0 sources, 1 flows, 2 ports) in
 * the sketch at `sketch`: the sources and flows from the own addresses the
 * last rankTalkers inferred are left out, the first TOP entries written to
 * the result, best first. Returns how many, or -1 (nothing written) when
 * an address is text: the host then ranks the entries as text.
 */
export function rankRejected(sketch: usize, listKind: i32): i32 {
  kind = listKind;
  const count = <i32>load<u8>(sketch + S_COUNT);
  entries = <usize>load<u32>(sketch + S_ENTRIES);
  const lengths = <usize>load<u32>(sketch + S_LABEL_LENGTHS);
  if (kind !== PORTS) {
    for (let k: i32 = 0; k < count; k++) {
      if ((<i32>load<u8>(lengths + <usize>k * 2) & PACKED) === 0) return -1;
    }
  }
  let kept: i32 = 0;
  for (let k: i32 = 0; k < count; k++) {
    const entry = <usize>k;
    if (kind !== PORTS && isSelf(addressOf(entry))) continue;
    const last = <usize>load<i32>(top + <usize>(TOP - 1) * 4);
    if (kept === TOP && !isBefore(entry, last)) continue;
    let place = kept < TOP ? kept : TOP - 1;
    while (place > 0) {
      const before = <usize>load<i32>(top + <usize>(place - 1) * 4);
      if (!isBefore(entry, before)) break;
      store<i32>(top + <usize>place * 4, <i32>before);
      place--;
    }
    store<i32>(top + <usize>place * 4, k);
    if (kept < TOP) kept++;
  }
  for (let rank: i32 = 0; rank < kept; rank++) {
    const k = <usize>load<i32>(top + <usize>rank * 4);
    const entry = entries + k * N_SIZE;
    const out = result + R_ENTRIES + <usize>rank * R_SIZE;
    store<u32>(out + R_PEER, <u32>addressOf(k));
    if (kind === SOURCES) {
      store<i32>(out + R_PORT, -1);
      store<i32>(out + R_PROTOCOL, -1);
    } else {
      const tail = tailOf(k);
      store<i32>(out + R_PORT, portAt(tail));
      store<i32>(out + R_PROTOCOL, protocolAt(tail + 3));
    }
    store<f64>(out + R_FLOWS, <f64>load<u32>(entry + N_FLOWS));
    store<f64>(out + R_PACKETS, load<f64>(entry + N_PACKETS));
    store<f64>(out + R_BYTES, load<f64>(entry + N_BYTES));
  }
  return kept;
}
