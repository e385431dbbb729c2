import { createHmac, timingSafeEqual } from 'node:crypto';
import { QueryError } from '../errors.js';
import type { PageKey } from '../store/rollupStore.js';
import type { PageQuery } from './apiQuery.js';

/** What a page token carries: where the page ended, and for which query. */
interface PageToken {
  /** The series: an ENI's id (5-minute rollups), or `kind:id:step`. */
  readonly series: string;
  readonly from: number;
  readonly to: number;
  readonly lastKey: PageKey;
}

const sign = (secret: string, payload: string): Buffer =>
  createHmac('sha256', secret).update(payload).digest();

/**
 * An opaque, tamper-evident `nextToken`: base64url JSON of the page's end
 * and its query, then `.` and an HMAC-SHA256 of it under `secret`.
 * Never a raw DynamoDB key a client could edit.
 */
function encodePageToken(token: PageToken, secret: string): string {
  const payload = Buffer.from(JSON.stringify(token)).toString('base64url');
  return `${payload}.${sign(secret, payload).toString('base64url')}`;
}

const invalid = (reason: string) =>
  new QueryError(
    400,
    'invalid_next_token',
    `nextToken is not a token this API issued for this query (${reason})`,
    'nextToken'
  );

/**
 * Reads a `nextToken` back. Throws `QueryError` 400 naming `nextToken`
 * when the signature does not match, the token is malformed, or it was
 * issued for another series (ENI, scope or step), or for another range
 * when `query` gives one
 * (a request that repeats no range pages on in the token's range).
 */
function decodePageToken(
  text: string,
  secret: string,
  query: { series: string; from?: number; to?: number }
): PageToken {
  const [payload = '', signature = '', ...rest] = text.split('.');
  // Compare the signature's text: base64url decoding skips stray characters.
  const expected = Buffer.from(sign(secret, payload).toString('base64url'));
  const given = Buffer.from(signature);
  if (
    rest.length > 0 ||
    given.length !== expected.length ||
    !timingSafeEqual(given, expected)
  ) {
    throw invalid('bad signature');
  }
  const token = JSON.parse(
    Buffer.from(payload, 'base64url').toString('utf8')
  ) as PageToken;
  if (
    token.series !== query.series ||
    (query.from !== undefined && token.from !== query.from) ||
    (query.to !== undefined && token.to !== query.to)
  ) {
    throw invalid('it belongs to another series, from or to');
  }
  return token;
}

/**
 * The page token a series query carries, checked against the series and,
 * when the request gives one, the range; null on a first page. Throws
 * `QueryError` 400 as `decodePageToken` does.
 */
function tokenOf(query: PageQuery, series: string, secret: string) {
  if (query.nextToken === null) return null;
  const { from, to } = query;
  return decodePageToken(
    query.nextToken,
    secret,
    query.isRangeGiven ? { series, from, to } : { series }
  );
}

export type { PageToken };
export { decodePageToken, encodePageToken, tokenOf };
