/**
 * Measures the dashboard as a user meets it: the overview's first render
 * (navigation to the top-ENI table and both charts drawn) in headless
 * Chromium, against the local stack holding 2,000 ENIs of data (200,000
 * v5 records, ingested by the real s3Ingest handler), and the bundle's
 * size. Prints figures; asserts nothing.
 *
 *   npm run bench:dashboard             (needs /usr/bin/chromium-headless-shell)
 *   npm run bench:dashboard -- --runs 5
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { chromium } from 'playwright-core';
import { DASHBOARD_ASSETS } from '../shared/query/dashboardAssets.js';
import { serveHttpApi } from './local/httpApi.js';
import { lambdaContext } from './local/lambdaContext.js';
import { startLocalStack } from './local/localStack.js';

const TABLE = 'flowlog-rollups-bench-dashboard';
const BUCKET = 'flowlog-rollups-bench-dashboard';
const KEY =
  'AWSLogs/210987654321/vpcflowlogs/us-east-1/2026/11/01/210987654321_vpcflowlogs_us-east-1_fl-0123456789abcdef0_20261101T0010Z_bench.log.gz';
const ENIS = 2000;
const RECORDS = 200_000;
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 3;

const directory = await mkdtemp(join(tmpdir(), 'flowlogs-dashboard-'));
const file = join(directory, 'fleet.log.gz');
await promisify(execFile)(process.execPath, [
  'scripts/flowlogs.mjs',
  'generate',
  '--records',
  String(RECORDS),
  '--enis',
  String(ENIS),
  '--seed',
  '3',
  '--format',
  'v5',
  '--out',
  file,
]);
const stack = await startLocalStack({
  dynamoPort: 0,
  s3Port: 0,
  dataDirectory: directory,
  persist: false,
  tableName: TABLE,
  buckets: [BUCKET],
});
Object.assign(process.env, stack.env, {
  ROLLUP_TABLE: TABLE,
  POWERTOOLS_SERVICE_NAME: 'flowlog-rollups',
  POWERTOOLS_TRACE_ENABLED: 'false',
  POWERTOOLS_LOG_LEVEL: 'WARN',
});
await stack.s3.send(
  new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: await readFile(file) })
);
const { handler: s3Ingest } = await import('../functions/s3Ingest.js');
const started = performance.now();
await s3Ingest(
  {
    Records: [
      {
        eventSource: 'aws:s3',
        eventName: 'ObjectCreated:Put',
        s3: { bucket: { name: BUCKET }, object: { key: KEY } },
      },
    ],
  },
  lambdaContext('s3Ingest')
);
const ingestSeconds = (performance.now() - started) / 1000;
const { handler: queryApi } = await import('../functions/queryApi.js');
const api = await serveHttpApi(queryApi, 0);
const base = `http://127.0.0.1:${api.port}/`;
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium-headless-shell',
  args: ['--no-sandbox'],
});
const times: number[] = [];
let points = '';
let rows = 0;
for (let run = 0; run < runs; run++) {
  const page = await browser.newPage({
    viewport: { width: 1280, height: 800 },
  });
  const begin = performance.now();
  await page.goto(base);
  await page.waitForSelector('#top-enis tbody tr');
  await page.waitForFunction(
    "document.querySelectorAll('.charts .uplot').length === 2"
  );
  times.push(performance.now() - begin);
  points = (await page.getAttribute('.charts', 'data-points')) ?? '';
  rows = await page.locator('#top-enis tbody tr').count();
  await page.close();
}
await browser.close();
await new Promise<void>((resolve) => api.server.close(() => resolve()));
await stack.close();
await rm(directory, { recursive: true, force: true });

const gzipped = Object.values(DASHBOARD_ASSETS).reduce(
  (sum, text) => sum + gzipSync(text).length,
  0
);
const sorted = [...times].sort((a, b) => a - b);
process.stdout.write(
  [
    `data: ${RECORDS.toLocaleString('en-US')} v5 records over ${ENIS.toLocaleString('en-US')} ENIs, ingested in ${ingestSeconds.toFixed(1)} s`,
    `overview first render (navigation to the top-ENI table and both charts), ${runs} runs: best ${sorted[0]?.toFixed(0)} ms, median ${sorted[Math.floor(runs / 2)]?.toFixed(0)} ms (target <= 1500 ms); chart points ${points}, table rows ${rows}`,
    `bundle (html + js + css): ${(Object.values(DASHBOARD_ASSETS).join('').length / 1024).toFixed(1)} KB, ${(gzipped / 1024).toFixed(1)} KB gzipped (target <= 300 KB)`,
    '',
  ].join('\n')
);
