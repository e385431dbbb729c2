/**
 * Rankings of ENIs over a range (`GET /top`): the real queryApi handler
 * behind the local HTTP API stand-in, asked over real HTTP on 127.0.0.1,
 * against what the real s3Ingest handler wrote to dynalite from generated
 * v5 flow logs (with account-id, vpc-id and subnet-id). Two fleets, three
 * days apart: nine ENIs in two accounts, two VPCs and four subnets (every
 * scope smaller than a stored ranking, so every answer is exact), and 600
 * ENIs in one VPC of four subnets (every scope larger than a ranking, so
 * the stored rankings are cut). Each fleet has two objects for the same
 * windows, over several hours across a UTC midnight. Every answer is held
 * to a ranking computed here, independently, from the stored ENI rollups:
 * each ENI's counters summed over the windows of the range, in its scope,
 * busiest first. Also: the same object delivered again and a notification
 * retried, the retry of an ingest that crashed before the hours' and days'
 * rankings, bad requests, CSV against JSON, ranges without data, and a
 * table of more accounts than everything is ranked over.
 */
import {
  type DynamoDBClient,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COUNTERS } from '../../shared/aggregate/mergeRollups.js';
import { loadConfig } from '../../shared/config.js';
import {
  enisOfSample,
  type GeneratedEni,
  generateFlowLogLines,
} from '../../shared/generate/generateFlowLogLines.js';
import { resolveFormat } from '../../shared/parse/flowLogFormat.js';
import {
  type IngestDeps,
  ingestS3Object,
} from '../../shared/pipeline/ingestS3Object.js';
import { TOP_BY, type TopBy } from '../../shared/query/apiQuery.js';
import { MAX_ACCOUNTS } from '../../shared/query/queryRangeTop.js';
import {
  createS3Client,
  createS3ObjectSource,
} from '../../shared/source/s3ObjectSource.js';
import {
  createDynamoClient,
  createDynamoRollupStore,
} from '../../shared/store/dynamoRollupStore.js';
import { WINDOW_READ_BUDGET } from '../../shared/store/rangeRanking.js';
import { ACCOUNTS_KEY, ATTR } from '../../shared/store/rollupLayout.js';
import { SCOPE_RANKING_SIZE } from '../../shared/store/scopeRanking.js';
import type { Rollup } from '../../shared/types.js';
import { importS3Handler } from '../helpers/cloudwatchBatches.js';
import { expectedRollups, storedRollups } from '../helpers/expectedRollups.js';
import {
  type FlowLogFile,
  flowLogFile,
  flowLogKey,
  interfaceIdsOf,
  type UploadedObject,
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
/** 2026-11-20T00:00:00Z: the day the small fleet's flows start on. */
const DAY = Date.UTC(2026, 10, 20) / 1000;
/** 2026-11-23T00:00:00Z: the day the large fleet's flows start on. */
const FLEET_DAY = DAY + 3 * DAY_SECONDS;

/** A part of an object: `records` lines of a seed, flows starting over the ten minutes from `start`. */
interface Chunk {
  readonly seed: number;
  readonly records: number;
  readonly start: number;
}

/**
 * The ENIs every chunk of a fleet is relabelled to: those of `baseSeed`
 * (the generator draws its ENIs from the seed; the i-th stays the i-th),
 * the i-th in the VPC and subnet `place` gives it.
 */
interface Fleet {
  readonly baseSeed: number;
  readonly enis: number;
  readonly place: (
    i: number,
    base: readonly GeneratedEni[]
  ) => { readonly vpc?: string; readonly subnet?: string };
}

/** The two VPCs the small fleet is spread over. */
const TWO_VPCS = ['vpc-0a0a0a0a0a0a0a0a0', 'vpc-0b0b0b0b0b0b0b0b0'] as const;

/**
 * Nine ENIs (the seventh in the second account): ENI i in VPC i % 2 and in
 * the subnet of ENI i % 4, so each subnet is in one VPC.
 */
const SMALL: Fleet = {
  baseSeed: 61,
  enis: 9,
  place: (i, base) => ({ vpc: TWO_VPCS[i % 2], subnet: base[i % 4]?.subnet }),
};

/**
 * 600 ENIs as the generator places them: one VPC of four subnets (about
 * 150 ENIs each), six in seven in the first account.
 */
const LARGE: Fleet = {
  baseSeed: 500,
  enis: 600,
  place: (i, base) => ({ vpc: base[i]?.vpc, subnet: base[i]?.subnet }),
};

/** The small fleet's first object: the first chunk crosses midnight, the last ends after 02:35. */
const SMALL_FIRST = [
  { seed: 61, records: 1500, start: DAY - 600 },
  { seed: 62, records: 1200, start: DAY + HOUR - 300 },
  { seed: 63, records: 900, start: DAY + HOUR + 1800 },
  { seed: 64, records: 1200, start: DAY + 2 * HOUR + 1680 },
] as const;
/** Its second object: other traffic of the same ENIs at the same times. */
const SMALL_SECOND = [
  { seed: 71, records: 800, start: DAY - 600 },
  { seed: 72, records: 700, start: DAY + HOUR - 300 },
  { seed: 73, records: 600, start: DAY + HOUR + 1800 },
  { seed: 74, records: 700, start: DAY + 2 * HOUR + 1680 },
] as const;
/** Its third object: ingested last, by a crash and then a retry. */
const SMALL_THIRD = [
  { seed: 81, records: 600, start: DAY - 600 },
  { seed: 82, records: 600, start: DAY + HOUR - 300 },
  { seed: 83, records: 600, start: DAY + 2 * HOUR + 1680 },
] as const;
/** The large fleet's first object: flows across midnight and across 01:00 of its own day. */
const LARGE_FIRST = [
  { seed: 501, records: 8000, start: FLEET_DAY - 600 },
  { seed: 502, records: 6000, start: FLEET_DAY + HOUR - 300 },
] as const;
/** Its second object: other traffic of the same ENIs across midnight. */
const LARGE_SECOND = [
  { seed: 511, records: 3000, start: FLEET_DAY - 600 },
] as const;

/** The ranges asked of the small fleet: cut hours and days, whole days, windows only. */
const RANGES = [
  {
    name: '23:27 to 02:08, unaligned (23:25 to 02:10)',
    from: DAY - 33 * 60,
    to: DAY + 2 * HOUR + 8 * 60,
  },
  { name: 'two whole days', from: DAY - DAY_SECONDS, to: DAY + DAY_SECONDS },
  {
    name: 'an hour before the first flow to a day and an hour after',
    from: DAY - HOUR,
    to: DAY + DAY_SECONDS + HOUR,
  },
  {
    name: '01:05 to 01:50 (windows only)',
    from: DAY + HOUR + 300,
    to: DAY + HOUR + 3000,
  },
] as const;

/**
 * The ranges asked of the large fleet: one that cuts hours and days, one
 * with a whole day inside (a day's 288 windows per ENI exhaust the read
 * budget after a few ENIs: later ones stay inexact).
 */
const FLEET_RANGES = [
  {
    name: '23:25 to 02:10',
    from: FLEET_DAY - 35 * 60,
    to: FLEET_DAY + 2 * HOUR + 10 * 60,
    hasInexactEnis: false,
  },
  {
    name: 'an hour before to a day and an hour after',
    from: FLEET_DAY - HOUR,
    to: FLEET_DAY + DAY_SECONDS + HOUR,
    hasInexactEnis: true,
  },
] as const;

/** A scope's query parameter and the `kind` an answer names it by. */
const KIND = {
  accountId: 'account',
  vpcId: 'vpc',
  subnetId: 'subnet',
} as const;
type ScopeParam = keyof typeof KIND;
const SCOPE_PARAMS = Object.keys(KIND) as ScopeParam[];

/** One scope to rank in: `vpcId=vpc-…`; null ranks every account. */
type Scope = { readonly param: ScopeParam; readonly id: string } | null;

type Counters = Record<(typeof COUNTERS)[number], number>;

/** An ENI of a `/top` answer. */
type TopRow = Counters & {
  readonly interfaceId: string;
  readonly isExact: boolean;
  readonly atMost?: Readonly<Record<TopBy, number>>;
  readonly catalog?: unknown;
};

interface RangeTopBody {
  readonly from: string;
  readonly to: string;
  readonly by: TopBy;
  readonly limit: number;
  readonly scope: Readonly<Record<string, string>> | null;
  readonly membership: 'exact' | 'approximate';
  readonly enis: TopRow[];
  readonly itemsRead: { readonly rankings: number; readonly windows: number };
}

/** One question: scope, metric, limit and range. */
interface Ask {
  readonly scope: Scope;
  readonly by: TopBy;
  readonly limit: number;
  readonly from: number;
  readonly to: number;
}

/** The columns of the CSV answer: interfaceId, the counters, isExact and the catalog's name and type. */
const CSV_COLUMNS = [
  'interfaceId',
  ...COUNTERS,
  'isExact',
  'name',
  'interfaceType',
] as const;

const iso = (seconds: number): string =>
  new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

/** The range an answer covers: from down, to up, to 5 minutes. */
const aligned = (from: number, to: number) => ({
  from: from - (from % W),
  to: Math.ceil(to / W) * W,
});

const topPath = (
  ask: Partial<Ask> & { readonly from: number; readonly to: number },
  extra = ''
): string =>
  `/top?from=${iso(ask.from)}&to=${iso(ask.to)}${
    ask.by === undefined ? '' : `&by=${ask.by}`
  }${ask.limit === undefined ? '' : `&limit=${ask.limit}`}${
    ask.scope ? `&${ask.scope.param}=${ask.scope.id}` : ''
  }${extra}`;

const labelOf = (ask: Ask): string =>
  `${ask.scope === null ? 'everything' : `${ask.scope.param}=${ask.scope.id}`} by ${ask.by} limit ${ask.limit} ${iso(ask.from)}..${iso(ask.to)}`;

/**
 * Rollups with their ENI's account, VPC and subnet from any of its
 * windows: an ENI does not move, and a window holding only the prorated
 * tails of earlier flows has no ids of its own but is its scopes' traffic.
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

/**
 * Each ENI's counters summed over its windows in [from, to) (aligned),
 * for the ENIs of a scope (null: every ENI), by interfaceId.
 */
function totalsOf(
  rollups: readonly Rollup[],
  from: number,
  to: number,
  scope: Scope
): Map<string, Counters> {
  const totals = new Map<string, Counters>();
  for (const rollup of rollups) {
    if (rollup.windowStart < from || rollup.windowStart >= to) continue;
    if (scope !== null && rollup[scope.param] !== scope.id) continue;
    const sums =
      totals.get(rollup.interfaceId) ??
      (Object.fromEntries(COUNTERS.map((name) => [name, 0])) as Counters);
    for (const name of COUNTERS) sums[name] += rollup[name];
    totals.set(rollup.interfaceId, sums);
  }
  return totals;
}

/** The busiest `limit` of totals by `by`, ties by interfaceId. */
function rankingOf(
  totals: ReadonlyMap<string, Counters>,
  by: TopBy,
  limit: number
): (Counters & { interfaceId: string })[] {
  return [...totals]
    .map(([interfaceId, counters]) => ({ interfaceId, ...counters }))
    .sort(
      (a, b) =>
        b[by] - a[by] ||
        (a.interfaceId < b.interfaceId
          ? -1
          : a.interfaceId > b.interfaceId
            ? 1
            : 0)
    )
    .slice(0, limit);
}

/** The counters of a row, without its other fields. */
const countersOf = (row: Readonly<Counters>): Counters =>
  Object.fromEntries(COUNTERS.map((name) => [name, row[name]])) as Counters;

/** The distinct scopes of placed rollups: every account, VPC and subnet they name, sorted. */
function scopesOf(rollups: readonly Rollup[]): Scope[] {
  return SCOPE_PARAMS.flatMap((param) =>
    [
      ...new Set(
        rollups
          .map((rollup) => rollup[param])
          .filter((id): id is string => id !== undefined)
      ),
    ]
      .sort()
      .map((id) => ({ param, id }))
  );
}

/**
 * What is wrong with an answer to `ask`, held to the independent totals,
 * as readable lines ([] when nothing): busiest first by `ask.by` (ties by
 * interfaceId), `limit` ENIs (or every ENI of the range, when fewer), each
 * once and of the scope; an exact ENI has its totals, another has at most
 * its totals and at least them by `atMost`; an exact membership lists the
 * independent top (ENIs tied with the last listed are interchangeable).
 */
function answerProblems(
  ask: Ask,
  body: RangeTopBody,
  totals: ReadonlyMap<string, Counters>
): string[] {
  const problems: string[] = [];
  const { by } = ask;
  const rows = body.enis;
  const { from, to } = aligned(ask.from, ask.to);
  const head = JSON.stringify([body.from, body.to, body.by, body.limit]);
  if (head !== JSON.stringify([iso(from), iso(to), by, ask.limit])) {
    problems.push(`from, to, by and limit are ${head}`);
  }
  const scope =
    ask.scope === null
      ? null
      : { kind: KIND[ask.scope.param], [ask.scope.param]: ask.scope.id };
  if (JSON.stringify(body.scope) !== JSON.stringify(scope)) {
    problems.push(`scope is ${JSON.stringify(body.scope)}`);
  }
  if (rows.length !== Math.min(ask.limit, totals.size)) {
    problems.push(`${rows.length} ENIs of ${totals.size}, limit ${ask.limit}`);
  }
  if (new Set(rows.map((row) => row.interfaceId)).size !== rows.length) {
    problems.push('an ENI listed twice');
  }
  if (body.itemsRead.windows > WINDOW_READ_BUDGET) {
    problems.push(`${body.itemsRead.windows} windows read`);
  }
  for (const [i, row] of rows.entries()) {
    const previous = rows[i - 1];
    if (
      previous !== undefined &&
      !(
        previous[by] > row[by] ||
        (previous[by] === row[by] && previous.interfaceId < row.interfaceId)
      )
    ) {
      problems.push(`${row.interfaceId} (${row[by]}) after ${previous[by]}`);
    }
    const truth = totals.get(row.interfaceId);
    if (truth === undefined) {
      problems.push(`${row.interfaceId} has no window of the scope and range`);
      continue;
    }
    if (row.isExact) {
      if (JSON.stringify(countersOf(row)) !== JSON.stringify(truth)) {
        problems.push(
          `${row.interfaceId} is exact but ${JSON.stringify(countersOf(row))} != ${JSON.stringify(truth)}`
        );
      }
      if (row.atMost !== undefined) {
        problems.push(`${row.interfaceId} is exact with atMost`);
      }
      continue;
    }
    for (const name of COUNTERS) {
      if (row[name] > truth[name]) {
        problems.push(
          `${row.interfaceId} ${name} ${row[name]} > the total ${truth[name]}`
        );
      }
    }
    for (const metric of TOP_BY) {
      const most = row.atMost?.[metric];
      if (most === undefined || truth[metric] > most) {
        problems.push(
          `${row.interfaceId} ${metric} total ${truth[metric]} > atMost ${most}`
        );
      }
    }
  }
  if (body.membership === 'exact') {
    const top = rankingOf(totals, by, ask.limit);
    const floor = top.at(-1)?.[by] ?? 0;
    const listed = new Set(rows.map((row) => row.interfaceId));
    const values = rows
      .map((row) => totals.get(row.interfaceId)?.[by] ?? -1)
      .sort((a, b) => b - a);
    if (JSON.stringify(values) !== JSON.stringify(top.map((row) => row[by]))) {
      problems.push(
        `membership exact, but the ${by} of the listed ENIs are ${values.join()} and of the top ${top.map((row) => row[by]).join()}`
      );
    }
    for (const row of top) {
      if (row[by] > floor && !listed.has(row.interfaceId)) {
        problems.push(
          `membership exact, but ${row.interfaceId} (${row[by]}) is left out`
        );
      }
    }
  }
  return problems.map((problem) => `${labelOf(ask)}: ${problem}`);
}

/**
 * The generator's lines for a chunk, relabelled to the fleet's ENIs (the
 * i-th ENI of the chunk's seed becomes the i-th of the fleet's base seed,
 * with its account and the VPC and subnet `place` gives it).
 */
function relabelledLines(
  fieldNames: readonly string[],
  fleet: Fleet,
  chunk: Chunk
): string[] {
  const base = enisOfSample(fleet.baseSeed, fleet.enis);
  const indexOf = new Map(
    enisOfSample(chunk.seed, fleet.enis).map((eni, i) => [eni.id, i])
  );
  const column = (name: string) => fieldNames.indexOf(name);
  const lines = [
    ...generateFlowLogLines({
      format: resolveFormat('v5'),
      records: chunk.records,
      enis: fleet.enis,
      seed: chunk.seed,
      startSeconds: chunk.start,
    }),
  ];
  return lines.map((line) => {
    const values = line.split(' ');
    const i = indexOf.get(values[column('interface-id')] ?? '') ?? -1;
    const eni = base[i];
    const { vpc, subnet } = fleet.place(i, base);
    if (eni === undefined || vpc === undefined || subnet === undefined) {
      throw new Error(`a line of no generated ENI: ${line}`);
    }
    const relabel: [string, string][] = [
      ['interface-id', eni.id],
      ['account-id', eni.account],
      ['vpc-id', vpc],
      ['subnet-id', subnet],
      ['instance-id', eni.instance],
    ];
    for (const [name, value] of relabel) {
      const at = column(name);
      if (at >= 0 && values[at] !== '-') values[at] = value;
    }
    return values.join(' ');
  });
}

/** One v5 object of chunks of a fleet. */
function objectOf(fleet: Fleet, chunks: readonly Chunk[]): FlowLogFile {
  const fieldNames = resolveFormat('v5').fields.map((field) => field.name);
  return flowLogFile(
    fieldNames,
    chunks.flatMap((chunk) => relabelledLines(fieldNames, fleet, chunk))
  );
}

/** A crash of the process, as far as the SDK can tell: not retryable. */
class InjectedCrash extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InjectedCrash';
  }
}

