/**
 * The embedded stand-ins for AWS: dynalite (DynamoDB) and s3rver (S3) on
 * 127.0.0.1, with the rollup table created from serverless.yml's own
 * definition, so local and deployed tables cannot drift apart. Used by
 * `npm start`, the integration tests and `npm run bench:ingest`.
 */
import { mkdir, readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import {
  CreateBucketCommand,
  HeadBucketCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import AWSAccount from 's3rver/lib/models/account.js';
import { parse } from 'yaml';

/** Any credentials work with the stand-ins; these are the defaults we set. */
const DUMMY_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const REGION = 'us-east-1';

// s3rver only knows its own access key (S3RVER) and does not check V4
// signatures anyway: let any access key stand for its dummy account, so
// users' dummy credentials work as they do against dynalite.
const knownAccount = AWSAccount.registry.get.bind(AWSAccount.registry);
AWSAccount.registry.get = (accessKeyId: string) =>
  knownAccount(accessKeyId) ?? AWSAccount.DUMMY_ACCOUNT;

interface LocalStackOptions {
  /** 0 picks a free port (tests). */
  readonly dynamoPort: number;
  readonly s3Port: number;
  /** s3rver keeps objects here; dynalite keeps tables under `dynamodb/` when `persist`. */
  readonly dataDirectory: string;
  readonly persist: boolean;
  readonly tableName: string;
  readonly buckets: readonly string[];
}

interface LocalStack {
  readonly dynamoEndpoint: string;
  readonly s3Endpoint: string;
  readonly tableName: string;
  /** Environment for handlers, `serverless invoke local` and the SDK. */
  readonly env: Readonly<Record<string, string>>;
  readonly dynamo: DynamoDBClient;
  readonly s3: S3Client;
  /** dynalite's HTTP server: listen to 'request' to count calls. */
  readonly dynamoServer: Server;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

/** serverless.yml's `RollupTable` properties as a CreateTable request. */
async function rollupTableDefinition(
  tableName: string
): Promise<CreateTableCommandInput> {
  const text = await readFile(
    new URL('../../serverless.yml', import.meta.url),
    'utf8'
  );
  const config = parse(text) as {
    resources: {
      Resources: { RollupTable: { Properties: CreateTableCommandInput } };
    };
  };
  const {
    AttributeDefinitions,
    KeySchema,
    GlobalSecondaryIndexes,
    BillingMode,
  } = config.resources.Resources.RollupTable.Properties;
  return {
    TableName: tableName,
    AttributeDefinitions,
    KeySchema,
    ...(GlobalSecondaryIndexes ? { GlobalSecondaryIndexes } : {}),
    BillingMode,
  };
}

/** Creates the rollup table unless it exists; waits until it is ACTIVE. */
async function ensureRollupTable(
  client: DynamoDBClient,
  tableName: string
): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  await client.send(
    new CreateTableCommand(await rollupTableDefinition(tableName))
  );
  for (;;) {
    const { Table } = await client.send(
      new DescribeTableCommand({ TableName: tableName })
    );
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function ensureBucket(client: S3Client, bucket: string): Promise<void> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  }
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () =>
      resolve((server.address() as AddressInfo).port)
    );
  });
}

/**
 * Starts dynalite and s3rver, creates the table and buckets (keeping what
 * exists: restarting is harmless), and returns clients and the
 * environment that points the AWS SDK at them.
 */
async function startLocalStack(
  options: LocalStackOptions
): Promise<LocalStack> {
  await mkdir(options.dataDirectory, { recursive: true });
  const dynamoServer = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.persist ? { path: `${options.dataDirectory}/dynamodb` } : {}),
  });
  const dynamoPort = await listen(dynamoServer, options.dynamoPort);
  const s3rver = new S3rver({
    address: HOST,
    port: options.s3Port,
    directory: `${options.dataDirectory}/s3`,
    silent: true,
  });
  let s3Port: number;
  try {
    ({ port: s3Port } = await s3rver.run());
  } catch (error) {
    dynamoServer.close();
    throw error;
  }
  const dynamoEndpoint = `http://${HOST}:${dynamoPort}`;
  const s3Endpoint = `http://${HOST}:${s3Port}`;
  const dynamo = new DynamoDBClient({
    endpoint: dynamoEndpoint,
    region: REGION,
    credentials: DUMMY_CREDENTIALS,
  });
  const s3 = new S3Client({
    endpoint: s3Endpoint,
    region: REGION,
    credentials: DUMMY_CREDENTIALS,
    forcePathStyle: true,
    // s3rver stores an aws-chunked (streamed, checksummed) upload with its
    // chunk framing: send plain bodies.
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  await ensureRollupTable(dynamo, options.tableName);
  for (const bucket of options.buckets) await ensureBucket(s3, bucket);
  const env = {
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    AWS_ENDPOINT_URL_S3: s3Endpoint,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: DUMMY_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: DUMMY_CREDENTIALS.secretAccessKey,
    ROLLUP_TABLE: options.tableName,
  };
  async function close() {
    dynamo.destroy();
    s3.destroy();
    await s3rver.close();
    await new Promise<void>((resolve) => dynamoServer.close(() => resolve()));
  }
  return {
    dynamoEndpoint,
    s3Endpoint,
    tableName: options.tableName,
    env,
    dynamo,
    s3,
    dynamoServer,
    close,
  };
}

export type { LocalStack, LocalStackOptions };
export { DUMMY_CREDENTIALS, ensureRollupTable, REGION, startLocalStack };
