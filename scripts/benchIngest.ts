/**
 * `npm run bench:ingest`: a whole S3 ingest through the local stack, per
 * object: upload a generated 1M-record and a 5M-record v2 file to s3rver,
 * run the real `s3Ingest` handler on an S3 event in a process of its own,
 * and report records/s end to end, CPU seconds, peak RSS, the DynamoDB
 * write requests dynalite received and the distinct items they left (they
 * must be equal: one write per item), and the 5M/1M peak RSS ratio.
 * A report, not a test: figures vary with the machine.
 *   npm run bench:ingest              1M and 5M records
 *   npm run bench:ingest -- --quick   200k and 1M records
 */
import {
  createReadStream,
  mkdtempSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AttributeValue, ScanCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  data,
  ensureFile,
  type FileSpec,
  MIB,
  root,
  run,
} from './benchProcess.js';
import { ensureRollupTable, startLocalStack } from './local/localStack.js';

const isQuick = process.argv.includes('--quick');
const files: FileSpec[] = isQuick
  ? [
      { name: 'v2-200k', format: 'v2', records: 200_000 },
      { name: 'v2-1m', format: 'v2', records: 1_000_000 },
    ]
  : [
      { name: 'v2-1m', format: 'v2', records: 1_000_000 },
      { name: 'v2-5m', format: 'v2', records: 5_000_000 },
    ];
const BUCKET = 'flowlog-rollups-bench';

interface IngestFigures {
  name: string;
  records: number;
  gzipMiB: number;
  wallSeconds: number;
  /** The handler's own time for the object (from its summary): no process start-up. */
  ingestSeconds: number;
  cpuSeconds: number;
  maxRssMiB: number;
  writeRequests: number;
  writeCalls: number;
  distinctItems: number;
}

const keyOf = (index: number) =>
  `AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/01/123456789012_vpcflowlogs_us-east-1_fl-0123456789abcdef0_20261101T0000Z_${String(index).padStart(8, '0')}.log.gz`;

async function main(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'bench-ingest-'));
  const stack = await startLocalStack({
    dynamoPort: 0,
    s3Port: 0,
    dataDirectory: scratch,
    persist: false,
    tableName: 'flowlog-rollups-bench-0',
    buckets: [BUCKET],
  });
  let writeRequests = 0;
  stack.dynamoServer.on('request', (request: IncomingMessage) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    if (/\.(UpdateItem|PutItem)$/.test(target)) writeRequests++;
  });
  const template = await readFile(
    join(root, 'events', 's3-object-created.json'),
    'utf8'
  );
  const results: IngestFigures[] = [];
  try {
    for (const [index, spec] of files.entries()) {
      const path = await ensureFile(spec);
      const key = keyOf(index);
      // A table per object: its items are exactly what this ingest wrote.
      const tableName = `flowlog-rollups-bench-${index + 1}`;
      await ensureRollupTable(stack.dynamo, tableName);
      const sizeBytes = statSync(path).size;
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
      writeRequests = 0;
      console.log(
        `ingesting ${spec.name} (${(sizeBytes / MIB).toFixed(1)} MiB gzip) ...`
      );
      const measure = await run(
        [
          '--import',
          'tsx',
          join(root, 'scripts', 'local', 'invokeHandler.ts'),
          's3Ingest',
          eventFile,
        ],
        true,
        {
          ...process.env,
          ...stack.env,
          ROLLUP_TABLE: tableName,
          POWERTOOLS_TRACE_ENABLED: 'false',
          POWERTOOLS_METRICS_DISABLED: 'true',
        }
      );
      const summaryLine = `${measure.stdout}\n${measure.stderr}`
        .split('\n')
        .find((line) => line.includes('"Ingest complete."'));
      if (!summaryLine)
        throw new Error(
          `no ingest summary in: ${measure.stdout.slice(0, 2000)}`
        );
      const summary = JSON.parse(summaryLine) as {
        durationMs: number;
        records: number;
        writeCalls: number;
      };
      let distinctItems = 0;
      let startKey: Record<string, AttributeValue> | undefined;
      do {
        const page = await stack.dynamo.send(
          new ScanCommand({
            TableName: tableName,
            Select: 'COUNT',
            ExclusiveStartKey: startKey,
          })
        );
        distinctItems += page.Count ?? 0;
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      results.push({
        name: spec.name,
        records: summary.records,
        gzipMiB: sizeBytes / MIB,
        wallSeconds: measure.wallSeconds,
        cpuSeconds: measure.cpuSeconds,
        maxRssMiB: measure.maxRssMiB,
        writeRequests,
        writeCalls: summary.writeCalls,
        ingestSeconds: summary.durationMs / 1000,
        distinctItems,
      });
    }
  } finally {
    await stack.close();
    await rm(scratch, { recursive: true, force: true });
  }
  console.log(
    '\nfile      records  gzip MiB  process s  ingest s  records/s (ingest)  CPU s  peak RSS MiB  write requests  distinct items'
  );
  for (const r of results) {
    console.log(
      [
        r.name.padEnd(8),
        String(r.records).padStart(8),
        r.gzipMiB.toFixed(1).padStart(9),
        r.wallSeconds.toFixed(2).padStart(10),
        r.ingestSeconds.toFixed(2).padStart(9),
        Math.round(r.records / r.ingestSeconds)
          .toLocaleString('en-US')
          .padStart(19),
        r.cpuSeconds.toFixed(2).padStart(6),
        r.maxRssMiB.toFixed(1).padStart(13),
        String(r.writeRequests).padStart(15),
        String(r.distinctItems).padStart(15),
      ].join(' ')
    );
  }
  const [small, large] = results;
  if (small && large) {
    console.log(
      `\npeak RSS ratio ${large.name}/${small.name}: ${(large.maxRssMiB / small.maxRssMiB).toFixed(2)}`
    );
  }
  for (const r of results) {
    const same =
      r.writeRequests === r.distinctItems && r.writeCalls === r.distinctItems;
    console.log(
      `${r.name}: write requests ${r.writeRequests}, store write calls ${r.writeCalls}, distinct items ${r.distinctItems}: ${same ? 'one write per item' : 'MISMATCH'}`
    );
  }
  writeFileSync(
    join(data, 'ingest-results.json'),
    `${JSON.stringify(results, null, 2)}\n`
  );
}

await main();
