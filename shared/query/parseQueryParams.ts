import { QueryError } from '../errors.js';
import { windowStartOf } from '../flowLogRules.js';
import type { SeriesKind, Step } from '../store/rollupItem.js';

/** An HTTP request as the API sees it (from an API Gateway v2 event). */
interface ApiRequest {
  readonly method: string;
  readonly path: string;
  /** Query parameters; a repeated one arrives comma-joined, as API Gateway does. */
  readonly query: Readonly<Record<string, string | undefined>>;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
}

type ResponseFormat = 'json' | 'csv';

/** What `top` can rank the ENIs of a window by. */
const TOP_BY = ['bytes', 'packets', 'flows', 'rejectFlows'] as const;
type TopBy = (typeof TOP_BY)[number];

/** What every paged series query holds besides its series. */
interface PageQuery {
  readonly from: number;
  readonly to: number;
  readonly limit: number;
  readonly nextToken: string | null;
  /** False when neither from nor to was given (a nextToken then keeps its own range). */
  readonly isRangeGiven: boolean;
  readonly format: ResponseFormat;
}

/** A validated query: one per route. Times are epoch seconds. */
type ApiQuery =
  | (PageQuery & {
      readonly route: 'rollups';
      readonly interfaceId: string;
    })
  | (PageQuery & {
      /** An ENI at 1h or 1d, or a scope (VPC, subnet, account) at any step. */
      readonly route: 'series';
      readonly kind: SeriesKind;
      readonly id: string;
      readonly step: Step;
    })
  | {
      readonly route: 'scopeSummary';
      readonly kind: Exclude<SeriesKind, 'eni'>;
      readonly id: string;
      readonly from: number;
      readonly to: number;
      readonly format: ResponseFormat;
    }
  | {
      readonly route: 'summary';
      readonly interfaceId: string;
      readonly from: number;
      readonly to: number;
      readonly format: ResponseFormat;
    }
  | {
      readonly route: 'top';
      readonly windowStart: number;
      readonly by: TopBy;
      readonly limit: number;
      readonly format: ResponseFormat;
    }
  | {
      /** The busiest ENIs over a range, in a scope or in everything. */
      readonly route: 'rangeTop';
      readonly scope: {
        readonly kind: Exclude<SeriesKind, 'eni'>;
        readonly id: string;
      } | null;
      /** 5-minute aligned: from rounded down, to up. */
      readonly from: number;
      readonly to: number;
      readonly by: TopBy;
      readonly limit: number;
      readonly format: ResponseFormat;
    }
  | {
      /** What an ENI or a scope rejected over a range: ports and sources. */
      readonly route: 'rejections';
      readonly kind: SeriesKind;
      readonly id: string;
      /** 5-minute aligned: from rounded down, to up. */
      readonly from: number;
      readonly to: number;
      readonly limit: number;
      readonly format: ResponseFormat;
    }
  | { readonly route: 'scopes'; readonly format: ResponseFormat }
  | { readonly route: 'health' };

const LIMITS = {
  /** One day of 5-minute windows. */
  rollupsDefault: 288,
  /** One week. */
  rollupsMax: 2016,
  topDefault: 10,
  topMax: 100,
  /** A range is at most 31 days. */
  rangeSeconds: 31 * 86_400,
  /** An ENI's rejections sum its windows: a week at most (2,016 windows). */
  eniRejectionSeconds: 7 * 86_400,
  rejectionsDefault: 20,
  /** Default range: the last hour. */
  defaultRangeSeconds: 3600,
  /** Times more than a day ahead are not flow-log times. */
  futureSeconds: 86_400,
} as const;

const ENI = /^eni-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
/** The scopes' path segments, parameter names and id shapes. */
const SCOPES = {
  vpcs: {
    kind: 'vpc',
    param: 'vpcId',
    pattern: /^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/,
    shape: 'vpc- and 8 or 17 lower-case hex digits',
  },
  subnets: {
    kind: 'subnet',
    param: 'subnetId',
    pattern: /^subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})$/,
    shape: 'subnet- and 8 or 17 lower-case hex digits',
  },
  accounts: {
    kind: 'account',
    param: 'accountId',
    pattern: /^\d{12}$/,
    shape: '12 digits',
  },
} as const;
type ScopePath = keyof typeof SCOPES;
const STEPS: readonly Step[] = ['5m', '1h', '1d'];
/**
 * Steps per page. A scope reads one stored item per step: up to 2,016 (the
 * default covers a day, 31 days, 31 days). An ENI at 1h or 1d sums its
 * 5-minute windows: a page covers a week at most (2,016 windows read).
 */
const STEP_LIMITS: Readonly<
  Record<'eni' | 'scope', Record<Step, { fallback: number; max: number }>>
> = {
  eni: {
    '5m': { fallback: LIMITS.rollupsDefault, max: LIMITS.rollupsMax },
    '1h': { fallback: 168, max: 168 },
    '1d': { fallback: 7, max: 7 },
  },
  scope: {
    '5m': { fallback: LIMITS.rollupsDefault, max: LIMITS.rollupsMax },
    '1h': { fallback: 744, max: LIMITS.rollupsMax },
    '1d': { fallback: 31, max: LIMITS.rollupsMax },
  },
};

const ISO_UTC =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?Z$/;
const EPOCH = /^\d{1,11}$/;

const bad = (param: string, message: string, code = 'invalid_parameter') =>
  new QueryError(400, code, message, param);

