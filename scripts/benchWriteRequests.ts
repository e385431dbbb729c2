/**
 * `npx tsx scripts/benchWriteRequests.ts [--items N]`: what one DynamoDB
 * write request costs `s3Ingest`'s own CPU, against what the same items
 * would cost in batches. The items are real rollups (the 20,000-ENI
 * fleet's, 200k records, `flowlogs rollup`), written to dynalite running
 * in a process of its own, so that the CPU measured here is the client's
 * alone (the AWS SDK's signing, middleware, HTTP and JSON, and the store's
 * encoding):
 * - as the store writes them: one conditional UpdateItem each
 *   (`updateFor`, 16 in flight, as `WRITE_CONCURRENCY`);
 * - as BatchWriteItem requests of 25 PutItems of the items those writes
 *   stored (read back; 16 in flight). A batch takes no condition, so it cannot apply a
 *   contribution exactly once to a shared item: the figure is what
 *   batching would save a design with an item per contribution.
 * A report, not a test: it prints client CPU per item and per request.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import {
  BatchWriteItemCommand,
  DynamoDBClient,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import {
  batchGetItems,
  forEachBounded,
  type Item,
} from '../shared/store/dynamoCalls.js';
import { updateFor } from '../shared/store/rollupWrites.js';
import type { Rollup } from '../shared/types.js';
import { cli, ensureFile } from './benchProcess.js';
import { ensureRollupTable } from './local/localStack.js';

const itemsAt = process.argv.indexOf('--items');
const ITEMS = itemsAt > 0 ? Number(process.argv[itemsAt + 1]) : 10_000;
if (!Number.isSafeInteger(ITEMS) || ITEMS < 25) {
  throw new Error('--items takes a whole number of at least 25');
}
const IN_FLIGHT = 16;
const BATCH = 25;
const TABLE = 'bench-write-requests';
const CONTRIBUTION = 's3://flowlog-rollups-bench/fleet.log.gz#etag';

/** dynalite in a child process, on a free port: its CPU is not ours. */
async function startDynalite(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      "require('dynalite')({ createTableMs: 0 }).listen(0, '127.0.0.1', function () { console.log(this.address().port); });",
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] }
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.stdout?.once('data', (chunk: Buffer) =>
      resolve(Number(chunk.toString().trim()))
    );
  });
  return { child, port };
}

/** The first ITEMS rollups of the 20,000-ENI fleet (200k records). */
async function fleetRollups(): Promise<Rollup[]> {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build`);
  const path = await ensureFile({
    name: 'v2-200k-e20000-s3',
    format: 'v2',
    records: 200_000,
    enis: 20_000,
    seed: 3,
  });
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [cli, 'rollup', path],
    { maxBuffer: 1 << 30 }
  );
  const rollups = stdout
    .split('\n')
    .filter((line) => line !== '')
    .slice(0, ITEMS)
    .map((line) => JSON.parse(line) as Rollup);
  if (rollups.length < ITEMS) {
    throw new Error(`the fleet has ${rollups.length} rollups, not ${ITEMS}`);
  }
  return rollups;
}

/**
 * Runs `call` on each of `count` indexes, IN_FLIGHT at a time (the store's
 * own bounded concurrency); the client's CPU and wall seconds.
 */
async function clientCpuSeconds(
  count: number,
  call: (index: number) => Promise<unknown>
): Promise<{ cpuSeconds: number; wallSeconds: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await forEachBounded(
    Array.from({ length: count }, (_, index) => index),
    IN_FLIGHT,
    async (index) => {
      await call(index);
    }
  );
  const used = process.cpuUsage(cpu);
  return {
    cpuSeconds: (used.user + used.system) / 1e6,
    wallSeconds: (performance.now() - started) / 1000,
  };
}

const rollups = await fleetRollups();
const { child, port } = await startDynalite();
try {
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  // The rollup table as serverless.yml defines it, twice.
  for (const name of [TABLE, `${TABLE}-batched`]) {
    await ensureRollupTable(client, name);
  }
  const options = { tableName: TABLE, retentionDays: 30 };
  const updates = rollups.map((rollup) =>
    updateFor(rollup, CONTRIBUTION, options)
  );
  // Warm: the SDK's first calls load and compile its code.
  await client.send(
    new UpdateItemCommand(updateFor(rollups[0] as Rollup, 'warm', options))
  );
  const single = await clientCpuSeconds(ITEMS, (index) =>
    client.send(new UpdateItemCommand(updates[index] as UpdateItemCommandInput))
  );
  // The items as the updates stored them, read back (not timed).
  const stored: Item[] = await batchGetItems(
    client,
    TABLE,
    updates.map((update) => update.Key as Item)
  );
  const requests = Math.ceil(stored.length / BATCH);
  const batched = await clientCpuSeconds(requests, (index) =>
    client.send(
      new BatchWriteItemCommand({
        RequestItems: {
          [`${TABLE}-batched`]: stored
            .slice(index * BATCH, index * BATCH + BATCH)
            .map((item) => ({ PutRequest: { Item: item } })),
        },
        ReturnConsumedCapacity: 'TOTAL',
      })
    )
  );
  const row = (
    label: string,
    calls: number,
    run: { cpuSeconds: number; wallSeconds: number }
  ) =>
    `${label.padEnd(36)}${String(calls).padStart(9)}${run.wallSeconds.toFixed(1).padStart(8)}${run.cpuSeconds.toFixed(2).padStart(9)}${((run.cpuSeconds / ITEMS) * 1e6).toFixed(0).padStart(13)}${((run.cpuSeconds / calls) * 1e6).toFixed(0).padStart(15)}`;
  console.log(
    `${ITEMS.toLocaleString('en')} rollups of the 20,000-ENI fleet, ${IN_FLIGHT} requests in flight, dynalite in its own process`
  );
  console.log(
    `${'writes'.padEnd(36)}${'requests'.padStart(9)}${'wall s'.padStart(8)}${'CPU s'.padStart(9)}${'CPU µs/item'.padStart(13)}${'CPU µs/request'.padStart(15)}`
  );
  console.log(row('UpdateItem, conditional (the store)', ITEMS, single));
  console.log(
    row(`BatchWriteItem, ${BATCH} PutItems a request`, requests, batched)
  );
  client.destroy();
} finally {
  child.kill();
}
