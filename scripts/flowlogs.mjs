#!/usr/bin/env node
// Launcher for the `flowlogs` CLI. Runs the bundle that `npm run build` (run by
// `npm ci` through `prepare`) writes to dist/; builds it once if it is missing,
// so no TypeScript is compiled on an ordinary run.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = new URL('../dist/flowlogs.mjs', import.meta.url);
if (!existsSync(bundle)) {
  const { buildSync } = await import('esbuild');
  buildSync({
    entryPoints: [fileURLToPath(new URL('./flowlogs.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: fileURLToPath(bundle),
    logLevel: 'error',
  });
}
await import(bundle.href);
