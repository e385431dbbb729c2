import type { Rollup } from '../types.js';
import {
  COUNTERS,
  IDS,
  mergeRollups,
  OPTIONAL_COUNTERS,
} from './mergeRollups.js';
import { PackedAddresses } from './packedAddresses.js';
import {
  flowAt,
  portAt,
  type RankedEntry,
  sourceAt,
  talkerAt,
} from './rankedEntries.js';
import type { RollupShape } from './rollupShape.js';
import type { ScannerExports } from './scannerMemory.js';
import { SketchTexts } from './sketchTexts.js';
import { compareText } from './topLists.js';
import {
  type RankedRejections,
  rankRejections,
  toRankedRollup,
  toRollup,
  type WindowCounters,
} from './toRollup.js';

// The layouts of wasm/windowLayout.ts (W_*) and wasm/itemTables.ts (E_*),
// as far as the rollups are read from them.
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
// The result of wasm/rankTalkers.ts and wasm/rankRejected.ts (R_*).
const R_SELF = 0;
const R_ENTRIES = 8;
const R_PEER = 0;
const R_PORT = 4;
const R_PROTOCOL = 8;
const R_FLOWS = 16;
const R_PACKETS = 24;
const R_BYTES = 32;
const R_SIZE = 40;
/** The lists of wasm/rankRejected.ts. */
const LIST_SOURCES = 0;
const LIST_FLOWS = 1;
const LIST_PORTS = 2;

// A leading BOM is text, as the typed path (which decodes whole lines) keeps it.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * What the read-out needs of a scanner's WebAssembly instance: its memory,
 * where its windows and ENIs lie, and its rankings of their top lists.
 */
type ScannedWindows = Pick<
  ScannerExports,
  | 'memory'
  | 'getWindowCount'
  | 'windowAt'
  | 'eniAt'
  | 'rankTalkers'
  | 'rankingResult'
  | 'rankRejected'
  | 'rejectedResult'
>;

