// AssemblyScript: the read-out as JSON lines, for hosts that write the
// rollups out as text (`flowlogs rollup`). For each window, in the order
// the host gives, it writes what `JSON.stringify` gives for the rollup
// ../windowReader.ts builds (keys in the same order, the top lists ranked
// by rankTalkers.ts and rankRejected.ts), and a newline, with no object or
// string per rollup. A window whose JSON could differ is left to the host:
// a text that is not printable ASCII or needs escaping, a number that is
// not a whole number below 2^53, a top list with a text label. A test
// holds the bytes to JSON.stringify of the host's rollups.

import { addressText } from './addresses';
import { MAX_SAFE } from './bytes';
import { alloc } from './heap';
import { eniAt, windowAt } from './itemTables';
import { rankRejected, rejectedResult } from './rankRejected';
import {
  R_BYTES,
  R_ENTRIES,
  R_FLOWS,
  R_PACKETS,
  R_PEER,
  R_PORT,
  R_PROTOCOL,
  R_SIZE,
  rankingResult,
  rankTalkers,
} from './rankTalkers';
import { N_LABEL, N_SIZE, S_COUNT, S_ENTRIES, S_LABEL_LENGTHS } from './sketch';
import {
  W_COUNTERS,
  W_ENI,
  W_IDS,
  W_REJECTED_FLOW_SKETCH,
  W_REJECTED_PORT_SKETCH,
  W_REJECTED_SKETCH,
  W_SIZE,
  W_START,
  W_TALKER_SKETCH,
} from './windowLayout';

// What a rollup carries besides the counters every rollup has (the host's
// RollupShape); a bit each.
const J_DIRECTION: i32 = 1;
const J_PROTOCOL: i32 = 2;
const J_TCP_FLAGS: i32 = 4;
const J_TALKERS: i32 = 8;
const J_REJECTED: i32 = 16;

/** The output area: the host takes its bytes after each writeJson. */
const OUT_BYTES: usize = 256 * 1024;
/**
 * The most a window's JSON takes besides its texts: 21 counters and four
 * lists of 20 entries (an IPv6 peer and three 16-digit counts in each).
 */
const WINDOW_BYTES: usize = 16 * 1024;
const E_KEY: usize = 4;
const E_LENGTH: usize = 8;
const QUOTE: u8 = 0x22;

/** Keys of the counters every rollup has, in the struct's (and JSON's) order. */
const COUNTER_KEYS: StaticArray<string> = [
  ',"flows":',
  ',"packets":',
  ',"bytes":',
  ',"acceptFlows":',
  ',"acceptPackets":',
  ',"acceptBytes":',
  ',"rejectFlows":',
  ',"rejectPackets":',
  ',"rejectBytes":',
  ',"nodataRecords":',
  ',"skipdataRecords":',
];
/** The optional counters, in order: 4 of direction, 4 of protocol, 1 SYN. */
const OPTIONAL_KEYS: StaticArray<string> = [
  ',"ingressPackets":',
  ',"ingressBytes":',
  ',"egressPackets":',
  ',"egressBytes":',
  ',"tcpBytes":',
  ',"udpBytes":',
  ',"icmpBytes":',
  ',"otherBytes":',
  ',"synOnlyFlows":',
];
/** The ids, in the order of W_IDS. */
const ID_KEYS: StaticArray<string> = [
  ',"accountId":"',
  ',"vpcId":"',
  ',"subnetId":"',
  ',"instanceId":"',
];
// What a ranked entry writes (writeEntry).
const WITH_PEER: i32 = 1;
const WITH_ADDRESS: i32 = 2;
const WITH_PORT: i32 = 4;

/** Window indexes in output order, written by the host. */
let order: usize = 0;
let out: usize = 0;
/** Bytes written by the last writeJson. */
let length: usize = 0;
/** Where the window being written began (a window left to the host is undone). */
let cursor: usize = 0;
let isWritable: bool = true;

/**
 * Makes room for the order of `count` windows and the output area; returns
 * where the host writes the order (u32 window indexes). After the scan: it
 * is rollup memory, freed with the rollups.
 */
export function beginJson(count: i32): usize {
  order = alloc(<usize>max(count, 1) * 4, 4);
  out = alloc(OUT_BYTES);
  return order;
}

/** Where writeJson writes. */
export function jsonOut(): usize {
  return out;
}

/** The bytes the last writeJson wrote at jsonOut. */
export function jsonLength(): i32 {
  return <i32>length;
}

