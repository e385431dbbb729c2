import type { RejectedFlow, RejectedPort, RejectedSource } from '../types.js';
import { compareText } from './topLists.js';

/** What was rejected: by (source, destination port, protocol), by source, by port. */
interface Rejections {
  readonly flows: readonly RejectedFlow[];
  readonly sources: readonly RejectedSource[];
  readonly ports: readonly RejectedPort[];
}

type Counts = { flows: number; packets: number; bytes: number };

/**
 * Adds the counts of entries with the same key (over every list); keeps
 * the first's other fields. One copy per key, added to in place.
 */
function sumBy<T extends Counts>(
  lists: Iterable<readonly T[]>,
  keyOf: (entry: T) => string
): T[] {
  const byKey = new Map<string, T>();
  for (const entries of lists) {
    for (const entry of entries) {
      const key = keyOf(entry);
      const seen = byKey.get(key);
      if (seen === undefined) {
        byKey.set(key, { ...entry });
        continue;
      }
      seen.flows += entry.flows;
      seen.packets += entry.packets;
      seen.bytes += entry.bytes;
    }
  }
  return [...byKey.values()];
}

const byPortThenProtocol = (
  a: { port: number | null; protocol: number | null },
  b: { port: number | null; protocol: number | null }
): number =>
  (a.port ?? -1) - (b.port ?? -1) || (a.protocol ?? -1) - (b.protocol ?? -1);

/** Most flows first, then bytes; ties in a fixed order. */
const byFlows = (a: Counts, b: Counts): number =>
  b.flows - a.flows || b.bytes - a.bytes;

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
  const flows = sumBy(
    parts.map((part) => part.flows),
    (flow) => `${flow.address} ${flow.port} ${flow.protocol}`
  );
  const sources = sumBy(
    parts.map((part) => part.sources),
    (source) => source.address
  );
  const ports = sumBy(
    parts.map((part) => part.ports),
    (port) => `${port.port} ${port.protocol}`
  );
  return {
    ports: ports
      .sort((a, b) => byFlows(a, b) || byPortThenProtocol(a, b))
      .slice(0, size),
    flows: flows
      .sort(
        (a, b) =>
          byFlows(a, b) ||
          compareText(a.address, b.address) ||
          byPortThenProtocol(a, b)
      )
      .slice(0, size),
    sources: sources
      .sort((a, b) => byFlows(a, b) || compareText(a.address, b.address))
      .slice(0, size),
  };
}

/** The ports rejected flows tried, summed over their sources, busiest first. */
function rejectedPortsOf(
  flows: readonly RejectedFlow[],
  size: number
): RejectedPort[] {
  return sumBy(
    [flows.map(({ address: _, ...port }) => port)],
    (port) => `${port.port} ${port.protocol}`
  )
    .sort((a, b) => byFlows(a, b) || byPortThenProtocol(a, b))
    .slice(0, size);
}

export type { Rejections };
export { mergeRejections, rejectedPortsOf };
