/**
 * An independent, deliberately naive implementation of the DESIGN.md rollup
 * rules (counters only), written from the text of the rules, with BigInt
 * arithmetic. Tests compare both production paths against it. It expects
 * valid, header-less lines of the given field names.
 */
const W = 300n;

interface ReferenceCounters {
  flows: number;
  packets: number;
  bytes: number;
  acceptFlows: number;
  acceptPackets: number;
  acceptBytes: number;
  rejectFlows: number;
  rejectPackets: number;
  rejectBytes: number;
  nodataRecords: number;
  skipdataRecords: number;
  ingressBytes: number;
  egressBytes: number;
  tcpBytes: number;
  udpBytes: number;
  icmpBytes: number;
  otherBytes: number;
  synOnlyFlows: number;
}

const empty = (): ReferenceCounters => ({
  flows: 0,
  packets: 0,
  bytes: 0,
  acceptFlows: 0,
  acceptPackets: 0,
  acceptBytes: 0,
  rejectFlows: 0,
  rejectPackets: 0,
  rejectBytes: 0,
  nodataRecords: 0,
  skipdataRecords: 0,
  ingressBytes: 0,
  egressBytes: 0,
  tcpBytes: 0,
  udpBytes: 0,
  icmpBytes: 0,
  otherBytes: 0,
  synOnlyFlows: 0,
});

/** Shares of `total` per window for active seconds [start, end + 1). */
function shares(
  total: bigint,
  start: bigint,
  end: bigint,
  mode: 'prorate' | 'start'
): Map<bigint, bigint> {
  const first = (start / W) * W;
  const result = new Map<bigint, bigint>();
  if (mode === 'start') {
    result.set(first, total);
    return result;
  }
  const seconds = end - start + 1n;
  const windows: { window: bigint; part: bigint; remainder: bigint }[] = [];
  for (let window = first; window <= end; window += W) {
    const from = start > window ? start : window;
    const to = end + 1n < window + W ? end + 1n : window + W;
    const exact = total * (to - from);
    windows.push({
      window,
      part: exact / seconds,
      remainder: exact % seconds,
    });
  }
  let left = total - windows.reduce((sum, w) => sum + w.part, 0n);
  const order = [...windows].sort((a, b) =>
    a.remainder === b.remainder
      ? Number(a.window - b.window)
      : Number(b.remainder - a.remainder)
  );
  for (const w of order) {
    if (left === 0n) break;
    w.part += 1n;
    left -= 1n;
  }
  for (const w of windows) result.set(w.window, w.part);
  return result;
}

/** Rolls up valid lines; keys are `${interfaceId} ${windowStart}`. */
function referenceRollup(
  lines: readonly string[],
  fieldNames: readonly string[],
  mode: 'prorate' | 'start'
): Map<string, ReferenceCounters> {
  const rollups = new Map<string, ReferenceCounters>();
  const at = (eni: string, window: bigint): ReferenceCounters => {
    const key = `${eni} ${window}`;
    let counters = rollups.get(key);
    if (!counters) {
      counters = empty();
      rollups.set(key, counters);
    }
    return counters;
  };
  for (const line of lines) {
    const values = new Map(
      line.split(' ').map((value, i) => [fieldNames[i] ?? '', value])
    );
    const get = (name: string): string => values.get(name) ?? '-';
    const toSeconds = (text: string): bigint => {
      const value = BigInt(text);
      return value >= 1_000_000_000_000n ? value / 1000n : value;
    };
    const eni = get('interface-id');
    const start = toSeconds(get('start'));
    const end = toSeconds(get('end'));
    const first = at(eni, (start / W) * W);
    const status = get('log-status');
    if (status === 'NODATA') {
      first.nodataRecords++;
      continue;
    }
    if (status === 'SKIPDATA') {
      first.skipdataRecords++;
      continue;
    }
    const action = get('action');
    first.flows++;
    if (action === 'ACCEPT') first.acceptFlows++;
    if (action === 'REJECT') first.rejectFlows++;
    if (get('tcp-flags') === '2') first.synOnlyFlows++;
    const num = (name: string): bigint =>
      get(name) === '-' ? 0n : BigInt(get(name));
    const byteShares = shares(num('bytes'), start, end, mode);
    const packetShares = shares(num('packets'), start, end, mode);
    const protocol = get('protocol');
    const direction = get('flow-direction');
    for (const [window, part] of byteShares) {
      const counters = at(eni, window);
      const bytes = Number(part);
      const packets = Number(packetShares.get(window) ?? 0n);
      counters.bytes += bytes;
      counters.packets += packets;
      if (action === 'ACCEPT') {
        counters.acceptBytes += bytes;
        counters.acceptPackets += packets;
      }
      if (action === 'REJECT') {
        counters.rejectBytes += bytes;
        counters.rejectPackets += packets;
      }
      if (direction === 'ingress') counters.ingressBytes += bytes;
      if (direction === 'egress') counters.egressBytes += bytes;
      if (protocol === '6') counters.tcpBytes += bytes;
      else if (protocol === '17') counters.udpBytes += bytes;
      else if (protocol === '1' || protocol === '58')
        counters.icmpBytes += bytes;
      else if (protocol !== '-') counters.otherBytes += bytes;
    }
  }
  return rollups;
}

export type { ReferenceCounters };
export { referenceRollup };
