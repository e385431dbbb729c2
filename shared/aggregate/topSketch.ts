/** Longest label a sketch stores by default (talkers); longer labels are cut. */
const MAX_KEY_BYTES = 96;
/** Longest label of a sketch of addresses alone (IPv6 text is at most 39). */
const MAX_ADDRESS_BYTES = 40;

const HASH_SEED = 0x811c9dc5;

/** Multiplier of the per-word step (2^32 / golden ratio, odd). */
const WORD_PRIME = 0x9e3779b1;

/** MurmurHash3's finaliser: every input bit reaches every output bit. */
function mixHash(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** One word of hashBytes: a multiplication, then its high bits folded down. */
function foldWord(h: number, word: number): number {
  const folded = Math.imul(h ^ word, WORD_PRIME);
  return folded ^ (folded >>> 15);
}

/**
 * A 32-bit hash of bytes[from..to): how both ingest paths identify peers.
 * Each little-endian 4-byte word (the last one zero-padded) is folded in
 * by an xor, a multiplication and an xor-shift (which brings the high bits
 * the multiplication reached back down): a bijection of the state for each
 * word, so keys of one length that differ in a single word never collide.
 * MurmurHash3's finaliser then spreads every bit over the result (the
 * sketches index their sets by its low bits). Cheaper than MurmurHash3's
 * word step, which matters on the hot path (two addresses a record). The
 * WebAssembly twin reads the same words.
 */
function hashBytes(bytes: Uint8Array, from: number, to: number): number {
  let h = HASH_SEED;
  let i = from;
  for (; i + 4 <= to; i += 4) {
    const word =
      (bytes[i] as number) |
      ((bytes[i + 1] as number) << 8) |
      ((bytes[i + 2] as number) << 16) |
      ((bytes[i + 3] as number) << 24);
    h = foldWord(h, word);
  }
  let rest = 0;
  for (let shift = 0; i < to; i++, shift += 8) {
    rest |= (bytes[i] as number) << shift;
  }
  if (((to - from) & 3) !== 0) h = foldWord(h, rest);
  return mixHash(h ^ (to - from));
}

/** One tracked key with what was counted for it since it entered the sketch. */
interface SketchEntry {
  readonly key: Uint8Array;
  readonly weight: number;
  readonly flows: number;
  readonly packets: number;
  readonly bytes: number;
}

const EMPTY_BYTES: Uint8Array = new Uint8Array(0);
const EMPTY_INTS: Int32Array = new Int32Array(0);
const EMPTY_FLOATS: Float64Array = new Float64Array(0);

/** Sets of a full sketch; each set holds WAYS keys. */
const FULL_SETS = 32;
/**
 * Sets of a new sketch: few peers cost little. It doubles when a key meets
 * a full set, up to FULL_SETS, so its size follows the keys it holds.
 */
const FIRST_SETS = 1;
/** Keys per set: a set is one 64-byte cache line in the WebAssembly twin. */
const WAYS = 2;

/**
 * A bounded heavy-hitters sketch for the hot path, keyed by a 32-bit hash of
 * the key's bytes so that no string is built per record: a 2-way
 * set-associative table (32 sets, 64 keys) in which each set runs weighted
 * Unbiased Space-Saving (Ting, 2018). A key not held, meeting a full set, adds
 * its weight to the set's lighter entry and takes it over with probability
 * weight / (new entry weight), drawn from a fixed-seed generator, so results
 * are deterministic. The WebAssembly twin (wasm/sketch.ts) must stay
 * step-for-step identical.
 * Approximate: heavy keys are kept unless more heavy keys than ways share a
 * set; the flows/packets/bytes of a key are what was seen since it entered;
 * two keys with the same hash count as one.
 */
class TopSketch {
  private sets = 0;
  private hashes = EMPTY_INTS;
  /** Per entry: weight, flows, packets, bytes; flows 0 marks an empty entry. */
  private counts = EMPTY_FLOATS;
  private labels = EMPTY_BYTES;
  private labelLengths = EMPTY_BYTES;
  /** xorshift32 state for the takeover draws. */
  private random = 0x9e3779b9;
  /** Bytes kept of each label (longer ones are cut). */
  private readonly labelBytes: number;

  /** Sets of the sketch once full (a power of two, at most FULL_SETS). */
  private readonly maxSets: number;

  constructor(labelBytes = MAX_KEY_BYTES, maxSets = FULL_SETS) {
    this.labelBytes = labelBytes;
    this.maxSets = maxSets;
  }

  /**
   * Adds one observation of the key with this hash. Returns the entry whose
   * label the caller must now write (a key that just entered), or -1.
   */
  add(
    hash: number,
    weight: number,
    flows: number,
    packets: number,
    bytes: number
  ): number {
    if (this.sets === 0) this.allocate(FIRST_SETS);
    for (;;) {
      const { hashes, counts } = this;
      const first = (hash & (this.sets - 1)) * WAYS;
      for (let entry = first; entry < first + WAYS; entry++) {
        if (counts[entry * 4 + 1] !== 0 && hashes[entry] === hash) {
          const at = entry * 4;
          counts[at] = (counts[at] as number) + weight;
          counts[at + 1] = (counts[at + 1] as number) + flows;
          counts[at + 2] = (counts[at + 2] as number) + packets;
          counts[at + 3] = (counts[at + 3] as number) + bytes;
          return -1;
        }
      }
      for (let entry = first; entry < first + WAYS; entry++) {
        if (counts[entry * 4 + 1] === 0) {
          return this.take(entry, hash, weight, flows, packets, bytes);
        }
      }
      if (this.sets < this.maxSets) {
        this.grow();
        continue;
      }
      const second = first + 1;
      const victim =
        (counts[second * 4] as number) < (counts[first * 4] as number)
          ? second
          : first;
      const total = (counts[victim * 4] as number) + weight;
      if (total > 0 && this.draw() * total >= weight) {
        counts[victim * 4] = total;
        return -1;
      }
      return this.take(victim, hash, total, flows, packets, bytes);
    }
  }

  /** Appends source[from..to) to an entry's label, cut at `limit` bytes. */
  appendLabel(
    entry: number,
    source: Uint8Array,
    from: number,
    to: number,
    limit = this.labelBytes
  ): void {
    const length = this.labelLengths[entry] as number;
    const end = Math.min(to, from + limit - length);
    const base = entry * this.labelBytes + length;
    for (let i = from; i < end; i++) {
      this.labels[base + i - from] = source[i] as number;
    }
    this.labelLengths[entry] = length + Math.max(0, end - from);
  }

  /** The tracked entries, heaviest first (ties by label bytes). */
  entries(): SketchEntry[] {
    const result: SketchEntry[] = [];
    for (let entry = 0; entry < this.sets * WAYS; entry++) {
      const at = entry * 4;
      if (this.counts[at + 1] === 0) continue;
      const offset = entry * this.labelBytes;
      result.push({
        key: this.labels.slice(
          offset,
          offset + (this.labelLengths[entry] as number)
        ),
        weight: this.counts[at] as number,
        flows: this.counts[at + 1] as number,
        packets: this.counts[at + 2] as number,
        bytes: this.counts[at + 3] as number,
      });
    }
    return result.sort(
      (a, b) => b.weight - a.weight || Buffer.compare(a.key, b.key)
    );
  }

  private take(
    entry: number,
    hash: number,
    weight: number,
    flows: number,
    packets: number,
    bytes: number
  ): number {
    const at = entry * 4;
    this.hashes[entry] = hash;
    this.counts[at] = weight;
    this.counts[at + 1] = flows;
    this.counts[at + 2] = packets;
    this.counts[at + 3] = bytes;
    this.labelLengths[entry] = 0;
    return entry;
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

  private allocate(sets: number): void {
    const entries = sets * WAYS;
    this.sets = sets;
    this.hashes = new Int32Array(entries);
    this.counts = new Float64Array(entries * 4);
    this.labels = new Uint8Array(entries * this.labelBytes);
    this.labelLengths = new Uint8Array(entries);
  }

  /**
   * Moves every entry, in entry order, to a table of twice the sets: the
   * entries of an old set go to two new sets, so none is dropped. As in the
   * WebAssembly twin.
   */
  private grow(): void {
    const { hashes, counts, labels, labelLengths } = this;
    const old = this.sets * WAYS;
    this.allocate(this.sets * 2);
    for (let entry = 0; entry < old; entry++) {
      if (counts[entry * 4 + 1] === 0) continue;
      const hash = hashes[entry] as number;
      const first = (hash & (this.sets - 1)) * WAYS;
      const target = this.counts[first * 4 + 1] === 0 ? first : first + 1;
      this.hashes[target] = hash;
      this.counts.set(counts.subarray(entry * 4, entry * 4 + 4), target * 4);
      this.labels.set(
        labels.subarray(entry * this.labelBytes, (entry + 1) * this.labelBytes),
        target * this.labelBytes
      );
      this.labelLengths[target] = labelLengths[entry] as number;
    }
  }
}

export type { SketchEntry };
export { hashBytes, MAX_ADDRESS_BYTES, MAX_KEY_BYTES, mixHash, TopSketch };
