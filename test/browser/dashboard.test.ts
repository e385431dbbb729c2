/**
 * The dashboard in a real browser: headless Chromium (Debian's
 * chromium-headless-shell, driven by playwright-core) opens the page that
 * the real queryApi handler serves behind the local HTTP API stand-in on
 * 127.0.0.1, over rollups that the real s3Ingest handler wrote to dynalite
 * from generated v5 flow logs: two fleets of 150 ENIs (two VPCs of four
 * subnets, two accounts), about 40,000 records over ten times of two UTC
 * days. What the page shows is held to what the API answers over HTTP:
 * the top-ENI table, the chart's steps, an ENI's totals; and the URL
 * state, back, the loading, empty and 503 states, render time, bundle
 * size, and outside text (an EC2 Name tag) shown as text.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type AttributeValue, ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  type Browser,
  type BrowserContext,
  chromium,
  type Page,
} from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fingerprintOf,
  toCatalogEntry,
} from '../../shared/catalog/catalogEntry.js';
import { QueryError } from '../../shared/errors.js';
import {
  enisOfSample,
  generateFlowLogLines,
} from '../../shared/generate/generateFlowLogLines.js';
import { resolveFormat } from '../../shared/parse/flowLogFormat.js';
import { DASHBOARD_ASSETS } from '../../shared/query/dashboardAssets.js';
import { errorResponse } from '../../shared/query/httpResponse.js';
import { createDynamoCatalogStore } from '../../shared/store/catalogStore.js';
import { importS3Handler } from '../helpers/cloudwatchBatches.js';
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
  bodyOf,
  call,
  ROOT,
  type RunningApi,
  startQueryApi,
} from '../helpers/queryApi.js';
import { eventFor, loadSampleEvents } from '../helpers/s3Events.js';

const HOUR = 3600;
const DAY_SECONDS = 86_400;
/** 2026-11-20T00:00:00Z: the newest day with data. */
const DAY = Date.UTC(2026, 10, 20) / 1000;
/**
 * Where the page opens: the end of the newest hour with data (the last
 * chunk's flows start from 22:00 and end before 23:00), so the 24 hours
 * shown are the newest that hold data.
 */
const OPENS_TO = DAY + 23 * HOUR;
/** Two fleets (the generator puts each in one VPC of its own, four subnets). */
const FLEETS = [
  { seed: 501, enis: 150 },
  { seed: 502, enis: 150 },
] as const;
/** When chunks of each fleet start (flows start over the next ten minutes). */
const CHUNK_STARTS = [
  DAY - DAY_SECONDS + 12 * HOUR,
  DAY + HOUR,
  DAY + 3 * HOUR,
  DAY + 6 * HOUR,
  DAY + 9 * HOUR,
  DAY + 12 * HOUR,
  DAY + 15 * HOUR,
  DAY + 18.5 * HOUR,
  DAY + 20 * HOUR,
  DAY + 22 * HOUR,
] as const;
/** Records of chunk i: 1,100 to 2,900 (20,000 a fleet). */
const recordsOf = (i: number) => 1100 + 200 * i;
const RANGE_SECONDS = {
  '1h': HOUR,
  '6h': 6 * HOUR,
  '24h': DAY_SECONDS,
  '7d': 7 * DAY_SECONDS,
  '30d': 30 * DAY_SECONDS,
} as const;
/** An EC2 Name tag as anyone allowed to tag an ENI may write it. */
const HOSTILE_NAME = '<img src=x onerror=alert(1)>';
const HOSTILE_DESCRIPTION = '<script>alert(2)</script><b>bold</b>';
const VIEWPORT = { width: 1280, height: 800 };
const RESULTS = join(ROOT, '.test-results');

const iso = (seconds: number): string =>
  new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

interface ScopeList {
  readonly accounts: string[];
  readonly vpcs: string[];
  readonly subnets: string[];
  readonly days: string[];
  readonly latestDay: string | null;
}

interface TopAnswer {
  readonly enis: {
    readonly interfaceId: string;
    readonly catalog?: { readonly name?: string | null };
  }[];
}

