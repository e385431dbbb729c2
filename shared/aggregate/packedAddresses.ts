/**
 * The texts of packed addresses (wasm/addresses.ts `packAddress`: a tag, 4
 * or 6, then the address's bytes), as the read-out (windowReader.ts) writes
 * them into rollups: exactly the text that was packed. The ranking itself
 * runs in WebAssembly (wasm/rankTalkers.ts), which writes the same texts
 * where it compares addresses.
 */

/**
 * An address as the read-out keys it: an IPv4 address as its 32-bit value,
 * any other as its text. Equal keys, equal texts.
 */
type AddressKey = number | string;

const MAX_CACHED_ADDRESSES = 4096;

/**
 * Keys and texts of packed addresses. Texts of IPv4 keys are cached: peers
 * recur across windows.
 */
class PackedAddresses {
  private readonly ipv4Texts = new Map<number, string>();

  /** The key of the packed address at `at`. */
  keyAt(memory: Uint8Array, at: number): AddressKey {
    if (memory[at] !== 4) return ipv6Text(memory, at + 1);
    return (
      (memory[at + 1] as number) * 0x1000000 +
      (((memory[at + 2] as number) << 16) |
        ((memory[at + 3] as number) << 8) |
        (memory[at + 4] as number))
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
      const octet = (shift: number) => Math.floor(key / 2 ** shift) & 0xff;
      text = `${octet(24)}.${octet(16)}.${octet(8)}.${octet(0)}`;
      cache.set(key, text);
    }
    return text;
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

export { addressBytes, PackedAddresses };
