import type { RejectedFlow, RejectedPort, RejectedSource } from '../types.js';
import {
  flowKey,
  portKey,
  rankRejected,
  rankRejectedFlows,
  rankRejectedPorts,
  sourceKey,
  sumByKey,
} from './topLists.js';

/** What was rejected: by (source, destination port, protocol), by source, by port. */
interface Rejections {
  readonly flows: readonly RejectedFlow[];
  readonly sources: readonly RejectedSource[];
  readonly ports: readonly RejectedPort[];
}

/**
 * Rejections of disjoint inputs (ENIs, windows, inputs) summed, each list
 * cut to its `size` busiest by flows. Approximate, as every top list: an
 * entry cut from some input is missing from the sum of that input.
 * Order-free.
 */
function mergeRejections(
  parts: readonly Rejections[],
  size: number
): Rejections {
  return {
    ports: rankRejectedPorts(
      sumByKey(
        parts.map((part) => part.ports),
        portKey
      ),
      size
    ),
    flows: rankRejectedFlows(
      sumByKey(
        parts.map((part) => part.flows),
        flowKey
      ),
      size
    ),
    sources: rankRejected(
      sumByKey(
        parts.map((part) => part.sources),
        sourceKey
      ),
      size
    ),
  };
}

/** The ports rejected flows tried, summed over their sources, busiest first. */
function rejectedPortsOf(
  flows: readonly RejectedFlow[],
  size: number
): RejectedPort[] {
  return rankRejectedPorts(
    sumByKey([flows.map(({ address: _, ...port }) => port)], portKey),
    size
  );
}

export type { Rejections };
export { mergeRejections, rejectedPortsOf };
