import { QueryError } from '../errors.js';
import type { SeriesKind, Step } from '../store/rollupLayout.js';
import {
  type ApiRequest,
  type ResponseFormat,
  TOP_BY,
  type TopBy,
} from './apiQuery.js';

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

export type { ScopePath };
export {
  bad,
  byParam,
  ENI,
  formatOf,
  interfaceIdParam,
  LIMITS,
  limitParam,
  rangeParams,
  SCOPES,
  scopeIdParam,
  segment,
  seriesParams,
  stepParam,
  timeParam,
};
