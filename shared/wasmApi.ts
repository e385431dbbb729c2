/**
 * The part of the WebAssembly JS API this project uses (TypeScript's
 * ES2022 lib lacks it): modules compiled from bytes, instances, and shared
 * memories. A leaf: it imports nothing.
 */

/** A WebAssembly memory, shared between threads. */
interface WasmMemory {
  readonly buffer: SharedArrayBuffer;
  grow(pages: number): number;
}

interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: new (descriptor: {
    initial: number;
    maximum: number;
    shared: boolean;
  }) => WasmMemory;
}

/** `globalThis.WebAssembly`, typed. */
const { WebAssembly: wasmApi } = globalThis as unknown as {
  WebAssembly: WebAssemblyApi;
};

export type { WasmMemory, WebAssemblyApi };
export { wasmApi };
