/**
 * Scope series (account, VPC, subnet) and an ENI's hours and days: the
 * real queryApi handler behind the local HTTP API stand-in, asked over
 * real HTTP on 127.0.0.1, against what the real s3Ingest handler wrote to
 * dynalite from generated v5 flow logs (with account-id, vpc-id and
 * subnet-id). Nine ENIs share two accounts, two VPCs and four subnets;
 * their flows start at four times over two UTC days. Every answer is
 * compared with sums computed here, independently, from the stored ENI
 * rollups: per 5-minute window, hour and day, every page followed; scope
 * summaries over ranges that cut hours and days; the same object
 * delivered again, and a second object for the same ENIs and windows; bad
 * requests; CSV against JSON.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COUNTERS,
  IDS,
  OPTIONAL_COUNTERS,
} from '../../shared/aggregate/mergeRollups.js';
import {
  enisOfSample,
  generateFlowLogLines,
} from '../../shared/generate/generateFlowLogLines.js';
import { resolveFormat } from '../../shared/parse/flowLogFormat.js';
import type { Rollup } from '../../shared/types.js';
import { importS3Handler } from '../helpers/cloudwatchBatches.js';
import {
  exact,
  expectedRollups,
  storedRollups,
} from '../helpers/expectedRollups.js';
import {
  type FlowLogFile,
  flowLogFile,
  flowLogKey,
  interfaceIdsOf,
  upload,
} from '../helpers/flowLogObjects.js';
import {
  captureHandlerLogs,
  type HandlerLogs,
} from '../helpers/handlerLogs.js';
import { type IngestStack, startIngestStack } from '../helpers/ingestStack.js';
import {
  type ApiResponse,
  bodyOf,
  call,
  csvOfRows,
  type ErrorBody,
  errorBodyProblems,
  parseCsv,
  type RunningApi,
  startQueryApi,
} from '../helpers/queryApi.js';
import { eventFor, loadSampleEvents } from '../helpers/s3Events.js';

const W = 300;
const HOUR = 3600;
const DAY_SECONDS = 86_400;
/** 2026-11-20T00:00:00Z: the day most flows start on. */
const DAY = Date.UTC(2026, 10, 20) / 1000;
/** Nine ENIs: the seventh is in the second account. */
const ENIS = 9;
/** The two VPCs the ENIs are spread over (the generator puts few ENIs in one). */
const TWO_VPCS = ['vpc-0a0a0a0a0a0a0a0a0', 'vpc-0b0b0b0b0b0b0b0b0'] as const;
/** The seed whose ENIs (ids, accounts, subnets) every chunk is relabelled to. */
const BASE_SEED = 61;
/**
 * The chunks of the first object: flows start over the ten minutes from
 * `start` and last up to ten more, so the first crosses midnight and the
 * last ends after 02:35.
 */
const FIRST = [
  { seed: 61, records: 1500, start: DAY - 600 },
  { seed: 62, records: 1200, start: DAY + HOUR - 300 },
  { seed: 63, records: 900, start: DAY + HOUR + 1800 },
  { seed: 64, records: 1200, start: DAY + 2 * HOUR + 1680 },
] as const;
/** The second object: other traffic of the same ENIs at the same times. */
const SECOND = [
  { seed: 71, records: 800, start: DAY - 600 },
  { seed: 72, records: 700, start: DAY + HOUR - 300 },
  { seed: 73, records: 600, start: DAY + HOUR + 1800 },
  { seed: 74, records: 700, start: DAY + 2 * HOUR + 1680 },
] as const;
/** A range that holds every window of both objects. */
const FROM = DAY - HOUR;
const TO = DAY + 4 * HOUR;

const STEP_SECONDS = { '5m': W, '1h': HOUR, '1d': DAY_SECONDS } as const;
type Step = keyof typeof STEP_SECONDS;
const STEPS = Object.keys(STEP_SECONDS) as Step[];

/** The scopes: path, the id's name in rollups and bodies, and the ids a scope row keeps. */
const SCOPES = [
  { path: 'accounts', param: 'accountId', ids: ['accountId'] },
  { path: 'vpcs', param: 'vpcId', ids: ['accountId', 'vpcId'] },
  {
    path: 'subnets',
    param: 'subnetId',
    ids: ['accountId', 'vpcId', 'subnetId'],
  },
] as const;
type Scope = (typeof SCOPES)[number];

/** The columns of a scope's row in CSV: an ENI's, without interfaceId. */
const SCOPE_CSV_COLUMNS = [
  'windowStart',
  'window',
  ...COUNTERS,
  ...OPTIONAL_COUNTERS,
  ...IDS,
] as const;

const iso = (seconds: number): string =>
  new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

