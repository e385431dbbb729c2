/**
 * The building blocks of the store's binary attributes (top lists, window
 * rankings): unsigned LEB128 varints for counts (any safe integer),
 * addresses as raw bytes when their text is canonical, and length-prefixed
 * UTF-8 for any other text. Both ends are exact: what a writer wrote, a
 * reader reads back unchanged, or the reader throws.
 */

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** How an address was written: 4 or 16 raw bytes, or its text. */
const ADDRESS_IPV4 = 0;
const ADDRESS_IPV6 = 1;
const ADDRESS_TEXT = 2;
type AddressKind =
  | typeof ADDRESS_IPV4
  | typeof ADDRESS_IPV6
  | typeof ADDRESS_TEXT;

/** The 4 bytes of a dotted-quad IPv4 address in canonical form (no leading zeros), else null. */
function ipv4Bytes(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i] as string;
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return null;
    const value = Number(part);
    if (value > 255) return null;
    bytes[i] = value;
  }
  return bytes;
}

/** RFC 5952 text of 16 address bytes: lower case, no leading zeros, the longest run (>= 2) of zero groups as `::`. */
function ipv6Text(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) {
    groups.push(((bytes[i] as number) << 8) | (bytes[i + 1] as number));
  }
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let end = i;
    while (end < 8 && groups[end] === 0) end++;
    if (end - i > bestLength) {
      bestStart = i;
      bestLength = end - i;
    }
    i = end;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestLength < 2) return hex.join(':');
  const head = hex.slice(0, bestStart).join(':');
  const tail = hex.slice(bestStart + bestLength).join(':');
  return `${head}::${tail}`;
}

/** The 16 bytes of an IPv6 address whose text is in RFC 5952 form, else null. */
function ipv6Bytes(text: string): Uint8Array | null {
  if (!/^[0-9a-f:]{2,39}$/.test(text)) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groupsOf = (part: string | undefined): string[] =>
    part === undefined || part === '' ? [] : part.split(':');
  const head = groupsOf(halves[0]);
  const tail = groupsOf(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(missing).fill('0'), ...tail];
  const bytes = new Uint8Array(16);
  for (const [index, group] of groups.entries()) {
    if (!/^[0-9a-f]{1,4}$/.test(group)) return null;
    const value = Number.parseInt(group, 16);
    bytes[2 * index] = value >> 8;
    bytes[2 * index + 1] = value & 255;
  }
  // Only a text that reads back the same is stored as bytes.
  return ipv6Text(bytes) === text ? bytes : null;
}

/** A growing byte buffer; `finish` returns what was written. */
class ByteWriter {
  private buffer = new Uint8Array(256);
  private length = 0;

  private reserve(count: number): void {
    if (this.length + count <= this.buffer.length) return;
    const grown = new Uint8Array(
      Math.max(this.buffer.length * 2, this.length + count)
    );
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }

  byte(value: number): void {
    this.reserve(1);
    this.buffer[this.length++] = value;
  }

  bytes(values: Uint8Array): void {
    this.reserve(values.length);
    this.buffer.set(values, this.length);
    this.length += values.length;
  }

  /** A non-negative safe integer in 1 to 8 bytes; throws `RangeError` on anything else. */
  varint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`not a count: ${value}`);
    }
    let rest = value;
    while (rest >= 128) {
      this.byte((rest % 128) + 128);
      rest = Math.floor(rest / 128);
    }
    this.byte(rest);
  }

  /** UTF-8 text after its length in bytes. */
  text(value: string): void {
    const encoded = textEncoder.encode(value);
    this.varint(encoded.length);
    this.bytes(encoded);
  }

  /**
   * Writes an address's bytes (IPv4 or IPv6 in canonical form) or else its
   * text, and returns which it wrote (the caller stores the kind).
   */
  address(value: string): AddressKind {
    const v4 = ipv4Bytes(value);
    if (v4 !== null) {
      this.bytes(v4);
      return ADDRESS_IPV4;
    }
    const v6 = ipv6Bytes(value);
    if (v6 !== null) {
      this.bytes(v6);
      return ADDRESS_IPV6;
    }
    this.text(value);
    return ADDRESS_TEXT;
  }

  /** Everything written, as a new array. */
  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

/** Reads what a `ByteWriter` wrote; every read throws `RangeError` past the end or on a malformed value. */
class ByteReader {
  private offset = 0;

  constructor(private readonly data: Uint8Array) {}

  get isAtEnd(): boolean {
    return this.offset >= this.data.length;
  }

  byte(): number {
    const value = this.data[this.offset];
    if (value === undefined) throw new RangeError('truncated');
    this.offset++;
    return value;
  }

  bytes(count: number): Uint8Array {
    if (this.offset + count > this.data.length) {
      throw new RangeError('truncated');
    }
    const slice = this.data.subarray(this.offset, this.offset + count);
    this.offset += count;
    return slice;
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const byte = this.byte();
      value += (byte % 128) * scale;
      if (byte < 128) {
        if (!Number.isSafeInteger(value)) {
          throw new RangeError('count beyond 2^53');
        }
        return value;
      }
      scale *= 128;
    }
    throw new RangeError('count longer than 8 bytes');
  }

  /** Throws `RangeError` when the bytes are not UTF-8, as on any bad input. */
  text(): string {
    const bytes = this.bytes(this.varint());
    try {
      return textDecoder.decode(bytes);
    } catch (error) {
      throw new RangeError('text that is not UTF-8', { cause: error });
    }
  }

  address(kind: number): string {
    switch (kind) {
      case ADDRESS_IPV4:
        return Array.from(this.bytes(4)).join('.');
      case ADDRESS_IPV6:
        return ipv6Text(this.bytes(16));
      case ADDRESS_TEXT:
        return this.text();
      default:
        throw new RangeError(`unknown address kind ${kind}`);
    }
  }
}

export type { AddressKind };
export {
  ADDRESS_IPV4,
  ADDRESS_IPV6,
  ADDRESS_TEXT,
  ByteReader,
  ByteWriter,
  ipv4Bytes,
  ipv6Bytes,
  ipv6Text,
};
