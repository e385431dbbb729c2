/**
 * `npm run bench:ingest`: what DynamoDB writes cost per fleet-shaped S3
 * object, through the local stack. Per fleet (2M v2 records over 2,000 and
 * over 20,000 ENIs, and 2M v5 records over 20,000 ENIs in 8 VPCs and 32
 * subnets, whose scopes are written too; and the 20,000-ENI v2 records as
 * Parquet objects, `20k-parquet`) two objects: the first, and one of the same fleet
 * starting 300 s later, whose items mostly already hold the first's
 * contribution (as every delivery after the first finds them). Each is
 * uploaded to s3rver and ingested by the real `s3Ingest` handler, in a
 * process of its own, into one table per fleet (dynalite, in this
 * process). Reported per object: records, ENIs, (ENI, window) items, the
 * write requests dynalite answered, the table's write capacity units (the
 * sum of the `ConsumedCapacity` dynalite returned for them), index units
 * (by DynamoDB's rules: the table's one index, `catalog`, is sparse and
 * holds no rollup item, so 0), units per
 * item, items/s, the handler's CPU seconds (and per item) and peak RSS,
 * and what the writes cost per million records and per GB
 * of flow-log text at on-demand prices, next to CloudWatch Logs' price for
 * ingesting the same text. Prints the target (<= 1.5 WRU per item, index
 * writes included) as met or MISSED. A report, not a test.
 *   npm run bench:ingest              2M records, 2,000 and 20,000 ENIs
 *   npm run bench:ingest -- --quick   200k records, 2,000 ENIs (v2, and v5)
 *   npm run bench:ingest -- --only 20k   one fleet
 * The handler runs with the heap limits Lambda's Node.js runtime gives a
 * 1024 MB function (AWS_LAMBDA_FUNCTION_MEMORY_SIZE sets another size).
 * The handler's environment passes through (e.g. PART_MEMORY_MB, which
 * sets how many items one part of an object may hold: an object cut into
 * parts applies each part as a contribution of its own, so an item the
 * parts share is written once per part).
 *
 * DynamoDB's rules (what dynalite follows for the table, and what it
 * leaves out):
 * - A write costs 1 WRU per KB of the item, rounded up; an UpdateItem or a
 *   PutItem that replaces an item, by the larger of the item before and
 *   after. A write whose condition fails is billed too (at least 1 WRU):
 *   dynalite returns no capacity for it, so the bench counts 1 each.
 *   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html#write-operation-consumption
 * - Each global secondary index an item is in costs one more write per
 *   table write, two when an index key attribute changes (delete + put).
 *   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html#GSI.ThroughputConsiderations.Writes
 * Prices, us-east-1, looked up for this bench:
 * - DynamoDB on-demand: $0.625 per million write request units (Standard
 *   table class, since the November 2024 price cut).
 *   https://aws.amazon.com/dynamodb/pricing/on-demand/
 * - CloudWatch Logs vended logs (VPC Flow Logs to CloudWatch Logs):
 *   $0.50 per GB ingested, first 10 TB a month ($0.25 per GB delivered to S3).
 *   https://aws.amazon.com/cloudwatch/pricing/
 */
import {
  createReadStream,
  mkdirSync,
  mkdtempSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  FLEETS,
  type Fleet,
  keyOf,
  objectsOf,
  QUICK_FLEETS,
  textOf,
} from './benchIngest/fleet.js';
import { type ObjectFigures, report } from './benchIngest/report.js';
import {
  contributionsByItem,
  tallyWrites,
  type WriteTally,
} from './benchIngest/tallyWrites.js';
import { data, ensureFile, MIB, root, run } from './benchProcess.js';
import { ensureRollupTable, startLocalStack } from './local/localStack.js';

const LAMBDA_MAX_TIMEOUT_SECONDS = 900;
/** The function's memory the handler is run as (s3Ingest's in serverless.yml). */
const FUNCTION_MEMORY_MB = Number(
  process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? 1024
);
/**
 * V8's heap limits as Lambda's Node.js runtime sets them for a function of
 * FUNCTION_MEMORY_MB (its bootstrap: a tenth of the memory for the young
 * generation, half of that per semi-space, the rest for the old one), so
 * that the handler's garbage collection, and so its peak RSS, is Lambda's:
 * with Node.js's defaults on this machine (a heap limit sized from 24 GiB)
 * the same 65,733-item part peaked at 826-976 MiB, with Lambda's limits at
 * 693-695 MiB.
 */
const YOUNG_MB = Math.floor(FUNCTION_MEMORY_MB / 10);
const LAMBDA_HEAP_FLAGS = [
  `--max-semi-space-size=${Math.floor(YOUNG_MB / 2)}`,
  `--max-old-space-size=${FUNCTION_MEMORY_MB - YOUNG_MB}`,
];
const BUCKET = 'flowlog-rollups-bench';

const isQuick = process.argv.includes('--quick');
const only = process.argv[process.argv.indexOf('--only') + 1];
const fleets: Fleet[] = (isQuick ? QUICK_FLEETS : FLEETS).filter(
  (fleet) => !process.argv.includes('--only') || fleet.name === only
);

