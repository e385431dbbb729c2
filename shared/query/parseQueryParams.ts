import { QueryError } from '../errors.js';
import { windowStartOf } from '../flowLogRules.js';
import type { ApiQuery, ApiRequest } from './apiQuery.js';
import {
  bad,
  byParam,
  formatOf,
  interfaceIdParam,
  LIMITS,
  limitParam,
  rangeParams,
  SCOPES,
  type ScopePath,
  scopeIdParam,
  segment,
  seriesParams,
  stepParam,
  timeParam,
} from './queryParams.js';

/** The routes: path pattern, and how a matching GET request becomes a query. */
const ROUTES: readonly {
  readonly pattern: RegExp;
  readonly toQuery: (
    match: readonly string[],
    request: ApiRequest,
    nowSeconds: number
  ) => ApiQuery;
}[] = [
  {
    pattern: /^\/enis\/([^/]+)\/rollups$/,
    toQuery: ([, eni = ''], request, nowSeconds) => {
      const interfaceId = interfaceIdParam(eni);
      const step = stepParam(request.query.step);
      const { nextToken, ...params } = seriesParams(
        request,
        nowSeconds,
        step,
        'eni'
      );
      // 5-minute windows are the ENI's items as stored, top lists aside.
      if (step === '5m') {
        const { step: _, ...rest } = params;
        return { route: 'rollups', interfaceId, ...rest, nextToken };
      }
      return {
        route: 'series',
        kind: 'eni',
        id: interfaceId,
        ...params,
        nextToken,
      };
    },
  },
  {
    pattern: /^\/(vpcs|subnets|accounts)\/([^/]+)\/rollups$/,
    toQuery: ([, path = '', raw = ''], request, nowSeconds) => {
      const scope = SCOPES[path as ScopePath];
      return {
        route: 'series',
        kind: scope.kind,
        id: scopeIdParam(path as ScopePath, raw),
        ...seriesParams(
          request,
          nowSeconds,
          stepParam(request.query.step),
          scope.kind
        ),
      };
    },
  },
  {
    pattern: /^\/(vpcs|subnets|accounts)\/([^/]+)\/summary$/,
    toQuery: ([, path = '', raw = ''], request, nowSeconds) => ({
      route: 'scopeSummary',
      kind: SCOPES[path as ScopePath].kind,
      id: scopeIdParam(path as ScopePath, raw),
      ...rangeParams(request, nowSeconds),
      format: formatOf(request),
    }),
  },
  {
    pattern: /^\/enis\/([^/]+)\/summary$/,
    toQuery: ([, eni = ''], request, nowSeconds) => ({
      route: 'summary',
      interfaceId: interfaceIdParam(eni),
      ...rangeParams(request, nowSeconds),
      format: formatOf(request),
    }),
  },
  {
    pattern: /^\/top$/,
    toQuery: (_, request, nowSeconds) => {
      const { from, to } = rangeParams(request, nowSeconds);
      const given = (Object.keys(SCOPES) as ScopePath[]).filter(
        (path) => request.query[SCOPES[path].param] !== undefined
      );
      const [path, second] = given;
      if (second !== undefined) {
        throw bad(
          SCOPES[second].param,
          `give at most one of vpcId, subnetId, accountId; got ${given.map((name) => SCOPES[name].param).join(' and ')}`
        );
      }
      return {
        route: 'rangeTop',
        scope:
          path === undefined
            ? null
            : {
                kind: SCOPES[path].kind,
                id: scopeIdParam(path, request.query[SCOPES[path].param] ?? ''),
              },
        from: windowStartOf(from),
        to: Math.ceil(to / 300) * 300,
        by: byParam(request.query.by),
        limit: limitParam(
          request.query.limit,
          LIMITS.topDefault,
          LIMITS.topMax
        ),
        format: formatOf(request),
      };
    },
  },
  {
    pattern: /^\/windows\/([^/]+)\/top$/,
    toQuery: ([, window = ''], request, nowSeconds) => {
      const known = byParam(request.query.by);
      const seconds = timeParam(
        'windowStart',
        segment('windowStart', window),
        nowSeconds
      );
      return {
        route: 'top',
        windowStart: windowStartOf(seconds),
        by: known,
        limit: limitParam(
          request.query.limit,
          LIMITS.topDefault,
          LIMITS.topMax
        ),
        format: formatOf(request),
      };
    },
  },
  {
    pattern: /^\/(enis|vpcs|subnets|accounts)\/([^/]+)\/rejections$/,
    toQuery: ([, path = '', raw = ''], request, nowSeconds) => {
      const { from, to } = rangeParams(request, nowSeconds);
      const isEni = path === 'enis';
      if (isEni && to - from > LIMITS.eniRejectionSeconds) {
        throw bad(
          'from',
          `an ENI's rejections cover at most 7 days (its 5-minute windows are read); ask its VPC or subnet for longer ranges`,
          'range_too_long'
        );
      }
      return {
        route: 'rejections',
        kind: isEni ? 'eni' : SCOPES[path as ScopePath].kind,
        id: isEni
          ? interfaceIdParam(raw)
          : scopeIdParam(path as ScopePath, raw),
        from: windowStartOf(from),
        to: Math.ceil(to / 300) * 300,
        limit: limitParam(
          request.query.limit,
          LIMITS.rejectionsDefault,
          LIMITS.topMax
        ),
        format: formatOf(request),
      };
    },
  },
  {
    pattern: /^\/scopes$/,
    toQuery: (_, request) => ({ route: 'scopes', format: formatOf(request) }),
  },
  { pattern: /^\/health$/, toQuery: () => ({ route: 'health' }) },
];

/**
 * Routes and validates a request. Unknown query parameters are ignored.
 * Throws `QueryError`: 404 for an unknown path, 405 for a method other
 * than GET (or HEAD) on a known one, 400 naming the parameter for a bad
 * value (interface id, time, range, limit, by, format).
 * @example parseQueryParams({ method: 'GET', path: '/health', query: {}, headers: {} }, now)
 */
function parseQueryParams(request: ApiRequest, nowSeconds: number): ApiQuery {
  const path = request.path.replace(/\/+$/, '') || '/';
  for (const route of ROUTES) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      throw new QueryError(
        405,
        'method_not_allowed',
        `${request.method} is not allowed on ${path}: use GET`
      );
    }
    return route.toQuery(match, request, nowSeconds);
  }
  throw new QueryError(404, 'not_found', `no route ${path}`);
}

export { parseQueryParams };
