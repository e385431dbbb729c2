// Hand-assembled WebAssembly: the binary encoding (LEB128, sections,
// names), the opcodes the line writer's functions use (WebAssembly core
// spec, binary format) and small builders of instruction sequences.
// https://webassembly.github.io/spec/core/binary/index.html

/** Unsigned LEB128. */
function uleb(value: number): number[] {
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
function sleb(value: number): number[] {
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
function sleb64(value: bigint): number[] {
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

const section = (id: number, body: number[]): number[] => [
  id,
  ...uleb(body.length),
  ...body,
];
const name = (text: string): number[] => [
  ...uleb(text.length),
  ...[...text].map((char) => char.charCodeAt(0)),
];

// Opcodes (WebAssembly core spec, binary format).
const BLOCK = 0x02;
const LOOP = 0x03;
const IF = 0x04;
const ELSE = 0x05;
const END = 0x0b;
const BR = 0x0c;
const BR_IF = 0x0d;
const VOID = 0x40;
const GET = 0x20;
const SET = 0x21;
const TEE = 0x22;
const I32_LOAD = 0x28;
const I64_LOAD = 0x29;
const I32_LOAD8_U = 0x2d;
const I32_STORE = 0x36;
const I64_STORE = 0x37;
const I32_STORE8 = 0x3a;
const I32_CONST = 0x41;
const I32_EQZ = 0x45;
const I32_EQ = 0x46;
const I32_NE = 0x47;
const I32_LT_S = 0x48;
const I32_GT_S = 0x4a;
const I32_GE_S = 0x4e;
const I32_ADD = 0x6a;
const I32_SUB = 0x6b;
const I32_MUL = 0x6c;
const I32_AND = 0x71;
const I32_SHL = 0x74;
const I32_OR = 0x72;
const I32_SHR_U = 0x76;
const I32_LT_U = 0x49;
const I32_GT_U = 0x4b;
const I32_WRAP_I64 = 0xa7;
const I64_EXTEND_I32_U = 0xad;
const I64_SHR_U = 0x88;
const SELECT = 0x1b;
const RETURN = 0x0f;
const I64_CONST = 0x42;
const I64_LOAD32_S = 0x34;
const I64_EQZ = 0x50;
const I64_LT_S = 0x53;
const I64_SUB = 0x7d;
const I64_MUL = 0x7e;
const I64_DIV_U = 0x80;
const I64_AND = 0x83;
const I64_OR = 0x84;
const I64_XOR = 0x85;
const I32_WRAP = I32_WRAP_I64;

const get = (local: number) => [GET, local];
const set = (local: number) => [SET, local];
const i32 = (value: number) => [I32_CONST, ...sleb(value)];
const load = (offset: number) => [I32_LOAD, 2, ...uleb(offset)];
/** `local += value`. */
const add = (local: number, value: number) => [
  ...get(local),
  ...i32(value),
  I32_ADD,
  ...set(local),
];
const i64 = (value: number | bigint) => [I64_CONST, ...sleb64(BigInt(value))];

export {
  add,
  BLOCK,
  BR,
  BR_IF,
  ELSE,
  END,
  get,
  I32_ADD,
  I32_AND,
  I32_EQ,
  I32_EQZ,
  I32_GE_S,
  I32_GT_S,
  I32_GT_U,
  I32_LOAD8_U,
  I32_LT_S,
  I32_LT_U,
  I32_MUL,
  I32_NE,
  I32_OR,
  I32_SHL,
  I32_SHR_U,
  I32_STORE,
  I32_STORE8,
  I32_SUB,
  I32_WRAP,
  I32_WRAP_I64,
  I64_AND,
  I64_DIV_U,
  I64_EQZ,
  I64_EXTEND_I32_U,
  I64_LOAD,
  I64_LOAD32_S,
  I64_LT_S,
  I64_MUL,
  I64_OR,
  I64_SHR_U,
  I64_STORE,
  I64_SUB,
  I64_XOR,
  IF,
  i32,
  i64,
  LOOP,
  load,
  name,
  RETURN,
  SELECT,
  section,
  set,
  TEE,
  uleb,
  VOID,
};
