import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COUNTERS } from '../../../shared/aggregate/mergeRollups.js';
import { QueryError, StoreError } from '../../../shared/errors.js';
import type { ApiQuery, ApiRequest } from '../../../shared/query/apiQuery.js';
import { resultResponse } from '../../../shared/query/httpResponse.js';
import { encodePageToken } from '../../../shared/query/pageToken.js';
import { parseQueryParams } from '../../../shared/query/parseQueryParams.js';
import {
  type QueryDeps,
  queryRollups,
} from '../../../shared/query/queryRollups.js';
import type { RangeRanker } from '../../../shared/store/rangeRanking.js';
import type {
  PageKey,
  RollupPage,
  RollupReader,
} from '../../../shared/store/rollupStore.js';
import type { Rollup } from '../../../shared/types.js';
import { memoryCatalog } from '../../helpers/memoryCatalog.js';

const ENI = 'eni-0123456789abcdef0';
const OTHER = 'eni-0a1b2c3d';
const SECRET = 'test-secret';
const at = (hhmm: string): number =>
  Date.parse(`2026-11-01T${hhmm}:00Z`) / 1000;
/** 10:30, so the default range (the last hour) holds every fixture window. */
const NOW = at('10:30');

const rollupOf = (
  interfaceId: string,
  windowStart: number,
  n: number,
  extra: Partial<Rollup> = {}
): Rollup => ({
  interfaceId,
  windowStart,
  flows: 2 * n,
  packets: 20 * n,
  bytes: 2000 * n,
  acceptFlows: n,
  acceptPackets: 10 * n,
  acceptBytes: 1500 * n,
  rejectFlows: n,
  rejectPackets: 10 * n,
  rejectBytes: 500 * n,
  nodataRecords: 0,
  skipdataRecords: 0,
  accountId: '123456789012',
  ...extra,
});

const FIRST = rollupOf(ENI, at('10:00'), 1, {
  tcpBytes: 700,
  topTalkers: [
    {
      peer: '10.0.0.9',
      port: 443,
      protocol: 6,
      flows: 1,
      packets: 10,
      bytes: 900,
    },
  ],
});

const ROLLUPS: readonly Rollup[] = [
  FIRST,
  rollupOf(ENI, at('10:05'), 2, {
    skipdataRecords: 4,
    topTalkers: [
      {
        peer: '10.0.0.9',
        port: 443,
        protocol: 6,
        flows: 2,
        packets: 20,
        bytes: 1100,
      },
      {
        peer: '10.0.0.7',
        port: 22,
        protocol: 6,
        flows: 1,
        packets: 5,
        bytes: 1500,
      },
    ],
    topRejectedSources: [
      { address: '198.51.100.1', flows: 3, packets: 3, bytes: 180 },
    ],
  }),
  rollupOf(ENI, at('10:10'), 3, {
    nodataRecords: 1,
    topRejectedSources: [
      { address: '198.51.100.1', flows: 2, packets: 2, bytes: 120 },
      { address: '198.51.100.2', flows: 4, packets: 4, bytes: 240 },
    ],
  }),
  rollupOf(ENI, at('10:15'), 4),
  rollupOf(ENI, at('10:20'), 5, { skipdataRecords: 1 }),
  rollupOf(OTHER, at('10:05'), 50),
  rollupOf(OTHER, at('10:10'), 7),
];

/** A rollup's counters and ids: what the counters items of the table hold. */
const countersItem = ({
  topTalkers: _t,
  topRejectedSources: _r,
  topRejectedFlows: _f,
  topRejectedPorts: _p,
  ...rest
}: Rollup): Rollup => rest;

interface ReaderCall {
  readonly method: keyof RollupReader;
  readonly args: readonly unknown[];
}

/**
 * An in-memory RollupReader over `rollups`, keeping the interface's contract:
 * inclusive window bounds, oldest first, pages that resume after `startAfter`,
 * a null key on the last page, and top lists only from `allRollups`. Its
 * window tops say `isMembershipExact`.
 */
