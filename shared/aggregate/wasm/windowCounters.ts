// AssemblyScript: the counters of the scanner's windows (windowLayout.ts):
// what one valid record adds to the window of its start and, prorated by
// the largest-remainder method (prorate.ts), to the windows it spans, as
// RollupAccumulator.add does on the typed path.

import {
  ACTION_ACCEPT,
  ACTION_REJECT,
  DIRECTION_EGRESS,
  DIRECTION_INGRESS,
  STATUS_NODATA,
  STATUS_SKIPDATA,
} from './bytes';
import { alloc } from './heap';
import { windowOf } from './itemTables';
import {
  firstOfTwo,
  MAX_SPAN_WINDOWS,
  splitByOverlap,
  WINDOW_SECONDS,
  windowStartOf,
} from './prorate';
import {
  C_ACCEPT_BYTES,
  C_ACCEPT_FLOWS,
  C_ACCEPT_PACKETS,
  C_BYTES,
  C_EGRESS_BYTES,
  C_EGRESS_PACKETS,
  C_FLOWS,
  C_ICMP_BYTES,
  C_INGRESS_BYTES,
  C_INGRESS_PACKETS,
  C_NODATA,
  C_OTHER_BYTES,
  C_PACKETS,
  C_REJECT_BYTES,
  C_REJECT_FLOWS,
  C_REJECT_PACKETS,
  C_SKIPDATA,
  C_SYN_ONLY,
  C_TCP_BYTES,
  C_UDP_BYTES,
  W_COUNTERS,
  W_START,
} from './windowLayout';

let isProrate: bool = true;
// Proration: each window's part of a record's packets and bytes.
let packetParts: usize = 0;
let byteParts: usize = 0;

/** Allocates the scratch (at each init: the heap starts anew). */
export function initCounters(prorate: bool): void {
  isProrate = prorate;
  packetParts = alloc(MAX_SPAN_WINDOWS * 8);
  byteParts = alloc(MAX_SPAN_WINDOWS * 8);
}

/** Adds to one counter of the window struct at `window`. */
function addTo(window: usize, counter: i32, value: f64): void {
  const at = window + W_COUNTERS + counter * 8;
  store<f64>(at, load<f64>(at) + value);
}

/**
 * As RollupAccumulator.add: one valid record's counters, in `first` (the
 * window of its start) and, prorated, in the windows it spans (of `eni`).
 */
export function addRecord(
  eni: usize,
  first: usize,
  status: i32,
  action: i32,
  isSynOnly: bool,
  start: f64,
  end: f64,
  packets: f64,
  bytes: f64,
  direction: i32,
  protocol: f64
): void {
  if (status === STATUS_NODATA) {
    addTo(first, C_NODATA, 1);
    return;
  }
  if (status === STATUS_SKIPDATA) {
    addTo(first, C_SKIPDATA, 1);
    return;
  }
  addTo(first, C_FLOWS, 1);
  if (action === ACTION_ACCEPT) addTo(first, C_ACCEPT_FLOWS, 1);
  else if (action === ACTION_REJECT) addTo(first, C_REJECT_FLOWS, 1);
  if (isSynOnly) addTo(first, C_SYN_ONLY, 1);
  const firstStart = load<f64>(first + W_START);
  const lastStart = windowStartOf(end);
  if (!isProrate || lastStart === firstStart) {
    addTraffic(first, packets, bytes, action, direction, protocol);
    return;
  }
  if (lastStart === firstStart + WINDOW_SECONDS) {
    // Two windows (the usual crossing): the first part alone decides both.
    // record() keeps spans within MAX_RECORD_SECONDS, so they fit a u32.
    const seconds = <u32>(end - start + 1);
    const overlap = <u32>(firstStart + WINDOW_SECONDS - start);
    const firstPackets = firstOfTwo(packets, overlap, seconds);
    const firstBytes = firstOfTwo(bytes, overlap, seconds);
    if (firstPackets >= 0 && firstBytes >= 0) {
      addTraffic(first, firstPackets, firstBytes, action, direction, protocol);
      addTraffic(
        windowOf(eni, lastStart),
        packets - firstPackets,
        bytes - firstBytes,
        action,
        direction,
        protocol
      );
      return;
    }
  }
  const count = splitByOverlap(packets, packetParts, start, end);
  splitByOverlap(bytes, byteParts, start, end);
  for (let k: i32 = 0; k < count; k++) {
    const window =
      k === 0 ? first : windowOf(eni, firstStart + <f64>k * WINDOW_SECONDS);
    addTraffic(
      window,
      load<f64>(packetParts + k * 8),
      load<f64>(byteParts + k * 8),
      action,
      direction,
      protocol
    );
  }
}

function addTraffic(
  window: usize,
  packets: f64,
  bytes: f64,
  action: i32,
  direction: i32,
  protocol: f64
): void {
  addTo(window, C_PACKETS, packets);
  addTo(window, C_BYTES, bytes);
  if (action === ACTION_ACCEPT) {
    addTo(window, C_ACCEPT_PACKETS, packets);
    addTo(window, C_ACCEPT_BYTES, bytes);
  } else if (action === ACTION_REJECT) {
    addTo(window, C_REJECT_PACKETS, packets);
    addTo(window, C_REJECT_BYTES, bytes);
  }
  if (direction === DIRECTION_INGRESS) {
    addTo(window, C_INGRESS_PACKETS, packets);
    addTo(window, C_INGRESS_BYTES, bytes);
  } else if (direction === DIRECTION_EGRESS) {
    addTo(window, C_EGRESS_PACKETS, packets);
    addTo(window, C_EGRESS_BYTES, bytes);
  }
  if (protocol === 6) addTo(window, C_TCP_BYTES, bytes);
  else if (protocol === 17) addTo(window, C_UDP_BYTES, bytes);
  else if (protocol === 1 || protocol === 58)
    addTo(window, C_ICMP_BYTES, bytes);
  else if (protocol >= 0) addTo(window, C_OTHER_BYTES, bytes);
}
