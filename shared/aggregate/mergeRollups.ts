import type { Rollup, RollupCounters } from '../types.js';
import {
  compareText,
  flowKey,
  portKey,
  rankRejected,
  rankRejectedFlows,
  rankRejectedPorts,
  rankTalkers,
  sourceKey,
  sumByKey,
  talkerKey,
} from './topLists.js';

/** The counters every rollup has, in output (and WebAssembly layout) order. */
const COUNTERS = [
  'flows',
  'packets',
  'bytes',
  'acceptFlows',
  'acceptPackets',
  'acceptBytes',
  'rejectFlows',
  'rejectPackets',
  'rejectBytes',
  'nodataRecords',
  'skipdataRecords',
] as const satisfies readonly (keyof RollupCounters)[];

/** The counters a rollup has when its format carries their fields, in order. */
const OPTIONAL_COUNTERS = [
  'ingressPackets',
  'ingressBytes',
  'egressPackets',
  'egressBytes',
  'tcpBytes',
  'udpBytes',
  'icmpBytes',
  'otherBytes',
  'synOnlyFlows',
] as const satisfies readonly (keyof RollupCounters)[];

/** A rollup of one (ENI, window) with every counter 0 and nothing optional. */
const emptyRollup = (interfaceId: string, windowStart: number): Rollup => ({
  interfaceId,
  windowStart,
  flows: 0,
  packets: 0,
  bytes: 0,
  acceptFlows: 0,
  acceptPackets: 0,
  acceptBytes: 0,
  rejectFlows: 0,
  rejectPackets: 0,
  rejectBytes: 0,
  nodataRecords: 0,
  skipdataRecords: 0,
});

/** The ids of an ENI a rollup carries when the format has their fields. */
const IDS = ['accountId', 'vpcId', 'subnetId', 'instanceId'] as const;

const smaller = (a?: string, b?: string): string | undefined =>
  a === undefined ? b : b === undefined ? a : compareText(a, b) <= 0 ? a : b;

/**
 * Merges two partial rollups of the same (ENI, window), e.g. from two files.
 * Counters add up, so merging is associative and commutative; an optional
 * counter is present if either side has it. Ids keep the smaller value. Top
 * lists are merged by key and cut to the top N again: that is approximate
 * (an entry cut from one side cannot come back), and commutative.
 * Throws `RangeError` when the keys differ.
 */
function mergeRollups(a: Rollup, b: Rollup): Rollup {
  if (a.interfaceId !== b.interfaceId || a.windowStart !== b.windowStart) {
    throw new RangeError(
      `cannot merge ${a.interfaceId}@${a.windowStart} with ${b.interfaceId}@${b.windowStart}`
    );
  }
  const merged: Rollup = { ...a };
  for (const name of COUNTERS) merged[name] = a[name] + b[name];
  for (const name of OPTIONAL_COUNTERS) {
    if (a[name] !== undefined || b[name] !== undefined) {
      merged[name] = (a[name] ?? 0) + (b[name] ?? 0);
    }
  }
  for (const name of IDS) {
    const value = smaller(a[name], b[name]);
    if (value !== undefined) merged[name] = value;
  }
  if (a.topTalkers || b.topTalkers) {
    merged.topTalkers = rankTalkers(
      sumByKey([a.topTalkers ?? [], b.topTalkers ?? []], talkerKey)
    );
  }
  if (a.topRejectedSources || b.topRejectedSources) {
    merged.topRejectedSources = rankRejected(
      sumByKey(
        [a.topRejectedSources ?? [], b.topRejectedSources ?? []],
        sourceKey
      )
    );
  }
  if (a.topRejectedFlows || b.topRejectedFlows) {
    merged.topRejectedFlows = rankRejectedFlows(
      sumByKey([a.topRejectedFlows ?? [], b.topRejectedFlows ?? []], flowKey)
    );
  }
  if (a.topRejectedPorts || b.topRejectedPorts) {
    merged.topRejectedPorts = rankRejectedPorts(
      sumByKey([a.topRejectedPorts ?? [], b.topRejectedPorts ?? []], portKey)
    );
  }
  return merged;
}

/** A rollup's counters and ids, without its (approximate) top lists. */
function withoutTopLists(rollup: Rollup): Rollup {
  const {
    topTalkers: _talkers,
    topRejectedSources: _sources,
    topRejectedFlows: _flows,
    topRejectedPorts: _ports,
    ...counters
  } = rollup;
  return counters;
}

export {
  COUNTERS,
  emptyRollup,
  IDS,
  mergeRollups,
  OPTIONAL_COUNTERS,
  withoutTopLists,
};
