import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QueryError } from '../../../shared/errors.js';
import { type ApiRequest, TOP_BY } from '../../../shared/query/apiQuery.js';
import { parseQueryParams } from '../../../shared/query/parseQueryParams.js';
import { LIMITS } from '../../../shared/query/queryParams.js';

/** 2026-11-01T12:00:00Z, the clock of every test. */
const NOW = Date.UTC(2026, 10, 1, 12) / 1000;
const DAY = 86_400;
const ENI = 'eni-0123456789abcdef0';
const ENI_SHORT = 'eni-0a1b2c3d';

const seconds = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

const request = (
  path: string,
  query: Record<string, string> = {},
  headers: Record<string, string> = {},
  method = 'GET'
): ApiRequest => ({ method, path, query, headers });

/** The QueryError that `act` throws; fails the test on anything else. */
function queryErrorOf(act: () => unknown): QueryError {
  try {
    act();
  } catch (error) {
    if (error instanceof QueryError) return error;
    throw error;
  }
  throw new Error('expected a QueryError, but nothing was thrown');
}

const parse = (req: ApiRequest) => parseQueryParams(req, NOW);

describe('parseQueryParams', () => {
  describe('routes', () => {
    it.each([
      [`/enis/${ENI}/rollups`, 'rollups'],
      [`/enis/${ENI}/summary`, 'summary'],
      ['/windows/2026-11-01T10:05:00Z/top', 'top'],
      ['/health', 'health'],
    ])('routes %s to %s', (path, route) => {
      // Prepare
      const req = request(path);
      // Act
      const query = parse(req);
      // Assess
      expect(query.route).toBe(route);
    });

    it('reads a rollups request with the defaults (last hour, 288, json)', () => {
      // Prepare
      const req = request(`/enis/${ENI}/rollups`);
      // Act
      const query = parse(req);
      // Assess
      expect(query).toEqual({
        route: 'rollups',
        interfaceId: ENI,
        from: NOW - 3600,
        to: NOW,
        limit: 288,
        nextToken: null,
        isRangeGiven: false,
        format: 'json',
      });
    });

    it('reads a summary request with the defaults (last hour, json)', () => {
      // Prepare
      const req = request(`/enis/${ENI}/summary`);
      // Act
      const query = parse(req);
      // Assess
      expect(query).toEqual({
        route: 'summary',
        interfaceId: ENI,
        from: NOW - 3600,
        to: NOW,
        format: 'json',
      });
    });

    it('reads a top request with the defaults (by bytes, 10, json)', () => {
      // Prepare
      const req = request('/windows/2026-11-01T10:05:00Z/top');
      // Act
      const query = parse(req);
      // Assess
      expect(query).toEqual({
        route: 'top',
        windowStart: seconds('2026-11-01T10:05:00Z'),
        by: 'bytes',
        limit: 10,
        format: 'json',
      });
    });

    it('reads a health request as the health route only', () => {
      // Prepare
      const req = request('/health', { format: 'csv', limit: 'x' });
      // Act
      const query = parse(req);
      // Assess
      expect(query).toEqual({ route: 'health' });
    });

    it('passes nextToken through untouched', () => {
      // Prepare
      const req = request(`/enis/${ENI}/rollups`, { nextToken: 'abc.def' });
      // Act
      const query = parse(req);
      // Assess
      expect(query).toMatchObject({ route: 'rollups', nextToken: 'abc.def' });
    });

    it.each([
      `/enis/${ENI}/rollups/`,
      `/enis/${ENI}/summary/`,
      '/windows/1793527500/top/',
      '/health/',
      '/health//',
    ])('accepts the trailing slash of %s', (path) => {
      // Prepare
      const req = request(path);
      // Act
      const query = parse(req);
      // Assess
      expect(['rollups', 'summary', 'top', 'health']).toContain(query.route);
    });

    it.each([
      '/',
      '',
      '/enis',
      `/enis/${ENI}`,
      `/enis/${ENI}/flows`,
      `/enis/${ENI}/rollups/extra`,
      '/enis//rollups',
      `/ENIS/${ENI}/rollups`,
      `/api/enis/${ENI}/rollups`,
      '/windows/1793527500',
      '/windows/1793527500/bottom',
      '/healthz',
      '/health/x',
    ])('answers 404 not_found for the unknown path %j', (path) => {
      // Prepare
      const req = request(path);
      // Act
      const error = queryErrorOf(() => parse(req));
      // Assess
      expect(error).toMatchObject({ statusCode: 404, code: 'not_found' });
      expect(error.param).toBeUndefined();
    });

    it.each(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'get'])(
      'answers 405 method_not_allowed for %s on a known path',
      (method) => {
        // Prepare
        const req = request(`/enis/${ENI}/rollups`, {}, {}, method);
        // Act
        const error = queryErrorOf(() => parse(req));
        // Assess
        expect(error).toMatchObject({
          statusCode: 405,
          code: 'method_not_allowed',
        });
        expect(error.param).toBeUndefined();
      }
    );

    it('answers 405 before it validates the parameters', () => {
      // Prepare
      const req = request(
        '/enis/not-an-eni/rollups',
        { limit: 'x' },
        {},
        'POST'
      );
      // Act
      const error = queryErrorOf(() => parse(req));
      // Assess
      expect(error.statusCode).toBe(405);
    });

    it('answers 404, not 405, for POST on an unknown path', () => {
      // Prepare
      const req = request('/nowhere', {}, {}, 'POST');
      // Act
      const error = queryErrorOf(() => parse(req));
      // Assess
      expect(error.statusCode).toBe(404);
    });

    it.each([
      `/enis/${ENI}/rollups`,
      `/enis/${ENI}/summary`,
      '/windows/1793527500/top',
      '/health',
    ])('allows HEAD on %s', (path) => {
      // Prepare
      const head = request(path, {}, {}, 'HEAD');
      // Act
      const query = parse(head);
      // Assess
      expect(query).toEqual(parse(request(path)));
    });

    it('ignores unknown query parameters', () => {
      // Prepare
      const plain = request(`/enis/${ENI}/rollups`);
      const noisy = request(`/enis/${ENI}/rollups`, {
        foo: 'bar',
        route: 'top',
        interfaceId: 'eni-x',
        windowStart: 'x',
        by: 'nonsense',
        'limit ': 'x',
      });
      // Act
      const query = parse(noisy);
      // Assess
      expect(query).toEqual(parse(plain));
    });
  });

  describe('format', () => {
    it.each([
      [{}, {}, 'json'],
      [{}, { accept: 'text/csv' }, 'csv'],
      [{}, { accept: 'application/json, text/csv;q=0.5' }, 'json'],
      [{}, { accept: 'application/json;q=0.5, text/csv' }, 'csv'],
      [{}, { accept: 'text/csv;q=0, application/json' }, 'json'],
      [{}, { accept: 'Text/CSV' }, 'csv'],
      [{}, { accept: 'application/json' }, 'json'],
      [{}, { accept: '*/*' }, 'json'],
      [{ format: 'csv' }, {}, 'csv'],
      [{ format: 'json' }, { accept: 'text/csv' }, 'json'],
      [{ format: 'csv' }, { accept: 'application/json' }, 'csv'],
    ] as const)(
      'reads query %j with headers %j as %s',
      (query, headers, format) => {
        // Prepare
        const req = request(
          `/enis/${ENI}/summary`,
          { ...query },
          { ...headers }
        );
        // Act
        const parsed = parse(req);
        // Assess
        expect(parsed).toMatchObject({ format });
      }
    );

    it.each([
      `/enis/${ENI}/rollups`,
      `/enis/${ENI}/summary`,
      '/windows/1793527500/top',
    ])('reads Accept: text/csv as csv on %s', (path) => {
      // Prepare
      const req = request(path, {}, { accept: 'text/csv' });
      // Act
      const query = parse(req);
      // Assess
      expect(query).toMatchObject({ format: 'csv' });
    });

    it.each(['xml', 'CSV', 'Json', '', 'json,csv', ' csv'])(
      'rejects format=%j with a 400 naming format',
      (format) => {
        // Prepare
        const req = request(`/enis/${ENI}/rollups`, { format });
        // Act
        const error = queryErrorOf(() => parse(req));
        // Assess
        expect(error).toMatchObject({
          statusCode: 400,
          code: 'invalid_parameter',
          param: 'format',
        });
      }
    );
  });

  describe('times', () => {
    it.each([
      ['2026-11-01T10:05Z', Date.UTC(2026, 10, 1, 10, 5) / 1000],
      ['2026-11-01T10:05:30Z', Date.UTC(2026, 10, 1, 10, 5, 30) / 1000],
      ['2026-11-01T10:05:30.5Z', Date.UTC(2026, 10, 1, 10, 5, 30) / 1000],
      ['2026-11-01T10:05:30.999Z', Date.UTC(2026, 10, 1, 10, 5, 30) / 1000],
      [
        '2026-11-01T10:05:30.123456789Z',
        Date.UTC(2026, 10, 1, 10, 5, 30) / 1000,
      ],
      ['1793527530', 1_793_527_530],
      ['0', 0],
    ])('reads to=%s as %i epoch seconds', (raw, expected) => {
      // Prepare
      const req = request(`/enis/${ENI}/summary`, { to: raw });
      // Act
      const query = parse(req);
      // Assess
      expect(query).toMatchObject({ to: expected, from: expected - 3600 });
    });

    it('reads from and to in either form', () => {
      // Prepare
      const req = request(`/enis/${ENI}/rollups`, {
        from: '2026-10-31T00:00:00Z',
        to: String(NOW),
      });
      // Act
      const query = parse(req);
      // Assess
      expect(query).toMatchObject({
        from: seconds('2026-10-31T00:00:00Z'),
        to: NOW,
      });
    });

    it('reads a leap day of a leap year', () => {
      // Prepare
      const req = request(`/enis/${ENI}/summary`, {
        from: '2024-02-29T00:00:00Z',
        to: '2024-03-01T00:00:00Z',
      });
      // Act
      const query = parse(req);
      // Assess
      expect(query).toMatchObject({ from: seconds('2024-02-29T00:00:00Z') });
    });

    it.each([
      '2026-02-30T00:00:00Z',
      '2026-02-29T00:00:00Z',
      '2026-04-31T00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-00-10T00:00:00Z',
      '2026-10-00T00:00:00Z',
      '2026-10-31T24:00:00Z',
      '2026-10-31T23:60:00Z',
      '2026-10-31T23:59:60Z',
    ])('rejects the impossible time %s with a 400 naming from', (from) => {
      // Prepare
      const req = request(`/enis/${ENI}/summary`, { from });
      // Act
      const error = queryErrorOf(() => parse(req));
      // Assess
      expect(error).toMatchObject({
        statusCode: 400,
        code: 'invalid_parameter',
        param: 'from',
      });
    });

    it.each([
      '2026-11-01T10:00:00+01:00',
      '2026-11-01T10:00:00-05:00',
      '2026-11-01T10:00:00+00:00',
      '2026-11-01T10:00:00',
      '2026-11-01',
      '2026-11-01 10:00:00Z',
      '20261101T100000Z',
      'Sun, 01 Nov 2026 10:00:00 GMT',
      '1793527200000',
      '-1',
      '1.5',
      '1e9',
      '',
      'now',
    ])('rejects to=%j (not UTC ISO-8601 or epoch seconds) naming to', (to) => {
      // Prepare
      const req = request(`/enis/${ENI}/rollups`, { to });
      // Act
      const error = queryErrorOf(() => parse(req));
      // Assess
      expect(error).toMatchObject({
        statusCode: 400,
        code: 'invalid_parameter',
        param: 'to',
      });
    });

    it('accepts a time exactly one day ahead', () => {
      // Prepare
      const req = request(`/enis/${ENI}/summary`, { to: String(NOW + DAY) });
      // Act
      const query = parse(req);
      // Assess
      expect(query).toMatchObject({ to: NOW + DAY });
    });

    it.each([
      ['to', { to: String(NOW + DAY + 1) }],
      ['to', { to: '2027-01-01T00:00:00Z' }],
      ['from', { from: String(NOW + DAY + 1), to: String(NOW + DAY) }],
      ['from', { from: '2099-01-01T00:00Z' }],
    ])(
      'rejects a %s more than a day ahead as time_out_of_range',
      (param, query) => {
        // Prepare
        const req = request(`/enis/${ENI}/rollups`, query);
        // Act
        const error = queryErrorOf(() => parse(req));
        // Assess
        expect(error).toMatchObject({
          statusCode: 400,
          code: 'time_out_of_range',
          param,
        });
      }
    );

    it('rejects from after to with a 400 naming from', () => {
      // Prepare
      const req = request(`/enis/${ENI}/summary`, {
        from: '2026-11-01T10:00:01Z',
        to: '2026-11-01T10:00:00Z',
      });
      // Act
      const error = queryErrorOf(() => parse(req));
      // Assess
      expect(error).toMatchObject({
        statusCode: 400,
        code: 'invalid_parameter',
        param: 'from',
      });
    });

    it('rejects a from after the default to (now)', () => {
      // Prepare
      const req = request(`/enis/${ENI}/summary`, { from: String(NOW + 60) });
      // Act
      const error = queryErrorOf(() => parse(req));
      // Assess
      expect(error).toMatchObject({ statusCode: 400, param: 'from' });
    });

    it('accepts from equal to to', () => {
      // Prepare
      const req = request(`/enis/${ENI}/summary`, {
        from: String(NOW),
        to: String(NOW),
      });
      // Act
      const query = parse(req);
      // Assess
      expect(query).toMatchObject({ from: NOW, to: NOW });
    });

    it('accepts a range of exactly 31 days', () => {
      // Prepare
      const req = request(`/enis/${ENI}/rollups`, {
        from: '2026-10-01T00:00:00Z',
        to: '2026-11-01T00:00:00Z',
      });
      // Act
      const query = parse(req);
      // Assess
      expect(query).toMatchObject({
        from: seconds('2026-10-01T00:00:00Z'),
        to: seconds('2026-11-01T00:00:00Z'),
      });
      expect(LIMITS.rangeSeconds).toBe(31 * DAY);
    });

    it.each([
      [{ from: '2026-10-01T00:00:00Z', to: '2026-11-01T00:00:01Z' }],
      [{ from: String(NOW - 31 * DAY - 1) }],
      [{ from: '2024-01-01T00:00Z', to: '2026-01-01T00:00Z' }],
    ])(
      'rejects a range over 31 days (%j) as range_too_long naming to',
      (query) => {
        // Prepare
        const req = request(`/enis/${ENI}/summary`, query);
        // Act
        const error = queryErrorOf(() => parse(req));
        // Assess
        expect(error).toMatchObject({
          statusCode: 400,
          code: 'range_too_long',
          param: 'to',
        });
      }
    );
  });

  describe('limit', () => {
    it.each([
      ['1', 1],
      ['288', 288],
      ['2016', 2016],
      ['007', 7],
    ])('reads the rollups limit %s', (limit, expected) => {
      // Prepare
      const req = request(`/enis/${ENI}/rollups`, { limit });
      // Act
      const query = parse(req);
      // Assess
      expect(query).toMatchObject({ limit: expected });
    });

    it.each([
      '0',
      '2017',
      '-1',
      '1.5',
      '10.0',
      '1e3',
      '',
      ' 5',
      'ten',
      '0x10',
      '10,20',
      '99999999999999999999',
    ])('rejects the rollups limit %j naming limit', (limit) => {
      // Prepare
      const req = request(`/enis/${ENI}/rollups`, { limit });
      // Act
      const error = queryErrorOf(() => parse(req));
      // Assess
      expect(error).toMatchObject({
        statusCode: 400,
        code: 'invalid_parameter',
        param: 'limit',
      });
    });

    it.each([
      ['1', 1],
      ['100', 100],
    ])('reads the top limit %s', (limit, expected) => {
      // Prepare
      const req = request('/windows/1793527500/top', { limit });
      // Act
      const query = parse(req);
      // Assess
      expect(query).toMatchObject({ limit: expected });
    });

    it.each(['0', '101', '288', '2.5', 'x'])(
      'rejects the top limit %j naming limit',
      (limit) => {
        // Prepare
        const req = request('/windows/1793527500/top', { limit });
        // Act
        const error = queryErrorOf(() => parse(req));
        // Assess
        expect(error).toMatchObject({ statusCode: 400, param: 'limit' });
      }
    );

    it('ignores limit on the summary route', () => {
      // Prepare
      const req = request(`/enis/${ENI}/summary`, { limit: 'x' });
      // Act
      const query = parse(req);
      // Assess
      expect(query.route).toBe('summary');
    });
  });

  describe('by', () => {
    it.each(TOP_BY)('reads by=%s', (by) => {
      // Prepare
      const req = request('/windows/1793527500/top', { by });
      // Act
      const query = parse(req);
      // Assess
      expect(query).toMatchObject({ by });
    });

    it.each(['Bytes', 'dstport', '', 'bytes,packets', 'constructor'])(
      'rejects by=%j naming by',
      (by) => {
        // Prepare
        const req = request('/windows/1793527500/top', { by });
        // Act
        const error = queryErrorOf(() => parse(req));
        // Assess
        expect(error).toMatchObject({
          statusCode: 400,
          code: 'invalid_parameter',
          param: 'by',
        });
      }
    );
  });

  describe('interfaceId', () => {
    it.each([ENI, ENI_SHORT])('reads %s', (eni) => {
      // Prepare
      const req = request(`/enis/${eni}/summary`);
      // Act
      const query = parse(req);
      // Assess
      expect(query).toMatchObject({ interfaceId: eni });
    });

    it('percent-decodes the path segment', () => {
      // Prepare
      const req = request('/enis/eni-%30123456789abcdef0/rollups');
      // Act
      const query = parse(req);
      // Assess
      expect(query).toMatchObject({ interfaceId: ENI });
    });

    it.each([
      'eni-0123456789ABCDEF0',
      'ENI-0a1b2c3d',
      'eni-0a1b2c3d4',
      'eni-0a1b2c3',
      'eni-0123456789abcdef01',
      'eni-0123456789abcdef',
      '0123456789abcdef0',
      'eni_0a1b2c3d',
      'eni-0a1b2c3g',
      'eni-',
      `${ENI_SHORT}%20`,
      `${ENI_SHORT}%0A`,
      'eni-0a1b%2F2c3d',
      '%65ni-0a1b2c3',
    ])('rejects %j with a 400 naming interfaceId', (eni) => {
      // Prepare
      const req = request(`/enis/${eni}/rollups`);
      // Act
      const error = queryErrorOf(() => parse(req));
      // Assess
      expect(error).toMatchObject({
        statusCode: 400,
        code: 'invalid_parameter',
        param: 'interfaceId',
      });
    });

    it.each(['%', '%E0%A4%A', '%zz', 'eni-%C0', '%D8%00', 'eni-0a1b2c3d%'])(
      'rejects the malformed escape %j with a 400, never a URIError',
      (eni) => {
        // Prepare
        const req = request(`/enis/${eni}/summary`);
        // Act
        const error = queryErrorOf(() => parse(req));
        // Assess
        expect(error).toMatchObject({
          statusCode: 400,
          code: 'invalid_parameter',
          param: 'interfaceId',
        });
      }
    );
  });

  describe('windowStart', () => {
    it.each([
      ['2026-11-01T10:07:42Z', '2026-11-01T10:05:00Z'],
      ['2026-11-01T10:05:00Z', '2026-11-01T10:05:00Z'],
      ['2026-11-01T10:09:59.999Z', '2026-11-01T10:05:00Z'],
      ['2026-11-01T10:10Z', '2026-11-01T10:10:00Z'],
      ['2026-11-01T10%3A07%3A42Z', '2026-11-01T10:05:00Z'],
      [String(seconds('2026-11-01T10:07:42Z')), '2026-11-01T10:05:00Z'],
      ['0', '1970-01-01T00:00:00Z'],
      ['299', '1970-01-01T00:00:00Z'],
    ])('aligns %s down to the window of %s', (raw, window) => {
      // Prepare
      const req = request(`/windows/${raw}/top`);
      // Act
      const query = parse(req);
      // Assess
      expect(query).toMatchObject({ windowStart: seconds(window) });
    });

    it.each([
      'yesterday',
      '2026-02-30T00:00Z',
      '2026-11-01T10:00+01:00',
      '%E0%A4%A',
      '%',
    ])('rejects windowStart %j with a 400 naming windowStart', (raw) => {
      // Prepare
      const req = request(`/windows/${raw}/top`);
      // Act
      const error = queryErrorOf(() => parse(req));
      // Assess
      expect(error).toMatchObject({
        statusCode: 400,
        code: 'invalid_parameter',
        param: 'windowStart',
      });
    });

    it('rejects a windowStart more than a day ahead as time_out_of_range', () => {
      // Prepare
      const req = request(`/windows/${NOW + DAY + 300}/top`);
      // Act
      const error = queryErrorOf(() => parse(req));
      // Assess
      expect(error).toMatchObject({
        statusCode: 400,
        code: 'time_out_of_range',
        param: 'windowStart',
      });
    });

    it('review finding: a windowStart before 1970 is a 400, not a window rounded up to 0', () => {
      // Prepare: 1969-12-31T23:59:00Z is -60 s; windowStartOf's `%` keeps
      // the sign, so aligning it would round up to 0: times before 1970 are
      // refused (no flow log is that old).
      const req = request('/windows/1969-12-31T23:59:00Z/top');
      // Act
      const act = () => parse(req);
      // Assess
      expect(act).toThrow(
        expect.objectContaining({
          statusCode: 400,
          code: 'time_out_of_range',
          param: 'windowStart',
        })
      );
    });
  });

  describe('properties', () => {
    const PARAMS = ['from', 'to', 'limit', 'by', 'format', 'nextToken'];
    const timeLike = fc.oneof(
      fc.integer({ min: -1, max: NOW + 2 * DAY }).map(String),
      fc
        .date({
          min: new Date('1960-01-01T00:00:00Z'),
          max: new Date('2030-01-01T00:00:00Z'),
          noInvalidDate: true,
        })
        .map((date) => date.toISOString()),
      fc.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?Z$/)
    );
    const value = fc.oneof(
      fc.string({ unit: 'binary' }),
      timeLike,
      fc.constantFrom('json', 'csv', 'bytes', 'packets', '0', '100', '2016'),
      fc.stringMatching(/^[%0-9a-fA-F]{0,8}$/)
    );
    const segment = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.constantFrom(ENI, ENI_SHORT, String(NOW)),
      timeLike,
      fc.stringMatching(/^(eni-)?[%0-9a-fA-FzZ]{0,20}$/)
    );
    const path = fc.oneof(
      segment.map((s) => `/enis/${s}/rollups`),
      segment.map((s) => `/enis/${s}/summary`),
      segment.map((s) => `/windows/${s}/top`),
      fc.constantFrom('/health', '/health/', '/', ''),
      fc.string({ unit: 'binary' })
    );
    const arbitraryRequest = fc.record({
      method: fc.oneof(
        fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS'),
        fc.string()
      ),
      path,
      query: fc.dictionary(
        fc.oneof(fc.constantFrom(...PARAMS), fc.string()),
        value
      ),
      headers: fc.dictionary(
        fc.oneof(fc.constant('accept'), fc.string()),
        fc.oneof(fc.constantFrom('text/csv', 'application/json'), fc.string())
      ),
    });

    it('throws nothing but a QueryError of status 400, 404 or 405', () => {
      fc.assert(
        fc.property(arbitraryRequest, (req) => {
          // Act
          let thrown: unknown;
          try {
            parse(req);
          } catch (error) {
            thrown = error;
          }
          // Assess
          if (thrown === undefined) return;
          expect(thrown).toBeInstanceOf(QueryError);
          if (!(thrown instanceof QueryError)) return;
          expect([400, 404, 405]).toContain(thrown.statusCode);
          if (thrown.statusCode === 400) {
            expect([
              'interfaceId',
              'windowStart',
              'from',
              'to',
              'limit',
              'by',
              'format',
            ]).toContain(thrown.param);
          } else {
            expect(thrown.param).toBeUndefined();
          }
        }),
        { numRuns: 2000 }
      );
    });

    it('returns only queries within the documented bounds', () => {
      fc.assert(
        fc.property(arbitraryRequest, (req) => {
          // Act
          let query: ReturnType<typeof parse>;
          try {
            query = parse(req);
          } catch {
            return;
          }
          // Assess
          if (query.route === 'rollups' || query.route === 'summary') {
            expect(query.from).toBeLessThanOrEqual(query.to);
            expect(query.to - query.from).toBeLessThanOrEqual(31 * DAY);
            expect(query.to).toBeLessThanOrEqual(NOW + DAY);
            expect(query.interfaceId).toMatch(/^eni-[0-9a-f]+$/);
          }
          if (query.route === 'rollups') {
            expect(Number.isInteger(query.limit)).toBe(true);
            expect(query.limit).toBeGreaterThanOrEqual(1);
            expect(query.limit).toBeLessThanOrEqual(LIMITS.rollupsMax);
          }
          if (query.route === 'top') {
            expect(query.windowStart % 300 === 0).toBe(true);
            expect(query.windowStart).toBeLessThanOrEqual(NOW + DAY);
            expect(query.limit).toBeGreaterThanOrEqual(1);
            expect(query.limit).toBeLessThanOrEqual(LIMITS.topMax);
            expect(TOP_BY).toContain(query.by);
          }
        }),
        { numRuns: 2000 }
      );
    });
  });
});
