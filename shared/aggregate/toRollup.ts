import type {
  RejectedFlow,
  RejectedPort,
  RejectedSource,
  Rollup,
  TopTalker,
} from '../types.js';
import type { RollupShape } from './rollupShape.js';
import {
  compareText,
  type DecodedTalker,
  inferSelf,
  rankRejected,
  rankRejectedFlows,
  rankRejectedPorts,
  toTopTalkers,
} from './topLists.js';
import type { WindowState } from './windowState.js';

/**
 * Rollups from what both paths accumulate: a window's counters and ids,
 * its sketches' entries decoded, the ENI's own addresses inferred and the
 * top lists ranked and cut, in the shape the format allows.
 */

/** The counters and ids of one window, wherever they were accumulated. */
type WindowCounters = Omit<
  WindowState,
  'talkers' | 'rejected' | 'rejectedFlows' | 'rejectedPorts'
>;

/** A rollup's rejected lists, ranked and cut. */
interface RankedRejections {
  sources: RejectedSource[];
  flows: RejectedFlow[];
  ports: RejectedPort[];
}

/**
 * Ranks and cuts the rejected lists of one window, each in any order;
 * sources and flows from the ENI's own addresses (`self`) are left out.
 */
function rankRejections(
  self: ReadonlySet<string>,
  sources: RejectedSource[],
  flows: RejectedFlow[],
  ports: RejectedPort[]
): RankedRejections {
  return {
    sources: rankRejected(
      sources.filter((source) => !self.has(source.address))
    ),
    flows: rankRejectedFlows(flows.filter((flow) => !self.has(flow.address))),
    ports: rankRejectedPorts(ports),
  };
}

/** Sorts rollups by interfaceId, then windowStart. */
function sortRollups(rollups: Rollup[]): Rollup[] {
  return rollups.sort(
    (a, b) =>
      compareText(a.interfaceId, b.interfaceId) || a.windowStart - b.windowStart
  );
}

/**
 * Builds the rollup of one window from its counters and its sketches'
 * entries, decoded (in any order: the lists are ranked here).
 */
function toRollup(
  interfaceId: string,
  w: WindowCounters,
  shape: RollupShape,
  talkers: DecodedTalker[],
  rejected: RejectedSource[],
  rejectedFlows: RejectedFlow[],
  rejectedPorts: RejectedPort[]
): Rollup {
  const self = inferSelf(talkers);
  return toRankedRollup(
    interfaceId,
    w,
    shape,
    shape.hasTalkers ? toTopTalkers(talkers, self) : [],
    shape.hasRejected
      ? rankRejections(self, rejected, rejectedFlows, rejectedPorts)
      : null
  );
}

/**
 * toRollup with the top lists already ranked (`rejections` null when the
 * shape has none).
 */
function toRankedRollup(
  interfaceId: string,
  w: WindowCounters,
  shape: RollupShape,
  topTalkers: TopTalker[],
  rejections: RankedRejections | null
): Rollup {
  const rollup: Rollup = {
    interfaceId,
    windowStart: w.windowStart,
    flows: w.flows,
    packets: w.packets,
    bytes: w.bytes,
    acceptFlows: w.acceptFlows,
    acceptPackets: w.acceptPackets,
    acceptBytes: w.acceptBytes,
    rejectFlows: w.rejectFlows,
    rejectPackets: w.rejectPackets,
    rejectBytes: w.rejectBytes,
    nodataRecords: w.nodataRecords,
    skipdataRecords: w.skipdataRecords,
  };
  if (shape.hasDirection) {
    rollup.ingressPackets = w.ingressPackets;
    rollup.ingressBytes = w.ingressBytes;
    rollup.egressPackets = w.egressPackets;
    rollup.egressBytes = w.egressBytes;
  }
  if (shape.hasProtocol) {
    rollup.tcpBytes = w.tcpBytes;
    rollup.udpBytes = w.udpBytes;
    rollup.icmpBytes = w.icmpBytes;
    rollup.otherBytes = w.otherBytes;
  }
  if (shape.hasTcpFlags) rollup.synOnlyFlows = w.synOnlyFlows;
  if (w.accountId !== null) rollup.accountId = w.accountId;
  if (w.vpcId !== null) rollup.vpcId = w.vpcId;
  if (w.subnetId !== null) rollup.subnetId = w.subnetId;
  if (w.instanceId !== null) rollup.instanceId = w.instanceId;
  if (shape.hasTalkers) rollup.topTalkers = topTalkers;
  if (rejections !== null) {
    rollup.topRejectedSources = rejections.sources;
    rollup.topRejectedFlows = rejections.flows;
    rollup.topRejectedPorts = rejections.ports;
  }
  return rollup;
}

export type { RankedRejections, WindowCounters };
export { rankRejections, sortRollups, toRankedRollup, toRollup };