/** A row of a series as the API shows it. */
type SeriesRow = Readonly<Record<string, number | string | undefined>> & {
  readonly windowStart: number;
  readonly window: string;
};

interface SeriesBody {
  readonly from: string;
  readonly to: string;
  readonly step: Step;
  readonly limit: number;
  readonly rollups: SeriesRow[];
  readonly nextToken?: string;
  readonly [id: string]: unknown;
}

interface ScopeSummaryBody {
  readonly from: string;
  readonly to: string;
  readonly windows: number;
  readonly totals: Readonly<Record<string, number | string>>;
  readonly [id: string]: unknown;
}

/**
 * Every counter of rollups added up (an optional one when any rollup has
 * it), and each of `ids` as the smallest value present.
 */
function sumOf(
  rollups: readonly Rollup[],
  ids: readonly (typeof IDS)[number][]
): Record<string, number | string> {
  const sums: Record<string, number | string> = {};
  for (const name of COUNTERS) {
    sums[name] = rollups.reduce((sum, rollup) => sum + rollup[name], 0);
  }
  for (const name of OPTIONAL_COUNTERS) {
    if (rollups.some((rollup) => rollup[name] !== undefined)) {
      sums[name] = rollups.reduce(
        (sum, rollup) => sum + (rollup[name] ?? 0),
        0
      );
    }
  }
  for (const name of ids) {
    const [smallest] = rollups
      .map((rollup) => rollup[name])
      .filter((value) => value !== undefined)
      .sort();
    if (smallest !== undefined) sums[name] = smallest;
  }
  return sums;
}

/**
 * The series of rollups at a step, computed here: grouped by
 * floor(windowStart / step) * step, each group summed; a step without a
 * rollup has no row. Oldest first.
 */
