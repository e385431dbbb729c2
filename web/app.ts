import { ApiError, getJson, getSeries } from './api.js';
import { h } from './dom.js';
import { renderEniPage } from './eniPage.js';
import { type Rendered, renderOverview } from './overview.js';
import {
  ISO,
  METRICS,
  RANGES,
  type RangeName,
  type Scope,
  searchOf,
  stateOf,
  type ViewState,
} from './state.js';

/** `GET /scopes`: what the scope picker offers, and where the data ends. */
interface ScopeList {
  readonly accounts: readonly string[];
  readonly vpcs: readonly string[];
  readonly subnets: readonly string[];
  readonly latestDay: string | null;
}

const DAY = 86_400;
let scopes: ScopeList | null = null;
/** Bumped by every render: an older one that finishes late is dropped. */
let renderCount = 0;

const main = () => document.getElementById('main') as HTMLElement;
const controls = () => document.getElementById('controls') as HTMLFormElement;

/** Goes to a state: a new history entry (or a replaced one), then renders. */
function go(state: ViewState, replace = false): void {
  const url = `${location.pathname}${searchOf(state)}`;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  void render();
}

const scopeValue = (scope: Scope) =>
  scope.kind === 'all' ? '' : `${scope.kind}:${scope.id}`;

/** The form: scope, range (presets or from/to), metric; labelled, keyboard-usable. */
function drawControls(state: ViewState, list: ScopeList): void {
  const option = (value: string, label: string, selected: boolean) =>
    h('option', { value, ...(selected ? { selected: '' } : {}) }, label);
  const current = scopeValue(state.scope);
  const group = (label: string, kind: string, ids: readonly string[]) =>
    h(
      'optgroup',
      { label },
      ...ids.map((id) =>
        option(`${kind}:${id}`, id, current === `${kind}:${id}`)
      )
    );
  const form = controls();
  form.replaceChildren(
    h('label', { for: 'scope' }, 'Scope'),
    h(
      'select',
      { id: 'scope', name: 'scope' },
      option('', 'Everything', current === ''),
      group('Accounts', 'account', list.accounts),
      group('VPCs', 'vpc', list.vpcs),
      group('Subnets', 'subnet', list.subnets)
    ),
    h('label', { for: 'range' }, 'Range'),
    h(
      'select',
      { id: 'range', name: 'range' },
      ...Object.keys(RANGES).map((name) =>
        option(name, name, state.range === name)
      ),
      option('custom', 'custom', state.range === 'custom')
    ),
    h('label', { for: 'from' }, 'From (UTC)'),
    h('input', {
      id: 'from',
      name: 'from',
      type: 'datetime-local',
      value: state.from === null ? '' : ISO(state.from).slice(0, 16),
    }),
    h('label', { for: 'to' }, 'To (UTC)'),
    h('input', {
      id: 'to',
      name: 'to',
      type: 'datetime-local',
      value: state.to === null ? '' : ISO(state.to).slice(0, 16),
    }),
    h('label', { for: 'metric' }, 'Rank by'),
    h(
      'select',
      { id: 'metric', name: 'metric' },
      ...METRICS.map((metric) =>
        option(
          metric,
          metric === 'rejectFlows' ? 'rejected flows' : metric,
          state.metric === metric
        )
      )
    ),
    h('button', { type: 'submit' }, 'Show')
  );
}

/** The state the form holds (a change of from/to makes the range custom). */
function stateOfForm(previous: ViewState, changed: string | null): ViewState {
  const data = new FormData(controls());
  const field = (name: string) => String(data.get(name) ?? '');
  const time = (name: string) => {
    const ms = Date.parse(`${field(name)}:00Z`);
    return Number.isFinite(ms) ? Math.floor(ms / 300_000) * 300 : null;
  };
  let range = field('range') as RangeName;
  if (changed === 'from' || changed === 'to') range = 'custom';
  const to = time('to') ?? previous.to;
  const from =
    range === 'custom'
      ? (time('from') ?? previous.from)
      : to === null
        ? null
        : to - RANGES[range];
  const next = stateOf(
    `?scope=${encodeURIComponent(field('scope'))}&metric=${field('metric')}`
  );
  return { ...next, eni: previous.eni, range, from, to };
}

