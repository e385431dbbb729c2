// AssemblyScript: the top-list updates of the scanner (flowLogScannerCore.ts).
// A record that feeds a top list (talkers; rejected sources, flows and
// ports) leaves an update in the batch; applying it adds the record to the
// window's sketches (sketch.ts) with its label: packed addresses
// (addresses.ts) or the text itself.

import { packAddress } from './addresses';
import { alloc } from './heap';
import {
  appendLabel,
  MAX_LABEL,
  makeRoom,
  REJECTED_FLOW_SETS,
  sketchAdd,
  touchSet,
  writePacked,
} from './sketch';
import {
  W_REJECTED_FLOW_SKETCH,
  W_REJECTED_PORT_SKETCH,
  W_REJECTED_SKETCH,
  W_TALKER_SKETCH,
} from './windowLayout';

const SPACE: i32 = 0x20;
const MAX_ADDRESS = 40;
/** A rejected-flow label: an address and its tail (port in 3 bytes, protocol in 2). */
const REJECTED_TAIL_BYTES = 5;
const MAX_REJECTED_FLOW = MAX_ADDRESS + REJECTED_TAIL_BYTES;
const TAIL_BYTES = 6;

// Top-list updates are held back and applied in batches: first every
// batch entry's sketch set is loaded, so that their (likely) cache misses
// overlap, then the updates run in record order (so the result is the same).
// A batch is always applied before scan returns (labels are copied from the
// scanned text, whose memory the host reuses).
const BATCH = 16;
export const U_WINDOW = 0; // u32 window
export const U_TALKER = 4; // u32 talker hash
export const U_IS_TALKER = 8; // u32
export const U_IS_REJECTED = 12; // u32
export const U_SRC_HASH = 16; // u32
export const U_SRC_FROM = 20; // u32
export const U_SRC_TO = 24; // u32
export const U_DST_FROM = 28; // u32
export const U_DST_TO = 32; // u32
export const U_FLOW_HASH = 36; // u32 rejected-flow hash
export const U_TAIL = 40; // u64 talker label tail
export const U_PACKETS = 48; // f64
export const U_BYTES = 56; // f64
export const U_FLOW_TAIL = 64; // u64 rejected-flow label tail (a port's whole label)
export const U_PORT_HASH = 72; // u32 rejected-port hash
export const U_SIZE = 80;
let batch: usize = 0;
let batchCount: i32 = 0;

/** Scratch for a label's tail. */
let tail: usize = 0;
/** Scratch for a packed label. */
let packed: usize = 0;

/** Allocates the batch and scratch (at each init: the heap starts anew). */
export function initUpdates(): void {
  tail = alloc(8);
  packed = alloc(48);
  batch = alloc(BATCH * U_SIZE, 64);
  batchCount = 0;
}

/** The next batch entry, for the record to fill (then commitUpdate). */
export function nextUpdate(): usize {
  return batch + <usize>batchCount * U_SIZE;
}

/** Takes the entry nextUpdate gave; a full batch is applied. */
export function commitUpdate(): void {
  batchCount++;
  if (batchCount === BATCH) applyBatch();
}

/** Applies the held-back top-list updates (see BATCH). */
export function applyBatch(): void {
  const count = batchCount;
  if (count === 0) return;
  batchCount = 0;
  for (let k: i32 = 0; k < count; k++) {
    const u = batch + <usize>k * U_SIZE;
    const window = <usize>load<u32>(u + U_WINDOW);
    if (load<u32>(u + U_IS_TALKER) !== 0) {
      touchSet(window + W_TALKER_SKETCH, load<u32>(u + U_TALKER));
    }
    if (load<u32>(u + U_IS_REJECTED) !== 0) {
      touchSet(window + W_REJECTED_SKETCH, load<u32>(u + U_SRC_HASH));
      touchSet(window + W_REJECTED_FLOW_SKETCH, load<u32>(u + U_FLOW_HASH));
      touchSet(window + W_REJECTED_PORT_SKETCH, load<u32>(u + U_PORT_HASH));
    }
  }
  for (let k: i32 = 0; k < count; k++) {
    const u = batch + <usize>k * U_SIZE;
    const window = <usize>load<u32>(u + U_WINDOW);
    if (load<u32>(u + U_IS_TALKER) !== 0) addTalker(window, u);
    if (load<u32>(u + U_IS_REJECTED) !== 0) {
      addRejected(window, u);
      addRejectedFlow(window, u);
      addRejectedPort(window, u);
    }
  }
}

