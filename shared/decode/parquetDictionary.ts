import {
  type Bytes,
  copyText,
  ODD_VALUE,
  writeAscii,
  writeDigits,
} from './textBytes.js';

/** Dictionary slots are at most this wide (a value of 63 bytes). */
const MAX_SLOT_BYTES = 64;
const TWO_TO_32 = 4_294_967_296;
/** The high word of an INT64 at most Number.MAX_SAFE_INTEGER. */
const SAFE_HIGH_WORDS = 0x200000;

/**
 * A dictionary page, its entries written as text: entry i at
 * `starts[i]`, `lengths[i]` as ColumnText's. When every entry fits in a
 * slot of `slotWidth` bytes (a power of two, at most MAX_SLOT_BYTES), the
 * text is laid out in slots instead, entry i at `i * slotWidth` with its
 * length in the slot's last byte: a row's value is then one cache line
 * away, not three (a dictionary of a few hundred KiB does not stay in
 * cache while 14 columns are read).
 */
interface TextDictionary {
  readonly text: Uint8Array;
  readonly starts: Int32Array;
  readonly lengths: Int32Array;
  readonly slotWidth: number;
}

/**
 * The dictionary laid out in slots when every entry fits one (in `into`),
 * else as it is.
 */
function inSlots(dictionary: TextDictionary, into: Bytes): TextDictionary {
  const { text, starts, lengths } = dictionary;
  let longest = 0;
  for (const length of lengths) {
    if (length < 0) return dictionary;
    longest = Math.max(longest, length);
  }
  let width = 4;
  while (width < longest + 1) width *= 2;
  if (width > MAX_SLOT_BYTES) return dictionary;
  const slots = into.ensure(0, lengths.length * width);
  for (let i = 0; i < lengths.length; i++) {
    const start = starts[i] ?? 0;
    const length = lengths[i] ?? 0;
    slots.set(text.subarray(start, start + length), i * width);
    slots[i * width + width - 1] = length;
    starts[i] = i * width;
  }
  return { text: slots, starts, lengths, slotWidth: width };
}

/**
 * A dictionary page's values (PLAIN: BYTE_ARRAY, INT32 or INT64, `count`
 * of them in `bytes`, uncompressed) written as text into `out`, as
 * ColumnText writes a page's values, laid out in slots (in `slots`) when
 * every entry fits one.
 */
function dictionaryText(
  bytes: Uint8Array,
  count: number,
  type: string,
  out: Bytes,
  slots: Bytes
): TextDictionary {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const starts = new Int32Array(count);
  const lengths = new Int32Array(count);
  let at = 0;
  let offset = 0;
  for (let i = 0; i < count; i++) {
    starts[i] = at;
    let length: number;
    if (type === 'BYTE_ARRAY') {
      const size = view.getUint32(offset, true);
      length = copyText(out, at, bytes, offset + 4, size);
      offset += 4 + size;
    } else if (type === 'INT32') {
      const value = view.getInt32(offset, true);
      offset += 4;
      const target = out.ensure(at, 24);
      length =
        (value >= 0
          ? writeDigits(target, at, value)
          : writeAscii(target, at, String(value))) - at;
    } else {
      const low = view.getUint32(offset, true);
      const high = view.getInt32(offset + 4, true);
      const target = out.ensure(at, 24);
      length =
        (high >= 0 && high < SAFE_HIGH_WORDS
          ? writeDigits(target, at, high * TWO_TO_32 + low)
          : writeAscii(target, at, String(view.getBigInt64(offset, true)))) -
        at;
      offset += 8;
    }
    lengths[i] = length;
    at += length >= 0 ? length : ODD_VALUE - length;
  }
  return inSlots({ text: out.bytes, starts, lengths, slotWidth: 0 }, slots);
}

export type { TextDictionary };
export { dictionaryText };
