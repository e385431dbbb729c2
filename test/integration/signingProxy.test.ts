/**
 * `flowlogs dashboard`'s signing proxy against a stand-in for a deployed
 * API on 127.0.0.1 that checks every request's SigV4 signature with the
 * SDK's own signer (the same credentials, the request as it arrived).
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  regionOfHost,
  Sha256,
  startSigningProxy,
} from '../../scripts/signingProxy.js';

const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session-token-example',
};
const REGION = 'eu-west-1';

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly authorization: string;
  readonly isValid: boolean;
}

/** The signature the SDK computes for the request as it arrived, with `secret`. */
async function expectedAuthorization(
  request: IncomingMessage,
  port: number,
  secret: string
): Promise<string> {
  const url = new URL(request.url ?? '/', `http://127.0.0.1:${port}`);
  const query: Record<string, string | string[]> = {};
  for (const name of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(name);
    query[name] = values.length === 1 ? (values[0] as string) : values;
  }
  const signedHeaders =
    /SignedHeaders=([^,]+)/
      .exec(String(request.headers.authorization))?.[1]
      ?.split(';') ?? [];
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = name === 'host' ? `127.0.0.1:${port}` : request.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const date = String(request.headers['x-amz-date']);
  const signer = new SignatureV4({
    service: 'execute-api',
    region: REGION,
    credentials: { ...CREDENTIALS, secretAccessKey: secret },
    sha256: Sha256,
  });
  const signed = await signer.sign(
    {
      method: request.method ?? 'GET',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port,
      path: url.pathname,
      query,
      headers,
    },
    {
      signingDate: new Date(
        date.replace(
          /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/,
          '$1-$2-$3T$4:$5:$6Z'
        )
      ),
    }
  );
  return String(signed.headers.authorization);
}

