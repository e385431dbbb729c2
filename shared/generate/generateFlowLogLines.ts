import type { FlowLogFormat } from '../types.js';

/** What a synthetic flow log looks like. */
interface GenerateOptions {
  readonly format: FlowLogFormat;
  readonly records: number;
  /** Distinct ENIs; traffic over them is skewed (Zipf-like). */
  readonly enis: number;
  readonly seed: number;
  /** Earliest flow start, epoch seconds. Flows start over the next 10 minutes. */
  readonly startSeconds: number;
}

/** Where generated flows start by default: 2026-11-01T00:00:00Z. */
const DEFAULT_START_SECONDS = 1_793_491_200;

/** mulberry32: small, fast, deterministic for a seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Eni {
  id: string;
  account: string;
  vpc: string;
  subnet: string;
  instance: string;
  ipv4: string;
  ipv6: string;
  az: string;
}

/** The mutable state of the record being written. */
interface Draft {
  eni: Eni;
  status: 'OK' | 'NODATA' | 'SKIPDATA';
  isReject: boolean;
  isIngress: boolean;
  isIpv6: boolean;
  src: string;
  dst: string;
  srcport: number;
  dstport: number;
  protocol: number;
  packets: number;
  bytes: number;
  start: number;
  end: number;
  tcpFlags: number;
  service: string;
}

const SERVICE_PORTS = [443, 443, 443, 80, 22, 53, 5432, 3306, 6379, 8080];
const TCP_FLAGS = [3, 19, 19, 18, 2, 0, 1, 4];
const SERVICES = ['AMAZON', 'S3', 'DYNAMODB', 'EC2', 'CLOUDFRONT'];
/** Fields that NODATA/SKIPDATA records still carry; the rest are `-`. */
const KEPT_WITHOUT_DATA = new Set([
  'version',
  'account-id',
  'interface-id',
  'start',
  'end',
  'log-status',
  'vpc-id',
  'subnet-id',
  'instance-id',
  'region',
  'az-id',
]);

const hex = (next: () => number, digits: number): string => {
  let text = '';
  for (let i = 0; i < digits; i++) text += ((next() * 16) | 0).toString(16);
  return text;
};

/** Picks an index in [0, n) with probability ~ 1/(i+1)^s, by a precomputed table. */
function zipf(next: () => number, n: number, s: number): () => number {
  const cumulative = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += 1 / (i + 1) ** s;
    cumulative[i] = sum;
  }
  return () => {
    const target = next() * sum;
    let low = 0;
    let high = n - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((cumulative[mid] as number) < target) low = mid + 1;
      else high = mid;
    }
    return low;
  };
}

/**
 * The ENIs a generator draws first from its random stream (ids, accounts,
 * VPCs, subnets, instances and own addresses), the same for a seed.
 */
function generatedEnis(next: () => number, count: number): Eni[] {
  const accounts = ['123456789012', '210987654321'];
  const enis: Eni[] = [];
  for (let i = 0; i < Math.max(1, count); i++) {
    enis.push({
      id: `eni-${hex(next, 17)}`,
      account: accounts[i % 7 === 6 ? 1 : 0] as string,
      vpc: `vpc-${hex(next, 17)}`,
      subnet: `subnet-${hex(next, 17)}`,
      instance: i % 5 === 4 ? '-' : `i-${hex(next, 17)}`,
      ipv4: `10.${i >> 8}.${i & 255}.${10 + ((next() * 200) | 0)}`,
      // As VPC Flow Logs writes them (RFC 5952: no leading zeros, `::` for
      // the longest zero run).
      ipv6: `2600:1f18:ab0:${((i % 0xffff) + 1).toString(16)}::${(1 + ((next() * 0xfffe) | 0)).toString(16)}`,
      az: `use1-az${1 + (i % 6)}`,
    });
  }
  // A fleet's ENIs share a few VPCs (one per 2,500 ENIs, at most 8) of
  // four subnets each, as real ones do: ENI i is in subnet i mod the
  // subnets, and a subnet in one VPC. The ids are the ones drawn above for
  // the first ENIs, so the random stream (and every other field) stays.
  const vpcs = Math.min(8, Math.ceil(enis.length / 2500));
  const subnets = Math.min(enis.length, vpcs * 4);
  const drawn = enis.map(({ vpc, subnet }) => ({ vpc, subnet }));
  enis.forEach((eni, i) => {
    const subnet = i % subnets;
    eni.subnet = drawn[subnet]?.subnet ?? eni.subnet;
    eni.vpc = drawn[subnet % vpcs]?.vpc ?? eni.vpc;
  });
  return enis;
}

/** The ENIs `generateFlowLogLines` writes records of, for a seed and count. */
const enisOfSample = (seed: number, count: number): readonly Eni[] =>
  generatedEnis(random(seed), count);

/**
 * Writes realistic synthetic VPC Flow Log lines (without the header) as VPC
 * Flow Logs delivers them to S3: skewed traffic over many ENIs, ~10% REJECT
 * (mostly inbound from many scanning sources), IPv4 and IPv6, NODATA and
 * SKIPDATA lines, 60 s and 600 s aggregation intervals so flows cross window
 * edges. Deterministic for a seed. Fields it has no model for are `-`.
 * @example [...generateFlowLogLines({ format, records: 10, enis: 2, seed: 1, startSeconds })]
 */
