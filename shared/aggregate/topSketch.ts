/** Longest key a sketch stores; longer keys are cut (both ingest paths cut alike). */
const MAX_KEY_BYTES = 96;

/** FNV-1a over bytes[0..length), 32 bits. */
function hashBytes(bytes: Uint8Array, from: number, to: number): number {
  let hash = 0x811c9dc5;
  for (let i = from; i < to; i++) {
    hash = Math.imul(hash ^ (bytes[i] as number), 0x01000193);
  }
  return hash >>> 0;
}

/** One tracked key with what was counted for it since it entered the sketch. */
interface SketchEntry {
  readonly key: Uint8Array;
  readonly weight: number;
  readonly flows: number;
  readonly packets: number;
  readonly bytes: number;
}

/**
 * A bounded heavy-hitters sketch (weighted Space-Saving, Metwally et al.)
 * keyed by raw bytes, so that the hot path never builds a string per record.
 * It holds at most `capacity` keys: a new key replaces the lightest one and
 * inherits its weight as error. The result is therefore approximate: the
 * heaviest keys are kept, their flows/packets/bytes are lower bounds.
 * Two keys with the same 32-bit hash: the later one is not tracked.
 */
class TopSketch {
  private readonly capacity: number;
  private size = 0;
  private keys: Uint8Array;
  private keyLengths: Uint8Array;
  private hashes: Uint32Array;
  private weights: Float64Array;
  private counts: Float64Array;
  /** Min-heap of slots by weight, and each slot's place in it. */
  private heap: Int32Array;
  private place: Int32Array;
  private readonly index = new Map<number, number>();

  constructor(capacity: number) {
    this.capacity = capacity;
    const initial = Math.min(4, capacity);
    this.keys = new Uint8Array(initial * MAX_KEY_BYTES);
    this.keyLengths = new Uint8Array(initial);
    this.hashes = new Uint32Array(initial);
    this.weights = new Float64Array(initial);
    this.counts = new Float64Array(initial * 3);
    this.heap = new Int32Array(initial);
    this.place = new Int32Array(initial);
  }

  /** Adds one observation of the key key[offset..offset + length). */
  add(
    key: Uint8Array,
    offset: number,
    length: number,
    weight: number,
    flows: number,
    packets: number,
    bytes: number
  ): void {
    const keyLength = Math.min(length, MAX_KEY_BYTES);
    const hash = hashBytes(key, offset, offset + keyLength);
    const found = this.index.get(hash);
    if (found !== undefined) {
      if (!this.sameKey(found, key, offset, keyLength)) return;
      this.weights[found] = (this.weights[found] as number) + weight;
      this.count(found, flows, packets, bytes);
      this.siftDown(this.place[found] as number);
      return;
    }
    let slot: number;
    let inherited = 0;
    const isNew = this.size < this.capacity;
    if (isNew) {
      if (this.size === this.hashes.length) this.grow();
      slot = this.size;
      this.heap[slot] = slot;
      this.place[slot] = slot;
      this.size++;
    } else {
      slot = this.heap[0] as number;
      inherited = this.weights[slot] as number;
      this.index.delete(this.hashes[slot] as number);
    }
    this.index.set(hash, slot);
    this.hashes[slot] = hash;
    this.keys.set(
      key.subarray(offset, offset + keyLength),
      slot * MAX_KEY_BYTES
    );
    this.keyLengths[slot] = keyLength;
    this.weights[slot] = inherited + weight;
    this.counts.fill(0, slot * 3, slot * 3 + 3);
    this.count(slot, flows, packets, bytes);
    if (isNew) {
      this.siftUp(this.place[slot] as number);
    } else {
      this.siftDown(this.place[slot] as number);
    }
  }

  /** The tracked entries, heaviest first (ties by key bytes). */
  entries(): SketchEntry[] {
    const result: SketchEntry[] = [];
    for (let slot = 0; slot < this.size; slot++) {
      const offset = slot * MAX_KEY_BYTES;
      result.push({
        key: this.keys.slice(
          offset,
          offset + (this.keyLengths[slot] as number)
        ),
        weight: this.weights[slot] as number,
        flows: this.counts[slot * 3] as number,
        packets: this.counts[slot * 3 + 1] as number,
        bytes: this.counts[slot * 3 + 2] as number,
      });
    }
    return result.sort(
      (a, b) => b.weight - a.weight || Buffer.compare(a.key, b.key)
    );
  }

  private count(slot: number, flows: number, packets: number, bytes: number) {
    const at = slot * 3;
    this.counts[at] = (this.counts[at] as number) + flows;
    this.counts[at + 1] = (this.counts[at + 1] as number) + packets;
    this.counts[at + 2] = (this.counts[at + 2] as number) + bytes;
  }

  private sameKey(
    slot: number,
    key: Uint8Array,
    offset: number,
    length: number
  ): boolean {
    if (this.keyLengths[slot] !== length) return false;
    const at = slot * MAX_KEY_BYTES;
    for (let i = 0; i < length; i++) {
      if (this.keys[at + i] !== key[offset + i]) return false;
    }
    return true;
  }

  private grow(): void {
    const slots = Math.min(this.capacity, this.hashes.length * 2);
    const keys = new Uint8Array(slots * MAX_KEY_BYTES);
    keys.set(this.keys);
    this.keys = keys;
    this.keyLengths = growArray(this.keyLengths, new Uint8Array(slots));
    this.hashes = growArray(this.hashes, new Uint32Array(slots));
    this.weights = growArray(this.weights, new Float64Array(slots));
    this.counts = growArray(this.counts, new Float64Array(slots * 3));
    this.heap = growArray(this.heap, new Int32Array(slots));
    this.place = growArray(this.place, new Int32Array(slots));
  }

  private lighter(i: number, j: number): boolean {
    const a = this.weights[this.heap[i] as number] as number;
    const b = this.weights[this.heap[j] as number] as number;
    return a < b;
  }

  private swap(i: number, j: number): void {
    const a = this.heap[i] as number;
    const b = this.heap[j] as number;
    this.heap[i] = b;
    this.heap[j] = a;
    this.place[b] = i;
    this.place[a] = j;
  }

  private siftUp(start: number): void {
    let i = start;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.lighter(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(start: number): void {
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= this.size) return;
      const right = left + 1;
      const child =
        right < this.size && this.lighter(right, left) ? right : left;
      if (!this.lighter(child, i)) return;
      this.swap(i, child);
      i = child;
    }
  }
}

function growArray<
  T extends Uint8Array | Uint32Array | Int32Array | Float64Array,
>(from: T, to: T): T {
  to.set(from as never);
  return to;
}

export type { SketchEntry };
export { MAX_KEY_BYTES, TopSketch };