describe('signingProxy', () => {
  let upstream: Server;
  let upstreamPort: number;
  let proxy: Awaited<ReturnType<typeof startSigningProxy>>;
  const seen: Seen[] = [];

  beforeAll(async () => {
    upstream = createServer((request, response) => {
      void (async () => {
        const expected = await expectedAuthorization(
          request,
          upstreamPort,
          CREDENTIALS.secretAccessKey
        );
        const authorization = String(request.headers.authorization ?? '');
        const isValid = authorization === expected;
        seen.push({
          method: request.method ?? '',
          url: request.url ?? '',
          authorization,
          isValid,
        });
        if (!isValid) {
          response.writeHead(403, { 'content-type': 'application/json' });
          response.end('{"message":"Forbidden"}');
          return;
        }
        if (request.url?.startsWith('/prod/unavailable')) {
          response.writeHead(503, {
            'content-type': 'application/json',
            'retry-after': '5',
          });
          response.end('{"error":{"code":"unavailable"}}');
          return;
        }
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ path: request.url }));
      })();
    });
    await new Promise<void>((resolve) =>
      upstream.listen(0, '127.0.0.1', () => resolve())
    );
    upstreamPort = (upstream.address() as AddressInfo).port;
    proxy = await startSigningProxy({
      url: `http://127.0.0.1:${upstreamPort}/prod`,
      region: REGION,
      port: 0,
      credentials: async () => CREDENTIALS,
    });
  });

  afterAll(async () => {
    await new Promise((resolve) => proxy.server.close(resolve));
    await new Promise((resolve) => upstream.close(resolve));
  });

  it('forwards a GET under the stage path, signed so that the SDK signer verifies it', async () => {
    // Prepare
    const path =
      '/top?from=2026-11-01T00%3A00%3A00Z&to=2026-11-02T00%3A00%3A00Z&by=bytes&vpcId=vpc-0a1b2c3d';
    // Act
    const response = await fetch(`http://127.0.0.1:${proxy.port}${path}`);
    const body = (await response.json()) as { path: string };
    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(body.path).toBe(`/prod${path}`);
    const last = seen.at(-1);
    expect(last?.isValid).toBe(true);
    expect(last?.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=[^,]*host[^,]*, Signature=[0-9a-f]{64}$/
    );
  });

  it('signs what a different secret would not: the check can fail', async () => {
    // Prepare
    let wrong = '';
    const probe = createServer((request, response) => {
      void expectedAuthorization(request, upstreamPort, 'another-secret').then(
        (value) => {
          wrong = value;
          response.end();
        }
      );
    });
    await new Promise<void>((resolve) =>
      probe.listen(0, '127.0.0.1', () => resolve())
    );
    // Act
    await fetch(`http://127.0.0.1:${proxy.port}/health`);
    const signature = seen.at(-1)?.authorization ?? '';
    const probeProxy = await startSigningProxy({
      url: `http://127.0.0.1:${(probe.address() as AddressInfo).port}/prod`,
      region: REGION,
      port: 0,
      credentials: async () => CREDENTIALS,
    });
    await fetch(`http://127.0.0.1:${probeProxy.port}/health`);
    await new Promise((resolve) => probeProxy.server.close(resolve));
    await new Promise((resolve) => probe.close(resolve));
    // Assess
    expect(seen.at(-1)?.isValid).toBe(true);
    expect(wrong).not.toBe('');
    expect(wrong).not.toBe(signature);
  });

  it('relays the dashboard page, HEAD, and a 503 with its retry-after', async () => {
    // Act
    const page = await fetch(`http://127.0.0.1:${proxy.port}/`);
    const head = await fetch(`http://127.0.0.1:${proxy.port}/app.js`, {
      method: 'HEAD',
    });
    const unavailable = await fetch(
      `http://127.0.0.1:${proxy.port}/unavailable`
    );
    // Assess
    expect(page.status).toBe(200);
    expect(((await page.json()) as { path: string }).path).toBe('/prod/');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('retry-after')).toBe('5');
    expect(seen.slice(-3).every((request) => request.isValid)).toBe(true);
  });

  it('refuses methods other than GET and HEAD without forwarding them', async () => {
    // Prepare
    const before = seen.length;
    // Act
    const response = await fetch(`http://127.0.0.1:${proxy.port}/top`, {
      method: 'POST',
      body: '{}',
    });
    // Assess
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    expect(seen.length).toBe(before);
  });

  it('listens on loopback only', () => {
    // Act
    const address = proxy.server.address() as AddressInfo;
    // Assess
    expect(address.address).toBe('127.0.0.1');
  });

  it('answers 502 naming the cause when it has no credentials', async () => {
    // Prepare
    const broken = await startSigningProxy({
      url: `http://127.0.0.1:${upstreamPort}/prod`,
      region: REGION,
      port: 0,
      credentials: async () => {
        throw new Error('Could not load credentials from any providers');
      },
    });
    // Act
    const response = await fetch(`http://127.0.0.1:${broken.port}/health`);
    await new Promise((resolve) => broken.server.close(resolve));
    // Assess
    expect(response.status).toBe(502);
    expect(await response.text()).toContain('Could not load credentials');
  });

  it('takes the region from the API host name, and refuses URLs it cannot sign for', async () => {
    // Act and Assess
    expect(regionOfHost('a1b2c3.execute-api.eu-west-1.amazonaws.com')).toBe(
      'eu-west-1'
    );
    expect(regionOfHost('example.com')).toBeUndefined();
    await expect(
      startSigningProxy({ url: 'http://example.com/prod', port: 0 })
    ).rejects.toThrow(/must be https/);
    await expect(
      startSigningProxy({ url: 'https://example.com/prod', port: 0 })
    ).rejects.toThrow(/--region is needed/);
    await expect(
      startSigningProxy({ url: 'not a url', port: 0 })
    ).rejects.toThrow(/--url must be the API's URL/);
  });

  it('runs as `flowlogs dashboard`, and names what is missing', async () => {
    // Prepare
    const launcher = new URL('../../scripts/flowlogs.mjs', import.meta.url)
      .pathname;
    const run = (args: string[], untilOutput: boolean) =>
      new Promise<{ code: number | null; out: string; err: string }>(
        (resolve) => {
          const child = spawn(process.execPath, [launcher, ...args], {
            env: {
              ...process.env,
              AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
              AWS_SECRET_ACCESS_KEY: 'secret',
            },
          });
          let out = '';
          let err = '';
          child.stdout.on('data', (chunk: Buffer) => {
            out += chunk.toString();
            if (untilOutput && out.includes('\n')) child.kill('SIGINT');
          });
          child.stderr.on('data', (chunk: Buffer) => {
            err += chunk.toString();
          });
          child.on('close', (code) => resolve({ code, out, err }));
        }
      );
    // Act
    const missing = await run(['dashboard'], false);
    const started = await run(
      [
        'dashboard',
        '--url',
        'https://a1b2c3.execute-api.eu-west-1.amazonaws.com',
        '--port',
        '0',
      ],
      true
    );
    // Assess
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('dashboard needs --url');
    expect(started.out).toMatch(
      /^dashboard of https:\/\/a1b2c3\.execute-api\.eu-west-1\.amazonaws\.com on http:\/\/127\.0\.0\.1:\d+\/ \(requests signed for eu-west-1; Ctrl-C stops\)\n$/
    );
    expect(started.code).toBe(0);
  });
});
