// Hand-assembled WebAssembly: the binary encoding (LEB128, sections,
// names), the opcodes the line writer's functions use (WebAssembly core
// spec, binary format) and small builders of instruction sequences.
// https://webassembly.github.io/spec/core/binary/index.html

/** Unsigned LEB128. */
export function uleb(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  do {
    const byte = rest & 0x7f;
    rest = Math.floor(rest / 128);
    bytes.push(rest === 0 ? byte : byte | 0x80);
  } while (rest !== 0);
  return bytes;
}

/** Signed LEB128 (small values). */
export function sleb(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  for (;;) {
    const byte = rest & 0x7f;
    rest >>= 7;
    const isDone =
      (rest === 0 && (byte & 0x40) === 0) ||
      (rest === -1 && (byte & 0x40) !== 0);
    bytes.push(isDone ? byte : byte | 0x80);
    if (isDone) return bytes;
  }
}

/** Signed LEB128 of a 64-bit value. */
export function sleb64(value: bigint): number[] {
  const bytes: number[] = [];
  let rest = BigInt.asIntN(64, value);
  for (;;) {
    const byte = Number(rest & 0x7fn);
    rest >>= 7n;
    const isDone =
      (rest === 0n && (byte & 0x40) === 0) ||
      (rest === -1n && (byte & 0x40) !== 0);
    bytes.push(isDone ? byte : byte | 0x80);
    if (isDone) return bytes;
  }
}

export const section = (id: number, body: number[]): number[] => [
  id,
  ...uleb(body.length),
  ...body,
];
export const name = (text: string): number[] => [
  ...uleb(text.length),
  ...[...text].map((char) => char.charCodeAt(0)),
];

// Opcodes (WebAssembly core spec, binary format).
export const BLOCK = 0x02;
export const LOOP = 0x03;
export const IF = 0x04;
export const ELSE = 0x05;
export const END = 0x0b;
export const BR = 0x0c;
export const BR_IF = 0x0d;
export const VOID = 0x40;
export const GET = 0x20;
export const SET = 0x21;
export const TEE = 0x22;
export const I32_LOAD = 0x28;
export const I64_LOAD = 0x29;
export const I32_LOAD8_U = 0x2d;
export const I32_STORE = 0x36;
export const I64_STORE = 0x37;
export const I32_STORE8 = 0x3a;
export const I32_CONST = 0x41;
export const I32_EQZ = 0x45;
export const I32_EQ = 0x46;
export const I32_NE = 0x47;
export const I32_LT_S = 0x48;
export const I32_GT_S = 0x4a;
export const I32_GE_S = 0x4e;
export const I32_ADD = 0x6a;
export const I32_SUB = 0x6b;
export const I32_MUL = 0x6c;
export const I32_AND = 0x71;
export const I32_SHL = 0x74;
export const I32_OR = 0x72;
export const I32_SHR_U = 0x76;
export const I32_LT_U = 0x49;
export const I32_GT_U = 0x4b;
export const I32_WRAP_I64 = 0xa7;
export const I64_EXTEND_I32_U = 0xad;
export const I64_SHR_U = 0x88;
export const SELECT = 0x1b;
export const RETURN = 0x0f;
export const I64_CONST = 0x42;
export const I64_LOAD32_S = 0x34;
export const I64_EQZ = 0x50;
export const I64_LT_S = 0x53;
export const I64_SUB = 0x7d;
export const I64_MUL = 0x7e;
export const I64_DIV_U = 0x80;
export const I64_AND = 0x83;
export const I64_OR = 0x84;
export const I64_XOR = 0x85;
export const I32_WRAP = I32_WRAP_I64;

export const get = (local: number) => [GET, local];
export const set = (local: number) => [SET, local];
export const i32 = (value: number) => [I32_CONST, ...sleb(value)];
export const load = (offset: number) => [I32_LOAD, 2, ...uleb(offset)];
/** `local += value`. */
export const add = (local: number, value: number) => [
  ...get(local),
  ...i32(value),
  I32_ADD,
  ...set(local),
];
export const i64 = (value: number | bigint) => [
  I64_CONST,
  ...sleb64(BigInt(value)),
];