interface SummaryAnswer {
  readonly totals: Readonly<Record<string, number | string>>;
}

/** A scope as the page's URL names it, and as the API's parameter. */
type Scope =
  | { readonly kind: 'all' }
  | { readonly kind: 'account' | 'vpc' | 'subnet'; readonly id: string };

const SCOPE_PATH = {
  account: 'accounts',
  vpc: 'vpcs',
  subnet: 'subnets',
} as const;
const SCOPE_PARAM = {
  account: 'accountId',
  vpc: 'vpcId',
  subnet: 'subnetId',
} as const;

/** The page's view: scope, range [from, to), metric. */
interface View {
  readonly scope: Scope;
  readonly from: number;
  readonly to: number;
  readonly metric: string;
}

/** What the test reads of a canvas in the page (the test has no DOM types). */
interface CanvasLike {
  readonly width: number;
  readonly height: number;
  getContext(kind: '2d'): {
    getImageData(
      x: number,
      y: number,
      width: number,
      height: number
    ): { readonly data: ArrayLike<number> };
  } | null;
}

/** A page and what went wrong in it (console errors, uncaught errors). */
interface OpenPage {
  readonly page: Page;
  readonly problems: string[];
}

/** A fleet's v5 object: its chunks, each flows starting at its time. */
function fleetObject(seed: number, enis: number): FlowLogFile {
  const format = resolveFormat('v5');
  const lines = CHUNK_STARTS.flatMap((start, i) => [
    ...generateFlowLogLines({
      format,
      records: recordsOf(i),
      enis,
      seed,
      startSeconds: start,
    }),
  ]);
  return flowLogFile(
    format.fields.map((field) => field.name),
    lines
  );
}

