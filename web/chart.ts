import uPlot from 'uplot';
import type { SeriesRow } from './api.js';
import { short } from './dom.js';

/** What a chart plots of a series: bytes or packets, accepted, rejected, by direction. */
type Quantity = 'bytes' | 'packets';

/**
 * Lines that stay apart in greyscale: accepted solid and dark, rejected
 * dashed, ingress dotted, egress dash-dot.
 */
const LINES = [
  { key: 'accept', label: 'accepted', stroke: '#1b4f9c', dash: [] },
  { key: 'reject', label: 'rejected', stroke: '#c0392b', dash: [8, 4] },
  { key: 'ingress', label: 'ingress', stroke: '#2e7d32', dash: [2, 3] },
  { key: 'egress', label: 'egress', stroke: '#6a1b9a', dash: [10, 3, 2, 3] },
] as const;

const COUNTER = {
  bytes: {
    accept: 'acceptBytes',
    reject: 'rejectBytes',
    ingress: 'ingressBytes',
    egress: 'egressBytes',
  },
  packets: {
    accept: 'acceptPackets',
    reject: 'rejectPackets',
    ingress: 'ingressPackets',
    egress: 'egressPackets',
  },
} as const;

const numberOf = (row: SeriesRow, name: string): number | null => {
  const value = row[name];
  return typeof value === 'number' ? value : null;
};

/**
 * Draws SKIPDATA windows as shaded bands: AWS lost records there.
 */
function skipdataPlugin(starts: readonly number[], step: number): uPlot.Plugin {
  return {
    hooks: {
      draw: (u: uPlot) => {
        const { ctx } = u;
        const { top, height } = u.bbox;
        ctx.save();
        ctx.fillStyle = 'rgba(120, 120, 120, 0.25)';
        for (const start of starts) {
          const left = u.valToPos(start, 'x', true);
          const right = u.valToPos(start + step, 'x', true);
          ctx.fillRect(left, top, Math.max(2, right - left), height);
        }
        ctx.restore();
      },
    },
  };
}

/**
 * A chart of one quantity over [from, to) in `into`, with a legend: one
 * point per step with data, and a gap (not a line, not a zero) over steps
 * no data touched; ingress and egress only when the rows have them.
 */
function drawChart(
  into: HTMLElement,
  rows: readonly SeriesRow[],
  quantity: Quantity,
  range: { readonly from: number; readonly to: number; readonly step: number }
): uPlot {
  const { from, to, step } = range;
  const byStart = new Map(rows.map((row) => [row.windowStart, row]));
  const xs: number[] = [];
  for (let start = from - (from % step); start < to; start += step) {
    xs.push(start);
  }
  const rowAt = (start: number): SeriesRow =>
    byStart.get(start) ?? { windowStart: start };
  const lines = LINES.filter(
    (line) =>
      (line.key !== 'ingress' && line.key !== 'egress') ||
      rows.some((row) => numberOf(row, COUNTER[quantity][line.key]) !== null)
  );
  const data: uPlot.AlignedData = [
    xs,
    ...lines.map((line) =>
      xs.map((start) => numberOf(rowAt(start), COUNTER[quantity][line.key]))
    ),
  ];
  const skipped = rows
    .filter((row) => (numberOf(row, 'skipdataRecords') ?? 0) > 0)
    .map((row) => row.windowStart);
  const width = Math.max(320, into.clientWidth || 1000);
  return new uPlot(
    {
      title: quantity === 'bytes' ? 'Bytes' : 'Packets',
      width,
      height: 220,
      scales: { x: { time: true, range: [xs[0] ?? from, xs.at(-1) ?? to] } },
      series: [
        { label: 'time (UTC)' },
        ...lines.map((line) => ({
          label: line.label,
          stroke: line.stroke,
          dash: [...line.dash],
          width: 2,
          points: { show: rows.length < 60 },
        })),
      ],
      axes: [
        {},
        { size: 60, values: (_: uPlot, splits: number[]) => splits.map(short) },
      ],
      tzDate: (seconds: number) =>
        uPlot.tzDate(new Date(seconds * 1e3), 'Etc/UTC'),
      plugins: [skipdataPlugin(skipped, step)],
    },
    data,
    into
  );
}

export type { Quantity };
export { drawChart };