/** The talker update of batch entry `u`. */
export function addTalker(window: usize, u: usize): void {
  const sketch = window + W_TALKER_SKETCH;
  const bytes = load<f64>(u + U_BYTES);
  const entry = sketchAdd(
    sketch,
    load<u32>(u + U_TALKER),
    bytes,
    1,
    load<f64>(u + U_PACKETS),
    bytes
  );
  if (entry < 0) return;
  const srcFrom = <usize>load<u32>(u + U_SRC_FROM);
  const srcTo = <usize>load<u32>(u + U_SRC_TO);
  const dstFrom = <usize>load<u32>(u + U_DST_FROM);
  const dstTo = <usize>load<u32>(u + U_DST_TO);
  store<u64>(tail, load<u64>(u + U_TAIL));
  // Packed: [4|6][address][4|6][address][tail], when both round-trip.
  const scratch = packed;
  const src = packAddress(srcFrom, srcTo, scratch);
  const dst = src > 0 ? packAddress(dstFrom, dstTo, scratch + src) : 0;
  if (dst > 0) {
    memory.copy(scratch + src + dst, tail, TAIL_BYTES);
    const length = src + dst + TAIL_BYTES;
    writePacked(sketch, entry, scratch, length);
    return;
  }
  const room = MAX_LABEL - TAIL_BYTES;
  makeRoom(
    sketch,
    entry,
    min(srcTo - srcFrom + 1 + dstTo - dstFrom + TAIL_BYTES, MAX_LABEL)
  );
  appendLabel(sketch, entry, srcFrom, srcTo, room);
  const space = tail + TAIL_BYTES;
  store<u8>(space, SPACE);
  appendLabel(sketch, entry, space, space + 1, room);
  appendLabel(sketch, entry, dstFrom, dstTo, room);
  appendLabel(sketch, entry, tail, tail + TAIL_BYTES, MAX_LABEL);
}

/** The rejected-source update of batch entry `u`. */
export function addRejected(window: usize, u: usize): void {
  const sketch = window + W_REJECTED_SKETCH;
  const entry = sketchAdd(
    sketch,
    load<u32>(u + U_SRC_HASH),
    1,
    1,
    load<f64>(u + U_PACKETS),
    load<f64>(u + U_BYTES)
  );
  if (entry < 0) return;
  const srcFrom = <usize>load<u32>(u + U_SRC_FROM);
  const srcTo = <usize>load<u32>(u + U_SRC_TO);
  const scratch = packed;
  const length = packAddress(srcFrom, srcTo, scratch);
  if (length > 0) {
    writePacked(sketch, entry, scratch, length);
    return;
  }
  makeRoom(sketch, entry, min(srcTo - srcFrom, MAX_ADDRESS));
  appendLabel(sketch, entry, srcFrom, srcTo, MAX_ADDRESS);
}

/** The rejected-flow update of batch entry `u`: its source, port and protocol. */
export function addRejectedFlow(window: usize, u: usize): void {
  const sketch = window + W_REJECTED_FLOW_SKETCH;
  const entry = sketchAdd(
    sketch,
    load<u32>(u + U_FLOW_HASH),
    1,
    1,
    load<f64>(u + U_PACKETS),
    load<f64>(u + U_BYTES),
    REJECTED_FLOW_SETS
  );
  if (entry < 0) return;
  const srcFrom = <usize>load<u32>(u + U_SRC_FROM);
  const srcTo = <usize>load<u32>(u + U_SRC_TO);
  store<u64>(tail, load<u64>(u + U_FLOW_TAIL));
  const scratch = packed;
  const length = packAddress(srcFrom, srcTo, scratch);
  if (length > 0) {
    memory.copy(scratch + length, tail, REJECTED_TAIL_BYTES);
    writePacked(sketch, entry, scratch, length + REJECTED_TAIL_BYTES);
    return;
  }
  makeRoom(
    sketch,
    entry,
    min(srcTo - srcFrom, MAX_ADDRESS) + REJECTED_TAIL_BYTES
  );
  appendLabel(sketch, entry, srcFrom, srcTo, MAX_ADDRESS);
  appendLabel(
    sketch,
    entry,
    tail,
    tail + REJECTED_TAIL_BYTES,
    MAX_REJECTED_FLOW
  );
}

/** The rejected-port update of batch entry `u`: its label is the flow's tail. */
export function addRejectedPort(window: usize, u: usize): void {
  const sketch = window + W_REJECTED_PORT_SKETCH;
  const entry = sketchAdd(
    sketch,
    load<u32>(u + U_PORT_HASH),
    1,
    1,
    load<f64>(u + U_PACKETS),
    load<f64>(u + U_BYTES)
  );
  if (entry < 0) return;
  store<u64>(tail, load<u64>(u + U_FLOW_TAIL));
  makeRoom(sketch, entry, REJECTED_TAIL_BYTES);
  appendLabel(
    sketch,
    entry,
    tail,
    tail + REJECTED_TAIL_BYTES,
    REJECTED_TAIL_BYTES
  );
}
