import type { ApiRequest } from './apiQuery.js';
import { dashboardResponse } from './dashboardResponse.js';
import {
  errorResponse,
  type HttpResponse,
  resultResponse,
} from './httpResponse.js';
import { parseQueryParams } from './parseQueryParams.js';
import { type QueryDeps, queryRollups } from './queryRollups.js';

/**
 * The query API end to end: the dashboard's page and assets (`/`,
 * `/app.js`, `/app.css`); else route and validate the request, read the
 * rollups, answer JSON or CSV. Never throws: every error becomes a
 * response (`errorResponse`), 4xx for the client's mistakes, 503 when the
 * table fails, 500 for anything else; `failure` is the error of a 5xx, for
 * the caller to log.
 * @example const { response } = await answerRequest(request, deps, Date.now() / 1000);
 */
async function answerRequest(
  request: ApiRequest,
  deps: QueryDeps,
  nowSeconds: number
): Promise<{ response: HttpResponse; failure: unknown }> {
  const page = dashboardResponse(request);
  if (page !== null) return { response: page, failure: undefined };
  try {
    const query = parseQueryParams(request, Math.floor(nowSeconds));
    const result = await queryRollups(query, deps);
    const format = 'format' in query ? query.format : 'json';
    return { response: resultResponse(result, format), failure: undefined };
  } catch (error) {
    const response = errorResponse(error);
    return {
      response,
      failure: response.statusCode >= 500 ? error : undefined,
    };
  }
}

export { answerRequest };
