import { WINDOW_SECONDS, windowStartOf } from '../flowLogRules.js';
import type { FlowLogFormat, Rollup, WindowMode } from '../types.js';
import { splitByOverlap } from './splitByOverlap.js';
import {
  DIRECTION_EGRESS,
  DIRECTION_INGRESS,
  DIRECTION_UNKNOWN,
  decodeRejectedFlow,
  decodeRejectedPort,
  decodeSource,
  decodeTalker,
  REJECTED_TAIL_BYTES,
  TAIL_BYTES,
} from './topLists.js';
import {
  MAX_ADDRESS_BYTES,
  MAX_KEY_BYTES,
  mixHash,
  TopSketch,
} from './topSketch.js';
import { sortRollups, toRollup } from './toRollup.js';

/** `RecordFacts.action`: none (`-` or no action field), ACCEPT, REJECT. */
const ACTION_NONE = 0;
const ACTION_ACCEPT = 1;
const ACTION_REJECT = 2;
/** `RecordFacts.status`: OK (also `-` or no log-status field), NODATA, SKIPDATA. */
const STATUS_OK = 0;
const STATUS_NODATA = 1;
const STATUS_SKIPDATA = 2;
const PROTOCOL_TCP = 6;
const PROTOCOL_UDP = 17;
const PROTOCOL_ICMP = 1;
const PROTOCOL_ICMPV6 = 58;
const TCP_FLAGS_SYN_ONLY = 2;

/**
 * The numbers one record contributes, filled in place by either ingest path
 * (typed records or the byte scanner) and reused for every record. Absent
 * integers are -1; absent packets/bytes are 0.
 */
class RecordFacts {
  start = 0;
  end = 0;
  packets = 0;
  bytes = 0;
  action = ACTION_NONE;
  status = STATUS_OK;
  protocol = -1;
  tcpFlags = -1;
  direction = DIRECTION_UNKNOWN;
  srcport = -1;
  dstport = -1;
}

/** Which optional parts a rollup has, decided once from the format. */
interface RollupShape {
  readonly hasDirection: boolean;
  readonly hasProtocol: boolean;
  readonly hasTcpFlags: boolean;
  readonly hasTalkers: boolean;
  readonly hasRejected: boolean;
  readonly hasAccountId: boolean;
  readonly hasVpcId: boolean;
  readonly hasSubnetId: boolean;
  readonly hasInstanceId: boolean;
}

/** Derives the rollup shape from the fields a format carries. */
function rollupShapeOf(format: FlowLogFormat): RollupShape {
  const names = new Set(format.fields.map((field) => field.name));
  const hasAddresses = names.has('srcaddr') && names.has('dstaddr');
  return {
    hasDirection: names.has('flow-direction'),
    hasProtocol: names.has('protocol'),
    hasTcpFlags: names.has('tcp-flags'),
    hasTalkers: hasAddresses,
    hasRejected: names.has('srcaddr') && names.has('action'),
    hasAccountId: names.has('account-id'),
    hasVpcId: names.has('vpc-id'),
    hasSubnetId: names.has('subnet-id'),
    hasInstanceId: names.has('instance-id'),
  };
}

/** Mutable counters of one (ENI, window) while a source is being rolled up. */
class WindowState {
  readonly windowStart: number;
  flows = 0;
  packets = 0;
  bytes = 0;
  acceptFlows = 0;
  acceptPackets = 0;
  acceptBytes = 0;
  rejectFlows = 0;
  rejectPackets = 0;
  rejectBytes = 0;
  nodataRecords = 0;
  skipdataRecords = 0;
  ingressPackets = 0;
  ingressBytes = 0;
  egressPackets = 0;
  egressBytes = 0;
  tcpBytes = 0;
  udpBytes = 0;
  icmpBytes = 0;
  otherBytes = 0;
  synOnlyFlows = 0;
  accountId: string | null = null;
  vpcId: string | null = null;
  subnetId: string | null = null;
  instanceId: string | null = null;
  talkers: TopSketch | null = null;
  rejected: TopSketch | null = null;
  rejectedFlows: TopSketch | null = null;
  rejectedPorts: TopSketch | null = null;

  constructor(windowStart: number) {
    this.windowStart = windowStart;
  }
}

/**
 * One ENI's windows. The typed path is the reference, not the hot path: a
 * plain Map keyed by window start is all it needs.
 */
class EniState {
  readonly interfaceId: string;
  readonly windows = new Map<number, WindowState>();

  constructor(interfaceId: string) {
    this.interfaceId = interfaceId;
  }

  window(windowStart: number): WindowState {
    let state = this.windows.get(windowStart);
    if (!state) {
      state = new WindowState(windowStart);
      this.windows.set(windowStart, state);
    }
    return state;
  }
}

const HASH_PRIME = 0x01000193;
/** Sets of a full rejected-flow sketch: 16 (source, port) keys (as the WebAssembly twin). */
const REJECTED_FLOW_SETS = 8;

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
    sketch.appendLabel(slot, TAIL, 0, TAIL_BYTES);
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
    const dstport = facts.dstport < 0 ? 0xffffff : facts.dstport;
    const proto = facts.protocol < 0 ? 0xffff : facts.protocol;
    REJECTED_TAIL[0] = (dstport >>> 16) & 0xff;
    REJECTED_TAIL[1] = (dstport >>> 8) & 0xff;
    REJECTED_TAIL[2] = dstport & 0xff;
    REJECTED_TAIL[3] = (proto >>> 8) & 0xff;
    REJECTED_TAIL[4] = proto & 0xff;
    if (entry >= 0) {
      flows.appendLabel(entry, src, srcFrom, srcTo, MAX_ADDRESS_BYTES);
      flows.appendLabel(entry, REJECTED_TAIL, 0, REJECTED_TAIL_BYTES);
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
      window.rejectedPorts.appendLabel(
        port,
        REJECTED_TAIL,
        0,
        REJECTED_TAIL_BYTES
      );
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

export type { RollupShape, WindowState };
export {
  ACTION_ACCEPT,
  ACTION_NONE,
  ACTION_REJECT,
  RecordFacts,
  RollupAccumulator,
  rejectedFlowHash,
  rejectedPortHash,
  rollupShapeOf,
  STATUS_NODATA,
  STATUS_OK,
  STATUS_SKIPDATA,
  talkerHash,
};