/**
 * Writes the JSON lines of the windows at positions `from` up to `to` of
 * the order, as long as they fit. Returns the position it stopped at (`to`
 * when all were written), or -(position + 1) when the window there is left
 * to the host (everything before it was written).
 */
export function writeJson(from: i32, to: i32, shape: i32): i32 {
  length = 0;
  for (let k = from; k < to; k++) {
    const window = windowAt(load<i32>(order + <usize>k * 4));
    const eni = eniAt(load<i32>(window + W_ENI));
    let need = WINDOW_BYTES + <usize>load<i32>(eni + E_LENGTH);
    for (let which: usize = 0; which < 4; which++) {
      need += <usize>max(load<i32>(window + W_IDS + which * 8 + 4), 0) + 16;
    }
    if (need > OUT_BYTES) return -(k + 1);
    if (length + need > OUT_BYTES) return k;
    touchAhead(k, to);
    cursor = out + length;
    isWritable = true;
    writeWindow(window, eni, shape);
    if (!isWritable) return -(k + 1);
    length = cursor - out;
  }
  return to;
}

// The windows lie scattered in memory, each with its sketches' blocks and
// labels: loading those of the windows a few positions ahead, a level of
// pointers at a time, lets their cache misses overlap the writing of this
// one. The loads stay in the compiled code: they may trap.
const STRUCT_AHEAD: i32 = 12;
const BLOCKS_AHEAD: i32 = 6;
const LABELS_AHEAD: i32 = 3;
const SKETCHES: StaticArray<usize> = [
  W_TALKER_SKETCH,
  W_REJECTED_SKETCH,
  W_REJECTED_FLOW_SKETCH,
  W_REJECTED_PORT_SKETCH,
];

function touchAhead(k: i32, to: i32): void {
  if (k + STRUCT_AHEAD < to) {
    const window = windowAt(load<i32>(order + <usize>(k + STRUCT_AHEAD) * 4));
    for (let line: usize = 0; line < <usize>W_SIZE; line += 64)
      load<u8>(window + line);
    load<u8>(eniAt(load<i32>(window + W_ENI)) + E_KEY);
  }
  if (k + BLOCKS_AHEAD < to) {
    const window = windowAt(load<i32>(order + <usize>(k + BLOCKS_AHEAD) * 4));
    for (let s = 0; s < SKETCHES.length; s++) {
      const sketch = window + unchecked(SKETCHES[s]);
      const count = <usize>load<u8>(sketch + S_COUNT);
      if (count === 0) continue;
      const entries = <usize>load<u32>(sketch + S_ENTRIES);
      for (let line: usize = 0; line < count * N_SIZE; line += 64) {
        load<u8>(entries + line);
      }
      load<u8>(<usize>load<u32>(sketch + S_LABEL_LENGTHS));
    }
  }
  if (k + LABELS_AHEAD < to) {
    const window = windowAt(load<i32>(order + <usize>(k + LABELS_AHEAD) * 4));
    for (let s = 0; s < SKETCHES.length; s++) {
      const sketch = window + unchecked(SKETCHES[s]);
      const count = <usize>load<u8>(sketch + S_COUNT);
      const entries = <usize>load<u32>(sketch + S_ENTRIES);
      for (let e: usize = 0; e < count; e++) {
        load<u8>(<usize>load<u32>(entries + e * N_SIZE + N_LABEL));
      }
    }
  }
}

