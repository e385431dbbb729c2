import type {
  RejectedFlow,
  RejectedPort,
  RejectedSource,
  Rollup,
  TopTalker,
} from '../types.js';
import {
  COUNTERS,
  IDS,
  mergeRollups,
  OPTIONAL_COUNTERS,
} from './mergeRollups.js';
import { addressBytes, PackedAddresses } from './packedAddresses.js';
import type { RollupShape } from './rollupAccumulator.js';
import {
  compareText,
  type DecodedTalker,
  decodeRejectedFlow,
  decodeRejectedPort,
  decodeSource,
  decodeTalker,
  rejectedFlowOf,
  talkerOf,
} from './topLists.js';
import type { SketchEntry } from './topSketch.js';
import { toRankedRollup, toRollup, type WindowCounters } from './toRollup.js';

// The layouts of wasm/windowLayout.ts (W_*), wasm/itemTables.ts (E_*) and
// wasm/sketch.ts (S_*, N_*), as far as the rollups are read from them.
/** The counters of a window struct, in layout order. */
const COUNTER_NAMES = [...COUNTERS, ...OPTIONAL_COUNTERS];
const W_START = 0;
const W_ENI = 8;
const W_TALKER_SKETCH = 16;
const W_REJECTED_SKETCH = 40;
const W_REJECTED_FLOW_SKETCH = 256;
const W_REJECTED_PORT_SKETCH = 280;
const W_IDS = 64;
const W_COUNTERS = 96;
type CounterName = (typeof COUNTER_NAMES)[number];
/** Each counter's index in a window struct, in f64s (see rollupAt). */
const COUNTER_AT = Object.fromEntries(
  COUNTER_NAMES.map((name, index) => [name, W_COUNTERS / 8 + index])
) as Record<CounterName, number>;
const E_KEY = 4;
const E_LENGTH = 8;
const S_COUNT = 2;
const S_ENTRIES = 8;
const S_LABEL_LENGTHS = 16;
const N_PACKETS = 8;
const N_BYTES = 16;
const N_LABEL = 24;
const N_FLOWS = 28;
const N_SIZE = 32;
/** A label's length byte with this bit set holds packed addresses. */
const PACKED = 0x80;
// The result of wasm/rankTalkers.ts (R_*).
const R_SELF = 0;
const R_ENTRIES = 8;
const R_PEER = 0;
const R_PORT = 4;
const R_PROTOCOL = 8;
const R_FLOWS = 16;
const R_PACKETS = 24;
const R_BYTES = 32;
const R_SIZE = 40;

const utf8 = new TextDecoder();

/**
 * What the read-out needs of a scanner's WebAssembly instance: its memory
 * and where its windows and ENIs lie (FlowLogScanner's exports).
 */
interface ScannedWindows {
  readonly memory: { readonly buffer: ArrayBufferLike };
  getWindowCount(): number;
  windowAt(index: number): number;
  eniAt(index: number): number;
  /** Ranks a talker sketch whose labels are packed (-1 when one is text). */
  rankTalkers(sketch: number): number;
  /** Where rankTalkers writes its result. */
  rankingResult(): number;
}

/**
 * Reads a scan's (ENI, window) structs out of WebAssembly memory as
 * Rollups, in order, one at a time: the counters as they lie, the top lists
 * decoded from the sketches' entries and packed labels, ranked as the typed
 * path ranks them (toRollup). One reader serves a scanner's parts; it keeps
 * the texts of packed IPv4 addresses, which recur across windows. Reads
 * memory only: a window struct that is not what the core wrote gives wrong
 * rollups, never an error.
 */
class WindowReader {
  private readonly shape: RollupShape;
  /** Keys and texts of packed addresses (IPv4 texts cached). */
  private readonly addresses = new PackedAddresses();

  constructor(shape: RollupShape) {
    this.shape = shape;
  }

