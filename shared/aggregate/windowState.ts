import type { TopSketch } from './topSketch.js';

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

export type { WindowState };
export { EniState };
