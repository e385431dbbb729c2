import { getJson, getSeries, urlOf } from './api.js';
import { drawChart } from './chart.js';
import { countCells, h, numberCell, table } from './dom.js';
import type { Rendered } from './overview.js';
import {
  ISO,
  STEP_SECONDS,
  searchOf,
  stepOf,
  type ViewState,
} from './state.js';

/** An ENI's rejections cover at most 7 days (the API reads its windows). */
const REJECTIONS_SECONDS = 7 * 86_400;

interface Catalog {
  readonly name?: string | null;
  readonly interfaceType?: string | null;
  readonly description?: string | null;
  readonly vpcId?: string | null;
  readonly subnetId?: string | null;
  readonly instanceId?: string | null;
  readonly securityGroups?: readonly { id: string; name?: string | null }[];
  readonly deletedAt?: string | null;
}

interface Summary {
  readonly catalog?: Catalog;
  readonly windows: number;
  readonly totals: Record<string, number | string>;
  readonly topTalkers: readonly {
    peer: string;
    label: string;
    port: number | null;
    protocol: number | null;
    flows: number;
    packets: number;
    bytes: number;
  }[];
  readonly topRejectedSources: readonly {
    address: string;
    label: string;
    flows: number;
    packets: number;
    bytes: number;
  }[];
}

interface Rejections {
  readonly ports: readonly {
    port: number | null;
    protocol: number | null;
    flows: number;
    packets: number;
    bytes: number;
  }[];
}

const PROTOCOLS: Record<number, string> = {
  1: 'ICMP',
  6: 'TCP',
  17: 'UDP',
  58: 'ICMPv6',
};
const protocolName = (protocol: number | null) =>
  protocol === null ? '–' : (PROTOCOLS[protocol] ?? String(protocol));

/** The catalog's facts of the ENI, as a definition list. */
function facts(catalog: Catalog | undefined): HTMLElement {
  if (catalog === undefined) {
    return h('p', { class: 'note' }, 'The ENI catalog does not know this ENI.');
  }
  const groups = (catalog.securityGroups ?? [])
    .map((group) => (group.name ? `${group.id} (${group.name})` : group.id))
    .join(', ');
  const entries: [string, string | null | undefined][] = [
    ['name', catalog.name],
    ['type', catalog.interfaceType],
    ['description', catalog.description],
    ['VPC', catalog.vpcId],
    ['subnet', catalog.subnetId],
    ['instance', catalog.instanceId],
    ['security groups', groups],
    ['deleted', catalog.deletedAt],
  ];
  return h(
    'dl',
    { class: 'facts' },
    ...entries
      .filter(([, value]) => value)
      .flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value ?? '')])
  );
}

/**
 * An ENI's page: its series (bytes and packets), totals, top talkers (named
 * where the catalog knows the peer), top rejected sources, top rejected
 * destination ports (the last 7 days of the range at most) and its catalog
 * facts. Throws `ApiError` when a call fails.
 */
async function renderEniPage(
  state: ViewState & { from: number; to: number; eni: string }
): Promise<Rendered> {
  const { eni, from, to } = state;
  const step = stepOf(from, to);
  const rejectionsFrom = Math.max(from, to - REJECTIONS_SECONDS);
  const seriesParams = {
    from: ISO(from),
    to: ISO(to),
    step,
    limit: step === '5m' ? 2016 : step === '1h' ? 168 : 7,
  };
  const [rows, summary, rejections] = await Promise.all([
    getSeries(`/enis/${eni}/rollups`, seriesParams),
    getJson<Summary>(`/enis/${eni}/summary`, { from: ISO(from), to: ISO(to) }),
    getJson<Rejections>(`/enis/${eni}/rejections`, {
      from: ISO(rejectionsFrom),
      to: ISO(to),
      limit: 10,
    }),
  ]);
  const name = summary.catalog?.name;
  const root = h(
    'section',
    { 'aria-label': 'ENI' },
    h(
      'p',
      {},
      h(
        'a',
        { href: searchOf({ ...state, eni: null }), id: 'back' },
        '← overview'
      )
    ),
    h('h2', { id: 'eni-title' }, eni, name ? ` (${name})` : ''),
    facts(summary.catalog)
  );
  if (rows.length === 0) {
    root.append(
      h('p', { class: 'empty', role: 'status' }, 'No data in this range.')
    );
    return { node: root, mount: () => undefined };
  }
  const charts = h('div', {
    class: 'charts',
    'data-points': String(rows.length),
    'data-step': step,
  });
  const totals = summary.totals;
  const total = (name: string) =>
    typeof totals[name] === 'number' ? (totals[name] as number) : undefined;
  root.append(
    charts,
    h(
      'p',
      { class: 'note' },
      `${rows.length} steps of ${step} (UTC). CSV: `,
      h(
        'a',
        {
          href: urlOf(`/enis/${eni}/rollups`, {
            ...seriesParams,
            format: 'csv',
          }),
          download: '',
        },
        'series'
      ),
      ', ',
      h(
        'a',
        {
          href: urlOf(`/enis/${eni}/summary`, {
            from: ISO(from),
            to: ISO(to),
            format: 'csv',
          }),
          download: '',
        },
        'totals'
      ),
      ', ',
      h(
        'a',
        {
          href: urlOf(`/enis/${eni}/rejections`, {
            from: ISO(rejectionsFrom),
            to: ISO(to),
            format: 'csv',
          }),
          download: '',
        },
        'rejections'
      )
    ),
    table(
      'Totals over the range',
      [
        'flows',
        'packets',
        'bytes',
        'accepted flows',
        'rejected flows',
        'rejected bytes',
        'SKIPDATA records',
      ],
      [
        [
          numberCell(total('flows')),
          numberCell(total('packets')),
          numberCell(total('bytes')),
          numberCell(total('acceptFlows')),
          numberCell(total('rejectFlows')),
          numberCell(total('rejectBytes')),
          numberCell(total('skipdataRecords')),
        ],
      ],
      { id: 'totals' }
    ),
    table(
      'Top talkers (approximate)',
      ['peer', 'port', 'protocol', 'flows', 'packets', 'bytes'],
      summary.topTalkers.map((talker) => [
        h('td', {}, talker.label),
        h('td', { class: 'num' }, talker.port ?? '–'),
        h('td', {}, protocolName(talker.protocol)),
        ...countCells(talker),
      ]),
      { id: 'talkers' }
    ),
    table(
      'Top rejected sources (approximate)',
      ['source', 'flows', 'packets', 'bytes'],
      summary.topRejectedSources.map((source) => [
        h('td', {}, source.label),
        ...countCells(source),
      ]),
      { id: 'rejected-sources' }
    ),
    table(
      `Top rejected destination ports (approximate${rejectionsFrom > from ? ', last 7 days of the range' : ''})`,
      ['port', 'protocol', 'flows', 'packets', 'bytes'],
      rejections.ports.map((port) => [
        h('td', { class: 'num' }, port.port ?? '–'),
        h('td', {}, protocolName(port.protocol)),
        ...countCells(port),
      ]),
      { id: 'rejected-ports' }
    )
  );
  const mount = () => {
    const range = { from, to, step: STEP_SECONDS[step] };
    drawChart(charts, rows, 'bytes', range);
    drawChart(charts, rows, 'packets', range);
  };
  return { node: root, mount };
}

export { renderEniPage };