describe('dashboard', () => {
  let env: IngestStack;
  let api: RunningApi;
  let logs: HandlerLogs;
  let browser: Browser;
  let context: BrowserContext;
  let scopes: ScopeList;
  let eniCount = 0;
  let itemCount = 0;
  let records = 0;
  /** The ENI whose catalog entry carries markup, and the one named plainly. */
  let hostile = '';
  let named = '';

  async function getJson<T>(path: string): Promise<T> {
    const response = await call(api.base, path);
    expect(response.status, `${path}: ${response.text}`).toBe(200);
    return bodyOf<T>(response);
  }

  /** `GET /top` as the page asks it: the view's range, metric and scope, 20 ENIs. */
  async function topIds(view: View): Promise<string[]> {
    const params = new URLSearchParams({
      from: iso(view.from),
      to: iso(view.to),
      by: view.metric,
      limit: '20',
    });
    if (view.scope.kind !== 'all') {
      params.set(SCOPE_PARAM[view.scope.kind], view.scope.id);
    }
    const body = await getJson<TopAnswer>(`/top?${params}`);
    return body.enis.map((eni) => eni.interfaceId);
  }

  /**
   * The step starts (5 minutes, for a day or less) of the view's series
   * that the API answers, every page followed, oldest first: for
   * everything, the union of every account's steps.
   */
  const seriesStarts = (view: View): Promise<number[]> =>
    startsOf(
      view.scope.kind === 'all'
        ? scopes.accounts.map((id) => `/accounts/${id}/rollups`)
        : [`/${SCOPE_PATH[view.scope.kind]}/${view.scope.id}/rollups`],
      view
    );

  /** The distinct 5-minute step starts that the series at `paths` answer over the view's range, oldest first. */
  async function startsOf(
    paths: readonly string[],
    view: View
  ): Promise<number[]> {
    const starts = new Set<number>();
    for (const path of paths) {
      let token: string | undefined;
      let pages = 0;
      do {
        const query =
          token === undefined
            ? `from=${iso(view.from)}&to=${iso(view.to)}&step=5m&limit=2016`
            : `step=5m&limit=2016&nextToken=${encodeURIComponent(token)}`;
        const page = await getJson<{
          rollups: { windowStart: number }[];
          nextToken?: string;
        }>(`${path}?${query}`);
        for (const row of page.rollups) starts.add(row.windowStart);
        token = page.nextToken;
        pages++;
      } while (token !== undefined && pages < 50);
    }
    return [...starts].sort((a, b) => a - b);
  }

  /** The view the page's URL holds (range presets end at `to`). */
  function viewOf(page: Page): View {
    const params = new URL(page.url()).searchParams;
    const to = Date.parse(params.get('to') ?? '') / 1000;
    const range = params.get('range') ?? '24h';
    const from =
      range === 'custom'
        ? Date.parse(params.get('from') ?? '') / 1000
        : to - RANGE_SECONDS[range as keyof typeof RANGE_SECONDS];
    const match = /^(account|vpc|subnet):(.+)$/.exec(params.get('scope') ?? '');
    const scope: Scope = match
      ? { kind: match[1] as 'account' | 'vpc' | 'subnet', id: match[2] ?? '' }
      : { kind: 'all' };
    return { scope, from, to, metric: params.get('metric') ?? 'bytes' };
  }

  /** A new page that records console errors and uncaught errors. */
  async function openPage(): Promise<OpenPage> {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') {
        problems.push(`console: ${message.text()}`);
      }
    });
    page.on('pageerror', (error) => problems.push(`page: ${error.message}`));
    page.on('dialog', (dialog) => {
      problems.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    return { page, problems };
  }

  /** Waits until the page's render settled (`#main` no longer busy). */
  const settled = (page: Page) =>
    page.waitForSelector('#main[aria-busy="false"]', { state: 'attached' });

  /** The interface ids of the top-ENI table's links, in order. */
  const tableIds = (page: Page) =>
    page
      .locator('#top-enis a[data-eni]')
      .evaluateAll((links) =>
        links.map((link) => link.getAttribute('data-eni') ?? '')
      );

  /** Opens the overview at `search` (default: none) and waits for it. */
  async function openOverview(search = ''): Promise<OpenPage> {
    const opened = await openPage();
    await opened.page.goto(`${api.base}/${search}`);
    await settled(opened.page);
    return opened;
  }

  /** Each chart canvas: its size and how many pixels hold the accepted line's colour. */
  const canvases = (page: Page) =>
    page.locator('.charts .uplot canvas').evaluateAll((nodes) =>
      nodes.map((node) => {
        const canvas = node as unknown as CanvasLike;
        const pixels =
          canvas
            .getContext('2d')
            ?.getImageData(0, 0, canvas.width, canvas.height).data ?? [];
        let accepted = 0;
        for (let i = 0; i < pixels.length; i += 4) {
          const near = (value: number | undefined, target: number) =>
            Math.abs((value ?? -99) - target) < 24;
          if (
            near(pixels[i], 0x1b) &&
            near(pixels[i + 1], 0x4f) &&
            near(pixels[i + 2], 0x9c) &&
            (pixels[i + 3] ?? 0) > 128
          ) {
            accepted++;
          }
        }
        return { width: canvas.width, height: canvas.height, accepted };
      })
    );

  beforeAll(async () => {
    env = await startIngestStack('dashboard');
    logs = captureHandlerLogs();
    const samples = await loadSampleEvents();
    const s3Ingest = await importS3Handler({});
    const enis = new Set<string>();
    for (const [i, fleet] of FLEETS.entries()) {
      const file = fleetObject(fleet.seed, fleet.enis);
      records += file.lines.length;
      for (const id of interfaceIdsOf(file.fieldNames, file.lines)) {
        enis.add(id);
      }
      const object = await upload(
        env.stack.s3,
        env.bucket,
        flowLogKey(`dashboard${i}`),
        file.gzip
      );
      await s3Ingest.invoke(eventFor(samples, 's3', [object]));
    }
    eniCount = enis.size;
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await env.stack.dynamo.send(
        new ScanCommand({
          TableName: env.tableName,
          Select: 'COUNT',
          ExclusiveStartKey: startKey,
        })
      );
      itemCount += page.Count ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    api = await startQueryApi();
    scopes = await getJson<ScopeList>('/scopes');

    // The catalog, as a refresh writes it: the busiest ENI of the newest
    // day tagged by an outsider, the second named plainly.
    [hostile = '', named = ''] = await topIds({
      scope: { kind: 'all' },
      from: DAY,
      to: OPENS_TO,
      metric: 'bytes',
    });
    const store = createDynamoCatalogStore(env.stack.dynamo, {
      tableName: env.tableName,
      retentionDays: 30,
      concurrency: 4,
    });
    const placeOf = (id: string) =>
      FLEETS.flatMap((fleet) => enisOfSample(fleet.seed, fleet.enis)).find(
        (eni) => eni.id === id
      );
    for (const [id, name, description] of [
      [hostile, HOSTILE_NAME, HOSTILE_DESCRIPTION],
      [named, 'web-frontend', 'Primary web server'],
    ] as const) {
      const entry = toCatalogEntry(
        {
          NetworkInterfaceId: id,
          VpcId: placeOf(id)?.vpc,
          SubnetId: placeOf(id)?.subnet,
          InterfaceType: 'interface',
          Description: description,
          Groups: [{ GroupId: 'sg-0ddddddddddddddd4', GroupName: 'web' }],
          TagSet: [{ Key: 'Name', Value: name }],
        },
        new Map()
      );
      if (entry === null) throw new Error('an ENI without an id');
      await store.putEntry(entry, fingerprintOf(entry), OPENS_TO);
    }

    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium-headless-shell',
      args: ['--no-sandbox'],
    });
    context = await browser.newContext({ viewport: VIEWPORT });
    await mkdir(RESULTS, { recursive: true });
  }, 90_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await api?.close();
    logs?.restore();
    await env?.close();
  });

  it('loads the overview without console or page errors, on the newest 24 hours with data', async () => {
    // Prepare
    const { page, problems } = await openPage();

    // Act
    await page.goto(`${api.base}/`);
    await settled(page);

    // Assess
    expect(scopes.accounts).toHaveLength(2);
    expect(scopes.vpcs).toHaveLength(2);
    expect(scopes.subnets).toHaveLength(8);
    expect(scopes.latestDay).toBe(iso(DAY));
    const params = new URL(page.url()).searchParams;
    expect(params.get('to')).toBe(iso(OPENS_TO));
    expect(params.get('range')).toBe('24h');
    expect(params.get('metric')).toBe('bytes');
    await expect
      .poll(() => page.locator('#top-enis a[data-eni]').count())
      .toBe(20);
    expect(await page.locator('.charts .uplot').count()).toBe(2);
    expect(await page.inputValue('#to')).toBe(iso(OPENS_TO).slice(0, 16));
    expect(await page.inputValue('#range')).toBe('24h');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows the top ENIs that GET /top answers, for the metric and the scope picked', async () => {
    // Prepare
    const { page, problems } = await openOverview();
    const vpc = scopes.vpcs[1] ?? '';
    const byBytes = await topIds(viewOf(page));
    const shownByBytes = await tableIds(page);

    // Act
    await page.selectOption('#metric', 'rejectFlows');
    await page.waitForURL(/metric=rejectFlows/);
    await settled(page);
    const shownByRejects = await tableIds(page);
    const rejectView = viewOf(page);
    await page.selectOption('#scope', `vpc:${vpc}`);
    await page.waitForURL(/scope=vpc/);
    await settled(page);
    const shownInVpc = await tableIds(page);
    const vpcView = viewOf(page);

    // Assess
    expect(byBytes).toHaveLength(20);
    expect(shownByBytes).toEqual(byBytes);
    expect(rejectView.metric).toBe('rejectFlows');
    expect(rejectView.scope).toEqual({ kind: 'all' });
    const byRejects = await topIds(rejectView);
    expect(shownByRejects).toEqual(byRejects);
    expect(byRejects).not.toEqual(byBytes);
    const params = new URL(page.url()).searchParams;
    expect(params.get('metric')).toBe('rejectFlows');
    expect(params.get('scope')).toBe(`vpc:${vpc}`);
    expect(params.get('to')).toBe(iso(OPENS_TO));
    const inVpc = await topIds(vpcView);
    expect(inVpc.length).toBeGreaterThan(0);
    expect(shownInVpc).toEqual(inVpc);
    expect(inVpc).not.toEqual(byRejects);
    expect(await page.locator('#top-enis caption').textContent()).toContain(
      'rejected flows'
    );
    expect(problems).toEqual([]);
    await page.close();
  });

  it('draws as many points as the series has steps, for everything and for a VPC', async () => {
    // Prepare
    const vpc = scopes.vpcs[0] ?? '';

    // Act
    const everything = await openOverview();
    const inVpc = await openOverview(
      `?scope=vpc:${vpc}&range=24h&to=${iso(OPENS_TO)}&metric=bytes`
    );

    // Assess
    for (const { page, problems } of [everything, inVpc]) {
      const steps = (await seriesStarts(viewOf(page))).length;
      expect(steps).toBeGreaterThan(20);
      const charts = page.locator('.charts');
      expect(await charts.getAttribute('data-step')).toBe('5m');
      expect(Number(await charts.getAttribute('data-points'))).toBe(steps);
      expect(await page.locator('.note').first().textContent()).toContain(
        `${steps} steps of 5m`
      );
      const drawn = await canvases(page);
      expect(drawn).toHaveLength(2);
      for (const canvas of drawn) {
        expect(canvas.width).toBeGreaterThan(300);
        expect(canvas.height).toBeGreaterThan(100);
        expect(canvas.accepted).toBeGreaterThan(50);
      }
      expect(problems).toEqual([]);
      await page.close();
    }
  });

  it('draws no line through the hours without data (they carried no traffic)', async () => {
    // Prepare: the longest gap between two steps of the series, 15:15 to
    // 18:30, and its middle as a fraction of the x scale (uPlot spans the
    // first to the last step)
    const { page, problems } = await openOverview();
    const starts = await seriesStarts(viewOf(page));
    const first = starts[0] ?? 0;
    const last = starts.at(-1) ?? 0;
    const [gapStart, gapEnd] = starts
      .slice(1)
      .map((start, i) => [starts[i] ?? start, start] as const)
      .sort(([a, b], [c, d]) => d - c - (b - a))[0] ?? [0, 0];
    const middle = (gapStart + gapEnd) / 2;
    const fraction = (middle - first) / (last - first);

    // Act: in each chart, the accepted line's pixels in the column of the
    // gap's middle, above the lowest 15% of the plot
    const raised = await page
      .locator('.charts .uplot')
      .evaluateAll((charts, at) => {
        return charts.map((chart) => {
          const canvas = chart.querySelector(
            'canvas'
          ) as unknown as CanvasLike & { readonly clientWidth: number };
          const over = chart.querySelector('.u-over') as unknown as {
            readonly style: Readonly<Record<string, string>>;
          };
          const css = (name: string) =>
            Number.parseFloat(over.style[name] ?? '');
          const ratio = canvas.width / canvas.clientWidth;
          const x = Math.round((css('left') + at * css('width')) * ratio);
          const top = Math.round(css('top') * ratio);
          const height = Math.round(0.85 * css('height') * ratio);
          const pixels =
            canvas.getContext('2d')?.getImageData(x - 1, top, 3, height).data ??
            [];
          let count = 0;
          for (let i = 0; i < pixels.length; i += 4) {
            const near = (value: number | undefined, target: number) =>
              Math.abs((value ?? -99) - target) < 24;
            if (
              near(pixels[i], 0x1b) &&
              near(pixels[i + 1], 0x4f) &&
              near(pixels[i + 2], 0x9c) &&
              (pixels[i + 3] ?? 0) > 128
            ) {
              count++;
            }
          }
          return count;
        });
      }, fraction);

    // Assess
    expect(gapEnd - gapStart).toBeGreaterThanOrEqual(3 * HOUR);
    expect(raised).toHaveLength(2);
    // Every step in the gap holds no traffic: a line drawn from the last
    // step before it to the first after it shows traffic that never was.
    expect(
      raised,
      `accepted-line pixels above the baseline at ${iso(middle)}, between the steps ${iso(gapStart)} and ${iso(gapEnd)}`
    ).toEqual([0, 0]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('opens an ENI page from the table with its totals, and back returns to the overview', async () => {
    // Prepare
    const { page, problems } = await openOverview();
    const link = page.locator('#top-enis a[data-eni]').nth(2);
    const eni = (await link.getAttribute('data-eni')) ?? '';
    const view = viewOf(page);

    // Act
    await link.click();
    await page.waitForURL(/eni=/);
    await settled(page);
    const url = new URL(page.url());
    const title = await page.locator('#eni-title').textContent();
    const flowsTitle = await page
      .locator('#totals tbody td')
      .first()
      .getAttribute('title');
    const eniPoints = await page.locator('.charts').getAttribute('data-points');
    const sections = await Promise.all(
      ['#talkers', '#rejected-sources', '#rejected-ports', '#back'].map(
        (selector) => page.locator(selector).count()
      )
    );
    await page.goBack();
    await page.waitForURL((back) => !back.searchParams.has('eni'));
    await page.locator('#top-enis').waitFor();
    await settled(page);

    // Assess
    expect(url.searchParams.get('eni')).toBe(eni);
    expect(url.searchParams.get('to')).toBe(iso(OPENS_TO));
    expect(title).toContain(eni);
    const summary = await getJson<SummaryAnswer>(
      `/enis/${eni}/summary?from=${iso(view.from)}&to=${iso(view.to)}`
    );
    expect(typeof summary.totals.flows).toBe('number');
    expect(flowsTitle).toBe(
      Number(summary.totals.flows).toLocaleString('en-US')
    );
    expect(Number(eniPoints)).toBe(
      (await startsOf([`/enis/${eni}/rollups`], view)).length
    );
    expect(sections).toEqual([1, 1, 1, 1]);
    expect(await tableIds(page)).toEqual(await topIds(view));
    expect(page.url()).not.toContain('eni=');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('updates the URL and the data when the range changes to 6h', async () => {
    // Prepare
    const { page, problems } = await openOverview();
    const pointsBefore = await page
      .locator('.charts')
      .getAttribute('data-points');

    // Act
    await page.selectOption('#range', '6h');
    await page.waitForURL(/range=6h/);
    await settled(page);

    // Assess
    const view = viewOf(page);
    expect(view.to).toBe(OPENS_TO);
    expect(view.from).toBe(OPENS_TO - 6 * HOUR);
    const steps = (await seriesStarts(view)).length;
    const charts = page.locator('.charts');
    expect(Number(await charts.getAttribute('data-points'))).toBe(steps);
    expect(await charts.getAttribute('data-step')).toBe('5m');
    expect(String(steps)).not.toBe(pointsBefore);
    expect(await tableIds(page)).toEqual(await topIds(view));
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows the 503 state with a Retry button, and Retry shows the table once the API answers', async () => {
    // Prepare
    const { page } = await openPage();
    const unavailable = errorResponse(
      new QueryError(
        503,
        'unavailable',
        'the rollup table is unavailable; retry in a few seconds'
      )
    );
    const isTop = (url: URL) => url.pathname === '/top';
    await page.route(isTop, (route) =>
      route.fulfill({
        status: unavailable.statusCode,
        headers: unavailable.headers,
        body: unavailable.body,
      })
    );

    // Act
    await page.goto(`${api.base}/`);
    await settled(page);
    const error = await page.locator('#main .error').textContent();
    const retries = await page.locator('#retry').count();
    await page.unroute(isTop);
    await page.click('#retry');
    await page.locator('#top-enis').waitFor();
    await settled(page);

    // Assess
    expect(error).toContain('503');
    expect(retries).toBe(1);
    expect(await page.locator('.error').count()).toBe(0);
    expect(await tableIds(page)).toEqual(await topIds(viewOf(page)));
    await page.close();
  });

  it('shows the empty state for a range without data, and no chart', async () => {
    // Prepare
    const from = DAY - 30 * DAY_SECONDS;
    const search = `?range=custom&from=${iso(from)}&to=${iso(from + DAY_SECONDS)}&metric=bytes`;

    // Act
    const { page, problems } = await openOverview(search);

    // Assess
    expect(await page.locator('#main .empty').textContent()).toBe(
      'No data in this range.'
    );
    expect(await page.locator('canvas').count()).toBe(0);
    expect(await page.locator('#top-enis').count()).toBe(0);
    expect(new URL(page.url()).searchParams.get('from')).toBe(iso(from));
    expect(problems).toEqual([]);
    await page.close();
  });

  it('takes full-page screenshots of the overview and of an ENI page', async () => {
    // Prepare
    const { page, problems } = await openOverview();
    const overviewPath = join(RESULTS, 'dashboard-overview.png');
    const eniPath = join(RESULTS, 'dashboard-eni.png');

    // Act
    const overview = await page.screenshot({
      path: overviewPath,
      fullPage: true,
    });
    await page.locator('#top-enis a[data-eni]').first().click();
    await page.locator('#eni-title').waitFor();
    await settled(page);
    await page.locator('.charts canvas').first().waitFor();
    const eni = await page.screenshot({ path: eniPath, fullPage: true });

    // Assess
    expect(overview.byteLength).toBeGreaterThan(20_000);
    expect(eni.byteLength).toBeGreaterThan(20_000);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('renders the overview within 1500 ms, from a bundle under 300 KB gzipped', async () => {
    // Prepare: a context of its own, nothing cached
    const fresh = await browser.newContext({ viewport: VIEWPORT });
    const page = await fresh.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    const gzipped = [
      DASHBOARD_ASSETS.html,
      DASHBOARD_ASSETS.js,
      DASHBOARD_ASSETS.css,
    ].reduce((sum, text) => sum + gzipSync(text).byteLength, 0);

    // Act
    const started = performance.now();
    await page.goto(`${api.base}/`);
    await page.locator('#top-enis').waitFor({ state: 'visible' });
    await page.locator('.charts canvas').first().waitFor({ state: 'visible' });
    const elapsed = Math.round(performance.now() - started);

    // Assess
    process.stdout.write(
      `dashboard first render: ${elapsed} ms (${eniCount} ENIs, ${records} records, ${itemCount} items); bundle ${(gzipped / 1024).toFixed(1)} KB gzipped\n`
    );
    expect(elapsed).toBeLessThan(1500);
    expect(gzipped).toBeLessThan(300 * 1024);
    expect(problems).toEqual([]);
    await fresh.close();
  });

  it('shows a catalog name with markup as text, in the table and on the ENI page', async () => {
    // Prepare
    const { page, problems } = await openOverview();
    const row = page.locator('#top-enis tbody tr', {
      has: page.locator(`a[data-eni="${hostile}"]`),
    });
    const plainRow = page.locator('#top-enis tbody tr', {
      has: page.locator(`a[data-eni="${named}"]`),
    });

    // Act
    const nameCell = await row.locator('td').nth(2).textContent();
    const plainName = await plainRow.locator('td').nth(2).textContent();
    const imagesInTable = await page.locator('#main img').count();
    await row.locator('a[data-eni]').click();
    await page.locator('#eni-title').waitFor();
    await settled(page);
    const title = await page.locator('#eni-title').textContent();
    const facts = await page.locator('.facts').textContent();
    const injected = await page
      .locator('#main img, #main script, #main b')
      .count();

    // Assess
    expect(nameCell).toBe(HOSTILE_NAME);
    expect(plainName).toBe('web-frontend');
    expect(imagesInTable).toBe(0);
    expect(title).toBe(`${hostile} (${HOSTILE_NAME})`);
    expect(facts).toContain(HOSTILE_DESCRIPTION);
    expect(injected).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });
});