function fakeReader(rollups: readonly Rollup[], isMembershipExact = true) {
  const calls: ReaderCall[] = [];
  const keyOf = (rollup: Rollup): PageKey => ({
    pk: rollup.interfaceId,
    sk: String(rollup.windowStart),
  });
  const ofEni = (interfaceId: string, fromWindow: number, toWindow: number) =>
    rollups
      .filter(
        (rollup) =>
          rollup.interfaceId === interfaceId &&
          rollup.windowStart >= fromWindow &&
          rollup.windowStart <= toWindow
      )
      .sort((a, b) => a.windowStart - b.windowStart);
  const reader: RollupReader = {
    // Series and scopes are read from dynalite (test/integration/queryApiScopes).
    seriesPage: async () => {
      throw new Error('not in this fake');
    },
    scopeTotal: async () => {
      throw new Error('not in this fake');
    },
    async rollupPage(interfaceId, fromWindow, toWindow, limit, startAfter) {
      calls.push({
        method: 'rollupPage',
        args: [interfaceId, fromWindow, toWindow, limit, startAfter],
      });
      const rest = ofEni(interfaceId, fromWindow, toWindow).filter(
        (rollup) =>
          startAfter === null || rollup.windowStart > Number(startAfter.sk)
      );
      const page = rest.slice(0, limit);
      const last = page.at(-1);
      const result: RollupPage = {
        rollups: page.map(countersItem),
        lastKey: rest.length > limit && last ? keyOf(last) : null,
      };
      return result;
    },
    async allRollups(interfaceId, fromWindow, toWindow) {
      calls.push({
        method: 'allRollups',
        args: [interfaceId, fromWindow, toWindow],
      });
      return structuredClone(ofEni(interfaceId, fromWindow, toWindow));
    },
    async rankWindow(windowStart, by, limit) {
      calls.push({ method: 'rankWindow', args: [windowStart, by, limit] });
      return {
        rollups: rollups
          .filter((rollup) => rollup.windowStart === windowStart)
          .sort((a, b) => b[by] - a[by] || b.bytes - a.bytes)
          .slice(0, limit)
          .map(countersItem),
        isMembershipExact,
      };
    },
    async topOfWindow() {
      throw new Error('queryRollups asks rankWindow');
    },
    async ping() {
      calls.push({ method: 'ping', args: [] });
    },
  };
  return { reader, calls };
}

/** A reader whose every call fails as the DynamoDB reader does. */
function failingReader(error: unknown): RollupReader {
  const fail = async (): Promise<never> => {
    throw error;
  };
  return {
    seriesPage: fail,
    scopeTotal: fail,
    rollupPage: fail,
    allRollups: fail,
    rankWindow: fail,
    topOfWindow: fail,
    ping: fail,
  };
}

/** A ranker no test of this file should reach. */
const NO_RANKER: RangeRanker = {
  accounts: () => Promise.reject(new Error('unexpected')),
  rankRange: () => Promise.reject(new Error('unexpected')),
  rejectionsOf: () => Promise.reject(new Error('unexpected')),
  scopes: () => Promise.reject(new Error('unexpected')),
};

const depsOf = (reader: RollupReader): QueryDeps => ({
  reader,
  ranker: NO_RANKER,
  catalog: memoryCatalog(),
  tokenSecret: SECRET,
});

const request = (
  path: string,
  query: Record<string, string> = {}
): ApiRequest => ({
  method: 'GET',
  path,
  query,
  headers: {},
});

/** An array of rows in a body, or a failed test. */
function rowsOf(value: unknown): Record<string, unknown>[] {
  if (!Array.isArray(value)) throw new Error('expected an array of rows');
  return value;
}

const tokenOf = (
  body: Readonly<Record<string, unknown>>
): string | undefined =>
  typeof body.nextToken === 'string' ? body.nextToken : undefined;

async function queryErrorOf(act: () => Promise<unknown>): Promise<QueryError> {
  try {
    await act();
  } catch (error) {
    if (error instanceof QueryError) return error;
    throw error;
  }
  throw new Error('expected a QueryError, but nothing was thrown');
}

const rollupsQuery = (
  from: number,
  to: number,
  limit = 288,
  nextToken: string | null = null
): ApiQuery => ({
  route: 'rollups',
  interfaceId: ENI,
  from,
  to,
  limit,
  nextToken,
  isRangeGiven: true,
  format: 'json',
});