function seriesOf(
  rollups: readonly Rollup[],
  step: Step,
  ids: readonly (typeof IDS)[number][],
  extra: Readonly<Record<string, string>> = {}
): SeriesRow[] {
  const size = STEP_SECONDS[step];
  const groups = new Map<number, Rollup[]>();
  for (const rollup of rollups) {
    const start = Math.floor(rollup.windowStart / size) * size;
    groups.set(start, [...(groups.get(start) ?? []), rollup]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a - b)
    .map(([start, group]) => ({
      ...extra,
      windowStart: start,
      window: iso(start),
      ...sumOf(group, ids),
    }));
}

/**
 * Rollups with their ENI's account, VPC and subnet from any of its windows:
 * an ENI does not move, and a window holding only the prorated tails of
 * earlier flows has no ids of its own but is its scopes' traffic too.
 */
function placed(rollups: readonly Rollup[]): Rollup[] {
  const ids = new Map<string, Rollup>();
  for (const rollup of rollups) {
    if (rollup.accountId !== undefined) ids.set(rollup.interfaceId, rollup);
  }
  return rollups.map((rollup) => {
    const known = ids.get(rollup.interfaceId);
    return {
      ...rollup,
      accountId: rollup.accountId ?? known?.accountId,
      vpcId: rollup.vpcId ?? known?.vpcId,
      subnetId: rollup.subnetId ?? known?.subnetId,
    };
  });
}

/** The ENI rollups of one scope (placed by their ENI). */
const inScope = (
  rollups: readonly Rollup[],
  scope: Scope,
  id: string
): Rollup[] => placed(rollups).filter((rollup) => rollup[scope.param] === id);

/** The distinct ids of a scope that rollups name, sorted. */
const scopeIds = (rollups: readonly Rollup[], scope: Scope): string[] =>
  [
    ...new Set(
      rollups
        .map((rollup) => rollup[scope.param])
        .filter((id): id is string => id !== undefined)
    ),
  ].sort();

/**
 * The generator's lines for a seed, relabelled to the ENIs of BASE_SEED
 * (the generator draws its ENIs from the seed; the i-th stays the i-th),
 * with VPCs and subnets shared: ENI i is in VPC i % 2 of TWO_VPCS and the
 * subnet of ENI i % 4 (so each subnet is in one VPC); accounts as the
 * generator gives them (the seventh ENI in the second one).
 */
function relabelledLines(
  fieldNames: readonly string[],
  spec: { seed: number; records: number; start: number }
): string[] {
  const base = enisOfSample(BASE_SEED, ENIS);
  const indexOf = new Map(
    enisOfSample(spec.seed, ENIS).map((eni, i) => [eni.id, i])
  );
  const column = (name: string) => fieldNames.indexOf(name);
  const lines = [
    ...generateFlowLogLines({
      format: resolveFormat('v5'),
      records: spec.records,
      enis: ENIS,
      seed: spec.seed,
      startSeconds: spec.start,
    }),
  ];
  return lines.map((line) => {
    const values = line.split(' ');
    const i = indexOf.get(values[column('interface-id')] ?? '') ?? -1;
    const eni = base[i];
    const vpc = TWO_VPCS[i % 2];
    const subnet = base[i % 4];
    if (eni === undefined || vpc === undefined || subnet === undefined) {
      throw new Error(`a line of no generated ENI: ${line}`);
    }
    const relabel: [string, string][] = [
      ['interface-id', eni.id],
      ['account-id', eni.account],
      ['vpc-id', vpc],
      ['subnet-id', subnet.subnet],
      ['instance-id', eni.instance],
    ];
    for (const [name, value] of relabel) {
      const at = column(name);
      if (at >= 0 && values[at] !== '-') values[at] = value;
    }
    return values.join(' ');
  });
}

/** One v5 object of chunks, relabelled to the same ENIs. */
function objectOf(
  chunks: readonly { seed: number; records: number; start: number }[]
): FlowLogFile {
  const fieldNames = resolveFormat('v5').fields.map((field) => field.name);
  return flowLogFile(
    fieldNames,
    chunks.flatMap((chunk) => relabelledLines(fieldNames, chunk))
  );
}

describe('queryApi scope series', () => {
  let env: IngestStack;
  let api: RunningApi;
  let logs: HandlerLogs;
  let ingest: (event: unknown) => Promise<unknown>;
  let first: FlowLogFile;
  let second: FlowLogFile;
  let firstEvent: ReturnType<typeof eventFor>;
  let secondEvent: ReturnType<typeof eventFor>;
  /** The ENIs of the objects, sorted, and their stored rollups after the first. */
  let enis: string[];
  let stored: Rollup[];

  const get = (path: string): Promise<ApiResponse> => call(api.base, path);

  const seriesPath = (
    prefix: string,
    id: string,
    step: Step,
    from: number = FROM,
    to: number = TO,
    extra = ''
  ) =>
    `/${prefix}/${id}/rollups?from=${iso(from)}&to=${iso(to)}&step=${step}${extra}`;

  const summaryPath = (
    scope: Scope,
    id: string,
    from: number | string,
    to: number | string
  ) =>
    `/${scope.path}/${id}/summary?from=${typeof from === 'number' ? iso(from) : from}&to=${typeof to === 'number' ? iso(to) : to}`;

  async function getJson<T>(path: string): Promise<T> {
    const response = await get(path);
    expect(response.status, `${path}: ${response.text}`).toBe(200);
    return bodyOf<T>(response);
  }

  /** Follows nextToken from the first page; every page's body, in order. */
  async function allPages(path: string, limit?: number): Promise<SeriesBody[]> {
    const pages: SeriesBody[] = [];
    let token: string | undefined;
    do {
      const extra = `${limit === undefined ? '' : `&limit=${limit}`}${token === undefined ? '' : `&nextToken=${encodeURIComponent(token)}`}`;
      const page = await getJson<SeriesBody>(`${path}${extra}`);
      pages.push(page);
      token = page.nextToken;
      if (pages.length > 200) throw new Error(`more than 200 pages: ${path}`);
    } while (token !== undefined);
    return pages;
  }

  /** A series' rows over all its pages. */
  const allRows = async (path: string, limit?: number): Promise<SeriesRow[]> =>
    (await allPages(path, limit)).flatMap((page) => page.rollups);

  /** Every scope's series at every step, as the API answers it, by `path id step`. */
  async function everySeries(
    rollups: readonly Rollup[]
  ): Promise<Map<string, SeriesRow[]>> {
    const answers = new Map<string, SeriesRow[]>();
    for (const scope of SCOPES) {
      for (const id of scopeIds(rollups, scope)) {
        for (const step of STEPS) {
          answers.set(
            `${scope.path} ${id} ${step}`,
            await allRows(seriesPath(scope.path, id, step), 2)
          );
        }
      }
    }
    return answers;
  }

  /** The same, computed here from ENI rollups. */
  function expectedSeries(
    rollups: readonly Rollup[]
  ): Map<string, SeriesRow[]> {
    const expected = new Map<string, SeriesRow[]>();
    for (const scope of SCOPES) {
      for (const id of scopeIds(rollups, scope)) {
        for (const step of STEPS) {
          expected.set(
            `${scope.path} ${id} ${step}`,
            seriesOf(inScope(rollups, scope, id), step, scope.ids)
          );
        }
      }
    }
    return expected;
  }

  const readStored = (): Promise<Rollup[]> =>
    storedRollups(env.stack.dynamo, env.tableName, new Set(enis));

  beforeAll(async () => {
    env = await startIngestStack('query-scopes');
    logs = captureHandlerLogs();
    const samples = await loadSampleEvents();
    const s3Ingest = await importS3Handler({});
    ingest = (event) => s3Ingest.invoke(structuredClone(event));
    first = objectOf(FIRST);
    second = objectOf(SECOND);
    const firstObject = await upload(
      env.stack.s3,
      env.bucket,
      flowLogKey('scopesfirst'),
      first.gzip
    );
    const secondObject = await upload(
      env.stack.s3,
      env.bucket,
      flowLogKey('scopessecond'),
      second.gzip
    );
    firstEvent = eventFor(samples, 's3', [firstObject]);
    secondEvent = eventFor(samples, 's3', [secondObject]);
    await ingest(firstEvent);
    enis = [...interfaceIdsOf(first.fieldNames, first.lines)].sort();
    stored = await readStored();
    api = await startQueryApi();
  }, 60_000);

  afterAll(async () => {
    await api?.close();
    logs?.restore();
    await env?.close();
  });

  it('ingests nine ENIs in two accounts, two VPCs and four subnets over two days and several hours', () => {
    // Assess
    expect(enis).toHaveLength(ENIS);
    expect(stored.map(exact)).toEqual(
      expectedRollups(first.fieldNames, first.lines)
    );
    expect(scopeIds(stored, SCOPES[0])).toHaveLength(2);
    expect(scopeIds(stored, SCOPES[1])).toHaveLength(2);
    expect(scopeIds(stored, SCOPES[2])).toHaveLength(4);
    const starts = stored.map((rollup) => rollup.windowStart);
    const days = new Set(starts.map((start) => start - (start % DAY_SECONDS)));
    const hours = new Set(starts.map((start) => start - (start % HOUR)));
    expect([...days].sort()).toEqual([DAY - DAY_SECONDS, DAY]);
    expect(hours.size).toBeGreaterThanOrEqual(4);
    expect(Math.min(...starts)).toBeGreaterThanOrEqual(FROM);
    expect(Math.max(...starts)).toBeLessThan(TO);
    // A window where one of the ENI's records starts carries the ids; one
    // with only the prorated tails of earlier flows carries none (the
    // ENI's scopes still count it: see the prorated-tail test).
    for (const rollup of stored) {
      const isStarted =
        rollup.flows + rollup.nodataRecords + rollup.skipdataRecords > 0;
      expect(
        rollup.accountId !== undefined,
        `${rollup.interfaceId}@${rollup.windowStart}`
      ).toBe(isStarted);
    }
  });

  describe('GET /{scope}/{id}/rollups', () => {
    it.each(STEPS)(
      'equals the sums of the scope ENIs rollups per step at %s, every page followed',
      async (step) => {
        // Prepare
        const limit = 2;

        // Act
        const answers = new Map<string, SeriesBody[]>();
        for (const scope of SCOPES) {
          for (const id of scopeIds(stored, scope)) {
            answers.set(
              `${scope.path} ${id}`,
              await allPages(seriesPath(scope.path, id, step), limit)
            );
          }
        }

        // Assess
        expect(answers.size).toBe(8);
        for (const scope of SCOPES) {
          for (const id of scopeIds(stored, scope)) {
            const pages = answers.get(`${scope.path} ${id}`) ?? [];
            const rows = pages.flatMap((page) => page.rollups);
            expect(rows, `${scope.path} ${id} ${step}`).toEqual(
              seriesOf(inScope(stored, scope, id), step, scope.ids)
            );
            // Full pages but the last, which holds one step at least.
            for (const [i, page] of pages.entries()) {
              expect(page[scope.param]).toBe(id);
              expect(page).not.toHaveProperty('interfaceId');
              expect(page.step).toBe(step);
              expect(page.limit).toBe(limit);
              expect(page.from).toBe(iso(FROM));
              expect(page.to).toBe(iso(TO));
              if (i < pages.length - 1) {
                expect(page.rollups).toHaveLength(limit);
              } else {
                expect(page.rollups.length).toBeGreaterThan(0);
                expect(page.rollups.length).toBeLessThanOrEqual(limit);
              }
            }
            for (const row of rows) {
              expect(row).not.toHaveProperty('interfaceId');
              expect(row).not.toHaveProperty('instanceId');
              expect(row.windowStart % STEP_SECONDS[step]).toBe(0);
            }
          }
        }
      }
    );

    it('answers every step in one page at the default limit, as the pages held them', async () => {
      // Prepare
      const scope = SCOPES[1];
      const [vpc = ''] = scopeIds(stored, scope);

      // Act
      const bodies = await Promise.all(
        STEPS.map((step) => getJson<SeriesBody>(seriesPath('vpcs', vpc, step)))
      );

      // Assess
      for (const [i, step] of STEPS.entries()) {
        const body = bodies[i];
        expect(body?.nextToken).toBeUndefined();
        // A scope reads one item per step: a day, 31 days, 31 days.
        expect(body?.limit).toBe({ '5m': 288, '1h': 744, '1d': 31 }[step]);
        expect(body?.rollups).toEqual(
          seriesOf(inScope(stored, scope, vpc), step, scope.ids)
        );
      }
    });

    it('leaves out the hours without data between the hours with data', async () => {
      // Prepare
      const scope = SCOPES[0];
      const [account = ''] = scopeIds(stored, scope);
      const withData = new Set(
        inScope(stored, scope, account).map(
          (rollup) => rollup.windowStart - (rollup.windowStart % HOUR)
        )
      );

      // Act
      const rows = await allRows(seriesPath('accounts', account, '1h'), 1);

      // Assess
      expect(rows.map((row) => row.windowStart)).toEqual(
        [...withData].sort((a, b) => a - b)
      );
      const gaps = (TO - FROM) / HOUR - withData.size;
      expect(gaps).toBeGreaterThan(0);
    });

    it('answers a range without data, and a VPC without data, with no rollups and no nextToken', async () => {
      // Prepare
      const [vpc = ''] = scopeIds(stored, SCOPES[1]);
      const later = DAY + 10 * HOUR;

      // Act
      const empty = await getJson<SeriesBody>(
        seriesPath('vpcs', vpc, '5m', later, later + 2 * HOUR)
      );
      const unknown = await getJson<SeriesBody>(
        seriesPath('vpcs', 'vpc-00000000000000000', '1h')
      );

      // Assess
      for (const body of [empty, unknown]) {
        expect(body.rollups).toEqual([]);
        expect(body).not.toHaveProperty('nextToken');
      }
      expect(unknown.vpcId).toBe('vpc-00000000000000000');
    });
  });

  describe('GET /{scope}/{id}/summary', () => {
    /** The ranges asked: partial hours at both ends, unaligned, a whole day inside. */
    const RANGES = [
      { name: '00:10 to 02:35', from: DAY + 600, to: DAY + 2 * HOUR + 2100 },
      {
        name: '00:12:30 to 02:33:10 (unaligned)',
        from: DAY + 750,
        to: DAY + 2 * HOUR + 1990,
      },
      {
        name: '23:30 the day before to 00:10 the day after',
        from: DAY - 1800,
        to: DAY + DAY_SECONDS + 600,
      },
      {
        name: '23:55 to 00:05 across midnight',
        from: DAY - 300,
        to: DAY + 300,
      },
    ] as const;

    it.each(RANGES)(
      'equals the independent total of every scope from $name',
      async ({ from, to }) => {
        // Prepare
        const overlapping = stored.filter(
          (rollup) => rollup.windowStart + W > from && rollup.windowStart < to
        );

        // Act
        const answers = new Map<string, ScopeSummaryBody>();
        for (const scope of SCOPES) {
          for (const id of scopeIds(stored, scope)) {
            answers.set(
              `${scope.path} ${id}`,
              await getJson<ScopeSummaryBody>(summaryPath(scope, id, from, to))
            );
          }
        }

        // Assess
        expect(overlapping.length).toBeGreaterThan(0);
        for (const scope of SCOPES) {
          for (const id of scopeIds(stored, scope)) {
            const body = answers.get(`${scope.path} ${id}`);
            const mine = inScope(overlapping, scope, id);
            const windows = new Set(mine.map((rollup) => rollup.windowStart));
            expect(body, `${scope.path} ${id}`).toEqual({
              [scope.param]: id,
              from: iso(from),
              to: iso(to),
              windows: windows.size,
              totals: mine.length === 0 ? {} : sumOf(mine, scope.ids),
            });
          }
        }
      }
    );

    it('counts the distinct 5-minute windows with data, not the ENI windows', async () => {
      // Prepare
      const scope = SCOPES[0];
      const [account = ''] = scopeIds(stored, scope);
      const mine = inScope(stored, scope, account);
      const windows = new Set(mine.map((rollup) => rollup.windowStart));

      // Act
      const body = await getJson<ScopeSummaryBody>(
        summaryPath(scope, account, FROM, TO)
      );

      // Assess
      expect(mine.length).toBeGreaterThan(windows.size);
      expect(body.windows).toBe(windows.size);
    });

    it('issue #15 review finding: counts the prorated tail of a flow, in a window where none of the ENI records start, in the ENI scopes', async () => {
      // Prepare: each ENI's scopes from any of its windows (an ENI does not
      // move); the tails are its windows without ids.
      const placed = new Map<string, Rollup>();
      for (const rollup of stored) {
        if (rollup.vpcId !== undefined) placed.set(rollup.interfaceId, rollup);
      }
      const tails = stored.filter((rollup) => rollup.vpcId === undefined);
      const whole = stored.map((rollup) => ({
        ...rollup,
        accountId: placed.get(rollup.interfaceId)?.accountId,
        vpcId: placed.get(rollup.interfaceId)?.vpcId,
        subnetId: placed.get(rollup.interfaceId)?.subnetId,
      }));

      // Act
      const answers = new Map<string, ScopeSummaryBody>();
      for (const scope of SCOPES) {
        for (const id of scopeIds(whole, scope)) {
          answers.set(
            `${scope.path} ${id}`,
            await getJson<ScopeSummaryBody>(summaryPath(scope, id, FROM, TO))
          );
        }
      }

      // Assess
      expect(placed.size).toBe(ENIS);
      expect(tails.length).toBeGreaterThan(0);
      for (const scope of SCOPES) {
        for (const id of scopeIds(whole, scope)) {
          const mine = inScope(whole, scope, id);
          const body = answers.get(`${scope.path} ${id}`);
          expect({
            bytes: body?.totals.bytes,
            packets: body?.totals.packets,
          }).toEqual({
            bytes: sumOf(mine, []).bytes,
            packets: sumOf(mine, []).packets,
          });
          expect(body?.windows).toBe(
            new Set(mine.map((rollup) => rollup.windowStart)).size
          );
        }
      }
    });

    it('answers a range without data with no windows and empty totals', async () => {
      // Prepare
      const scope = SCOPES[2];
      const [subnet = ''] = scopeIds(stored, scope);

      // Act
      const body = await getJson<ScopeSummaryBody>(
        summaryPath(scope, subnet, DAY + 5 * HOUR, DAY + 9 * HOUR)
      );

      // Assess
      expect(body).toEqual({
        subnetId: subnet,
        from: iso(DAY + 5 * HOUR),
        to: iso(DAY + 9 * HOUR),
        windows: 0,
        totals: {},
      });
    });
  });

  describe('GET /enis/{interfaceId}/rollups at 1h and 1d', () => {
    it.each([
      { step: '1h', limit: 1 },
      { step: '1h', limit: 168 },
      { step: '1d', limit: 1 },
      { step: '1d', limit: 7 },
    ] as const)(
      'equals the sums of the ENI 5-minute rollups at $step, limit $limit',
      async ({ step, limit }) => {
        // Act
        const answers = new Map<string, SeriesBody[]>();
        for (const eni of enis) {
          answers.set(
            eni,
            await allPages(seriesPath('enis', eni, step), limit)
          );
        }

        // Assess
        for (const eni of enis) {
          const pages = answers.get(eni) ?? [];
          const mine = stored.filter((rollup) => rollup.interfaceId === eni);
          const rows = pages.flatMap((page) => page.rollups);
          expect(rows, `${eni} ${step}`).toEqual(
            seriesOf(mine, step, IDS, { interfaceId: eni })
          );
          for (const page of pages) {
            expect(page.interfaceId).toBe(eni);
            expect(page.step).toBe(step);
            expect(page.rollups.length).toBeLessThanOrEqual(limit);
          }
        }
      }
    );

    it('sums the same windows that the ENI 5-minute series answers', async () => {
      // Prepare
      const [eni = ''] = enis;

      // Act
      const windows = await allRows(seriesPath('enis', eni, '5m'), 5);
      const hours = await allRows(seriesPath('enis', eni, '1h'));

      // Assess
      const mine = stored.filter((rollup) => rollup.interfaceId === eni);
      expect(windows).toEqual(seriesOf(mine, '5m', IDS, { interfaceId: eni }));
      const byHour = new Map<number, number>();
      for (const row of windows) {
        const hour = row.windowStart - (row.windowStart % HOUR);
        byHour.set(hour, (byHour.get(hour) ?? 0) + Number(row.bytes));
      }
      expect(hours.map((row) => [row.windowStart, row.bytes])).toEqual(
        [...byHour.entries()].sort(([a], [b]) => a - b)
      );
    });
  });

  describe('bad requests', () => {
    /** Each path's answer: status, error code and param, and what is wrong with its body. */
    const answersTo = (paths: readonly string[]) =>
      Promise.all(
        paths.map(async (path) => {
          const response = await get(path);
          const { error } = bodyOf<ErrorBody>(response);
          return {
            path,
            status: response.status,
            code: error?.code,
            param: error?.param,
            problems: errorBodyProblems(response),
          };
        })
      );

    /** What each path must get: a 400 naming `param` with `code`. */
    const refusals = (paths: readonly string[], param: string, code: string) =>
      paths.map((path) => ({ path, status: 400, code, param, problems: [] }));

    it('refuses a step that is not 5m, 1h or 1d on every series', async () => {
      // Prepare
      const [vpc = ''] = scopeIds(stored, SCOPES[1]);
      const [subnet = ''] = scopeIds(stored, SCOPES[2]);
      const [account = ''] = scopeIds(stored, SCOPES[0]);
      const [eni = ''] = enis;
      const range = `from=${iso(FROM)}&to=${iso(TO)}`;
      const paths = [
        `/vpcs/${vpc}/rollups?${range}&step=2h`,
        `/subnets/${subnet}/rollups?${range}&step=2h`,
        `/accounts/${account}/rollups?${range}&step=2h`,
        `/enis/${eni}/rollups?${range}&step=2h`,
        `/vpcs/${vpc}/rollups?${range}&step=1H`,
        `/vpcs/${vpc}/rollups?${range}&step=`,
      ];

      // Act
      const answers = await answersTo(paths);

      // Assess
      expect(answers).toEqual(refusals(paths, 'step', 'invalid_parameter'));
    });

    it('refuses a scope id of the wrong shape, naming its parameter', async () => {
      // Prepare
      const range = `from=${iso(FROM)}&to=${iso(TO)}`;
      const expected = [
        [`/vpcs/not-a-vpc/rollups?${range}`, 'vpcId'],
        [`/vpcs/VPC-0123456789ABCDEF0/summary?${range}`, 'vpcId'],
        [`/subnets/vpc-0123456789abcdef0/rollups?${range}`, 'subnetId'],
        [`/accounts/12345/summary?${range}`, 'accountId'],
        [`/accounts/1234567890123/rollups?${range}`, 'accountId'],
      ] as const;

      // Act
      const answers = await answersTo(expected.map(([path]) => path));

      // Assess
      expect(answers).toEqual(
        expected.flatMap(([path, param]) =>
          refusals([path], param, 'invalid_parameter')
        )
      );
    });

    it('refuses a limit above the step maximum: 2016 for a scope, a week for an ENI', async () => {
      // Prepare
      const [vpc = ''] = scopeIds(stored, SCOPES[1]);
      const [eni = ''] = enis;
      const paths = [
        ...STEPS.flatMap((step) => [
          seriesPath('vpcs', vpc, step, FROM, TO, '&limit=2017'),
          seriesPath('vpcs', vpc, step, FROM, TO, '&limit=0'),
        ]),
        seriesPath('enis', eni, '1d', FROM, TO, '&limit=8'),
        seriesPath('enis', eni, '1h', FROM, TO, '&limit=169'),
        seriesPath('enis', eni, '5m', FROM, TO, '&limit=2017'),
      ];

      // Act
      const answers = await answersTo(paths);

      // Assess
      expect(answers).toEqual(refusals(paths, 'limit', 'invalid_parameter'));
    });

    it('refuses a nextToken of a 1h series asked for at 1d, or for another scope', async () => {
      // Prepare
      const [vpc = '', otherVpc = ''] = scopeIds(stored, SCOPES[1]);
      const [account = ''] = scopeIds(stored, SCOPES[0]);
      const [eni = ''] = enis;
      const hours = await getJson<SeriesBody>(
        seriesPath('vpcs', vpc, '1h', FROM, TO, '&limit=1')
      );
      const eniHours = await getJson<SeriesBody>(
        seriesPath('enis', eni, '1h', FROM, TO, '&limit=1')
      );
      const token = `&limit=1&nextToken=${encodeURIComponent(hours.nextToken ?? '')}`;
      const eniToken = `&limit=1&nextToken=${encodeURIComponent(eniHours.nextToken ?? '')}`;
      const paths = [
        seriesPath('vpcs', vpc, '1d', FROM, TO, token),
        seriesPath('vpcs', vpc, '5m', FROM, TO, token),
        seriesPath('vpcs', otherVpc, '1h', FROM, TO, token),
        seriesPath('accounts', account, '1h', FROM, TO, token),
        seriesPath('enis', eni, '1d', FROM, TO, eniToken),
        seriesPath('enis', eni, '5m', FROM, TO, eniToken),
      ];

      // Act
      const answers = await answersTo(paths);

      // Assess
      expect(hours.nextToken).toBeDefined();
      expect(eniHours.nextToken).toBeDefined();
      expect(answers).toEqual(
        refusals(paths, 'nextToken', 'invalid_next_token')
      );
    });
  });

  describe('format=csv', () => {
    it('answers a VPC series with windowStart and no interfaceId column, rows as in JSON', async () => {
      // Prepare
      const [vpc = ''] = scopeIds(stored, SCOPES[1]);
      const json = await getJson<SeriesBody>(seriesPath('vpcs', vpc, '5m'));

      // Act
      const response = await get(
        seriesPath('vpcs', vpc, '5m', FROM, TO, '&format=csv')
      );

      // Assess
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(
        'text/csv; charset=utf-8'
      );
      const records = parseCsv(response.text);
      expect(records[0]).toEqual([...SCOPE_CSV_COLUMNS]);
      expect(records[0]).not.toContain('interfaceId');
      expect(json.rollups.length).toBeGreaterThan(2);
      expect(records).toEqual(csvOfRows(SCOPE_CSV_COLUMNS, json.rollups));
    });

    it('pages a VPC hours in CSV with the nextToken in x-next-token, as JSON pages them', async () => {
      // Prepare
      const [vpc = ''] = scopeIds(stored, SCOPES[1]);
      const pages = await allPages(seriesPath('vpcs', vpc, '1h'), 2);

      // Act
      const responses: ApiResponse[] = [];
      let token: string | null = null;
      do {
        const extra = `&limit=2&format=csv${token === null ? '' : `&nextToken=${encodeURIComponent(token)}`}`;
        const response = await get(
          seriesPath('vpcs', vpc, '1h', FROM, TO, extra)
        );
        responses.push(response);
        token =
          response.status === 200 ? response.headers.get('x-next-token') : null;
      } while (token !== null && responses.length < 50);

      // Assess
      expect(pages.length).toBeGreaterThan(1);
      expect(responses.map((response) => response.status)).toEqual(
        pages.map(() => 200)
      );
      expect(
        responses.map((response) => response.headers.get('x-next-token'))
      ).toEqual(pages.map((page) => page.nextToken ?? null));
      const csvPages = responses.map((response) => parseCsv(response.text));
      for (const [header] of csvPages) {
        expect(header).toEqual([...SCOPE_CSV_COLUMNS]);
      }
      expect([
        SCOPE_CSV_COLUMNS,
        ...csvPages.flatMap((records) => records.slice(1)),
      ]).toEqual(
        csvOfRows(
          SCOPE_CSV_COLUMNS,
          pages.flatMap((page) => page.rollups)
        )
      );
    });
  });

  describe('redelivery and a second object', () => {
    it('leaves every scope series unchanged when the same object is delivered again', async () => {
      // Prepare
      const before = await everySeries(stored);
      logs.clear();

      // Act
      await ingest(firstEvent);

      // Assess
      expect(
        logs
          .summaries()
          .map((summary) => [summary.itemsWritten, summary.itemsAlreadyApplied])
      ).toEqual([[0, stored.length]]);
      expect((await readStored()).map(exact)).toEqual(stored.map(exact));
      expect(await everySeries(stored)).toEqual(before);
      expect(before).toEqual(expectedSeries(stored));
    });

    it('adds a second object for the same ENIs and windows to every scope exactly', async () => {
      // Prepare
      const secondExpected = expectedRollups(second.fieldNames, second.lines);
      logs.clear();

      // Act
      await ingest(secondEvent);

      // Assess
      expect(interfaceIdsOf(second.fieldNames, second.lines)).toEqual(
        new Set(enis)
      );
      expect(logs.summaries()).toHaveLength(1);
      const both = await readStored();
      // Each ENI window now holds both objects' counters.
      const firstOf = new Map(
        stored.map((rollup) => [
          `${rollup.interfaceId} ${rollup.windowStart}`,
          rollup,
        ])
      );
      const secondOf = new Map(
        secondExpected.map((rollup) => [
          `${rollup.interfaceId} ${rollup.windowStart}`,
          rollup,
        ])
      );
      const keys = new Set([...firstOf.keys(), ...secondOf.keys()]);
      expect(both).toHaveLength(keys.size);
      for (const rollup of both) {
        const key = `${rollup.interfaceId} ${rollup.windowStart}`;
        for (const name of COUNTERS) {
          expect(rollup[name], `${key} ${name}`).toBe(
            (firstOf.get(key)?.[name] ?? 0) + (secondOf.get(key)?.[name] ?? 0)
          );
        }
      }
      const shared = [...firstOf.keys()].filter((key) => secondOf.has(key));
      expect(shared.length).toBeGreaterThan(ENIS);
      // And every scope series is their sum, at every step.
      expect(await everySeries(both)).toEqual(expectedSeries(both));
      const scope = SCOPES[1];
      for (const id of scopeIds(both, scope)) {
        const body = await getJson<ScopeSummaryBody>(
          summaryPath(scope, id, FROM, TO)
        );
        const mine = inScope(both, scope, id);
        expect(body.totals).toEqual(sumOf(mine, scope.ids));
        expect(body.windows).toBe(
          new Set(mine.map((rollup) => rollup.windowStart)).size
        );
      }
    });

    it('keeps the sums of both objects when the second is delivered again', async () => {
      // Prepare
      const both = await readStored();
      const before = await everySeries(both);

      // Act
      await ingest(secondEvent);

      // Assess
      expect((await readStored()).map(exact)).toEqual(both.map(exact));
      expect(await everySeries(both)).toEqual(before);
      expect(before).toEqual(expectedSeries(both));
    });
  });
});
