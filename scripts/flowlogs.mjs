#!/usr/bin/env node
// Launcher for the `flowlogs` CLI. Runs the bundle that `npm run build` (run by
// `npm ci` through `prepare`) writes to dist/; builds it once if it is missing,
// so no TypeScript is compiled on an ordinary run.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/flowlogs.mjs', import.meta.url);
if (!existsSync(bundle)) {
  const { buildCli } = await import('./buildCli.mjs');
  buildCli();
}
await import(bundle.href);
