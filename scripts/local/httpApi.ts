/**
 * A local stand-in for API Gateway's HTTP API: each request becomes an
 * API Gateway v2 (payload format 2.0) event for the real `queryApi`
 * handler, and its `{ statusCode, headers, body }` becomes the response.
 * Query parameters are decoded and repeated ones comma-joined, header
 * names lower-cased, as API Gateway does. No authorization (IAM is AWS's).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { lambdaContext } from './lambdaContext.js';

type Handler = (
  event: APIGatewayProxyEventV2,
  context: Context
) => Promise<{
  statusCode: number;
  headers?: Record<string, string>;
  body?: string;
}>;

function eventOf(
  method: string,
  url: URL,
  headers: Record<string, string>
): APIGatewayProxyEventV2 {
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = name in query ? `${query[name]},${value}` : value;
  }
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: url.search ? query : undefined,
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: url.host,
      domainPrefix: 'local',
      http: {
        method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
  };
}

/** Serves `handler` on 127.0.0.1:`port` (0: any free port); resolves with the port. */
async function serveHttpApi(
  handler: Handler,
  port: number
): Promise<{ server: Server; port: number }> {
  const server = createServer((request, response) => {
    // Any request target, even `//`, is a path on this host (a base URL
    // would read `//x` as a host name); one that is no path is a 400.
    const target = request.url ?? '/';
    const url =
      URL.canParse(`http://127.0.0.1${target}`) && target.startsWith('/')
        ? new URL(`http://127.0.0.1${target}`)
        : null;
    if (url === null) {
      response.writeHead(400, { 'content-type': 'application/json' });
      response.end('{"message":"Bad Request"}');
      return;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers[name.toLowerCase()] = String(value);
    }
    handler(
      eventOf(request.method ?? 'GET', url, headers),
      lambdaContext('queryApi')
    )
      .then((result) => {
        response.writeHead(result.statusCode, result.headers ?? {});
        response.end(request.method === 'HEAD' ? undefined : result.body);
      })
      .catch(() => {
        // What API Gateway answers when the function itself fails.
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end('{"message":"Internal Server Error"}');
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return { server, port: (server.address() as AddressInfo).port };
}

export { serveHttpApi };
