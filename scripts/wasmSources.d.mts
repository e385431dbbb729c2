// Types of wasmSources.mjs (plain JavaScript: the build runs it without tsx).
declare const WASM_DIR: string;
declare const GENERATED: string;
declare function wasmSourcesDigest(
  dir?: string,
  variant?: 'debug' | 'names'
): string;
declare function builtWasmDigest(dir?: string): string | null;

export { builtWasmDigest, GENERATED, WASM_DIR, wasmSourcesDigest };
