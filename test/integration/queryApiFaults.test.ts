/**
 * The real queryApi handler when DynamoDB does not answer (its endpoint
 * points at a closed port, or at a server that drops every connection),
 * and the local HTTP API stand-in (scripts/local/httpApi.ts) given a path
 * it cannot parse. Each handler is imported afresh under its own
 * environment, as a cold start reads it; the SDK reads the endpoint at a
 * client's first call, so each handler is called before the environment
 * changes again, and the environment is put back at the end.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  captureHandlerLogs,
  type HandlerLogs,
} from '../helpers/handlerLogs.js';
import {
  bodyOf,
  call,
  type ErrorBody,
  errorBodyProblems,
  internalsIn,
  ROOT,
  type RunningApi,
  startQueryApi,
} from '../helpers/queryApi.js';

/** What every handler here needs besides its DynamoDB endpoint. */
const BASE_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  ROLLUP_TABLE: 'queryapi-faults-rollups',
  POWERTOOLS_SERVICE_NAME: 'flowlog-rollups',
  POWERTOOLS_DEV: 'true',
  POWERTOOLS_TRACE_ENABLED: 'false',
  POWERTOOLS_METRICS_DISABLED: 'true',
} as const;

const listen = (server: Server): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });

const closeServer = (server: Server): Promise<void> =>
  new Promise((resolve) => server.close(() => resolve()));

/** A port that nothing listens on: one the system just gave and took back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await closeServer(server);
  return port;
}

/** A TCP server that drops every connection at once, and counts them. */
async function droppingServer() {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.destroy();
  });
  const port = await listen(server);
  return {
    port,
    connections: () => connections,
    async close() {
      for (const socket of sockets) socket.destroy();
      await closeServer(server);
    },
  };
}

const CHANGED = [
  ...Object.keys(BASE_ENV),
  'AWS_ENDPOINT_URL_DYNAMODB',
  'AWS_MAX_ATTEMPTS',
];
const savedEnv = CHANGED.map((name) => [name, process.env[name]] as const);

afterAll(() => {
  for (const [name, value] of savedEnv) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('queryApi when DynamoDB does not answer', () => {
  let logs: HandlerLogs;
  let api: RunningApi;

  beforeAll(async () => {
    logs = captureHandlerLogs();
    api = await startQueryApi({
      ...BASE_ENV,
      AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${await closedPort()}`,
      AWS_MAX_ATTEMPTS: '1',
    });
  });

  afterAll(async () => {
    await api?.close();
    logs?.restore();
  });

  it('answers /health and the routes with 503, retry-after and an error body that shows no internals', async () => {
    // Prepare
    const paths = [
      '/health',
      '/enis/eni-0123456789abcdef0/rollups?from=2026-11-01T00:00:00Z&to=2026-11-01T01:00:00Z',
      '/enis/eni-0123456789abcdef0/summary',
      '/windows/2026-11-01T00:00:00Z/top?by=flows',
      '/windows/2026-11-01T00:00:00Z/top?format=csv',
    ];
    logs.clear();

    // Act
    const responses = await Promise.all(
      paths.map((path) => call(api.base, path))
    );

    // Assess
    for (const response of responses) {
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(errorBodyProblems(response)).toEqual([]);
      expect(internalsIn(response.text)).toEqual([]);
      expect(bodyOf<ErrorBody>(response).error.code).toBe('unavailable');
    }
    // The operator sees why, in the log.
    const failures = logs.entries.filter(
      (entry) => entry.message === 'Query failed.'
    );
    expect(failures).toHaveLength(paths.length);
    expect(failures.every((entry) => entry.level === 'ERROR')).toBe(true);
    expect(JSON.stringify(failures)).toContain('ECONNREFUSED');
  });

  it('still answers a bad request with 400 without asking the table', async () => {
    // Act
    const response = await call(api.base, '/enis/eni-XYZ/rollups');

    // Assess
    expect(response.status).toBe(400);
    expect(bodyOf<ErrorBody>(response).error.param).toBe('interfaceId');
  });

  it('review finding: AWS_MAX_ATTEMPTS=1 makes a read of a failing table answer after one attempt', async () => {
    // Prepare
    const dynamo = await droppingServer();
    const limited = await startQueryApi({
      ...BASE_ENV,
      AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${dynamo.port}`,
      AWS_MAX_ATTEMPTS: '1',
    });

    try {
      // Act
      const response = await call(limited.base, '/health');

      // Assess
      // The SDK reads AWS_MAX_ATTEMPTS, but createDynamoClient passes
      // maxAttempts: 10, which wins: the 503 comes after ten attempts and
      // seconds of backoff, whatever the operator set.
      expect(response.status).toBe(503);
      expect(dynamo.connections()).toBe(1);
    } finally {
      await limited.close();
      await dynamo.close();
    }
  });
});

describe('the local HTTP API stand-in', () => {
  let directory: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'queryapi-standin-'));
  });

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('review finding: the local HTTP API answers a request for // instead of crashing', async () => {
    // Prepare
    // serveHttpApi with a handler that answers 404 for everything, in a
    // process of its own (`npm start` runs it the same way).
    const script = join(directory, 'serve.mts');
    const httpApi = pathToFileURL(join(ROOT, 'scripts/local/httpApi.ts')).href;
    await writeFile(
      script,
      `import { serveHttpApi } from '${httpApi}';
const { port } = await serveHttpApi(async () => ({
  statusCode: 404,
  headers: { 'content-type': 'application/json' },
  body: '{"error":{"code":"not_found","message":"no route"}}',
}), 0);
process.stdout.write(port + '\\n');
`
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code))
    );
    try {
      const port = await new Promise<number>((resolve, reject) => {
        child.stdout.once('data', (chunk: Buffer) =>
          resolve(Number(chunk.toString('utf8').trim()))
        );
        child.once('error', reject);
        child.once('exit', (code) =>
          reject(new Error(`the stand-in exited ${code} before listening`))
        );
      });
      const base = `http://127.0.0.1:${port}`;
      const before = await call(base, '/nothing');

      // Act
      const answer = await call(base, '//').then(
        (response) => response.status,
        (error: unknown) => `no answer: ${String(error)}`
      );
      const stillRunning = await Promise.race([
        exited.then(() => false),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 300)),
      ]);

      // Assess
      // new URL('//', base) throws inside the request listener: an
      // uncaught exception ends the process (curl http://127.0.0.1:3000//
      // stops `npm start`).
      expect(before.status).toBe(404);
      expect({ answer, stillRunning }).toEqual({
        answer: 404,
        stillRunning: true,
      });
    } finally {
      if (child.exitCode === null) child.kill();
      await exited;
    }
  });
});
