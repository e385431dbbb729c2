import { getJson, getSeries, type SeriesRow, urlOf } from './api.js';
import { drawChart } from './chart.js';
import { h, numberCell, table } from './dom.js';
import {
  ISO,
  type Metric,
  type Scope,
  STEP_SECONDS,
  searchOf,
  stepOf,
  type ViewState,
} from './state.js';

/** The scope's API path and parameter. */
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

/** A view's nodes, and what to do once they are in the document. */
interface Rendered {
  readonly node: HTMLElement;
  readonly mount: () => void;
}

/** One ENI of `GET /top`. */
interface TopEni {
  readonly interfaceId: string;
  readonly bytes: number;
  readonly packets: number;
  readonly flows: number;
  readonly rejectFlows: number;
  readonly isExact: boolean;
  readonly catalog?: {
    readonly name?: string | null;
    readonly interfaceType?: string | null;
  };
}

/** Steps of several series summed by step start (everything = every account). */
function sumSeries(lists: readonly SeriesRow[][]): SeriesRow[] {
  const byStart = new Map<number, Record<string, number>>();
  for (const rows of lists) {
    for (const row of rows) {
      const sum = byStart.get(row.windowStart) ?? {
        windowStart: row.windowStart,
      };
      for (const [name, value] of Object.entries(row)) {
        if (name !== 'windowStart' && typeof value === 'number') {
          sum[name] = (sum[name] ?? 0) + value;
        }
      }
      byStart.set(row.windowStart, sum);
    }
  }
  return [...byStart.values()]
    .sort((a, b) => (a.windowStart as number) - (b.windowStart as number))
    .map((row) => row as unknown as SeriesRow);
}

/** The scope's series over [from, to) at `step`, every page. */
async function scopeSeries(
  scope: Scope,
  accounts: readonly string[],
  from: number,
  to: number
): Promise<{ rows: SeriesRow[]; csv: string[] }> {
  const step = stepOf(from, to);
  const params = { from: ISO(from), to: ISO(to), step, limit: 2016 };
  const targets =
    scope.kind === 'all'
      ? accounts.map((id) => `/accounts/${id}/rollups`)
      : [`/${SCOPE_PATH[scope.kind]}/${scope.id}/rollups`];
  const lists = await Promise.all(
    targets.map((path) => getSeries(path, params))
  );
  return {
    rows: sumSeries(lists),
    csv: targets.map((path) => urlOf(path, { ...params, format: 'csv' })),
  };
}

/** `GET /top` parameters of the state. */
function topParams(state: ViewState, from: number, to: number) {
  const params: Record<string, string | number> = {
    from: ISO(from),
    to: ISO(to),
    by: state.metric,
    limit: 20,
  };
  if (state.scope.kind !== 'all')
    params[SCOPE_PARAM[state.scope.kind]] = state.scope.id;
  return params;
}

const METRIC_LABEL: Record<Metric, string> = {
  bytes: 'bytes',
  packets: 'packets',
  flows: 'flows',
  rejectFlows: 'rejected flows',
};

/**
 * The overview of a scope over the state's range: bytes and packets,
 * accepted against rejected (and by direction where known), SKIPDATA
 * windows shaded, and the top ENIs by the metric, each a link to its page.
 * Resolves with the nodes to show; throws `ApiError` when a call fails.
 */
async function renderOverview(
  state: ViewState & { from: number; to: number },
  accounts: readonly string[]
): Promise<Rendered> {
  const { from, to } = state;
  const [series, top] = await Promise.all([
    scopeSeries(state.scope, accounts, from, to),
    getJson<{ enis: TopEni[]; membership: string }>(
      '/top',
      topParams(state, from, to)
    ),
  ]);
  const root = h('section', { 'aria-label': 'overview' });
  if (series.rows.length === 0 && top.enis.length === 0) {
    root.append(
      h('p', { class: 'empty', role: 'status' }, 'No data in this range.')
    );
    return { node: root, mount: () => undefined };
  }
  const step = stepOf(from, to);
  const charts = h('div', {
    class: 'charts',
    'data-points': String(series.rows.length),
    'data-step': step,
  });
  root.append(charts);
  const skipped = series.rows.filter(
    (row) => Number(row.skipdataRecords ?? 0) > 0
  );
  root.append(
    h(
      'p',
      { class: 'note' },
      `${series.rows.length} steps of ${step} (UTC). `,
      skipped.length > 0
        ? `Shaded: ${skipped.length} steps with SKIPDATA records (AWS lost records there).`
        : 'No SKIPDATA records in this range.',
      ' CSV: ',
      ...series.csv.flatMap((href, i) => [
        i > 0 ? ', ' : '',
        h(
          'a',
          { href, download: '' },
          series.csv.length > 1 ? `account ${accounts[i]}` : 'series'
        ),
      ]),
      ', ',
      h(
        'a',
        {
          href: urlOf('/top', { ...topParams(state, from, to), format: 'csv' }),
          download: '',
        },
        'top ENIs'
      )
    )
  );
  const rows = top.enis.map((eni, index) => {
    const href = searchOf({ ...state, eni: eni.interfaceId });
    return [
      h('td', { class: 'num' }, index + 1),
      h(
        'td',
        {},
        h('a', { href, 'data-eni': eni.interfaceId }, eni.interfaceId)
      ),
      h('td', {}, eni.catalog?.name ?? ''),
      h('td', {}, eni.catalog?.interfaceType ?? ''),
      numberCell(eni.bytes),
      numberCell(eni.packets),
      numberCell(eni.flows),
      numberCell(eni.rejectFlows),
    ];
  });
  root.append(
    table(
      `Top ENIs by ${METRIC_LABEL[state.metric]}${top.membership === 'approximate' ? ' (membership approximate)' : ''}`,
      [
        '#',
        'ENI',
        'name',
        'type',
        'bytes',
        'packets',
        'flows',
        'rejected flows',
      ],
      rows,
      { id: 'top-enis' }
    )
  );
  // Charts need the section in the document to know their width.
  const mount = () => {
    if (series.rows.length === 0) return;
    const range = { from, to, step: STEP_SECONDS[step] };
    drawChart(charts, series.rows, 'bytes', range);
    drawChart(charts, series.rows, 'packets', range);
  };
  return { node: root, mount };
}

export type { Rendered, TopEni };
export { renderOverview, sumSeries };
