import { WINDOW_SECONDS, windowStartOf } from '../flowLogRules.js';
import type { Rollup, WindowMode } from '../types.js';
import {
  ACTION_ACCEPT,
  ACTION_REJECT,
  type RecordFacts,
  STATUS_NODATA,
  STATUS_SKIPDATA,
} from './recordFacts.js';
import type { RollupShape } from './rollupShape.js';
import { splitByOverlap } from './splitByOverlap.js';
import {
  rejectedFlowHash,
  rejectedFlowTail,
  rejectedPortHash,
  talkerTail,
} from './topListKeys.js';
import {
  DIRECTION_EGRESS,
  DIRECTION_INGRESS,
  decodeRejectedFlow,
  decodeRejectedPort,
  decodeSource,
  decodeTalker,
  REJECTED_TAIL_BYTES,
  TAIL_BYTES,
} from './topLists.js';
import { MAX_ADDRESS_BYTES, MAX_KEY_BYTES, TopSketch } from './topSketch.js';
import { sortRollups, toRollup } from './toRollup.js';
import { EniState, type WindowState } from './windowState.js';

const PROTOCOL_TCP = 6;
const PROTOCOL_UDP = 17;
const PROTOCOL_ICMP = 1;
const PROTOCOL_ICMPV6 = 58;
const TCP_FLAGS_SYN_ONLY = 2;

/** Sets of a full rejected-flow sketch: 16 (source, port) keys (as the WebAssembly twin). */
const REJECTED_FLOW_SETS = 8;
const SPACE_BYTE = Uint8Array.of(0x20);

/**
 * Accumulates per-ENI, per-window rollups from record facts, following
 * DESIGN.md exactly: windows of 300 s aligned to the epoch; in `prorate` mode
 * packets and bytes are split over the windows of [start, end + 1) by the
 * largest-remainder method; flows, SYN-only flows and NODATA/SKIPDATA counts
 * go to the window of start. Top lists attribute a whole flow to the window
 * of its start and are approximate (bounded sketches).
 */
class RollupAccumulator {
  readonly shape: RollupShape;
  private readonly isProrate: boolean;
  private readonly enis = new Map<string, EniState>();
  private readonly packetParts: number[] = [];
  private readonly byteParts: number[] = [];
  private readonly remainders: number[] = [];

  constructor(shape: RollupShape, windowMode: WindowMode) {
    this.shape = shape;
    this.isProrate = windowMode === 'prorate';
  }

  /** The state of one ENI, created on first use. */
  eni(interfaceId: string): EniState {
    let state = this.enis.get(interfaceId);
    if (!state) {
      state = new EniState(interfaceId);
      this.enis.set(interfaceId, state);
    }
    return state;
  }

  /** Adds one valid record; returns the window of its start. */
  add(eni: EniState, facts: RecordFacts): WindowState {
    const first = eni.window(windowStartOf(facts.start));
    if (facts.status === STATUS_NODATA) {
      first.nodataRecords++;
      return first;
    }
    if (facts.status === STATUS_SKIPDATA) {
      first.skipdataRecords++;
      return first;
    }
    first.flows++;
    if (facts.action === ACTION_ACCEPT) first.acceptFlows++;
    else if (facts.action === ACTION_REJECT) first.rejectFlows++;
    if (facts.tcpFlags === TCP_FLAGS_SYN_ONLY) first.synOnlyFlows++;
    const lastStart = windowStartOf(facts.end);
    if (!this.isProrate || lastStart === first.windowStart) {
      addTraffic(first, facts, facts.packets, facts.bytes);
      return first;
    }
    const { packetParts, byteParts, remainders } = this;
    const count = splitByOverlap(
      facts.packets,
      facts.start,
      facts.end,
      packetParts,
      remainders
    );
    splitByOverlap(facts.bytes, facts.start, facts.end, byteParts, remainders);
    for (let k = 0; k < count; k++) {
      const window =
        k === 0 ? first : eni.window(first.windowStart + k * WINDOW_SECONDS);
      addTraffic(window, facts, packetParts[k] ?? 0, byteParts[k] ?? 0);
    }
    return first;
  }

