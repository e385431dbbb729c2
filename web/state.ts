/**
 * What the page shows lives in its URL, so a link shows the same view and
 * back and forward work: `?scope=vpc:vpc-…&range=24h&to=…&metric=bytes`,
 * and `eni=eni-…` for an ENI's page.
 */

const RANGES = {
  '1h': 3600,
  '6h': 6 * 3600,
  '24h': 86_400,
  '7d': 7 * 86_400,
  '30d': 30 * 86_400,
} as const;
type RangeName = keyof typeof RANGES | 'custom';

const METRICS = ['bytes', 'packets', 'flows', 'rejectFlows'] as const;
type Metric = (typeof METRICS)[number];

/** A scope: everything, or an account, a VPC or a subnet. */
type Scope =
  | { readonly kind: 'all' }
  | { readonly kind: 'account' | 'vpc' | 'subnet'; readonly id: string };

interface ViewState {
  readonly scope: Scope;
  /** The ENI whose page is shown; null for the overview. */
  readonly eni: string | null;
  readonly range: RangeName;
  /** Epoch seconds, 5-minute aligned; null until the newest data is known. */
  readonly from: number | null;
  readonly to: number | null;
  readonly metric: Metric;
}

const STEP_SECONDS = { '5m': 300, '1h': 3600, '1d': 86_400 } as const;
type Step = keyof typeof STEP_SECONDS;

/** The step a range is drawn at: 5 minutes up to a day, hours up to a week, days beyond. */
function stepOf(from: number, to: number): Step {
  const seconds = to - from;
  if (seconds <= 86_400) return '5m';
  if (seconds <= 7 * 86_400) return '1h';
  return '1d';
}

const ISO = (seconds: number) =>
  new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

function parseTime(text: string | null): number | null {
  if (text === null) return null;
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text);
  return Number.isFinite(ms) ? Math.floor(ms / 300_000) * 300 : null;
}

function parseScope(text: string | null): Scope {
  const match = /^(account|vpc|subnet):([\w-]{1,64})$/.exec(text ?? '');
  if (!match) return { kind: 'all' };
  return {
    kind: match[1] as 'account' | 'vpc' | 'subnet',
    id: match[2] as string,
  };
}

/** The state a URL's query string holds (defaults for what it lacks or garbles). */
function stateOf(search: string): ViewState {
  const params = new URLSearchParams(search);
  const rangeText = params.get('range') ?? '24h';
  const range: RangeName =
    rangeText in RANGES || rangeText === 'custom'
      ? (rangeText as RangeName)
      : '24h';
  const to = parseTime(params.get('to'));
  let from = parseTime(params.get('from'));
  if (range !== 'custom' && to !== null) from = to - RANGES[range];
  const metricText = params.get('metric') ?? 'bytes';
  const eni = params.get('eni');
  return {
    scope: parseScope(params.get('scope')),
    eni: eni && /^eni-[0-9a-f]{8,17}$/.test(eni) ? eni : null,
    range,
    from: from !== null && to !== null && from < to ? from : null,
    to: from !== null && to !== null && from < to ? to : null,
    metric: (METRICS as readonly string[]).includes(metricText)
      ? (metricText as Metric)
      : 'bytes',
  };
}

/** The query string of a state (what `stateOf` reads back). */
function searchOf(state: ViewState): string {
  const params = new URLSearchParams();
  if (state.eni) params.set('eni', state.eni);
  if (state.scope.kind !== 'all') {
    params.set('scope', `${state.scope.kind}:${state.scope.id}`);
  }
  params.set('range', state.range);
  if (state.range === 'custom' && state.from !== null) {
    params.set('from', ISO(state.from));
  }
  if (state.to !== null) params.set('to', ISO(state.to));
  params.set('metric', state.metric);
  return `?${params.toString()}`;
}

export type { Metric, RangeName, Scope, Step, ViewState };
export { ISO, METRICS, RANGES, STEP_SECONDS, searchOf, stateOf, stepOf };