async function main(): Promise<void> {
  mkdirSync(data, { recursive: true });
  const scratch = mkdtempSync(join(tmpdir(), 'bench-ingest-'));
  const stack = await startLocalStack({
    dynamoPort: 0,
    s3Port: 0,
    dataDirectory: scratch,
    persist: false,
    tableName: 'flowlog-rollups-bench-0',
    buckets: [BUCKET],
  });
  const tally: WriteTally = {
    requests: 0,
    capacityUnits: 0,
    conditionFailures: 0,
    unreported: 0,
  };
  stack.dynamoServer.on(
    'request',
    (request: IncomingMessage, response: ServerResponse) =>
      tallyWrites(request, response, tally)
  );
  const template = await readFile(
    join(root, 'events', 's3-object-created.json'),
    'utf8'
  );
  const results: ObjectFigures[] = [];
  let index = 0;
  try {
    for (const fleet of fleets) {
      // One table per fleet: its second object finds the first's items.
      const tableName = `flowlog-rollups-bench-${fleet.name}`;
      await ensureRollupTable(stack.dynamo, tableName);
      const { Table } = await stack.dynamo.send(
        new DescribeTableCommand({ TableName: tableName })
      );
      // The catalog index is sparse: only catalog items carry its key.
      const indexes = [
        ...(Table?.GlobalSecondaryIndexes ?? []),
        ...(Table?.LocalSecondaryIndexes ?? []),
      ].filter((index) => index.IndexName !== 'catalog');
      if (indexes.length > 0) {
        throw new Error(
          `${tableName} has secondary indexes (${indexes.map((i) => i.IndexName).join(', ')}): this bench prices table writes only`
        );
      }
      for (const spec of objectsOf(fleet)) {
        const suffix =
          fleet.fileFormat === 'parquet' ? '.log.parquet' : '.log.gz';
        const path = await ensureFile(spec, suffix);
        const key = keyOf(index++, suffix);
        const sizeBytes = statSync(path).size;
        // A Parquet object's text: that of its gzip twin (the same records).
        const text = await textOf(await ensureFile(spec));
        await stack.s3.send(
          new PutObjectCommand({
            Bucket: BUCKET,
            Key: key,
            Body: createReadStream(path),
            ContentLength: sizeBytes,
          })
        );
        const event = JSON.parse(template) as {
          Records: {
            s3: { bucket: { name: string }; object: Record<string, unknown> };
          }[];
        };
        for (const record of event.Records) {
          record.s3.bucket.name = BUCKET;
          record.s3.object = { key, size: sizeBytes };
        }
        const eventFile = join(scratch, `event-${index}.json`);
        writeFileSync(eventFile, JSON.stringify(event));
        Object.assign(tally, {
          requests: 0,
          capacityUnits: 0,
          conditionFailures: 0,
          unreported: 0,
        });
        const before = await contributionsByItem(stack.dynamo, tableName);
        console.log(
          `ingesting ${spec.name}${suffix} (${(sizeBytes / MIB).toFixed(1)} MiB, ${text.enis} ENIs) into ${tableName} ...`
        );
        const measure = await run(
          [
            ...LAMBDA_HEAP_FLAGS,
            '--import',
            'tsx',
            join(root, 'scripts', 'local', 'invokeHandler.ts'),
            's3Ingest',
            eventFile,
            // dynalite writes a few hundred items a second (DynamoDB takes
            // thousands): give the handler Lambda's longest timeout, so a
            // 20,000-ENI object is not cut short by the stand-in's pace.
            String(LAMBDA_MAX_TIMEOUT_SECONDS),
          ],
          true,
          {
            ...process.env,
            ...stack.env,
            AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(FUNCTION_MEMORY_MB),
            ROLLUP_TABLE: tableName,
            // As deployed by default (serverless.yml, parameter tracing).
            POWERTOOLS_TRACE_ENABLED: 'false',
            AWS_XRAY_MANUAL_MODE: 'true',
            POWERTOOLS_METRICS_DISABLED: 'true',
          }
        );
        const summaryLine = `${measure.stdout}\n${measure.stderr}`
          .split('\n')
          .find((line) => line.includes('"Ingest complete."'));
        if (!summaryLine) {
          throw new Error(
            `no ingest summary in: ${measure.stdout.slice(0, 2000)}`
          );
        }
        const summary = JSON.parse(summaryLine) as {
          durationMs: number;
          records: number;
          rollupItems: number;
          writeCalls: number;
          writeCapacityUnits?: number;
          parts?: number;
        };
        // Write calls of the store, and the part checkpoints' writes.
        if (summary.writeCalls + tally.unreported !== tally.requests) {
          throw new Error(
            `the store counted ${summary.writeCalls} write calls and ${tally.unreported} others, dynalite answered ${tally.requests}`
          );
        }
        const after = await contributionsByItem(stack.dynamo, tableName);
        let items = 0;
        for (const [key, count] of after) {
          if (count !== (before.get(key) ?? 0)) items++;
        }
        results.push({
          fleet: fleet.name,
          object:
            fleet.fileFormat === 'parquet' ? `${spec.name}.parquet` : spec.name,
          records: summary.records,
          enis: text.enis,
          items,
          itemWrites: summary.rollupItems,
          parts: summary.parts ?? 1,
          textBytes: text.bytes,
          gzipMiB: sizeBytes / MIB,
          writeRequests: tally.requests,
          // A failed condition is billed at least 1 WRU, and so is a
          // checkpoint write (an item far below 1 KB): dynalite reports
          // neither.
          tableWriteUnits:
            tally.capacityUnits + tally.conditionFailures + tally.unreported,
          storeWriteUnits: summary.writeCapacityUnits ?? null,
          conditionFailures: tally.conditionFailures,
          unreportedWrites: tally.unreported,
          indexWriteUnits: 0,
          ingestSeconds: summary.durationMs / 1000,
          cpuSeconds: measure.cpuSeconds,
          maxRssMiB: measure.maxRssMiB,
        });
      }
    }
  } finally {
    await stack.close();
    await rm(scratch, { recursive: true, force: true });
  }
  report(results);
  writeFileSync(
    join(data, 'ingest-results.json'),
    `${JSON.stringify(results, null, 2)}\n`
  );
}

await main();