function writeWindow(window: usize, eni: usize, shape: i32): void {
  put('{"interfaceId":"');
  putText(<usize>load<u32>(eni + E_KEY), load<i32>(eni + E_LENGTH));
  put('","windowStart":');
  putNumber(load<f64>(window + W_START));
  const counters = window + W_COUNTERS;
  for (let c = 0; c < COUNTER_KEYS.length; c++) {
    put(unchecked(COUNTER_KEYS[c]));
    putNumber(load<f64>(counters + <usize>c * 8));
  }
  const optional = counters + <usize>COUNTER_KEYS.length * 8;
  if ((shape & J_DIRECTION) !== 0) putOptional(optional, 0, 4);
  if ((shape & J_PROTOCOL) !== 0) putOptional(optional, 4, 8);
  if ((shape & J_TCP_FLAGS) !== 0) putOptional(optional, 8, 9);
  for (let which: usize = 0; which < 4; which++) {
    const textLength = load<i32>(window + W_IDS + which * 8 + 4);
    if (textLength < 0) continue;
    put(unchecked(ID_KEYS[which]));
    putText(<usize>load<u32>(window + W_IDS + which * 8), textLength);
    putByte(QUOTE);
  }
  // As the host does: the talkers ranked first (their own addresses serve
  // the rejected lists), whether or not the shape has them.
  const kept = rankTalkers(window + W_TALKER_SKETCH);
  if (kept < 0) {
    isWritable = false;
    return;
  }
  if ((shape & J_TALKERS) !== 0) {
    put(',"topTalkers":[');
    putEntries(rankingResult(), kept, WITH_PEER | WITH_PORT);
    put(']');
  }
  if ((shape & J_REJECTED) !== 0) {
    const rejected = rejectedResult();
    const sources = rankRejected(window + W_REJECTED_SKETCH, 0);
    put(',"topRejectedSources":[');
    putEntries(rejected, sources, WITH_ADDRESS);
    const flows = rankRejected(window + W_REJECTED_FLOW_SKETCH, 1);
    put('],"topRejectedFlows":[');
    putEntries(rejected, flows, WITH_ADDRESS | WITH_PORT);
    const ports = rankRejected(window + W_REJECTED_PORT_SKETCH, 2);
    put('],"topRejectedPorts":[');
    putEntries(rejected, ports, WITH_PORT);
    put(']');
  }
  put('}\n');
}

function putOptional(counters: usize, from: i32, to: i32): void {
  for (let c = from; c < to; c++) {
    put(unchecked(OPTIONAL_KEYS[c]));
    putNumber(load<f64>(counters + <usize>c * 8));
  }
}

/** The `kept` ranked entries at `result` (-1: a text label, left to the host). */
function putEntries(result: usize, kept: i32, fields: i32): void {
  if (kept < 0) {
    isWritable = false;
    return;
  }
  for (let rank = 0; rank < kept; rank++) {
    const at = result + R_ENTRIES + <usize>rank * R_SIZE;
    if (rank > 0) putByte(0x2c);
    if ((fields & (WITH_PEER | WITH_ADDRESS)) !== 0) {
      put((fields & WITH_PEER) !== 0 ? '{"peer":"' : '{"address":"');
      const address = <usize>load<u32>(at + R_PEER);
      if (address !== 0) cursor += addressText(address, cursor);
      put((fields & WITH_PORT) !== 0 ? '","port":' : '","flows":');
    } else {
      put('{"port":');
    }
    if ((fields & WITH_PORT) !== 0) {
      putOrNull(load<i32>(at + R_PORT));
      put(',"protocol":');
      putOrNull(load<i32>(at + R_PROTOCOL));
      put(',"flows":');
    }
    putNumber(load<f64>(at + R_FLOWS));
    put(',"packets":');
    putNumber(load<f64>(at + R_PACKETS));
    put(',"bytes":');
    putNumber(load<f64>(at + R_BYTES));
    putByte(0x7d);
  }
}

function putByte(byte: u8): void {
  store<u8>(cursor, byte);
  cursor++;
}

/** An ASCII literal. */
function put(text: string): void {
  const from = changetype<usize>(text);
  const count = <usize>text.length;
  for (let k: usize = 0; k < count; k++) {
    store<u8>(cursor + k, <u8>load<u16>(from + k * 2));
  }
  cursor += count;
}

/** Text from the input, between quotes: printable ASCII needing no escape. */
function putText(from: usize, textLength: i32): void {
  for (let k: usize = 0; k < <usize>textLength; k++) {
    const byte = load<u8>(from + k);
    if (byte < 0x20 || byte > 0x7e || byte === QUOTE || byte === 0x5c) {
      isWritable = false;
      return;
    }
    store<u8>(cursor + k, byte);
  }
  cursor += <usize>textLength;
}

/** A port or protocol, -1 for none (null). */
function putOrNull(value: i32): void {
  if (value < 0) {
    put('null');
  } else {
    putNumber(<f64>value);
  }
}

/** A whole number below 2^53 in decimal, as JSON.stringify writes it. */
function putNumber(value: f64): void {
  if (floor<f64>(value) !== value || abs<f64>(value) > MAX_SAFE) {
    isWritable = false;
    return;
  }
  let whole = <i64>value;
  if (whole < 0) {
    putByte(0x2d);
    whole = -whole;
  }
  let digits: usize = 1;
  for (let rest = whole / 10; rest > 0; rest /= 10) digits++;
  for (let k = digits; k > 0; k--) {
    store<u8>(cursor + k - 1, <u8>(0x30 + (whole % 10)));
    whole /= 10;
  }
  cursor += digits;
}
