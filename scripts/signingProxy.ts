/**
 * `flowlogs dashboard --url https://<api>.execute-api.<region>.amazonaws.com`:
 * shows a deployed stage's dashboard, whose API keeps IAM auth. A browser
 * cannot sign requests with SigV4, so this serves on 127.0.0.1 (loopback
 * only) and forwards every GET and HEAD (the page, its assets and the API
 * calls alike: the API serves the page) to the stage, signed with the
 * user's AWS credentials (the SDK's default chain, or a profile) by the
 * SDK's own signer, as `kubectl proxy` does for Kubernetes.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

/** Headers not forwarded either way (hop by hop, or set by the signer). */
const HOP_HEADERS = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'content-encoding',
  'host',
]);

type SourceData = string | ArrayBuffer | ArrayBufferView;

const bytesOf = (data: SourceData): Buffer =>
  typeof data === 'string'
    ? Buffer.from(data, 'utf8')
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data);

/** SHA-256 (or HMAC-SHA-256 with a secret) for the signer, from node:crypto. */
class Sha256 {
  private readonly hash: Hash | Hmac;

  constructor(secret?: SourceData) {
    this.hash = secret
      ? createHmac('sha256', bytesOf(secret))
      : createHash('sha256');
  }

  update(data: SourceData): void {
    this.hash.update(bytesOf(data));
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

interface ProxyOptions {
  /** The stage's API: `https://<id>.execute-api.<region>.amazonaws.com` (a path prefix is kept). */
  readonly url: string;
  /** The region to sign for; default: the one in the API's host name. */
  readonly region?: string;
  readonly profile?: string;
  /** Where to listen on 127.0.0.1 (0: any free port). */
  readonly port: number;
  /** Credentials; default: the SDK's default chain (with `profile`). */
  readonly credentials?: AwsCredentialIdentityProvider;
}

/** The region of an execute-api host name, or undefined. */
function regionOfHost(host: string): string | undefined {
  return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(
    host
  )?.[1];
}

/**
 * The checked target of the proxy: an https (or, for tests, loopback http)
 * URL and the region to sign for. Throws `TypeError` naming what is wrong.
 */
function targetOf(options: ProxyOptions): { base: URL; region: string } {
  let base: URL;
  try {
    base = new URL(options.url);
  } catch {
    throw new TypeError(`--url must be the API's URL, got "${options.url}"`);
  }
  const isLoopback =
    base.hostname === '127.0.0.1' || base.hostname === 'localhost';
  if (
    base.protocol !== 'https:' &&
    !(base.protocol === 'http:' && isLoopback)
  ) {
    throw new TypeError(`--url must be https, got "${options.url}"`);
  }
  const region = options.region ?? regionOfHost(base.hostname);
  if (region === undefined) {
    throw new TypeError(
      `--region is needed: "${base.hostname}" names no region (execute-api.<region>.amazonaws.com)`
    );
  }
  return { base, region };
}

async function forward(
  request: IncomingMessage,
  response: ServerResponse,
  base: URL,
  signer: SignatureV4
): Promise<void> {
  const method = request.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') {
    response.writeHead(405, {
      allow: 'GET, HEAD',
      'content-type': 'application/json',
    });
    response.end(
      JSON.stringify({
        error: {
          code: 'method_not_allowed',
          message: `${method} is not forwarded: the API is read-only`,
        },
      })
    );
    return;
  }
  const incoming = new URL(request.url ?? '/', 'http://127.0.0.1');
  const prefix = base.pathname.replace(/\/$/, '');
  const query: Record<string, string | string[]> = {};
  for (const name of new Set(incoming.searchParams.keys())) {
    const values = incoming.searchParams.getAll(name);
    query[name] = values.length === 1 ? (values[0] as string) : values;
  }
  const headers: Record<string, string> = { host: base.host };
  for (const name of ['accept', 'accept-language']) {
    const value = request.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const signed = await signer.sign({
    method,
    protocol: base.protocol,
    hostname: base.hostname,
    port: base.port ? Number(base.port) : undefined,
    path: `${prefix}${incoming.pathname}`,
    query,
    headers,
  });
  const target = new URL(
    `${prefix}${incoming.pathname}${incoming.search}`,
    base
  );
  const { host: _, ...sent } = signed.headers;
  const upstream = await fetch(target, {
    method,
    headers: sent,
    redirect: 'manual',
  });
  const relayed: Record<string, string> = {};
  upstream.headers.forEach((value, name) => {
    if (!HOP_HEADERS.has(name)) relayed[name] = value;
  });
  const body =
    method === 'HEAD'
      ? Buffer.alloc(0)
      : Buffer.from(await upstream.arrayBuffer());
  response.writeHead(upstream.status, relayed);
  response.end(body);
}

/**
 * Starts the proxy on 127.0.0.1:`port`. Resolves with the server and the
 * port once it listens. Throws `TypeError` for a bad URL or region. A
 * failure to sign (no credentials) or to reach the API answers 502 with
 * the reason.
 * @example await startSigningProxy({ url: 'https://abc123.execute-api.eu-west-1.amazonaws.com', port: 3001 })
 */
async function startSigningProxy(
  options: ProxyOptions
): Promise<{ server: Server; port: number; region: string }> {
  const { base, region } = targetOf(options);
  const signer = new SignatureV4({
    service: 'execute-api',
    region,
    credentials:
      options.credentials ??
      defaultProvider(options.profile ? { profile: options.profile } : {}),
    sha256: Sha256,
  });
  const server = createServer((request, response) => {
    forward(request, response, base, signer).catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      response.writeHead(502, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          error: {
            code: 'bad_gateway',
            message: `the proxy could not forward the request: ${error instanceof Error ? error.message : String(error)}`,
          },
        })
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port, region };
}

export type { ProxyOptions };
export { regionOfHost, Sha256, startSigningProxy };
