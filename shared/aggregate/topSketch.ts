/** Longest label a sketch stores; longer labels are cut. */
const MAX_KEY_BYTES = 96;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a over bytes[from..to), continuing from `hash` (start with FNV_OFFSET). */
function hashBytes(
  bytes: Uint8Array,
  from: number,
  to: number,
  hash = FNV_OFFSET
): number {
  let h = hash;
  for (let i = from; i < to; i++) {
    h = Math.imul(h ^ (bytes[i] as number), FNV_PRIME);
  }
  return h;
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
 * A bounded heavy-hitters sketch for the hot path: weighted Unbiased
 * Space-Saving (Ting, 2018), keyed by a 32-bit hash of the key's bytes so that
 * no string is built per record. It holds at most `capacity` keys. A key not
 * held adds its weight to the lightest entry and takes that entry over with
 * probability weight / (new entry weight), drawn from a fixed-seed
 * generator, so results are deterministic. The result is approximate: heavy
 * keys are kept; the flows/packets/bytes of a key are what was seen since it
 * entered; two keys with the same hash count as one (about 1 in 70 million
 * per window at 60 tracked keys).
 */
class TopSketch {
  private readonly capacity: number;
  private size = 0;
  private labels: Uint8Array;
  private labelLengths: Uint8Array;
  /** Per slot: weight, flows, packets, bytes (one cache line for a hit). */
  private slots: Float64Array;
  private hashes: Int32Array;
  /** Min-heap of slots by weight, and each slot's place in it. */
  private heap: Int32Array;
  private place: Int32Array;
  /** Open addressing, linear probing: [hash, slot + 1] pairs; slot 0 is empty. */
  private readonly table: Int32Array;
  private readonly mask: number;
  /** xorshift32 state for the takeover draws. */
  private random = 0x9e3779b9;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.labels = EMPTY_BYTES;
    this.labelLengths = EMPTY_BYTES;
    this.slots = EMPTY_FLOATS;
    this.hashes = EMPTY_INTS;
    this.heap = EMPTY_INTS;
    this.place = EMPTY_INTS;
    let tableSize = 8;
    while (tableSize < capacity * 2) tableSize *= 2;
    this.table = new Int32Array(tableSize * 2);
    this.mask = tableSize - 1;
  }

  /**
   * Adds one observation of the key with this hash. Returns the slot whose
   * label the caller must now write (a key that just entered), or -1.
   */
  add(
    hash: number,
    weight: number,
    flows: number,
    packets: number,
    bytes: number
  ): number {
    const { table, mask } = this;
    let at = hash & mask;
    for (;;) {
      const entry = table[2 * at + 1] as number;
      if (entry === 0) break;
      if (table[2 * at] === hash) {
        const slot = entry - 1;
        const slots = this.slots;
        const base = slot * 4;
        slots[base] = (slots[base] as number) + weight;
        slots[base + 1] = (slots[base + 1] as number) + flows;
        slots[base + 2] = (slots[base + 2] as number) + packets;
        slots[base + 3] = (slots[base + 3] as number) + bytes;
        this.siftDown(this.place[slot] as number);
        return -1;
      }
      at = (at + 1) & mask;
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
      inherited = this.slots[slot * 4] as number;
      const total = inherited + weight;
      if (total > 0 && this.draw() * total >= weight) {
        this.slots[slot * 4] = total;
        this.siftDown(0);
        return -1;
      }
      this.unlink(slot);
      at = hash & mask;
      while (table[2 * at + 1] !== 0) at = (at + 1) & mask;
    }
    table[2 * at] = hash;
    table[2 * at + 1] = slot + 1;
    this.hashes[slot] = hash;
    const base = slot * 4;
    this.slots[base] = inherited + weight;
    this.slots[base + 1] = flows;
    this.slots[base + 2] = packets;
    this.slots[base + 3] = bytes;
    this.labelLengths[slot] = 0;
    if (isNew) this.siftUp(this.place[slot] as number);
    else this.siftDown(this.place[slot] as number);
    return slot;
  }

  /** Appends source[from..to) to a slot's label, cut at `limit` bytes. */
  appendLabel(
    slot: number,
    source: Uint8Array,
    from: number,
    to: number,
    limit = MAX_KEY_BYTES
  ): void {
    const length = this.labelLengths[slot] as number;
    const end = Math.min(to, from + limit - length);
    const base = slot * MAX_KEY_BYTES + length;
    for (let i = from; i < end; i++) {
      this.labels[base + i - from] = source[i] as number;
    }
    this.labelLengths[slot] = length + Math.max(0, end - from);
  }

  /** The tracked entries, heaviest first (ties by label bytes). */
  entries(): SketchEntry[] {
    const result: SketchEntry[] = [];
    for (let slot = 0; slot < this.size; slot++) {
      const offset = slot * MAX_KEY_BYTES;
      result.push({
        key: this.labels.slice(
          offset,
          offset + (this.labelLengths[slot] as number)
        ),
        weight: this.slots[slot * 4] as number,
        flows: this.slots[slot * 4 + 1] as number,
        packets: this.slots[slot * 4 + 2] as number,
        bytes: this.slots[slot * 4 + 3] as number,
      });
    }
    return result.sort(
      (a, b) => b.weight - a.weight || Buffer.compare(a.key, b.key)
    );
  }

  /** A uniform draw in [0, 1). */
  private draw(): number {
    let x = this.random;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.random = x;
    return (x >>> 0) / 4_294_967_296;
  }

  /** Removes a slot from the hash table (backward-shift deletion). */
  private unlink(slot: number): void {
    const { table, mask } = this;
    let at = (this.hashes[slot] as number) & mask;
    while (table[2 * at + 1] !== slot + 1) at = (at + 1) & mask;
    let hole = at;
    let next = (hole + 1) & mask;
    while (table[2 * next + 1] !== 0) {
      const home = (table[2 * next] as number) & mask;
      // Move the entry back if the hole lies on its probe path.
      if (((next - home) & mask) >= ((next - hole) & mask)) {
        table[2 * hole] = table[2 * next] as number;
        table[2 * hole + 1] = table[2 * next + 1] as number;
        hole = next;
      }
      next = (next + 1) & mask;
    }
    table[2 * hole + 1] = 0;
  }

  /** Grows to 8, then 32, then capacity slots: one allocation per step. */
  private grow(): void {
    const slots = Math.min(this.capacity, Math.max(8, this.hashes.length * 4));
    const floats = new Float64Array(slots * 4);
    const ints = new Int32Array(slots * 3);
    const bytes = new Uint8Array(slots * (MAX_KEY_BYTES + 1));
    const size = this.size;
    floats.set(this.slots.subarray(0, size * 4));
    ints.set(this.hashes.subarray(0, size));
    ints.set(this.heap.subarray(0, size), slots);
    ints.set(this.place.subarray(0, size), slots * 2);
    bytes.set(this.labels.subarray(0, size * MAX_KEY_BYTES));
    bytes.set(this.labelLengths.subarray(0, size), slots * MAX_KEY_BYTES);
    this.slots = floats;
    this.hashes = ints.subarray(0, slots);
    this.heap = ints.subarray(slots, slots * 2);
    this.place = ints.subarray(slots * 2);
    this.labels = bytes.subarray(0, slots * MAX_KEY_BYTES);
    this.labelLengths = bytes.subarray(slots * MAX_KEY_BYTES);
  }

  private siftUp(start: number): void {
    const { heap, place, slots } = this;
    let i = start;
    const slot = heap[i] as number;
    const weight = slots[slot * 4] as number;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const parentSlot = heap[parent] as number;
      if (weight >= (slots[parentSlot * 4] as number)) break;
      heap[i] = parentSlot;
      place[parentSlot] = i;
      i = parent;
    }
    heap[i] = slot;
    place[slot] = i;
  }

  private siftDown(start: number): void {
    const { heap, place, slots, size } = this;
    let i = start;
    const slot = heap[i] as number;
    const weight = slots[slot * 4] as number;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      let childWeight = slots[(heap[child] as number) * 4] as number;
      const right = child + 1;
      if (right < size) {
        const rightWeight = slots[(heap[right] as number) * 4] as number;
        if (rightWeight < childWeight) {
          child = right;
          childWeight = rightWeight;
        }
      }
      if (childWeight >= weight) break;
      const childSlot = heap[child] as number;
      heap[i] = childSlot;
      place[childSlot] = i;
      i = child;
    }
    heap[i] = slot;
    place[slot] = i;
  }
}

const EMPTY_BYTES = new Uint8Array(0);
const EMPTY_INTS = new Int32Array(0);
const EMPTY_FLOATS = new Float64Array(0);

export type { SketchEntry };
export { FNV_OFFSET, FNV_PRIME, hashBytes, MAX_KEY_BYTES, TopSketch };