function* generateFlowLogLines(options: GenerateOptions): Generator<string> {
  const next = random(options.seed);
  const enis = generatedEnis(next, options.enis);
  const pickEni = zipf(next, enis.length, 1.1);
  const peerCount = 5000;
  const pickPeer = zipf(next, peerCount, 1.2);
  const peer = (index: number, isIpv6: boolean): string =>
    isIpv6
      ? `2a05:d018:${((index >> 8) + 1).toString(16)}::${((index & 255) + 1).toString(16)}`
      : `${index % 3 === 0 ? 10 : 52}.${(index >> 8) & 255}.${index & 255}.${(index * 7) & 255}`;
  const scanner = (): string =>
    `${1 + ((next() * 222) | 0)}.${(next() * 256) | 0}.${(next() * 256) | 0}.${(next() * 256) | 0}`;
  const draft = {} as Draft;
  const version = String(
    Math.max(2, ...options.format.fields.map((field) => field.version))
  );
  const emit = options.format.fields.map((field) =>
    fieldWriter(field.name, draft, next, version)
  );
  const names = options.format.fields.map((field) => field.name);
  for (let n = 0; n < options.records; n++) {
    const eni = enis[pickEni()] as Eni;
    const roll = next();
    draft.eni = eni;
    draft.status = roll < 0.004 ? 'NODATA' : roll < 0.005 ? 'SKIPDATA' : 'OK';
    draft.isReject = next() < 0.1;
    draft.isIngress = draft.isReject ? next() < 0.9 : next() < 0.5;
    draft.isIpv6 = next() < 0.15;
    const self = draft.isIpv6 ? eni.ipv6 : eni.ipv4;
    const other =
      draft.isReject && draft.isIngress && !draft.isIpv6
        ? scanner()
        : peer(pickPeer(), draft.isIpv6);
    const servicePort = SERVICE_PORTS[
      (next() * SERVICE_PORTS.length) | 0
    ] as number;
    const ephemeral = 32768 + ((next() * 28232) | 0);
    const isClientOutside = draft.isIngress;
    draft.src = draft.isIngress ? other : self;
    draft.dst = draft.isIngress ? self : other;
    draft.srcport = isClientOutside ? ephemeral : servicePort;
    draft.dstport = isClientOutside ? servicePort : ephemeral;
    const kind = next();
    draft.protocol = kind < 0.8 ? 6 : kind < 0.95 ? 17 : draft.isIpv6 ? 58 : 1;
    if (draft.protocol !== 6 && draft.protocol !== 17) {
      draft.srcport = 0;
      draft.dstport = 0;
    }
    draft.packets = draft.isReject
      ? 1 + ((next() * 3) | 0)
      : 1 + Math.floor(next() ** 4 * 20000);
    draft.bytes = draft.packets * (40 + ((next() * 1460) | 0));
    const interval = next() < 0.7 ? 60 : 600;
    draft.start = options.startSeconds + ((next() * 600) | 0);
    draft.end = draft.start + ((next() * interval) | 0);
    draft.tcpFlags = draft.isReject
      ? 2
      : (TCP_FLAGS[(next() * TCP_FLAGS.length) | 0] as number);
    draft.service =
      next() < 0.2 ? (SERVICES[(next() * SERVICES.length) | 0] as string) : '-';
    let line = '';
    for (let i = 0; i < emit.length; i++) {
      const name = names[i] as string;
      const value =
        draft.status !== 'OK' && !KEPT_WITHOUT_DATA.has(name)
          ? '-'
          : (emit[i] as () => string)();
      line = i === 0 ? value : `${line} ${value}`;
    }
    yield line;
  }
}

function fieldWriter(
  name: string,
  d: Draft,
  next: () => number,
  version: string
): () => string {
  switch (name) {
    case 'version':
      return () => version;
    case 'account-id':
      return () => d.eni.account;
    case 'interface-id':
      return () => d.eni.id;
    case 'srcaddr':
    case 'pkt-srcaddr':
      return () => d.src;
    case 'dstaddr':
    case 'pkt-dstaddr':
      return () => d.dst;
    case 'srcport':
      return () => String(d.srcport);
    case 'dstport':
      return () => String(d.dstport);
    case 'protocol':
      return () => String(d.protocol);
    case 'packets':
      return () => String(d.packets);
    case 'bytes':
      return () => String(d.bytes);
    case 'start':
      return () => String(d.start);
    case 'end':
      return () => String(d.end);
    case 'action':
      return () => (d.isReject ? 'REJECT' : 'ACCEPT');
    case 'log-status':
      return () => d.status;
    case 'vpc-id':
      return () => d.eni.vpc;
    case 'subnet-id':
      return () => d.eni.subnet;
    case 'instance-id':
      return () => d.eni.instance;
    case 'tcp-flags':
      return () => (d.protocol === 6 ? String(d.tcpFlags) : '0');
    case 'type':
      return () => (d.isIpv6 ? 'IPv6' : 'IPv4');
    case 'region':
      return () => 'us-east-1';
    case 'az-id':
      return () => d.eni.az;
    case 'pkt-src-aws-service':
      return () => (d.isIngress ? d.service : '-');
    case 'pkt-dst-aws-service':
      return () => (d.isIngress ? '-' : d.service);
    case 'flow-direction':
      return () => (d.isIngress ? 'ingress' : 'egress');
    case 'traffic-path':
      return () => (d.isIngress ? '-' : String(1 + ((next() * 8) | 0)));
    case 'reject-reason':
      return () => (d.isReject && next() < 0.05 ? 'BPA' : '-');
    case 'encryption-status':
      return () => String((next() * 4) | 0);
    case 'instance-tag':
      return () => (d.eni.instance === '-' ? '-' : 'web');
    case 'interface-type':
      return () => (d.eni.instance === '-' ? 'nat_gateway' : '-');
    default:
      return () => '-';
  }
}

export type { Eni as GeneratedEni, GenerateOptions };
export { DEFAULT_START_SECONDS, enisOfSample, generateFlowLogLines };
