import { QueryError } from '../errors.js';
import type { ResponseFormat } from './apiQuery.js';
import { formatCsv } from './formatCsv.js';
import type { QueryResult } from './queryResult.js';

/** An HTTP response as API Gateway (payload 2.0) takes it from Lambda. */
interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Seconds a client should wait before retrying a 503. */
const RETRY_AFTER_SECONDS = 5;

/** A query's answer as JSON (default) or CSV with a header row. */
function resultResponse(
  result: QueryResult,
  format: ResponseFormat
): HttpResponse {
  if (format === 'csv') {
    return {
      statusCode: result.statusCode,
      headers: { ...result.headers, 'content-type': 'text/csv; charset=utf-8' },
      body: formatCsv(result.table.columns, result.table.rows),
    };
  }
  return {
    statusCode: result.statusCode,
    headers: { ...result.headers, 'content-type': 'application/json' },
    body: JSON.stringify(result.body),
  };
}

/**
 * The one map from errors to HTTP (as middy's http-error-handler does): a
 * `QueryError` becomes `{"error":{"code","message","param"}}` with its
 * status (503 adds `retry-after`, 405 `allow`); anything else a generic 500 that says
 * nothing of the cause. Never a stack trace.
 */
function errorResponse(error: unknown): HttpResponse {
  const isKnown = error instanceof QueryError;
  const statusCode = isKnown ? error.statusCode : 500;
  const body = isKnown
    ? { code: error.code, message: error.message, param: error.param }
    : { code: 'internal_error', message: 'internal error' };
  const headers: Record<string, string> = {
    'content-type': 'application/json',
  };
  if (statusCode === 503) headers['retry-after'] = String(RETRY_AFTER_SECONDS);
  if (statusCode === 405) headers.allow = 'GET, HEAD';
  return { statusCode, headers, body: JSON.stringify({ error: body }) };
}

export type { HttpResponse };
export { errorResponse, resultResponse };
