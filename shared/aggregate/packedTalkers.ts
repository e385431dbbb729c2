import { TOP_LIST_SIZE } from '../flowLogRules.js';
import type { TopTalker } from '../types.js';
import {
  compareText,
  DIRECTION_EGRESS,
  DIRECTION_INGRESS,
  DIRECTION_UNKNOWN,
  portAt,
  protocolAt,
} from './topLists.js';

/**
 * The read-out of packed talker keys (wasm/addresses.ts
 * `packAddress`: a tag, 4 or 6, then the address's bytes), ranked without
 * a string per entry: an IPv4 address is keyed by a number that sorts as
 * its text does, and only the addresses that are kept, or that tie, are
 * written as text. The result equals what `inferSelf`, `toTopTalkers` and
 * `rankTalkers` (topLists.ts) give for the same entries as text; a test
 * holds both to it.
 */

/**
 * An address as the read-out keys it: an IPv4 address as its text-order
 * code (`PackedAddresses.keyAt`), any other as its text. Equal keys, equal
 * texts.
 */
type AddressKey = number | string;

const MAX_CACHED_ADDRESSES = 4096;

/** Each octet's rank among the texts "0" to "255" in code-unit order. */
const OCTET_RANK = new Uint8Array(256);
/** The octet of each rank (OCTET_RANK's inverse). */
const OCTET_OF_RANK = new Uint8Array(256);
Array.from({ length: 256 }, (_, octet) => octet)
  .sort((a, b) => compareText(String(a), String(b)))
  .forEach((octet, rank) => {
    OCTET_RANK[octet] = rank;
    OCTET_OF_RANK[rank] = octet;
  });

/**
 * Keys and texts of packed addresses. IPv4 texts compare as the ranks of
 * their octets' texts in turn (a '.' or the end sorts before any digit),
 * so the code of the four ranks sorts as the text. Texts of IPv4 keys are
 * cached: peers recur across windows.
 */
class PackedAddresses {
  private readonly ipv4Texts = new Map<number, string>();

  /** The key of the packed address at `at`. */
  keyAt(memory: Uint8Array, at: number): AddressKey {
    if (memory[at] !== 4) return ipv6Text(memory, at + 1);
    return (
      (OCTET_RANK[memory[at + 1] as number] as number) * 0x1000000 +
      (((OCTET_RANK[memory[at + 2] as number] as number) << 16) |
        ((OCTET_RANK[memory[at + 3] as number] as number) << 8) |
        (OCTET_RANK[memory[at + 4] as number] as number))
    );
  }

  /** The text of the packed address at `at`: exactly the text packed. */
  textAt(memory: Uint8Array, at: number): string {
    return this.textOf(this.keyAt(memory, at));
  }

  /** The text of a key. */
  textOf(key: AddressKey): string {
    if (typeof key === 'string') return key;
    const cache = this.ipv4Texts;
    let text = cache.get(key);
    if (text === undefined) {
      if (cache.size >= MAX_CACHED_ADDRESSES) cache.clear();
      const octet = (shift: number) =>
        OCTET_OF_RANK[Math.floor(key / 2 ** shift) & 0xff];
      text = `${octet(24)}.${octet(16)}.${octet(8)}.${octet(0)}`;
      cache.set(key, text);
    }
    return text;
  }

  /** The code-unit order of two keys' texts (-1, 0, 1). */
  compare(a: AddressKey, b: AddressKey): number {
    if (typeof a === 'number' && typeof b === 'number') {
      return a < b ? -1 : a > b ? 1 : 0;
    }
    return compareText(this.textOf(a), this.textOf(b));
  }
}

/** Bytes of the packed address at `at`, its tag included. */
const addressBytes = (memory: Uint8Array, at: number): number =>
  memory[at] === 4 ? 5 : 17;

/**
 * The IPv6 address of the 16 bytes at `at` as RFC 5952 writes it: the
 * longest run of two or more zero groups (the first of equals) as `::`.
 */
function ipv6Text(memory: Uint8Array, at: number): string {
  let bestStart = -1;
  let bestLength = 0;
  let runStart = 0;
  for (let k = 0; k < 8; k++) {
    if ((memory[at + 2 * k] as number) | (memory[at + 2 * k + 1] as number)) {
      runStart = k + 1;
    } else if (k + 1 - runStart > bestLength) {
      bestStart = runStart;
      bestLength = k + 1 - runStart;
    }
  }
  if (bestLength < 2) bestStart = 8;
  let text = '';
  for (let k = 0; k < 8; k++) {
    if (k === bestStart) {
      text += '::';
      k += bestLength - 1;
      continue;
    }
    if (text !== '' && !text.endsWith(':')) text += ':';
    const group =
      ((memory[at + 2 * k] as number) << 8) |
      (memory[at + 2 * k + 1] as number);
    text += group.toString(16);
  }
  return text;
}

/** Entries one talker sketch holds at most (its capacity is a u8). */
const MAX_ENTRIES = 256;

/**
 * Ranks the talkers of one window from packed keys, entry by entry:
 * `add` each, then `finish`. Holds its scratch arrays across windows.
 */
class PackedTalkerRanking {
  private readonly addresses: PackedAddresses;
  private count = 0;
  private hasUnknown = false;
  private readonly src: AddressKey[] = [];
  private readonly dst: AddressKey[] = [];
  private readonly direction = new Uint8Array(MAX_ENTRIES);
  /** Ports and protocols, -1 for none (as rankTalkers orders them). */
  private readonly port = new Int32Array(MAX_ENTRIES);
  private readonly protocol = new Int32Array(MAX_ENTRIES);
  private readonly flows = new Float64Array(MAX_ENTRIES);
  private readonly packets = new Float64Array(MAX_ENTRIES);
  private readonly bytes = new Float64Array(MAX_ENTRIES);

