import type { RejectedFlow, RejectedPort, RejectedSource } from '../types.js';
import { addressBytes, type PackedAddresses } from './packedAddresses.js';
import {
  type DecodedTalker,
  decodeRejectedFlow,
  decodeRejectedPort,
  decodeSource,
  decodeTalker,
  rejectedFlowOf,
  talkerOf,
} from './topLists.js';
import type { SketchEntry } from './topSketch.js';

// The layout of wasm/sketch.ts (S_*, N_*), as far as entries are read.
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

/** The counts of a sketch entry. */
type EntryCounts = Omit<SketchEntry, 'key' | 'weight'>;

/**
 * The entries of a scanner's sketches in WebAssembly memory, each as the
 * typed path decodes its keys, in the order they arrived: the read-out's
 * way for a window whose labels are not all packed (toRollup then ranks
 * them). Packed labels are read as addresses straight from memory; text
 * labels as the typed path reads its keys. Reads memory only.
 */
class SketchTexts {
  private readonly view: DataView;
  private readonly memory: Uint8Array;
  private readonly addresses: PackedAddresses;

  constructor(buffer: ArrayBufferLike, addresses: PackedAddresses) {
    this.view = new DataView(buffer);
    this.memory = new Uint8Array(buffer);
    this.addresses = addresses;
  }

  /**
   * The talkers of a sketch, as they arrived (toRollup ranks them).
   * Packed labels are read as addresses straight from memory; text labels
   * as the typed path reads its keys.
   */
  talkers(sketch: number): DecodedTalker[] {
    const talkers: DecodedTalker[] = [];
    const { memory } = this;
    this.eachEntry(sketch, (label, length, entry) => {
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
  sources(sketch: number): RejectedSource[] {
    const sources: RejectedSource[] = [];
    const { memory } = this;
    this.eachEntry(sketch, (label, length, entry) => {
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
  rejectedFlows(sketch: number): RejectedFlow[] {
    const flows: RejectedFlow[] = [];
    const { memory } = this;
    this.eachEntry(sketch, (label, length, entry) => {
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
  rejectedPorts(sketch: number): RejectedPort[] {
    const ports: RejectedPort[] = [];
    const { memory } = this;
    this.eachEntry(sketch, (label, length, entry) => {
      const key = memory.subarray(label, label + length);
      ports.push(decodeRejectedPort({ key, weight: 0, ...entry }));
    });
    return ports;
  }

  /** Calls `visit` with the label and counts of each entry of a sketch. */
  private eachEntry(
    sketch: number,
    visit: (label: number, length: number, entry: EntryCounts) => void
  ): void {
    const { view } = this;
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

export { SketchTexts };