  /**
   * Counts a flow for the top talkers of its start window (whole flow, by
   * bytes). `hash` is `talkerHash(...)`; the addresses are read only when the
   * key enters the sketch.
   */
  addTalker(
    window: WindowState,
    hash: number,
    facts: RecordFacts,
    src: Uint8Array,
    srcFrom: number,
    srcTo: number,
    dst: Uint8Array,
    dstFrom: number,
    dstTo: number
  ): void {
    window.talkers ??= new TopSketch();
    const sketch = window.talkers;
    const slot = sketch.add(hash, facts.bytes, 1, facts.packets, facts.bytes);
    if (slot < 0) return;
    const room = MAX_KEY_BYTES - TAIL_BYTES;
    sketch.appendLabel(slot, src, srcFrom, srcTo, room);
    sketch.appendLabel(slot, SPACE_BYTE, 0, 1, room);
    sketch.appendLabel(slot, dst, dstFrom, dstTo, room);
    sketch.appendLabel(slot, talkerTail(facts), 0, TAIL_BYTES);
  }

  /**
   * Counts a rejected flow by its source address (`hash` = `hashBytes` of
   * its bytes). Rejected egress is skipped: its source is the ENI itself.
   */
  addRejected(
    window: WindowState,
    hash: number,
    facts: RecordFacts,
    src: Uint8Array,
    srcFrom: number,
    srcTo: number
  ): void {
    if (facts.direction === DIRECTION_EGRESS) return;
    window.rejected ??= new TopSketch(MAX_ADDRESS_BYTES);
    const slot = window.rejected.add(hash, 1, 1, facts.packets, facts.bytes);
    if (slot >= 0) window.rejected.appendLabel(slot, src, srcFrom, srcTo);
    window.rejectedFlows ??= new TopSketch(
      MAX_ADDRESS_BYTES + REJECTED_TAIL_BYTES,
      REJECTED_FLOW_SETS
    );
    const flows = window.rejectedFlows;
    const entry = flows.add(
      rejectedFlowHash(hash, facts),
      1,
      1,
      facts.packets,
      facts.bytes
    );
    const tail = rejectedFlowTail(facts);
    if (entry >= 0) {
      flows.appendLabel(entry, src, srcFrom, srcTo, MAX_ADDRESS_BYTES);
      flows.appendLabel(entry, tail, 0, REJECTED_TAIL_BYTES);
    }
    window.rejectedPorts ??= new TopSketch(REJECTED_TAIL_BYTES);
    const port = window.rejectedPorts.add(
      rejectedPortHash(facts),
      1,
      1,
      facts.packets,
      facts.bytes
    );
    if (port >= 0) {
      window.rejectedPorts.appendLabel(port, tail, 0, REJECTED_TAIL_BYTES);
    }
  }

  /** The (ENI, window) items held (a walk over the ENIs: not per record). */
  itemCount(): number {
    let items = 0;
    for (const eni of this.enis.values()) items += eni.windows.size;
    return items;
  }

  /** The rollups, sorted by interfaceId then windowStart. */
  finish(): Rollup[] {
    const rollups: Rollup[] = [];
    for (const eni of this.enis.values()) {
      for (const window of eni.windows.values()) {
        rollups.push(
          toRollup(
            eni.interfaceId,
            window,
            this.shape,
            (window.talkers?.entries() ?? []).map(decodeTalker),
            (window.rejected?.entries() ?? []).map(decodeSource),
            (window.rejectedFlows?.entries() ?? []).map(decodeRejectedFlow),
            (window.rejectedPorts?.entries() ?? []).map(decodeRejectedPort)
          )
        );
      }
    }
    return sortRollups(rollups);
  }
}

function addTraffic(
  window: WindowState,
  facts: RecordFacts,
  packets: number,
  bytes: number
): void {
  window.packets += packets;
  window.bytes += bytes;
  if (facts.action === ACTION_ACCEPT) {
    window.acceptPackets += packets;
    window.acceptBytes += bytes;
  } else if (facts.action === ACTION_REJECT) {
    window.rejectPackets += packets;
    window.rejectBytes += bytes;
  }
  if (facts.direction === DIRECTION_INGRESS) {
    window.ingressPackets += packets;
    window.ingressBytes += bytes;
  } else if (facts.direction === DIRECTION_EGRESS) {
    window.egressPackets += packets;
    window.egressBytes += bytes;
  }
  const { protocol } = facts;
  if (protocol === PROTOCOL_TCP) window.tcpBytes += bytes;
  else if (protocol === PROTOCOL_UDP) window.udpBytes += bytes;
  else if (protocol === PROTOCOL_ICMP || protocol === PROTOCOL_ICMPV6) {
    window.icmpBytes += bytes;
  } else if (protocol >= 0) window.otherBytes += bytes;
}

export { RollupAccumulator };