/**
 * Reads a scan's (ENI, window) structs out of WebAssembly memory as
 * Rollups, in order, one at a time: the counters as they lie, the top lists
 * ranked in WebAssembly (wasm/rankTalkers.ts, wasm/rankRejected.ts) as the
 * typed path ranks them, only the entries kept read out; a window with
 * text labels is decoded (SketchTexts) and ranked by toRollup. One reader
 * serves a scanner's parts; it keeps
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
    const windows = this.windowsInOrder(wasm);
    const merger = new AdjacentMerger();
    for (let position = 0; position < windows.count; position++) {
      const done = merger.add(windows.rollupAt(position));
      if (done !== null) yield done;
    }
    const last = merger.take();
    if (last !== null) yield last;
  }

  /**
   * The scan's windows in order: by ENI id (as text), then start. ENIs
   * interned by bytes may decode to one id (invalid UTF-8): their windows
   * of one start are adjacent, and `isSameItem` tells which to merge (as
   * the typed path keys them). Views of the memory are taken here:
   * allocate before.
   */
  windowsInOrder(wasm: ScannedWindows): WindowsInOrder {
    const count = wasm.getWindowCount();
    const memory = new Uint8Array(wasm.memory.buffer);
    const views: MemoryViews = {
      view: new DataView(wasm.memory.buffer),
      bytes: memory,
      floats: new Float64Array(wasm.memory.buffer),
      text: (at, length) => utf8.decode(memory.subarray(at, at + length)),
      rankTalkers: (sketch) => wasm.rankTalkers(sketch),
      ranked: wasm.rankingResult(),
      rankRejected: (sketch, list) => wasm.rankRejected(sketch, list),
      rejected: wasm.rejectedResult(),
      texts: new SketchTexts(wasm.memory.buffer, this.addresses),
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
    // ENIs ranked by id once (ids that decode to one text share a rank, so
    // that their windows of one start come together); windows sorted by
    // (rank, start) as numbers.
    // (ids has holes: ENIs with no window here; they get no rank.)
    const ranks = new Int32Array(ids.length);
    const byId: { id: string; index: number }[] = [];
    ids.forEach((id, index) => {
      byId.push({ id, index });
    });
    byId.sort((a, b) => compareText(a.id, b.id));
    let rank = -1;
    let last: string | null = null;
    for (const { id, index } of byId) {
      if (id !== last) rank++;
      last = id;
      ranks[index] = rank;
    }
    const rankOf = (k: number) => ranks[eniOf[k] as number] as number;
    const order = Uint32Array.from({ length: count }, (_, k) => k).sort(
      (a, b) =>
        rankOf(a) - rankOf(b) || (starts[a] as number) - (starts[b] as number)
    );
    return {
      count,
      order,
      rollupAt: (position) => {
        const k = order[position] as number;
        const id = ids[eniOf[k] as number] as string;
        return this.rollupAt(wasm.windowAt(k), id, views);
      },
    };
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
    const talkerSketch = at + W_TALKER_SKETCH;
    const kept = views.rankTalkers(talkerSketch);
    if (kept < 0) {
      return toRollup(
        interfaceId,
        counters,
        this.shape,
        views.texts.talkers(talkerSketch),
        views.texts.sources(at + W_REJECTED_SKETCH),
        views.texts.rejectedFlows(at + W_REJECTED_FLOW_SKETCH),
        views.texts.rejectedPorts(at + W_REJECTED_PORT_SKETCH)
      );
    }
    return toRankedRollup(
      interfaceId,
      counters,
      this.shape,
      this.shape.hasTalkers
        ? this.readRanked(views, views.ranked, kept, talkerAt)
        : [],
      this.shape.hasRejected ? this.rankedRejections(views, at) : null
    );
  }

  /**
   * The rejected lists of the window at `at`, ranked by rankRejected
   * after rankTalkers (which inferred the own addresses they leave out);
   * as text when an address in them is text.
   */
  private rankedRejections(views: MemoryViews, at: number): RankedRejections {
    const { rankRejected, rejected } = views;
    const keptSources = rankRejected(at + W_REJECTED_SKETCH, LIST_SOURCES);
    const sources =
      keptSources < 0
        ? null
        : this.readRanked(views, rejected, keptSources, sourceAt);
    const keptFlows = rankRejected(at + W_REJECTED_FLOW_SKETCH, LIST_FLOWS);
    const flows =
      keptFlows < 0
        ? null
        : this.readRanked(views, rejected, keptFlows, flowAt);
    if (sources === null || flows === null) {
      return rankRejections(
        this.rankedSelf(views),
        views.texts.sources(at + W_REJECTED_SKETCH),
        views.texts.rejectedFlows(at + W_REJECTED_FLOW_SKETCH),
        views.texts.rejectedPorts(at + W_REJECTED_PORT_SKETCH)
      );
    }
    const keptPorts = rankRejected(at + W_REJECTED_PORT_SKETCH, LIST_PORTS);
    const ports = this.readRanked(views, rejected, keptPorts, portAt);
    return { sources, flows, ports };
  }

  /**
   * The `kept` entries a ranking wrote at `result`, best first, each made
   * by `make` from its address's text ('' for none), port and protocol
   * (null for none) and counts.
   */
  private readRanked<T>(
    views: MemoryViews,
    result: number,
    kept: number,
    make: RankedEntry<T>
  ): T[] {
    const { view, bytes: memory, floats } = views;
    const entries: T[] = [];
    for (let rank = 0; rank < kept; rank++) {
      const at = result + R_ENTRIES + rank * R_SIZE;
      const address = view.getUint32(at + R_PEER, true);
      const port = view.getInt32(at + R_PORT, true);
      const protocol = view.getInt32(at + R_PROTOCOL, true);
      entries.push(
        make(
          address === 0 ? '' : this.addresses.textAt(memory, address),
          port < 0 ? null : port,
          protocol < 0 ? null : protocol,
          floats[(at + R_FLOWS) / 8] as number,
          floats[(at + R_PACKETS) / 8] as number,
          floats[(at + R_BYTES) / 8] as number
        )
      );
    }
    return entries;
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
}

/** A scan's windows in output order (WindowReader.windowsInOrder). */
interface WindowsInOrder {
  readonly count: number;
  /** The window index at each position. */
  readonly order: Uint32Array;
  /** The rollup of the window at a position, built on each call. */
  readonly rollupAt: (position: number) => Rollup;
}

/**
 * Merges adjacent rollups of one (ENI, window) item (windowsInOrder puts
 * them together): add them in order; an item's rollup comes back whole
 * once the next item begins, or from `take` at the end.
 */
class AdjacentMerger {
  private held: Rollup | null = null;

  /** Adds the next rollup; returns the last item's when this one begins another. */
  add(rollup: Rollup): Rollup | null {
    const { held } = this;
    if (
      held !== null &&
      held.interfaceId === rollup.interfaceId &&
      held.windowStart === rollup.windowStart
    ) {
      this.held = mergeRollups(held, rollup);
      return null;
    }
    this.held = rollup;
    return held;
  }

  /** The item held (null when none), which the merger lets go of. */
  take(): Rollup | null {
    const { held } = this;
    this.held = null;
    return held;
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
  /** The scanner's rankRejected, and where it writes its result. */
  readonly rankRejected: (sketch: number, list: number) => number;
  readonly rejected: number;
  /** The sketches' entries as text, where a window's labels are not packed. */
  readonly texts: SketchTexts;
}

/** Each id's slot in a window struct's ids (W_IDS), in IDS order. */
const ID_AT = Object.fromEntries(
  IDS.map((name, index) => [name, index])
) as Record<(typeof IDS)[number], number>;

export type { ScannedWindows, WindowsInOrder };
export { AdjacentMerger, WindowReader };