/**
 * Fails, before it is sent, the first PutItem of an hour's ranking
 * (`R#H#…`) and every write after it, as a crash would: the ENI and scope
 * counters and the windows' rankings landed, the hours and days did not.
 */
function crashAtFirstHourRanking(client: DynamoDBClient) {
  const counts = { crashes: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Item?: { sk?: { S?: string } } };
      const isHourRanking =
        context.commandName === 'PutItemCommand' &&
        (input.Item?.sk?.S?.startsWith('R#H#') ?? false);
      if (counts.crashes === 0 && !isHourRanking) return next(args);
      counts.crashes++;
      throw new InjectedCrash(`injected crash at ${input.Item?.sk?.S}`);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'injectCrash' }
  );
  return counts;
}

describe('queryApi GET /top: rankings of ENIs over a range', () => {
  let env: IngestStack;
  let api: RunningApi;
  let logs: HandlerLogs;
  let ingest: (event: unknown) => Promise<unknown>;
  let samples: Awaited<ReturnType<typeof loadSampleEvents>>;
  const files = new Map<string, FlowLogFile>();
  const events = new Map<string, ReturnType<typeof eventFor>>();
  const uploaded = new Map<string, UploadedObject>();
  /** The ENIs of both fleets, and of the small one. */
  let enis: Set<string>;
  let smallEnis: Set<string>;
  /** The stored ENI rollups, placed in their ENI's scopes. */
  let stored: Rollup[];
  /** The scopes of the small fleet, and null (everything). */
  let smallScopes: Scope[];

  const get = (path: string): Promise<ApiResponse> => call(api.base, path);

  async function getTop(path: string): Promise<RangeTopBody> {
    const response = await get(path);
    expect(response.status, `${path}: ${response.text}`).toBe(200);
    return bodyOf<RangeTopBody>(response);
  }

  /** The answers to asks, in order. */
  const answersTo = async (asks: readonly Ask[]): Promise<RangeTopBody[]> => {
    const bodies: RangeTopBody[] = [];
    for (const ask of asks) bodies.push(await getTop(topPath(ask)));
    return bodies;
  };

  const readStored = async (): Promise<Rollup[]> =>
    placed(await storedRollups(env.stack.dynamo, env.tableName, enis));

  /** The answer an exact ranking must give to `ask`, from rollups. */
  const exactAnswer = (ask: Ask, rollups: readonly Rollup[]) => {
    const { from, to } = aligned(ask.from, ask.to);
    return {
      from: iso(from),
      to: iso(to),
      by: ask.by,
      limit: ask.limit,
      scope:
        ask.scope === null
          ? null
          : { kind: KIND[ask.scope.param], [ask.scope.param]: ask.scope.id },
      membership: 'exact',
      enis: rankingOf(
        totalsOf(rollups, from, to, ask.scope),
        ask.by,
        ask.limit
      ).map((row) => ({ ...row, isExact: true })),
      itemsRead: { rankings: expect.any(Number), windows: 0 },
    };
  };

  /** Every small-fleet scope by every metric at limits 3 and 10 over a range. */
  const smallAsks = (range: { from: number; to: number }): Ask[] =>
    smallScopes.flatMap((scope) =>
      TOP_BY.flatMap((by) =>
        [3, 10].map((limit) => ({ scope, by, limit, ...range }))
      )
    );

  /** The large fleet's scopes asked: everything, both accounts, its VPC and one subnet. */
  const largeScopes = (): Scope[] => {
    const fleet = stored.filter((rollup) => !smallEnis.has(rollup.interfaceId));
    const all = scopesOf(fleet);
    return [
      null,
      ...all.filter((scope) => scope?.param === 'accountId'),
      ...all.filter((scope) => scope?.param === 'vpcId'),
      ...all.filter((scope) => scope?.param === 'subnetId').slice(0, 1),
    ];
  };

  const largeAsks = (range: { from: number; to: number }): Ask[] =>
    largeScopes().flatMap((scope) =>
      TOP_BY.flatMap((by) =>
        [10, 100].map((limit) => ({ scope, by, limit, ...range }))
      )
    );

  const put = async (name: string, file: FlowLogFile) => {
    const object = await upload(
      env.stack.s3,
      env.bucket,
      flowLogKey(name),
      file.gzip
    );
    files.set(name, file);
    uploaded.set(name, object);
    events.set(name, eventFor(samples, 's3', [object]));
  };

  beforeAll(async () => {
    env = await startIngestStack('query-range-top');
    logs = captureHandlerLogs();
    samples = await loadSampleEvents();
    const s3Ingest = await importS3Handler({});
    ingest = (event) => s3Ingest.invoke(structuredClone(event));
    await put('smallfirst', objectOf(SMALL, SMALL_FIRST));
    await put('smallsecond', objectOf(SMALL, SMALL_SECOND));
    await put('smallthird', objectOf(SMALL, SMALL_THIRD));
    await put('largefirst', objectOf(LARGE, LARGE_FIRST));
    await put('largesecond', objectOf(LARGE, LARGE_SECOND));
    // Two deliveries at a time, as concurrent invocations would take them.
    for (const pair of [
      ['smallfirst', 'smallsecond'],
      ['largefirst', 'largesecond'],
    ]) {
      await Promise.all(pair.map((name) => ingest(events.get(name))));
    }
    const idsOf = (names: readonly string[]) =>
      new Set(
        names.flatMap((name) => {
          const file = files.get(name);
          return file ? [...interfaceIdsOf(file.fieldNames, file.lines)] : [];
        })
      );
    smallEnis = idsOf(['smallfirst', 'smallsecond', 'smallthird']);
    enis = new Set([...smallEnis, ...idsOf(['largefirst', 'largesecond'])]);
    stored = await readStored();
    smallScopes = [
      null,
      ...scopesOf(stored.filter((rollup) => smallEnis.has(rollup.interfaceId))),
    ];
    api = await startQueryApi();
  }, 120_000);

  afterAll(async () => {
    await api?.close();
    logs?.restore();
    await env?.close();
  });

  it('ingests both fleets: each ENI window holds the sums of both objects', () => {
    // Prepare
    const expected = new Map<string, Counters>();
    for (const name of [
      'smallfirst',
      'smallsecond',
      'largefirst',
      'largesecond',
    ]) {
      const file = files.get(name);
      if (file === undefined) throw new Error(`no file ${name}`);
      for (const rollup of expectedRollups(file.fieldNames, file.lines)) {
        const key = `${rollup.interfaceId} ${rollup.windowStart}`;
        const sums = expected.get(key) ?? countersOf(rollup);
        if (expected.has(key)) {
          for (const counter of COUNTERS) sums[counter] += rollup[counter];
        }
        expected.set(key, sums);
      }
    }

    // Assess
    expect(
      new Map(
        stored.map((rollup) => [
          `${rollup.interfaceId} ${rollup.windowStart}`,
          countersOf(rollup),
        ])
      )
    ).toEqual(expected);
    expect(smallScopes).toHaveLength(1 + 2 + 2 + 4);
    for (const rollup of stored) {
      expect(rollup.subnetId, rollup.interfaceId).toBeDefined();
    }
    const large = stored.filter((rollup) => !smallEnis.has(rollup.interfaceId));
    const [subnet] = largeScopes().filter(
      (scope) => scope?.param === 'subnetId'
    );
    const subnetEnis = new Set(
      large
        .filter((rollup) => rollup.subnetId === subnet?.id)
        .map((rollup) => rollup.interfaceId)
    );
    expect(subnetEnis.size).toBeGreaterThan(SCOPE_RANKING_SIZE);
    expect(new Set(large.map((rollup) => rollup.vpcId)).size).toBe(1);
  });

  describe('a fleet smaller than the rankings', () => {
    it.each(RANGES)(
      'equals the independent ranking of every scope by every counter from $name',
      async (range) => {
        // Prepare
        const asks = smallAsks(range);

        // Act
        const answers = await answersTo(asks);

        // Assess
        expect(asks).toHaveLength(9 * 4 * 2);
        for (const [i, ask] of asks.entries()) {
          expect(answers[i], labelOf(ask)).toEqual(exactAnswer(ask, stored));
        }
        const everything = answers.find(
          (_, i) => asks[i]?.scope === null && asks[i]?.limit === 10
        );
        expect(everything?.enis.length).toBeGreaterThan(3);
        expect(everything?.itemsRead.rankings).toBeGreaterThan(0);
      }
    );

    it('lists all nine ENIs at limit 100, busiest first, every one exact', async () => {
      // Prepare
      const ask: Ask = { ...RANGES[2], scope: null, by: 'packets', limit: 100 };

      // Act
      const body = await getTop(topPath(ask));

      // Assess
      expect(body).toEqual(exactAnswer(ask, stored));
      expect(body.enis).toHaveLength(9);
      const packets = body.enis.map((row) => row.packets);
      expect(packets).toEqual([...packets].sort((a, b) => b - a));
    });

    it('ranks by bytes, ten ENIs, when by and limit are not given', async () => {
      // Prepare
      const range = RANGES[0];

      // Act
      const body = await getTop(topPath(range));

      // Assess
      expect(body).toEqual(
        exactAnswer({ ...range, scope: null, by: 'bytes', limit: 10 }, stored)
      );
    });
  });

  describe('a fleet larger than the rankings', () => {
    it.each(FLEET_RANGES)(
      'lists each ENI with its exact counters or bounds that hold them, busiest first, the independent top when the membership is exact, and the first ten exact, from $name',
      async (range) => {
        // Prepare
        const asks = largeAsks(range);

        // Act
        const answers = await answersTo(asks);

        // Assess
        const problems = asks.flatMap((ask, i) => {
          const { from, to } = aligned(ask.from, ask.to);
          const body = answers[i];
          return body === undefined
            ? [`${labelOf(ask)}: no answer`]
            : answerProblems(ask, body, totalsOf(stored, from, to, ask.scope));
        });
        expect.soft(problems).toEqual([]);
        // The busiest ENIs are listed in every stored ranking, or made
        // exact from their own windows first.
        const inexact = asks.flatMap((ask, i) =>
          (answers[i]?.enis ?? [])
            .slice(0, 10)
            .filter((row) => !row.isExact)
            .map((row) => `${labelOf(ask)}: ${row.interfaceId}`)
        );
        expect.soft(inexact).toEqual([]);
        // The rankings were cut: some ENI needed its own windows read, some
        // membership could not be proven.
        expect(answers.some((body) => body.itemsRead.windows > 0)).toBe(true);
        expect(answers.some((body) => body.membership === 'approximate')).toBe(
          true
        );
        if (range.hasInexactEnis) {
          expect(
            answers.some((body) => body.enis.some((row) => !row.isExact))
          ).toBe(true);
        }
      }
    );
  });

  describe('redelivery and a retry', () => {
    it('answers the same when an object is delivered again and the notification of another is retried', async () => {
      // Prepare
      const asks = [
        ...smallAsks(RANGES[0]),
        ...smallAsks(RANGES[2]).filter((ask) => ask.limit === 10),
      ];
      const before = await answersTo(asks);
      const object = uploaded.get('smallsecond');
      if (object === undefined) throw new Error('smallsecond not uploaded');
      // The notification again, through SQS, as another message.
      const retry = eventFor(
        samples,
        'sqs',
        [object],
        'b1f0c7a2-0000-4000-8000-000000000100'
      );
      const applied = (name: string) => {
        const file = files.get(name);
        return file ? expectedRollups(file.fieldNames, file.lines).length : 0;
      };
      logs.clear();

      // Act
      await ingest(events.get('smallfirst'));
      const retried = await ingest(retry);
      const after = await answersTo(asks);

      // Assess
      expect(retried).toEqual({ batchItemFailures: [] });
      expect(
        logs
          .summaries()
          .map((summary) => [summary.itemsWritten, summary.itemsAlreadyApplied])
      ).toEqual([
        [0, applied('smallfirst')],
        [0, applied('smallsecond')],
      ]);
      expect(await readStored()).toEqual(stored);
      expect(after).toEqual(before);
      for (const [i, ask] of asks.entries()) {
        expect(after[i], labelOf(ask)).toEqual(exactAnswer(ask, stored));
      }
    });
  });

  describe('bad requests', () => {
    /** Each path's answer: status, error code and param, and what is wrong with its body. */
    const refusalsOf = (paths: readonly string[]) =>
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
    const refusals = (
      paths: readonly string[],
      param: string,
      code = 'invalid_parameter'
    ) =>
      paths.map((path) => ({ path, status: 400, code, param, problems: [] }));

    const range = `from=${iso(DAY - HOUR)}&to=${iso(DAY + HOUR)}`;
    const VPC = 'vpc-0a0a0a0a0a0a0a0a0';
    const SUBNET = 'subnet-0123456789abcdef0';
    const ACCOUNT = '123456789012';

    it('refuses a by that is not bytes, packets, flows or rejectFlows, naming by', async () => {
      // Prepare
      const paths = [
        `/top?${range}&by=nonsense`,
        `/top?${range}&by=BYTES`,
        `/top?${range}&by=acceptFlows`,
        `/top?${range}&by=`,
        `/top?${range}&by=nonsense&vpcId=${VPC}`,
      ];

      // Act
      const answers = await refusalsOf(paths);

      // Assess
      expect(answers).toEqual(refusals(paths, 'by'));
    });

    it('refuses two scopes, naming the second of vpcId, subnetId and accountId', async () => {
      // Prepare
      const expected = [
        [`/top?${range}&vpcId=${VPC}&subnetId=${SUBNET}`, 'subnetId'],
        [`/top?${range}&subnetId=${SUBNET}&vpcId=${VPC}`, 'subnetId'],
        [`/top?${range}&vpcId=${VPC}&accountId=${ACCOUNT}`, 'accountId'],
        [`/top?${range}&accountId=${ACCOUNT}&subnetId=${SUBNET}`, 'accountId'],
        [
          `/top?${range}&accountId=${ACCOUNT}&subnetId=${SUBNET}&vpcId=${VPC}`,
          'subnetId',
        ],
        [`/top?${range}&vpcId=${VPC}&subnetId=bad`, 'subnetId'],
      ] as const;

      // Act
      const answers = await refusalsOf(expected.map(([path]) => path));

      // Assess
      expect(answers).toEqual(
        expected.flatMap(([path, param]) => refusals([path], param))
      );
    });

    it('refuses a scope id of the wrong shape, naming its parameter', async () => {
      // Prepare
      const expected = [
        [`/top?${range}&vpcId=bad`, 'vpcId'],
        [`/top?${range}&vpcId=VPC-0A0A0A0A0A0A0A0A0`, 'vpcId'],
        [`/top?${range}&vpcId=`, 'vpcId'],
        [`/top?${range}&subnetId=${VPC}`, 'subnetId'],
        [`/top?${range}&accountId=12345`, 'accountId'],
        [`/top?${range}&accountId=1234567890123`, 'accountId'],
      ] as const;

      // Act
      const answers = await refusalsOf(expected.map(([path]) => path));

      // Assess
      expect(answers).toEqual(
        expected.flatMap(([path, param]) => refusals([path], param))
      );
    });

    it('refuses a limit outside 1 to 100, naming limit', async () => {
      // Prepare
      const paths = ['0', '101', '-1', '1.5', 'ten', ''].map(
        (limit) => `/top?${range}&limit=${limit}`
      );

      // Act
      const answers = await refusalsOf(paths);

      // Assess
      expect(answers).toEqual(refusals(paths, 'limit'));
    });

    it('refuses a range over 31 days, and a from after to', async () => {
      // Prepare
      const tooLong = [
        `/top?from=${iso(DAY - 31 * DAY_SECONDS - 1)}&to=${iso(DAY)}`,
        `/top?from=${iso(DAY - 40 * DAY_SECONDS)}&to=${iso(DAY)}&vpcId=${VPC}`,
      ];
      const reversed = [`/top?from=${iso(DAY + 300)}&to=${iso(DAY)}`];

      // Act
      const answers = await refusalsOf([...tooLong, ...reversed]);
      const longest = await get(
        `/top?from=${iso(DAY - 31 * DAY_SECONDS)}&to=${iso(DAY)}`
      );

      // Assess
      expect(answers).toEqual([
        ...refusals(tooLong, 'to', 'range_too_long'),
        ...refusals(reversed, 'from'),
      ]);
      expect(longest.status).toBe(200);
    });
  });

  describe('format=csv', () => {
    it.each([
      {
        name: 'the small fleet, every account',
        ask: { ...RANGES[2], by: 'bytes', limit: 10 },
        scope: () => null,
      },
      {
        name: 'the large fleet, its VPC, with inexact ENIs',
        ask: { ...FLEET_RANGES[1], by: 'packets', limit: 100 },
        scope: () =>
          largeScopes().find((scope) => scope?.param === 'vpcId') ?? null,
      },
    ] as const)(
      'answers rows as in JSON (interfaceId, the counters, isExact, name, interfaceType) for $name',
      async ({ ask, scope }) => {
        // Prepare
        const path = topPath({ ...ask, scope: scope() });
        const json = await getTop(path);

        // Act
        const csv = await get(`${path}&format=csv`);
        const plain = await get(path);
        const negotiated = await call(api.base, path, {
          headers: { accept: 'text/csv' },
        });

        // Assess
        for (const response of [csv, negotiated]) {
          expect(response.status).toBe(200);
          expect(response.headers.get('content-type')).toBe(
            'text/csv; charset=utf-8'
          );
          expect(parseCsv(response.text)).toEqual(
            csvOfRows(CSV_COLUMNS, json.enis)
          );
        }
        expect(plain.headers.get('content-type')).toMatch(/^application\/json/);
        expect(json.enis.length).toBeGreaterThan(5);
      }
    );

    it('shows isExact false in CSV for the ENIs JSON gives atMost', async () => {
      // Prepare
      const vpc = largeScopes().find((scope) => scope?.param === 'vpcId');
      const path = topPath({
        ...FLEET_RANGES[1],
        by: 'bytes',
        limit: 100,
        scope: vpc ?? null,
      });
      const json = await getTop(path);

      // Act
      const records = parseCsv((await get(`${path}&format=csv`)).text);

      // Assess
      const column = CSV_COLUMNS.indexOf('isExact');
      expect(records.slice(1).map((record) => record[column])).toEqual(
        json.enis.map((row) => String(row.isExact))
      );
      expect(json.enis.some((row) => row.atMost !== undefined)).toBe(true);
      expect(records[0]).not.toContain('atMost');
    });
  });

  describe('ranges without data', () => {
    it('answers no ENIs with an exact membership, in every scope and in everything', async () => {
      // Prepare
      const empty = { from: DAY + 5 * HOUR, to: DAY + 9 * HOUR };
      const [vpc] = smallScopes.filter((scope) => scope?.param === 'vpcId');
      const asks: Ask[] = [
        { ...empty, scope: null, by: 'bytes', limit: 10 },
        { ...empty, scope: vpc ?? null, by: 'rejectFlows', limit: 100 },
        {
          ...RANGES[2],
          scope: { param: 'vpcId', id: 'vpc-00000000000000000' },
          by: 'flows',
          limit: 5,
        },
        {
          ...RANGES[2],
          scope: { param: 'accountId', id: '000000000000' },
          by: 'packets',
          limit: 10,
        },
      ];

      // Act
      const answers = await answersTo(asks);

      // Assess
      expect(answers).toEqual(
        asks.map((ask) => ({
          ...exactAnswer(ask, []),
          itemsRead: { rankings: 0, windows: 0 },
        }))
      );
    });
  });

  describe('a retry after a crash', () => {
    it('answers the independent ranking once the retry of an ingest that crashed before the hours and days recomputes them', async () => {
      // Prepare
      const asks = [...smallAsks(RANGES[0]), ...smallAsks(RANGES[2])].filter(
        (ask) => ask.limit === 10
      );
      const dynamo = createDynamoClient(3);
      const counts = crashAtFirstHourRanking(dynamo);
      const config = loadConfig();
      const crashing: IngestDeps = {
        source: createS3ObjectSource(createS3Client({ forcePathStyle: true })),
        store: createDynamoRollupStore(dynamo, {
          tableName: config.rollupTable,
          retentionDays: config.retentionDays,
          concurrency: config.writeConcurrency,
        }),
        options: { windowMode: 'prorate', sampleLimit: 5 },
      };
      const third = files.get('smallthird');
      const ref = uploaded.get('smallthird');
      if (third === undefined || ref === undefined) {
        throw new Error('smallthird not uploaded');
      }
      logs.clear();

      // Act
      const crash = await ingestS3Object(ref, crashing).catch(
        (error: unknown) => error
      );
      const afterCrash = await answersTo(asks);
      await ingest(events.get('smallthird'));
      const afterRetry = await answersTo(asks);

      // Assess
      expect(counts.crashes).toBeGreaterThan(0);
      expect(crash).toBeInstanceOf(Error);
      expect(String(crash)).toContain('injected crash at R#H#');
      const all = await readStored();
      expect(all.length).toBeGreaterThan(stored.length);
      expect(
        logs
          .summaries()
          .map((summary) => [summary.itemsWritten, summary.itemsAlreadyApplied])
      ).toEqual([[0, expectedRollups(third.fieldNames, third.lines).length]]);
      // Until the retry, the days (never recomputed) lack the third object.
      const stale = asks.filter(
        (ask, i) =>
          JSON.stringify(afterCrash[i]?.enis) !==
          JSON.stringify(exactAnswer(ask, all).enis)
      );
      expect(stale.length).toBeGreaterThan(0);
      for (const [i, ask] of asks.entries()) {
        expect(afterRetry[i], labelOf(ask)).toEqual(exactAnswer(ask, all));
      }
    });
  });

  describe('a table of many accounts', () => {
    it('ranks everything over up to 20 accounts, and refuses more, naming accountId', async () => {
      // Prepare: accounts the table knows but holds no rankings of.
      const known = [...new Set(stored.map((rollup) => rollup.accountId))];
      const others = Array.from(
        { length: MAX_ACCOUNTS + 1 - known.length },
        (_, i) => String(900_000_000_000 + i)
      );
      const addAccounts = (accounts: readonly string[]) =>
        env.stack.dynamo.send(
          new UpdateItemCommand({
            TableName: env.tableName,
            Key: {
              [ATTR.pk]: { S: ACCOUNTS_KEY.pk },
              [ATTR.sk]: { S: ACCOUNTS_KEY.sk },
            },
            UpdateExpression: 'ADD #a :a',
            ExpressionAttributeNames: { '#a': ATTR.accounts },
            ExpressionAttributeValues: { ':a': { SS: [...accounts] } },
          })
        );
      const ask: Ask = { ...RANGES[0], scope: null, by: 'bytes', limit: 10 };
      const [account] = known;
      const oneAccount: Ask = {
        ...ask,
        scope: { param: 'accountId', id: account ?? '' },
      };
      const all = await readStored();

      // Act
      await addAccounts(others.slice(1));
      const twenty = await getTop(topPath(ask));
      await addAccounts(others.slice(0, 1));
      const tooMany = await get(topPath(ask));
      const scoped = await getTop(topPath(oneAccount));

      // Assess
      expect(known).toHaveLength(2);
      expect(twenty).toEqual(exactAnswer(ask, all));
      expect({
        status: tooMany.status,
        code: bodyOf<ErrorBody>(tooMany).error?.code,
        param: bodyOf<ErrorBody>(tooMany).error?.param,
        problems: errorBodyProblems(tooMany),
      }).toEqual({
        status: 400,
        code: 'scope_required',
        param: 'accountId',
        problems: [],
      });
      expect(scoped).toEqual(exactAnswer(oneAccount, all));
    });
  });
});