/**
 * The end of the newest hour with data: the hours of the newest day with
 * data (one small read per account), else now.
 */
async function newestDataEnd(list: ScopeList): Promise<number> {
  if (list.latestDay === null) return Math.ceil(Date.now() / 3_600_000) * 3600;
  const day = Date.parse(list.latestDay) / 1000;
  const hours = await Promise.all(
    list.accounts.map((id) =>
      getSeries(`/accounts/${id}/rollups`, {
        from: ISO(day),
        to: ISO(day + DAY),
        step: '1h',
        limit: 24,
      })
    )
  );
  const last = Math.max(...hours.flat().map((row) => row.windowStart));
  return Number.isFinite(last) ? last + 3600 : day + DAY;
}

/** Replaces the page's body with a view, or with an explicit error state. */
async function show(
  load: () => Promise<Rendered>,
  count: number
): Promise<void> {
  const target = main();
  target.setAttribute('aria-busy', 'true');
  target.replaceChildren(
    h('p', { class: 'loading', role: 'status' }, 'Loading…')
  );
  try {
    const rendered = await load();
    if (count !== renderCount) return;
    target.replaceChildren(rendered.node);
    rendered.mount();
  } catch (error) {
    if (count !== renderCount) return;
    const isUnavailable = error instanceof ApiError && error.status === 503;
    const retry = h('button', { type: 'button', id: 'retry' }, 'Retry');
    retry.addEventListener('click', () => void render());
    target.replaceChildren(
      h(
        'div',
        { class: 'error', role: 'alert' },
        h(
          'p',
          {},
          isUnavailable
            ? 'The rollup table is unavailable (HTTP 503). Try again in a few seconds.'
            : `The API answered an error: ${error instanceof Error ? error.message : String(error)}`
        ),
        retry
      )
    );
  } finally {
    if (count === renderCount) target.setAttribute('aria-busy', 'false');
  }
}

/** Renders the state the URL holds. */
async function render(): Promise<void> {
  const count = ++renderCount;
  let state = stateOf(location.search);
  await show(async () => {
    scopes ??= await getJson<ScopeList>('/scopes');
    if (state.to === null || state.from === null) {
      // Open on the newest 24 hours that hold data, not on "now".
      const to = await newestDataEnd(scopes);
      state = {
        ...state,
        range: state.range === 'custom' ? '24h' : state.range,
        to,
        from: to - RANGES[state.range === 'custom' ? '24h' : state.range],
      };
      history.replaceState(null, '', `${location.pathname}${searchOf(state)}`);
    }
    drawControls(state, scopes);
    const ready = state as ViewState & { from: number; to: number };
    document.title = state.eni ? `${state.eni} · flow logs` : 'Flow logs';
    return state.eni
      ? await renderEniPage({ ...ready, eni: state.eni })
      : await renderOverview(ready, scopes.accounts);
  }, count);
}

function start(): void {
  const form = controls();
  let changed: string | null = null;
  form.addEventListener('change', (event) => {
    changed = (event.target as HTMLElement).id;
    if (changed === 'from' || changed === 'to') return;
    go(stateOfForm(stateOf(location.search), changed));
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    go(stateOfForm(stateOf(location.search), changed));
    changed = null;
  });
  // Links within the page change the state without a reload.
  document.addEventListener('click', (event) => {
    const link = (event.target as HTMLElement).closest('a');
    if (
      !link ||
      link.hasAttribute('download') ||
      !link.getAttribute('href')?.startsWith('?')
    )
      return;
    event.preventDefault();
    go(stateOf(link.getAttribute('href') ?? ''));
  });
  window.addEventListener('popstate', () => void render());
  void render();
}

start();
