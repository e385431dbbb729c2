import type {
  RejectedFlow,
  RejectedPort,
  RejectedSource,
  TopTalker,
} from '../types.js';

// The entries of the top lists a ranking in WebAssembly wrote
// (wasm/rankTalkers.ts, wasm/rankRejected.ts), as WindowReader makes them.

/**
 * Makes a ranked entry from its address's text ('' for none), port and
 * protocol (null for none) and counts, the keys in the order rollups
 * carry them.
 */
type RankedEntry<T> = (
  address: string,
  port: number | null,
  protocol: number | null,
  flows: number,
  packets: number,
  bytes: number
) => T;
/** A top talker. */
const talkerAt: RankedEntry<TopTalker> = (
  peer,
  port,
  protocol,
  flows,
  packets,
  bytes
) => ({ peer, port, protocol, flows, packets, bytes });
/** A rejected source. */
const sourceAt: RankedEntry<RejectedSource> = (
  address,
  _port,
  _protocol,
  flows,
  packets,
  bytes
) => ({ address, flows, packets, bytes });
/** A rejected flow. */
const flowAt: RankedEntry<RejectedFlow> = (
  address,
  port,
  protocol,
  flows,
  packets,
  bytes
) => ({ address, port, protocol, flows, packets, bytes });
/** A rejected port. */
const portAt: RankedEntry<RejectedPort> = (
  _address,
  port,
  protocol,
  flows,
  packets,
  bytes
) => ({ port, protocol, flows, packets, bytes });

export type { RankedEntry };
export { flowAt, portAt, sourceAt, talkerAt };
