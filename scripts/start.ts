/**
 * `npm start`: the whole pipeline on a laptop. Starts dynalite and s3rver
 * on 127.0.0.1 (data under .local/), creates the table and bucket,
 * generates a sample flow-log file with `flowlogs generate`, uploads it
 * under a real VPC Flow Logs key, runs the real `s3Ingest` handler on
 * events/s3-object-created.json, prints what it ingested, and keeps the
 * stand-ins running until Ctrl-C. Serves the query API (the real
 * `queryApi` handler behind a local API Gateway stand-in) on
 * 127.0.0.1:3000. The ENI catalog is filled for the sample's ENIs by the
 * real refresh, with a stand-in for EC2 (scripts/local/sampleCatalog.ts).
 * `SEED=0` skips the sample.
 * Ports: DYNAMODB_PORT (8000), S3_PORT (4568), API_PORT (3000).
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { loadConfig } from '../shared/config.js';
import { refreshCatalog } from '../shared/pipeline/refreshCatalog.js';
import { createDynamoRollupReader } from '../shared/store/dynamoRollupReader.js';
import { createCatalogDeps } from '../shared/wiring.js';
import { serveHttpApi } from './local/httpApi.js';
import { lambdaContext } from './local/lambdaContext.js';
import { type LocalStack, startLocalStack } from './local/localStack.js';
import {
  LOCAL_TABLE,
  SAMPLE,
  SAMPLE_BUCKET,
  SAMPLE_KEY,
  SAMPLE_WINDOW,
} from './local/sample.js';
import { SAMPLE_VPC, sampleCatalogSource } from './local/sampleCatalog.js';

const DATA_DIRECTORY = '.local';
const port = (name: string, fallback: number): number => {
  const raw = process.env[name];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65_535) {
    throw new Error(`${name} must be a TCP port (1-65535), got '${raw}'`);
  }
  return value;
};

async function seed(stack: LocalStack): Promise<void> {
  const file = `${DATA_DIRECTORY}/sample.log.gz`;
  await promisify(execFile)(process.execPath, [
    'scripts/flowlogs.mjs',
    'generate',
    '--records',
    String(SAMPLE.records),
    '--enis',
    String(SAMPLE.enis),
    '--seed',
    String(SAMPLE.seed),
    '--out',
    file,
  ]);
  await stack.s3.send(
    new PutObjectCommand({
      Bucket: SAMPLE_BUCKET,
      Key: SAMPLE_KEY,
      Body: await readFile(file),
    })
  );
  const event = JSON.parse(
    await readFile('events/s3-object-created.json', 'utf8')
  ) as unknown;
  // The handler builds its clients from the environment at import.
  const { handler } = await import('../functions/s3Ingest.js');
  await handler(event, lambdaContext('s3Ingest'));
}

async function main(): Promise<void> {
  const stack = await startLocalStack({
    dynamoPort: port('DYNAMODB_PORT', 8000),
    s3Port: port('S3_PORT', 4568),
    dataDirectory: DATA_DIRECTORY,
    persist: true,
    tableName: LOCAL_TABLE,
    buckets: [SAMPLE_BUCKET],
  });
  Object.assign(process.env, stack.env, {
    POWERTOOLS_SERVICE_NAME: 'flowlog-rollups',
    POWERTOOLS_TRACE_ENABLED: 'false',
    // As deployed by default (serverless.yml); read when a handler loads.
    AWS_XRAY_MANUAL_MODE: 'true',
    POWERTOOLS_DEV: 'true',
  });
  console.log(
    `DynamoDB (dynalite) on ${stack.dynamoEndpoint}, table ${LOCAL_TABLE}`
  );
  console.log(`S3 (s3rver) on ${stack.s3Endpoint}, bucket ${SAMPLE_BUCKET}`);
  if (process.env.SEED !== '0') {
    // The catalog refresh itself, with a stand-in for EC2's describe calls;
    // first, so that the ingest places the v2 sample's ENIs in their VPCs.
    const catalog = await refreshCatalog(
      createCatalogDeps(
        loadConfig(),
        sampleCatalogSource(SAMPLE.seed, SAMPLE.enis)
      ),
      Math.floor(Date.now() / 1000)
    );
    console.log(
      `ENI catalog: ${catalog.enis} ENIs (${catalog.written} written), ${catalog.addressesWritten} addresses`
    );
    console.log(`Ingesting s3://${SAMPLE_BUCKET}/${SAMPLE_KEY} ...`);
    await seed(stack);
  }
  const { handler: queryApi } = await import('../functions/queryApi.js');
  const api = await serveHttpApi(queryApi, port('API_PORT', 3000));
  const base = `http://127.0.0.1:${api.port}`;
  console.log(`Query API on ${base}; the dashboard: ${base}/`);
  const [busiest] = await createDynamoRollupReader(
    stack.dynamo,
    LOCAL_TABLE
  ).topOfWindow(SAMPLE_WINDOW, 'bytes', 1);
  if (busiest) {
    const eni = busiest.interfaceId;
    console.log(`Try the sample (busiest ENI ${eni}):
  curl '${base}/enis/${eni}/rollups?from=2026-11-01T00:00:00Z&to=2026-11-01T01:00:00Z&limit=3'
  curl '${base}/enis/${eni}/summary?from=2026-11-01T00:00:00Z&to=2026-11-01T01:00:00Z'
  curl '${base}/windows/2026-11-01T00:00:00Z/top?by=bytes&limit=5&format=csv'
  curl '${base}/vpcs/${SAMPLE_VPC}/rollups?from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z&step=1h'
  curl '${base}/accounts/123456789012/summary?from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z'
  curl '${base}/top?from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z&by=rejectFlows&limit=5&vpcId=${SAMPLE_VPC}'
  curl '${base}/vpcs/${SAMPLE_VPC}/rejections?from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z&limit=5'`);
  }
  const env = Object.entries(stack.env)
    .filter(([name]) => name.startsWith('AWS_'))
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
  console.log(`
Run the handler yourself on a sample event (any bucket/key on the local S3):
  ${env} npx serverless invoke local -f s3Ingest -p events/s3-object-created.json
Look at the rollups:
  ${env} aws dynamodb scan --table-name ${LOCAL_TABLE} --endpoint-url ${stack.dynamoEndpoint} --max-items 3
Ctrl-C stops the stand-ins; data stays in ${DATA_DIRECTORY}/ (delete it to start over).`);
  process.once('SIGINT', () => {
    console.log('\nStopping.');
    api.server.close();
    void stack.close().then(() => process.exit(0));
  });
}

await main();