describe('queryRollups', () => {
  describe('rollups', () => {
    it('answers the ENI rollups of the range, oldest first, without top lists', async () => {
      // Prepare
      const { reader, calls } = fakeReader(ROLLUPS);
      // Act
      const result = await queryRollups(
        rollupsQuery(at('10:00'), at('10:25')),
        depsOf(reader)
      );
      // Assess
      const rows = rowsOf(result.body.rollups);
      expect(result.statusCode).toBe(200);
      expect(rows.map((row) => row.window)).toEqual([
        '2026-11-01T10:00:00Z',
        '2026-11-01T10:05:00Z',
        '2026-11-01T10:10:00Z',
        '2026-11-01T10:15:00Z',
        '2026-11-01T10:20:00Z',
      ]);
      expect(rows[0]).toEqual({
        ...countersItem(FIRST),
        window: '2026-11-01T10:00:00Z',
      });
      expect(rows.some((row) => 'topTalkers' in row)).toBe(false);
      expect(result.body.nextToken).toBeUndefined();
      expect(calls).toEqual([
        {
          method: 'rollupPage',
          args: [ENI, at('10:00'), at('10:20'), 288, null],
        },
      ]);
    });

    it('reads the windows that overlap [from, to)', async () => {
      // Prepare
      const { reader, calls } = fakeReader(ROLLUPS);
      // Act
      const result = await queryRollups(
        rollupsQuery(at('10:02'), at('10:10')),
        depsOf(reader)
      );
      // Assess
      expect(rowsOf(result.body.rollups).map((row) => row.windowStart)).toEqual(
        [at('10:00'), at('10:05')]
      );
      expect(calls[0]?.args.slice(1, 3)).toEqual([at('10:00'), at('10:05')]);
    });

    it('echoes the interface, the range as ISO-8601 and the limit', async () => {
      // Prepare
      const { reader } = fakeReader(ROLLUPS);
      // Act
      const result = await queryRollups(
        rollupsQuery(at('10:02'), at('10:10') + 30, 5),
        depsOf(reader)
      );
      // Assess
      expect(result.body).toMatchObject({
        interfaceId: ENI,
        from: '2026-11-01T10:02:00Z',
        to: '2026-11-01T10:10:30Z',
        limit: 5,
      });
    });

    it('pages through every window with nextToken, parsed from requests', async () => {
      // Prepare
      const { reader } = fakeReader(ROLLUPS);
      const deps = depsOf(reader);
      const params = {
        from: '2026-11-01T10:00:00Z',
        to: '2026-11-01T10:25:00Z',
        limit: '2',
      };
      const path = `/enis/${ENI}/rollups`;
      const windows: unknown[] = [];
      const tokens: (string | undefined)[] = [];
      // Act
      let nextToken: string | undefined;
      do {
        const query = parseQueryParams(
          request(path, nextToken ? { ...params, nextToken } : params),
          NOW
        );
        const result = await queryRollups(query, deps);
        windows.push(...rowsOf(result.body.rollups).map((row) => row.window));
        nextToken = tokenOf(result.body);
        tokens.push(nextToken);
      } while (nextToken !== undefined && tokens.length < 10);
      // Assess
      expect(windows).toEqual([
        '2026-11-01T10:00:00Z',
        '2026-11-01T10:05:00Z',
        '2026-11-01T10:10:00Z',
        '2026-11-01T10:15:00Z',
        '2026-11-01T10:20:00Z',
      ]);
      expect(tokens).toHaveLength(3);
      expect(tokens.at(-1)).toBeUndefined();
    });

    it('pages with the from and to the first page echoed', async () => {
      // Prepare: a client that sent no range resends the one it was given
      const { reader } = fakeReader(ROLLUPS);
      const deps = depsOf(reader);
      const path = `/enis/${ENI}/rollups`;
      const first = await queryRollups(
        parseQueryParams(request(path, { limit: '3' }), NOW),
        deps
      );
      const { from, to } = first.body;
      const nextToken = tokenOf(first.body);
      if (typeof from !== 'string' || typeof to !== 'string' || !nextToken) {
        throw new Error('expected from, to and nextToken on the first page');
      }
      // Act
      const second = await queryRollups(
        parseQueryParams(
          request(path, { limit: '3', from, to, nextToken }),
          NOW + 600
        ),
        deps
      );
      // Assess
      expect(rowsOf(second.body.rollups).map((row) => row.window)).toEqual([
        '2026-11-01T10:15:00Z',
        '2026-11-01T10:20:00Z',
      ]);
    });

    it.each([
      ['another ENI', { interfaceId: OTHER }],
      ['another from', { from: at('09:55') }],
      ['another to', { to: at('10:30') }],
    ])(
      'rejects a nextToken issued for %s, before reading',
      async (_name, change) => {
        // Prepare
        const { reader, calls } = fakeReader(ROLLUPS);
        const issued = encodePageToken(
          {
            series: ENI,
            from: at('10:00'),
            to: at('10:25'),
            lastKey: { pk: ENI, sk: String(at('10:05')) },
          },
          SECRET
        );
        const query = {
          ...rollupsQuery(at('10:00'), at('10:25'), 2, issued),
          ...change,
        };
        // Act
        const error = await queryErrorOf(() =>
          queryRollups(query, depsOf(reader))
        );
        // Assess
        expect(error).toMatchObject({
          statusCode: 400,
          code: 'invalid_next_token',
          param: 'nextToken',
        });
        expect(calls).toEqual([]);
      }
    );

    it('rejects a nextToken signed with another secret', async () => {
      // Prepare
      const { reader } = fakeReader(ROLLUPS);
      const issued = encodePageToken(
        {
          series: ENI,
          from: at('10:00'),
          to: at('10:25'),
          lastKey: { pk: ENI, sk: String(at('10:05')) },
        },
        'another-secret'
      );
      // Act
      const error = await queryErrorOf(() =>
        queryRollups(
          rollupsQuery(at('10:00'), at('10:25'), 2, issued),
          depsOf(reader)
        )
      );
      // Assess
      expect(error).toMatchObject({ statusCode: 400, param: 'nextToken' });
    });

    it('review finding: the nextToken of a query without from and to reads the next page later on', async () => {
      // Prepare: the token is bound to `to`, which defaults to now, so the
      // same request a second later no longer matches its own token.
      const { reader } = fakeReader(ROLLUPS);
      const deps = depsOf(reader);
      const path = `/enis/${ENI}/rollups`;
      const first = await queryRollups(
        parseQueryParams(request(path, { limit: '2' }), NOW),
        deps
      );
      const nextToken = tokenOf(first.body);
      if (nextToken === undefined) throw new Error('expected a nextToken');
      // Act
      const second = await queryRollups(
        parseQueryParams(request(path, { limit: '2', nextToken }), NOW + 1),
        deps
      );
      // Assess
      expect(rowsOf(second.body.rollups).map((row) => row.window)).toEqual([
        '2026-11-01T10:10:00Z',
        '2026-11-01T10:15:00Z',
      ]);
    });

    it('review finding: a CSV page of rollups carries its nextToken', async () => {
      // Prepare: the CSV answer is built from the table alone, so a CSV
      // client gets the first page and no way to ask for the next one.
      const { reader } = fakeReader(ROLLUPS);
      const query = parseQueryParams(
        request(`/enis/${ENI}/rollups`, { limit: '2', format: 'csv' }),
        NOW
      );
      const result = await queryRollups(query, depsOf(reader));
      const nextToken = tokenOf(result.body);
      if (nextToken === undefined) throw new Error('expected a nextToken');
      // Act
      const response = resultResponse(result, 'csv');
      // Assess
      const carried =
        response.body.includes(nextToken) ||
        Object.values(response.headers).some((value) =>
          value.includes(nextToken)
        );
      expect(carried).toBe(true);
    });

    it('review finding: an empty range (from = to) reads no windows', async () => {
      // Prepare: `to` is exclusive (openapi.yaml), so [10:05, 10:05) is
      // empty; windowsOf reads the window of 10:05 all the same.
      const { reader } = fakeReader(ROLLUPS);
      const deps = depsOf(reader);
      const range = {
        from: '2026-11-01T10:05:00Z',
        to: '2026-11-01T10:05:00Z',
      };
      // Act
      const rollups = await queryRollups(
        parseQueryParams(request(`/enis/${ENI}/rollups`, range), NOW),
        deps
      );
      const summary = await queryRollups(
        parseQueryParams(request(`/enis/${ENI}/summary`, range), NOW),
        deps
      );
      // Assess
      expect(rowsOf(rollups.body.rollups)).toEqual([]);
      expect(summary.body.windows).toBe(0);
    });
  });

  describe('summary', () => {
    const summaryQuery = (from: number, to: number): ApiQuery => ({
      route: 'summary',
      interfaceId: ENI,
      from,
      to,
      format: 'json',
    });

    it('adds up the counters of the windows in the range', async () => {
      // Prepare
      const { reader, calls } = fakeReader(ROLLUPS);
      // Act
      const result = await queryRollups(
        summaryQuery(at('10:00'), at('10:15')),
        depsOf(reader)
      );
      // Assess
      expect(result.body).toMatchObject({
        interfaceId: ENI,
        from: '2026-11-01T10:00:00Z',
        to: '2026-11-01T10:15:00Z',
        windows: 3,
      });
      expect(result.body.totals).toEqual({
        flows: 12,
        packets: 120,
        bytes: 12_000,
        acceptFlows: 6,
        acceptPackets: 60,
        acceptBytes: 9000,
        rejectFlows: 6,
        rejectPackets: 60,
        rejectBytes: 3000,
        nodataRecords: 1,
        skipdataRecords: 4,
        tcpBytes: 700,
        accountId: '123456789012',
      });
      expect(calls).toEqual([
        { method: 'allRollups', args: [ENI, at('10:00'), at('10:10')] },
      ]);
    });

    it('lists the windows with SKIPDATA records', async () => {
      // Prepare
      const { reader } = fakeReader(ROLLUPS);
      // Act
      const result = await queryRollups(
        summaryQuery(at('10:00'), at('10:25')),
        depsOf(reader)
      );
      // Assess
      expect(result.body.skipdataWindows).toEqual([
        {
          windowStart: at('10:05'),
          window: '2026-11-01T10:05:00Z',
          skipdataRecords: 4,
        },
        {
          windowStart: at('10:20'),
          window: '2026-11-01T10:20:00Z',
          skipdataRecords: 1,
        },
      ]);
    });

    it('merges the top lists of the windows', async () => {
      // Prepare
      const { reader } = fakeReader(ROLLUPS);
      // Act
      const result = await queryRollups(
        summaryQuery(at('10:00'), at('10:15')),
        depsOf(reader)
      );
      // Assess
      expect(result.body.topTalkers).toEqual([
        {
          peer: '10.0.0.9',
          port: 443,
          protocol: 6,
          flows: 3,
          packets: 30,
          bytes: 2000,
          label: '10.0.0.9',
        },
        {
          peer: '10.0.0.7',
          port: 22,
          protocol: 6,
          flows: 1,
          packets: 5,
          bytes: 1500,
          label: '10.0.0.7',
        },
      ]);
      expect(result.body.topRejectedSources).toEqual([
        {
          address: '198.51.100.1',
          flows: 5,
          packets: 5,
          bytes: 300,
          label: '198.51.100.1',
        },
        {
          address: '198.51.100.2',
          flows: 4,
          packets: 4,
          bytes: 240,
          label: '198.51.100.2',
        },
      ]);
    });

    it('answers zero totals and empty lists for a range with no rollups', async () => {
      // Prepare
      const { reader } = fakeReader(ROLLUPS);
      // Act
      const result = await queryRollups(
        summaryQuery(at('08:00'), at('09:00')),
        depsOf(reader)
      );
      // Assess
      expect(result.body).toMatchObject({
        windows: 0,
        topTalkers: [],
        topRejectedSources: [],
        skipdataWindows: [],
      });
      expect(result.body.totals).toEqual(
        Object.fromEntries(COUNTERS.map((name) => [name, 0]))
      );
    });

    it('keeps every total equal to the sum over the windows', async () => {
      const count = fc.integer({ min: 0, max: 1e9 });
      const windows = fc.uniqueArray(fc.integer({ min: 0, max: 11 }), {
        maxLength: 12,
      });
      await fc.assert(
        fc.asyncProperty(
          windows,
          fc.array(count, { minLength: 12, maxLength: 12 }),
          async (slots, counts) => {
            // Prepare
            const rollups = slots.map((slot) =>
              rollupOf(ENI, at('09:00') + slot * 300, counts[slot] ?? 0, {
                skipdataRecords: slot % 3,
              })
            );
            const { reader } = fakeReader(rollups);
            // Act
            const result = await queryRollups(
              summaryQuery(at('09:00'), at('10:00')),
              depsOf(reader)
            );
            // Assess
            const totals = result.body.totals;
            for (const name of COUNTERS) {
              const sum = rollups.reduce(
                (total, rollup) => total + rollup[name],
                0
              );
              expect(totals).toHaveProperty(name, sum);
            }
            expect(result.body.windows).toBe(rollups.length);
          }
        )
      );
    });
  });

  describe('top', () => {
    it('passes by and limit to the reader and answers its ENIs', async () => {
      // Prepare
      const { reader, calls } = fakeReader(ROLLUPS);
      const query: ApiQuery = {
        route: 'top',
        windowStart: at('10:10'),
        by: 'rejectFlows',
        limit: 1,
        format: 'json',
      };
      // Act
      const result = await queryRollups(query, depsOf(reader));
      // Assess
      expect(calls).toEqual([
        { method: 'rankWindow', args: [at('10:10'), 'rejectFlows', 1] },
      ]);
      expect(result.body).toMatchObject({
        windowStart: at('10:10'),
        window: '2026-11-01T10:10:00Z',
        by: 'rejectFlows',
        limit: 1,
        membership: 'exact',
      });
      expect(rowsOf(result.body.enis)).toEqual([
        {
          ...countersItem(rollupOf(OTHER, at('10:10'), 7)),
          window: '2026-11-01T10:10:00Z',
        },
      ]);
    });

    it('answers the ENIs busiest first', async () => {
      // Prepare
      const { reader } = fakeReader(ROLLUPS);
      const query: ApiQuery = {
        route: 'top',
        windowStart: at('10:05'),
        by: 'bytes',
        limit: 10,
        format: 'json',
      };
      // Act
      const result = await queryRollups(query, depsOf(reader));
      // Assess
      expect(rowsOf(result.body.enis).map((row) => row.interfaceId)).toEqual([
        OTHER,
        ENI,
      ]);
    });

    it('says the membership is approximate when the reader cannot prove it', async () => {
      // Prepare
      const { reader } = fakeReader(ROLLUPS, false);
      const query: ApiQuery = {
        route: 'top',
        windowStart: at('10:05'),
        by: 'flows',
        limit: 1,
        format: 'json',
      };
      // Act
      const result = await queryRollups(query, depsOf(reader));
      // Assess
      expect(result.body.membership).toBe('approximate');
      expect(rowsOf(result.body.enis)).toHaveLength(1);
      expect(result.table.columns).not.toContain('membership');
    });
  });

  describe('health', () => {
    it('answers ok when the reader answers', async () => {
      // Prepare
      const { reader, calls } = fakeReader([]);
      // Act
      const result = await queryRollups({ route: 'health' }, depsOf(reader));
      // Assess
      expect(result.statusCode).toBe(200);
      expect(result.body).toEqual({ status: 'ok' });
      expect(result.table).toEqual({
        columns: ['status'],
        rows: [{ status: 'ok' }],
      });
      expect(calls).toEqual([{ method: 'ping', args: [] }]);
    });
  });

  describe('store failures', () => {
    const QUERIES: readonly ApiQuery[] = [
      rollupsQuery(at('10:00'), at('10:25')),
      {
        route: 'summary',
        interfaceId: ENI,
        from: at('10:00'),
        to: at('10:25'),
        format: 'json',
      },
      {
        route: 'top',
        windowStart: at('10:05'),
        by: 'packets',
        limit: 10,
        format: 'csv',
      },
      { route: 'health' },
    ];

    it.each(QUERIES)(
      'answers a StoreError on $route as a 503 unavailable with the cause',
      async (query) => {
        // Prepare
        const storeError = new StoreError('reading table failed: throttled');
        // Act
        const error = await queryErrorOf(() =>
          queryRollups(query, depsOf(failingReader(storeError)))
        );
        // Assess
        expect(error).toMatchObject({ statusCode: 503, code: 'unavailable' });
        expect(error.param).toBeUndefined();
        expect(error.cause).toBe(storeError);
        expect(error.message).not.toContain('throttled');
      }
    );

    it.each(QUERIES)(
      'passes any other error on $route through',
      async (query) => {
        // Prepare
        const bug = new TypeError('a bug');
        // Act
        const thrown = await queryRollups(
          query,
          depsOf(failingReader(bug))
        ).catch((error: unknown) => error);
        // Assess
        expect(thrown).toBe(bug);
      }
    );
  });

  describe('table', () => {
    it('holds the rows of the body for rollups', async () => {
      // Prepare
      const { reader } = fakeReader(ROLLUPS);
      // Act
      const result = await queryRollups(
        rollupsQuery(at('10:00'), at('10:25')),
        depsOf(reader)
      );
      // Assess
      expect(result.table.rows).toEqual(result.body.rollups);
    });

    it('holds the rows of the body for top', async () => {
      // Prepare
      const { reader } = fakeReader(ROLLUPS);
      const query: ApiQuery = {
        route: 'top',
        windowStart: at('10:05'),
        by: 'bytes',
        limit: 10,
        format: 'csv',
      };
      // Act
      const result = await queryRollups(query, depsOf(reader));
      // Assess: the ENIs' rows, with the catalog's name and type (none known).
      expect(result.table.rows).toEqual(
        (result.body.enis as object[]).map((row) => ({
          ...row,
          name: null,
          interfaceType: null,
        }))
      );
    });

    it('holds one summary row of the range and totals', async () => {
      // Prepare
      const { reader } = fakeReader(ROLLUPS);
      // Act
      const result = await queryRollups(
        {
          route: 'summary',
          interfaceId: ENI,
          from: at('10:00'),
          to: at('10:15'),
          format: 'csv',
        },
        depsOf(reader)
      );
      // Assess
      const totals = result.body.totals;
      if (typeof totals !== 'object' || totals === null) {
        throw new Error('expected totals');
      }
      expect(result.table.rows).toEqual([
        {
          interfaceId: ENI,
          from: '2026-11-01T10:00:00Z',
          to: '2026-11-01T10:15:00Z',
          windows: 3,
          ...totals,
        },
      ]);
    });

    it('has a column for every key of every row, so CSV drops nothing', async () => {
      // Prepare
      const { reader } = fakeReader([
        ...ROLLUPS,
        rollupOf(ENI, at('10:25'), 1, {
          ingressPackets: 1,
          ingressBytes: 2,
          egressPackets: 3,
          egressBytes: 4,
          tcpBytes: 5,
          udpBytes: 6,
          icmpBytes: 7,
          otherBytes: 8,
          synOnlyFlows: 9,
          vpcId: 'vpc-1',
          subnetId: 'subnet-1',
          instanceId: 'i-1',
        }),
      ]);
      const deps = depsOf(reader);
      const queries: ApiQuery[] = [
        rollupsQuery(at('10:00'), at('10:30')),
        {
          route: 'summary',
          interfaceId: ENI,
          from: at('10:00'),
          to: at('10:30'),
          format: 'csv',
        },
        {
          route: 'top',
          windowStart: at('10:25'),
          by: 'bytes',
          limit: 10,
          format: 'csv',
        },
      ];
      // Act
      const results = await Promise.all(
        queries.map((query) => queryRollups(query, deps))
      );
      // Assess
      for (const { table } of results) {
        expect(table.rows.length).toBeGreaterThan(0);
        for (const row of table.rows) {
          expect(table.columns).toEqual(
            expect.arrayContaining(Object.keys(row))
          );
        }
      }
    });
  });
});