  /**
   * The windows in order (interfaceId, then windowStart), each turned into
   * a Rollup only when read: no array of every rollup is built.
   */
  *rollupsInOrder(wasm: ScannedWindows): Generator<Rollup> {
    const count = wasm.getWindowCount();
    const memory = new Uint8Array(wasm.memory.buffer);
    const views: MemoryViews = {
      view: new DataView(wasm.memory.buffer),
      bytes: memory,
      floats: new Float64Array(wasm.memory.buffer),
      text: (at, length) => utf8.decode(memory.subarray(at, at + length)),
      rankTalkers: (sketch) => wasm.rankTalkers(sketch),
      ranked: wasm.rankingResult(),
    };
    const { view, text } = views;
    const ids: string[] = [];
    const eniOf = new Int32Array(count);
    const starts = new Float64Array(count);
    for (let k = 0; k < count; k++) {
      const at = wasm.windowAt(k);
      const eniIndex = view.getInt32(at + W_ENI, true);
      if (ids[eniIndex] === undefined) {
        const eni = wasm.eniAt(eniIndex);
        ids[eniIndex] = text(
          view.getUint32(eni + E_KEY, true),
          view.getInt32(eni + E_LENGTH, true)
        );
      }
      eniOf[k] = eniIndex;
      starts[k] = view.getFloat64(at + W_START, true);
    }
    // ENIs ranked by id once; windows sorted by (rank, start) as numbers.
    const ranks = new Int32Array(ids.length);
    ids
      .map((id, index) => ({ id, index }))
      .sort((a, b) => compareText(a.id, b.id))
      .forEach(({ index }, rank) => {
        ranks[index] = rank;
      });
    const rankOf = (k: number) => ranks[eniOf[k] as number] as number;
    const order = Uint32Array.from({ length: count }, (_, k) => k).sort(
      (a, b) =>
        rankOf(a) - rankOf(b) || (starts[a] as number) - (starts[b] as number)
    );
    // ENIs interned by bytes may decode to one id (invalid UTF-8): their
    // rollups are adjacent here and merged, as the typed path keys them.
    let held: Rollup | null = null;
    for (const k of order) {
      const id = ids[eniOf[k] as number] as string;
      const rollup = this.rollupAt(wasm.windowAt(k), id, views);
      if (
        held !== null &&
        held.interfaceId === rollup.interfaceId &&
        held.windowStart === rollup.windowStart
      ) {
        held = mergeRollups(held, rollup);
        continue;
      }
      if (held !== null) yield held;
      held = rollup;
    }
    if (held !== null) yield held;
  }

  /** The rollup of the window struct at `at`. */
  private rollupAt(
    at: number,
    interfaceId: string,
    views: MemoryViews
  ): Rollup {
    const { view, floats, text } = views;
    // Read by name into one object literal (a keyed loop is 3x slower).
    const base = at / 8;
    const c = (name: CounterName) => floats[base + COUNTER_AT[name]] as number;
    const id = (which: number) => {
      const length = view.getInt32(at + W_IDS + which * 8 + 4, true);
      return length < 0
        ? null
        : text(view.getUint32(at + W_IDS + which * 8, true), length);
    };
    const counters: WindowCounters = {
      windowStart: floats[base + W_START / 8] as number,
      flows: c('flows'),
      packets: c('packets'),
      bytes: c('bytes'),
      acceptFlows: c('acceptFlows'),
      acceptPackets: c('acceptPackets'),
      acceptBytes: c('acceptBytes'),
      rejectFlows: c('rejectFlows'),
      rejectPackets: c('rejectPackets'),
      rejectBytes: c('rejectBytes'),
      nodataRecords: c('nodataRecords'),
      skipdataRecords: c('skipdataRecords'),
      ingressPackets: c('ingressPackets'),
      ingressBytes: c('ingressBytes'),
      egressPackets: c('egressPackets'),
      egressBytes: c('egressBytes'),
      tcpBytes: c('tcpBytes'),
      udpBytes: c('udpBytes'),
      icmpBytes: c('icmpBytes'),
      otherBytes: c('otherBytes'),
      synOnlyFlows: c('synOnlyFlows'),
      accountId: id(ID_AT.accountId),
      vpcId: id(ID_AT.vpcId),
      subnetId: id(ID_AT.subnetId),
      instanceId: id(ID_AT.instanceId),
    };
    const sources = this.sources(views, at + W_REJECTED_SKETCH);
    const rejectedFlows = this.rejectedFlows(
      views,
      at + W_REJECTED_FLOW_SKETCH
    );
    const rejectedPorts = this.rejectedPorts(
      views,
      at + W_REJECTED_PORT_SKETCH
    );
    const talkerSketch = at + W_TALKER_SKETCH;
    const kept = views.rankTalkers(talkerSketch);
    if (kept < 0) {
      return toRollup(
        interfaceId,
        counters,
        this.shape,
        this.talkers(views, talkerSketch),
        sources,
        rejectedFlows,
        rejectedPorts
      );
    }
    return toRankedRollup(
      interfaceId,
      counters,
      this.shape,
      this.shape.hasTalkers ? this.rankedTalkers(views, kept) : [],
      this.rankedSelf(views),
      sources,
      rejectedFlows,
      rejectedPorts
    );
  }

  /** The `kept` top talkers rankTalkers wrote, best first. */
  private rankedTalkers(views: MemoryViews, kept: number): TopTalker[] {
    const { view, bytes: memory, floats, ranked } = views;
    const talkers: TopTalker[] = [];
    for (let rank = 0; rank < kept; rank++) {
      const at = ranked + R_ENTRIES + rank * R_SIZE;
      const port = view.getInt32(at + R_PORT, true);
      const protocol = view.getInt32(at + R_PROTOCOL, true);
      talkers.push({
        peer: this.addresses.textAt(memory, view.getUint32(at + R_PEER, true)),
        port: port < 0 ? null : port,
        protocol: protocol < 0 ? null : protocol,
        flows: floats[(at + R_FLOWS) / 8] as number,
        packets: floats[(at + R_PACKETS) / 8] as number,
        bytes: floats[(at + R_BYTES) / 8] as number,
      });
    }
    return talkers;
  }

