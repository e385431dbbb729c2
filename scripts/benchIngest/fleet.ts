/**
 * The fleets `npm run bench:ingest` delivers, the two objects of each (their
 * specs and S3 keys), and what an object's flow-log text measures.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { DEFAULT_START_SECONDS } from '../../shared/generate/generateFlowLogLines.js';
import type { FileSpec } from '../benchProcess.js';

interface Fleet {
  readonly name: string;
  readonly records: number;
  readonly enis: number;
  readonly seed: number;
  /** v2 (no VPC or subnet: account scopes only) or v5 (every scope). */
  readonly format: 'v2' | 'v5';
  /** How the objects are delivered (default gzip text). */
  readonly fileFormat?: 'text' | 'parquet';
}

/** `--quick`: 200k records, 2,000 ENIs (v2, and v5). */
const QUICK_FLEETS: readonly Fleet[] = [
  {
    name: '2k',
    records: 200_000,
    enis: 2000,
    seed: 3,
    format: 'v2' as const,
  },
  {
    name: '2k-v5',
    records: 200_000,
    enis: 2000,
    seed: 3,
    format: 'v5' as const,
  },
];

/** 2M records over 2,000 and 20,000 ENIs (v2, v5, and v2 as Parquet). */
const FLEETS: readonly Fleet[] = [
  {
    name: '2k',
    records: 2_000_000,
    enis: 2000,
    seed: 3,
    format: 'v2' as const,
  },
  {
    name: '20k',
    records: 2_000_000,
    enis: 20_000,
    seed: 3,
    format: 'v2' as const,
  },
  {
    name: '20k-v5',
    records: 2_000_000,
    enis: 20_000,
    seed: 3,
    format: 'v5' as const,
  },
  {
    // The 20k fleet's records again, delivered as Parquet.
    name: '20k-parquet',
    records: 2_000_000,
    enis: 20_000,
    seed: 3,
    format: 'v2' as const,
    fileFormat: 'parquet' as const,
  },
];

/** The two objects of a fleet: the first, and the same fleet 300 s later. */
const objectsOf = (fleet: Fleet): FileSpec[] =>
  [0, 300].map((offset) => ({
    name: `${fleet.format}-${fleet.records >= 1e6 ? `${fleet.records / 1e6}m` : `${fleet.records / 1000}k`}-${fleet.enis}enis-s${fleet.seed}${offset ? `-plus${offset}s` : ''}`,
    format: fleet.format,
    records: fleet.records,
    enis: fleet.enis,
    seed: fleet.seed,
    start: DEFAULT_START_SECONDS + offset,
  }));

const keyOf = (index: number, suffix: '.log.gz' | '.log.parquet') =>
  `AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/01/123456789012_vpcflowlogs_us-east-1_fl-0123456789abcdef0_20261101T0000Z_${String(index).padStart(8, '0')}${suffix}`;

/** Bytes of flow-log text (what CloudWatch Logs would ingest) and distinct ENIs of a gzip file. */
async function textOf(path: string): Promise<{ bytes: number; enis: number }> {
  const gunzip = createReadStream(path).pipe(createGunzip());
  let bytes = 0;
  gunzip.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  const enis = new Set<string>();
  let column = -1;
  for await (const line of createInterface({ input: gunzip })) {
    const fields = line.split(' ');
    if (column < 0) {
      column = fields.indexOf('interface-id');
      continue;
    }
    enis.add(fields[column] ?? '');
  }
  return { bytes, enis: enis.size };
}

export { FLEETS, type Fleet, keyOf, objectsOf, QUICK_FLEETS, textOf };