/** Epoch seconds of an ISO-8601 UTC time or of epoch seconds; 400 otherwise. */
function timeParam(param: string, raw: string, nowSeconds: number): number {
  let seconds: number;
  if (EPOCH.test(raw)) {
    seconds = Number(raw);
  } else {
    const match = ISO_UTC.exec(raw);
    const ms = match ? Date.parse(raw) : Number.NaN;
    // Date.parse rolls 2026-02-30 over to March: require the fields back.
    const iso = Number.isNaN(ms) ? '' : new Date(ms).toISOString();
    if (!match || iso.slice(0, 10) !== raw.slice(0, 10)) {
      throw bad(
        param,
        `${param} must be ISO-8601 UTC (2026-11-01T00:05:00Z) or epoch seconds, got '${raw}'`
      );
    }
    seconds = Math.floor(ms / 1000);
  }
  if (seconds < 0) {
    throw bad(param, `${param} is before 1970: '${raw}'`, 'time_out_of_range');
  }
  if (seconds > nowSeconds + LIMITS.futureSeconds) {
    throw bad(
      param,
      `${param} is more than a day in the future: '${raw}'`,
      'time_out_of_range'
    );
  }
  return seconds;
}

function limitParam(raw: string | undefined, fallback: number, max: number) {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > max) {
    throw bad(
      'limit',
      `limit must be an integer from 1 to ${max}, got '${raw}'`
    );
  }
  return value;
}

/** The q value (RFC 9110 §12.4.2) an Accept header gives a media type; 0 when absent. */
function qualityOf(accept: string, mediaType: string): number {
  for (const range of accept.split(',')) {
    const [type = '', ...params] = range.split(';').map((part) => part.trim());
    if (type.toLowerCase() !== mediaType) continue;
    const q = params.find((param) => /^q=/i.test(param));
    const value = q === undefined ? 1 : Number(q.slice(2));
    return Number.isFinite(value) ? value : 0;
  }
  return 0;
}

/** CSV when the client accepts text/csv at least as much as JSON. */
const prefersCsv = (accept: string): boolean => {
  const csv = qualityOf(accept, 'text/csv');
  return csv > 0 && csv >= qualityOf(accept, 'application/json');
};

function formatOf(request: ApiRequest): ResponseFormat {
  const format = request.query.format;
  if (format === undefined) {
    return prefersCsv(request.headers.accept ?? '') ? 'csv' : 'json';
  }
  if (format !== 'json' && format !== 'csv') {
    throw bad('format', `format must be json or csv, got '${format}'`);
  }
  return format;
}

/** A path segment, percent-decoded; a malformed escape is a 400. */
function segment(param: string, raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw bad(param, `${param} is not a valid URL path segment: '${raw}'`);
  }
}

function interfaceIdParam(raw: string): string {
  const interfaceId = segment('interfaceId', raw);
  if (!ENI.test(interfaceId)) {
    throw bad(
      'interfaceId',
      `interfaceId must be eni- and 8 or 17 lower-case hex digits, got '${interfaceId}'`
    );
  }
  return interfaceId;
}

function stepParam(raw: string | undefined): Step {
  if (raw === undefined) return '5m';
  const step = STEPS.find((known) => known === raw);
  if (step === undefined) {
    throw bad('step', `step must be one of ${STEPS.join(', ')}, got '${raw}'`);
  }
  return step;
}

function scopeIdParam(path: ScopePath, raw: string): string {
  const scope = SCOPES[path];
  const id = segment(scope.param, raw);
  if (!scope.pattern.test(id)) {
    throw bad(
      scope.param,
      `${scope.param} must be ${scope.shape}, got '${id}'`
    );
  }
  return id;
}

/** `by`: one of TOP_BY (default bytes). */
function byParam(raw: string | undefined): TopBy {
  const by = raw ?? 'bytes';
  const known = TOP_BY.find((name) => name === by);
  if (known === undefined) {
    throw bad('by', `by must be one of ${TOP_BY.join(', ')}, got '${by}'`);
  }
  return known;
}

/** The query of a series page: range, step, limit (per step) and token. */
function seriesParams(
  request: ApiRequest,
  nowSeconds: number,
  step: Step,
  kind: SeriesKind
) {
  const limits = STEP_LIMITS[kind === 'eni' ? 'eni' : 'scope'][step];
  return {
    step,
    ...rangeParams(request, nowSeconds),
    limit: limitParam(request.query.limit, limits.fallback, limits.max),
    nextToken: request.query.nextToken ?? null,
    isRangeGiven:
      request.query.from !== undefined || request.query.to !== undefined,
    format: formatOf(request),
  };
}

/** `from`/`to` with their defaults (to = now, from = to - 1 h), checked. */
function rangeParams(request: ApiRequest, nowSeconds: number) {
  const { from: rawFrom, to: rawTo } = request.query;
  const to =
    rawTo === undefined ? nowSeconds : timeParam('to', rawTo, nowSeconds);
  const from =
    rawFrom === undefined
      ? to - LIMITS.defaultRangeSeconds
      : timeParam('from', rawFrom, nowSeconds);
  if (from > to) {
    throw bad('from', `from (${rawFrom}) is after to (${rawTo ?? 'now'})`);
  }
  if (to - from > LIMITS.rangeSeconds) {
    throw bad(
      'to',
      `the range from ${rawFrom} to ${rawTo ?? 'now'} is over 31 days`,
      'range_too_long'
    );
  }
  return { from, to };
}

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

export type { ApiQuery, ApiRequest, PageQuery, ResponseFormat, TopBy };
export { LIMITS, parseQueryParams, TOP_BY };
