// Bundles the `flowlogs` CLI (scripts/flowlogs.ts) into dist/ with esbuild.
// Split into chunks: what only one command needs (the Parquet reader and
// writer, the AWS SDK of `flowlogs dashboard`) sits in chunks of its own
// that the command imports on use, so `flowlogs rollup` of a text file
// starts without parsing them. Run by `npm run build`, and by the launcher
// (scripts/flowlogs.mjs) when dist/ is missing.
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

const root = fileURLToPath(new URL('../', import.meta.url));

function buildCli() {
  rmSync(`${root}dist`, { recursive: true, force: true });
  buildSync({
    entryPoints: [`${root}scripts/flowlogs.ts`],
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outdir: `${root}dist`,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    logLevel: 'warning',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) buildCli();

export { buildCli };