  /** The ENI's own addresses rankTalkers inferred, as text. */
  private rankedSelf(views: MemoryViews): Set<string> {
    const { view, bytes: memory, ranked } = views;
    const self = new Set<string>();
    for (const family of [0, 1]) {
      const at = view.getUint32(ranked + R_SELF + family * 4, true);
      if (at !== 0) self.add(this.addresses.textAt(memory, at));
    }
    return self;
  }

  /**
   * The talkers of a sketch, as they arrived (toRollup ranks them).
   * Packed labels are read as addresses straight from memory; text labels
   * as the typed path reads its keys.
   */
  private talkers(views: MemoryViews, sketch: number): DecodedTalker[] {
    const talkers: DecodedTalker[] = [];
    const { view, bytes: memory } = views;
    this.eachEntry(view, sketch, (label, length, entry) => {
      if ((length & PACKED) === 0) {
        const key = memory.subarray(label, label + length);
        talkers.push(decodeTalker({ key, weight: 0, ...entry }));
        return;
      }
      const dst = label + addressBytes(memory, label);
      const tail = dst + addressBytes(memory, dst);
      const src = this.addresses.textAt(memory, label);
      talkers.push(
        talkerOf(src, this.addresses.textAt(memory, dst), memory, tail, entry)
      );
    });
    return talkers;
  }

  /** The rejected sources of a sketch, as they arrived. */
  private sources(views: MemoryViews, sketch: number): RejectedSource[] {
    const sources: RejectedSource[] = [];
    const { view, bytes: memory } = views;
    this.eachEntry(view, sketch, (label, length, entry) => {
      sources.push(
        (length & PACKED) === 0
          ? decodeSource({
              key: memory.subarray(label, label + length),
              weight: 0,
              ...entry,
            })
          : { address: this.addresses.textAt(memory, label), ...entry }
      );
    });
    return sources;
  }

  /** The rejected flows (source, port, protocol) of a sketch, as they arrived. */
  private rejectedFlows(views: MemoryViews, sketch: number): RejectedFlow[] {
    const flows: RejectedFlow[] = [];
    const { view, bytes: memory } = views;
    this.eachEntry(view, sketch, (label, length, entry) => {
      if ((length & PACKED) === 0) {
        const key = memory.subarray(label, label + length);
        flows.push(decodeRejectedFlow({ key, weight: 0, ...entry }));
        return;
      }
      const tail = label + addressBytes(memory, label);
      flows.push(
        rejectedFlowOf(
          this.addresses.textAt(memory, label),
          memory,
          tail,
          entry
        )
      );
    });
    return flows;
  }

  /** The rejected ports of a sketch (labels: the tail alone), as they arrived. */
  private rejectedPorts(views: MemoryViews, sketch: number): RejectedPort[] {
    const ports: RejectedPort[] = [];
    const { view, bytes: memory } = views;
    this.eachEntry(view, sketch, (label, length, entry) => {
      const key = memory.subarray(label, label + length);
      ports.push(decodeRejectedPort({ key, weight: 0, ...entry }));
    });
    return ports;
  }

  /** Calls `visit` with the label and counts of each entry of a sketch. */
  private eachEntry(
    view: DataView,
    sketch: number,
    visit: (label: number, length: number, entry: EntryCounts) => void
  ): void {
    const count = view.getUint8(sketch + S_COUNT);
    const entries = view.getUint32(sketch + S_ENTRIES, true);
    const lengths = view.getUint32(sketch + S_LABEL_LENGTHS, true);
    for (let entry = 0; entry < count; entry++) {
      const at = entries + entry * N_SIZE;
      const label = view.getUint32(at + N_LABEL, true);
      visit(label, view.getUint8(lengths + entry * 2), {
        flows: view.getUint32(at + N_FLOWS, true),
        packets: view.getFloat64(at + N_PACKETS, true),
        bytes: view.getFloat64(at + N_BYTES, true),
      });
    }
  }
}

/** Views of the scanner's memory, made once for all the rollups read. */
interface MemoryViews {
  readonly view: DataView;
  readonly bytes: Uint8Array;
  readonly floats: Float64Array;
  /** The UTF-8 text of `length` bytes at `at`. */
  readonly text: (at: number, length: number) => string;
  /** The scanner's rankTalkers, and where it writes its result. */
  readonly rankTalkers: (sketch: number) => number;
  readonly ranked: number;
}

/** Each id's slot in a window struct's ids (W_IDS), in IDS order. */
const ID_AT = Object.fromEntries(
  IDS.map((name, index) => [name, index])
) as Record<(typeof IDS)[number], number>;

/** The counts of a sketch entry. */
type EntryCounts = Omit<SketchEntry, 'key' | 'weight'>;

export type { ScannedWindows };
export { WindowReader };
