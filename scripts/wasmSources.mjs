// The digest of what the scanner's WebAssembly is built from: every file
// of shared/aggregate/wasm/ (the AssemblyScript and its tsconfig) but the
// generated module, and the build script. scripts/buildWasm.mjs stamps it
// into the generated module; a test compares the stamp with the sources,
// so that a module built from older sources (or a --debug or --names build) is caught
// instead of read with layouts that have moved on.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const WASM_DIR = fileURLToPath(
  new URL('../shared/aggregate/wasm/', import.meta.url)
);
const BUILD_SCRIPT = fileURLToPath(new URL('./buildWasm.mjs', import.meta.url));
/** The module buildWasm.mjs writes into WASM_DIR (git-ignored). */
const GENERATED = 'flowLogScannerWasm.ts';

/**
 * The SHA-256 (hex) of the files of `dir` but GENERATED, by name, and of
 * the build script; a `--debug` or `--names` build (`variant`) digests
 * differently.
 */
function wasmSourcesDigest(dir = WASM_DIR, variant = undefined) {
  const hash = createHash('sha256');
  const names = readdirSync(dir)
    .filter((name) => name !== GENERATED)
    .sort();
  for (const name of names) {
    hash.update(`${name}\0`);
    hash.update(readFileSync(join(dir, name)));
    hash.update('\0');
  }
  hash.update(readFileSync(BUILD_SCRIPT));
  if (variant !== undefined) hash.update(`\0--${variant}`);
  return hash.digest('hex');
}

/** The digest stamped into the generated module, or null (none, or no module). */
function builtWasmDigest(dir = WASM_DIR) {
  let text;
  try {
    text = readFileSync(join(dir, GENERATED), 'utf8');
  } catch {
    return null;
  }
  return /FLOW_LOG_SCANNER_SOURCES = '([0-9a-f]{64})'/.exec(text)?.[1] ?? null;
}

export { builtWasmDigest, GENERATED, WASM_DIR, wasmSourcesDigest };
