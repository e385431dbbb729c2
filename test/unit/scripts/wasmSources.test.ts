import {
  appendFileSync,
  cpSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  builtWasmDigest,
  GENERATED,
  WASM_DIR,
  wasmSourcesDigest,
} from '../../../scripts/wasmSources.mjs';

const copies: string[] = [];

/** A copy of the AssemblyScript sources (and the generated module). */
const copyOfSources = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'wasm-sources-'));
  copies.push(dir);
  cpSync(WASM_DIR, dir, { recursive: true });
  return dir;
};

afterEach(() => {
  for (const dir of copies.splice(0)) rmSync(dir, { recursive: true });
});

describe('wasmSourcesDigest', () => {
  it('is the digest stamped into the generated module (else run npm run build:wasm)', () => {
    // Prepare
    const sources = wasmSourcesDigest();

    // Act
    const built = builtWasmDigest();

    // Assess
    expect(
      built,
      'shared/aggregate/wasm/flowLogScannerWasm.ts was built from other sources, or with --debug or --names: run npm run build:wasm'
    ).toBe(sources);
  });

  it('changes with a byte of a source, a new file or a --debug or --names build, not with the generated module', () => {
    // Prepare
    const dir = copyOfSources();
    const before = wasmSourcesDigest(dir);
    const core = join(dir, 'flowLogScannerCore.ts');
    const text = readFileSync(core, 'utf8');

    // Act
    writeFileSync(join(dir, GENERATED), 'anything');
    const afterGenerated = wasmSourcesDigest(dir);
    writeFileSync(
      core,
      text.replace('const SPACE: i32 = 0x20;', 'const SPACE: i32 = 0x21;')
    );
    const afterEdit = wasmSourcesDigest(dir);
    writeFileSync(core, text);
    appendFileSync(join(dir, 'extra.ts'), '');
    const afterNewFile = wasmSourcesDigest(dir);
    rmSync(join(dir, 'extra.ts'));
    const debug = wasmSourcesDigest(dir, 'debug');
    const named = wasmSourcesDigest(dir, 'names');

    // Assess
    expect(before).toMatch(/^[0-9a-f]{64}$/);
    expect(afterGenerated).toBe(before);
    expect(afterEdit).not.toBe(before);
    expect(afterNewFile).not.toBe(before);
    expect(debug).not.toBe(before);
    expect(named).not.toBe(before);
    expect(named).not.toBe(debug);
    expect(wasmSourcesDigest(dir)).toBe(before);
  });
});

describe('builtWasmDigest', () => {
  it('is null without a generated module, or with one that has no stamp', () => {
    // Prepare
    const dir = copyOfSources();
    const stamped = builtWasmDigest(dir);

    // Act
    writeFileSync(join(dir, GENERATED), "const FLOW_LOG_SCANNER_WASM = '';\n");
    const unstamped = builtWasmDigest(dir);
    rmSync(join(dir, GENERATED));
    const missing = builtWasmDigest(dir);

    // Assess
    expect(stamped).toMatch(/^[0-9a-f]{64}$/);
    expect(unstamped).toBeNull();
    expect(missing).toBeNull();
  });
});
