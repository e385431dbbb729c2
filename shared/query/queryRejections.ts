import {
  mergeRejections,
  type Rejections,
  rejectedPortsOf,
} from '../aggregate/mergeRejections.js';
import { isoOfSeconds } from '../flowLogRules.js';
import type { CatalogReader } from '../store/catalogStore.js';
import type { RangeRanker } from '../store/rangeRanking.js';
import { seriesPartitionKey } from '../store/rollupLayout.js';
import type { RollupReader } from '../store/rollupStore.js';
import type { RejectedFlow } from '../types.js';
import type { ApiQuery } from './apiQuery.js';
import { namePeers } from './attachCatalog.js';

/** Ports listed per source. */
const PORTS_PER_SOURCE = 10;

/** What the rejections need: the ENI windows, the scope rankings, the catalog. */
interface RejectionsDeps {
  readonly reader: RollupReader;
  readonly ranker: RangeRanker;
  readonly catalog: CatalogReader;
}

const ID_PARAM = {
  eni: 'interfaceId',
  account: 'accountId',
  vpc: 'vpcId',
  subnet: 'subnetId',
} as const;

/** `22/6 3389/6`: ports as a CSV cell. */
const portsCell = (
  ports: readonly { port: number | null; protocol: number | null }[]
) =>
  ports
    .map(({ port, protocol }) => `${port ?? '-'}/${protocol ?? '-'}`)
    .join(' ');

/**
 * What an ENI, or a scope's ENIs, rejected over [from, to): the
 * destination ports rejected flows tried (port, protocol, flows, packets,
 * bytes) and the sources of rejected flows, each with the ports it tried.
 * An ENI's come from its 5-minute windows (a week at most), a scope's from
 * its stored rankings (days, hours and windows that cover the range).
 * Approximate, as every top list. Lets the store's `StoreError` through.
 * @example await queryRejections({ route: 'rejections', kind: 'vpc', id, from, to, limit: 20, format: 'json' }, deps)
 */
async function queryRejections(
  query: Extract<ApiQuery, { route: 'rejections' }>,
  deps: RejectionsDeps
) {
  const { kind, id, from, to, limit } = query;
  let rejections: Rejections;
  let itemsRead: number;
  if (kind === 'eni') {
    const rollups = await deps.reader.allRollups(id, from, to - 300);
    rejections = mergeRejections(
      rollups.map((rollup) => ({
        flows: rollup.topRejectedFlows ?? [],
        sources: rollup.topRejectedSources ?? [],
        ports: rollup.topRejectedPorts ?? [],
      })),
      Number.POSITIVE_INFINITY
    );
    itemsRead = rollups.length;
  } else {
    const read = await deps.ranker.rejectionsOf(
      seriesPartitionKey(kind, id),
      from,
      to,
      Number.POSITIVE_INFINITY
    );
    rejections = read.rejections;
    itemsRead = read.itemsRead;
  }
  const flowsBySource = new Map<string, RejectedFlow[]>();
  for (const flow of rejections.flows) {
    const flows = flowsBySource.get(flow.address) ?? [];
    flows.push(flow);
    flowsBySource.set(flow.address, flows);
  }
  const ports = rejections.ports.slice(0, limit);
  const sources = rejections.sources.slice(0, limit).map((source) => ({
    ...source,
    ports: rejectedPortsOf(
      flowsBySource.get(source.address) ?? [],
      PORTS_PER_SOURCE
    ),
  }));
  const named = await namePeers(deps.catalog, [], sources);
  return {
    statusCode: 200,
    body: {
      [ID_PARAM[kind]]: id,
      from: isoOfSeconds(from),
      to: isoOfSeconds(to),
      limit,
      // Top lists: every input keeps its busiest entries only.
      approximate: true,
      ports,
      sources: named.topRejectedSources,
      itemsRead,
    },
    table: {
      columns: [
        'kind',
        'address',
        'label',
        'port',
        'protocol',
        'flows',
        'packets',
        'bytes',
        'ports',
      ],
      rows: [
        ...ports.map((port) => ({ kind: 'port', ...port })),
        ...named.topRejectedSources.map((source) => ({
          kind: 'source',
          address: source.address,
          label: source.label,
          flows: source.flows,
          packets: source.packets,
          bytes: source.bytes,
          ports: portsCell(source.ports),
        })),
      ],
    },
  };
}

export type { RejectionsDeps };
export { queryRejections };