  constructor(addresses: PackedAddresses) {
    this.addresses = addresses;
  }

  /**
   * Adds the entry whose packed label is at `label` in `memory` (source,
   * destination, then the tail: direction, port in 3 bytes, protocol in 2,
   * all ones for none).
   */
  add(
    memory: Uint8Array,
    label: number,
    flows: number,
    packets: number,
    bytes: number
  ): void {
    const k = this.count++;
    const dst = label + addressBytes(memory, label);
    const tail = dst + addressBytes(memory, dst);
    this.src[k] = this.addresses.keyAt(memory, label);
    this.dst[k] = this.addresses.keyAt(memory, dst);
    const direction = memory[tail] as number;
    if (direction === DIRECTION_UNKNOWN) this.hasUnknown = true;
    this.direction[k] = direction;
    this.port[k] = portAt(memory, tail + 1);
    this.protocol[k] = protocolAt(memory, tail + 4);
    this.flows[k] = flows;
    this.packets[k] = packets;
    this.bytes[k] = bytes;
  }

  /**
   * The top talkers of the entries added (none if `hasTalkers` is false)
   * and the ENI's inferred own addresses, as text; then starts over.
   */
  finish(hasTalkers: boolean): {
    talkers: TopTalker[];
    self: Set<string>;
  } {
    const [selfA, selfB] = this.inferSelf();
    const talkers = hasTalkers ? this.rank(selfA, selfB) : [];
    const self = new Set<string>();
    if (selfA !== undefined) self.add(this.addresses.textOf(selfA));
    if (selfB !== undefined) self.add(this.addresses.textOf(selfB));
    this.count = 0;
    this.hasUnknown = false;
    return { talkers, self };
  }

  /** inferSelf (topLists.ts) on keys: per family, the busiest address. */
  private inferSelf(): [AddressKey | undefined, AddressKey | undefined] {
    if (!this.hasUnknown) return [undefined, undefined];
    const { src, dst, flows } = this;
    const flowsByAddress = [
      new Map<AddressKey, number>(),
      new Map<AddressKey, number>(),
    ];
    const totals = [0, 0];
    for (let k = 0; k < this.count; k++) {
      const family = typeof src[k] === 'number' ? 0 : 1;
      const counts = flowsByAddress[family] as Map<AddressKey, number>;
      const f = flows[k] as number;
      totals[family] = (totals[family] as number) + f;
      const s = src[k] as AddressKey;
      const d = dst[k] as AddressKey;
      counts.set(s, (counts.get(s) ?? 0) + f);
      if (d !== s) counts.set(d, (counts.get(d) ?? 0) + f);
    }
    const best = flowsByAddress.map((counts, family) => {
      let bestKey: AddressKey | undefined;
      let bestFlows = 0;
      for (const [key, f] of counts) {
        if (
          f > bestFlows ||
          (f === bestFlows &&
            f > 0 &&
            this.addresses.compare(key, bestKey as AddressKey) < 0)
        ) {
          bestKey = key;
          bestFlows = f;
        }
      }
      return bestFlows > 0 && bestFlows * 2 >= (totals[family] as number)
        ? bestKey
        : undefined;
    });
    return [best[0], best[1]];
  }

  /**
   * toTopTalkers and rankTalkers (topLists.ts) on keys: each entry's peer,
   * entries of one (peer, port, protocol) summed into the first, sorted by
   * bytes, then peer text, port and protocol; the top TOP_LIST_SIZE kept.
   */
  private rank(
    selfA: AddressKey | undefined,
    selfB: AddressKey | undefined
  ): TopTalker[] {
    const { src, dst, direction, port, protocol, flows, packets, bytes } = this;
    // Groups are kept in the entries' own slots: group g sums into slot
    // first[g], which is its first entry.
    const first: number[] = [];
    const peers: AddressKey[] = [];
    for (let k = 0; k < this.count; k++) {
      const s = src[k] as AddressKey;
      const peer =
        direction[k] === DIRECTION_INGRESS
          ? s
          : direction[k] === DIRECTION_EGRESS
            ? (dst[k] as AddressKey)
            : s === selfA || s === selfB
              ? (dst[k] as AddressKey)
              : s;
      let g = 0;
      while (
        g < first.length &&
        !(
          peers[g] === peer &&
          port[first[g] as number] === port[k] &&
          protocol[first[g] as number] === protocol[k]
        )
      ) {
        g++;
      }
      if (g === first.length) {
        first.push(k);
        peers.push(peer);
        continue;
      }
      const into = first[g] as number;
      flows[into] = (flows[into] as number) + (flows[k] as number);
      packets[into] = (packets[into] as number) + (packets[k] as number);
      bytes[into] = (bytes[into] as number) + (bytes[k] as number);
    }
    const order = first.map((_, g) => g);
    order.sort((a, b) => {
      const x = first[a] as number;
      const y = first[b] as number;
      return (
        (bytes[y] as number) - (bytes[x] as number) ||
        this.addresses.compare(
          peers[a] as AddressKey,
          peers[b] as AddressKey
        ) ||
        (port[x] as number) - (port[y] as number) ||
        (protocol[x] as number) - (protocol[y] as number)
      );
    });
    return order.slice(0, TOP_LIST_SIZE).map((g) => {
      const k = first[g] as number;
      const p = port[k] as number;
      const q = protocol[k] as number;
      return {
        peer: this.addresses.textOf(peers[g] as AddressKey),
        port: p < 0 ? null : p,
        protocol: q < 0 ? null : q,
        flows: flows[k] as number,
        packets: packets[k] as number,
        bytes: bytes[k] as number,
      };
    });
  }
}

export { addressBytes, PackedAddresses, PackedTalkerRanking };
