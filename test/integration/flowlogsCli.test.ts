import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Rollup } from '../../shared/types.js';

/** The repository root, wherever this clone lives. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LAUNCHER = join('scripts', 'flowlogs.mjs');

interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node scripts/flowlogs.mjs ...args` from the repository root. */
function runCli(args: readonly string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LAUNCHER, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({
        code,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
  });
}

const jsonLines = (text: string): unknown[] =>
  text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line): unknown => JSON.parse(line));

/** The stats summary that `rollup` writes as the last line of stderr. */
interface RollupSummary {
  readonly file: string;
  readonly rollups: number;
  readonly records: number;
  readonly nodataRecords: number;
  readonly skipdataRecords: number;
  readonly badRecords: number;
  readonly badRecordSamples: readonly {
    readonly lineNumber: number;
    readonly reason: string;
  }[];
}

const summaryOf = (stderr: string): RollupSummary => {
  const lines = stderr.split('\n').filter((line) => line.trim() !== '');
  return JSON.parse(lines[lines.length - 1] ?? 'null') as RollupSummary;
};

const rollupsOf = (stdout: string): Rollup[] => jsonLines(stdout) as Rollup[];

/** The counters every rollup has, in a fixed shape for exact comparison. */
const REQUIRED_KEYS = [
  'interfaceId',
  'windowStart',
  'flows',
  'packets',
  'bytes',
  'acceptFlows',
  'acceptPackets',
  'acceptBytes',
  'rejectFlows',
  'rejectPackets',
  'rejectBytes',
  'nodataRecords',
  'skipdataRecords',
] as const;

type CoreRollup = Pick<Rollup, (typeof REQUIRED_KEYS)[number]>;

const core = (rollup: Rollup): CoreRollup => ({
  interfaceId: rollup.interfaceId,
  windowStart: rollup.windowStart,
  flows: rollup.flows,
  packets: rollup.packets,
  bytes: rollup.bytes,
  acceptFlows: rollup.acceptFlows,
  acceptPackets: rollup.acceptPackets,
  acceptBytes: rollup.acceptBytes,
  rejectFlows: rollup.rejectFlows,
  rejectPackets: rollup.rejectPackets,
  rejectBytes: rollup.rejectBytes,
  nodataRecords: rollup.nodataRecords,
  skipdataRecords: rollup.skipdataRecords,
});

/** A rollup with every counter zero unless given. */
const counts = (
  interfaceId: string,
  windowStart: number,
  counters: Partial<Omit<CoreRollup, 'interfaceId' | 'windowStart'>>
): CoreRollup => ({
  interfaceId,
  windowStart,
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
  ...counters,
});

/** A `${...}` format string, as given to CreateFlowLogs, of these fields. */
const formatString = (names: readonly string[]): string =>
  names.map((name) => `\${${name}}`).join(' ');

const V2_HEADER =
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';

const V5_HEADER =
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region az-id sublocation-type sublocation-id pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path';

/** The v2 examples from the AWS flow-log record documentation. */
const V2_LINES = [
  '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK',
  '2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK',
  '2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA',
];

const V2_RECORDS = [
  {
    version: 2,
    'account-id': '123456789010',
    'interface-id': 'eni-1235b8ca123456789',
    srcaddr: '172.31.16.139',
    dstaddr: '172.31.16.21',
    srcport: 20641,
    dstport: 22,
    protocol: 6,
    packets: 20,
    bytes: 4249,
    start: 1418530010,
    end: 1418530070,
    action: 'ACCEPT',
    'log-status': 'OK',
  },
  {
    version: 2,
    'account-id': '123456789010',
    'interface-id': 'eni-1235b8ca123456789',
    srcaddr: '172.31.9.69',
    dstaddr: '172.31.9.12',
    srcport: 49761,
    dstport: 3389,
    protocol: 6,
    packets: 20,
    bytes: 4249,
    start: 1418530010,
    end: 1418530070,
    action: 'REJECT',
    'log-status': 'OK',
  },
  {
    version: 2,
    'account-id': '123456789010',
    'interface-id': 'eni-1235b8ca123456789',
    srcaddr: null,
    dstaddr: null,
    srcport: null,
    dstport: null,
    protocol: null,
    packets: null,
    bytes: null,
    start: 1431280876,
    end: 1431280934,
    action: null,
    'log-status': 'NODATA',
  },
];

const ENI_A = 'eni-0aaaaaaaaaaaaaaaa';
const ENI_B = 'eni-0bbbbbbbbbbbbbbbb';
/** Three consecutive 300 s windows (1793491200 = 300 * 5978304). */
const W0 = 1_793_491_200;
const W1 = W0 + 300;
const W2 = W0 + 600;

/**
 * A hand-written v2 log over two ENIs and three windows. ENI B comes first
 * so that the output order is the CLI's, not the input's.
 */
const ROLLUP_TEXT = [
  V2_HEADER,
  // B: 30 s, 10 s in W0 and 20 s in W1.
  `2 123456789012 ${ENI_B} 10.0.0.5 52.1.2.3 443 50000 6 3 100 ${W0 + 290} ${W0 + 319} ACCEPT OK`,
  // A: 60 s in W2.
  `2 123456789012 ${ENI_A} 198.51.100.7 10.0.0.9 40000 22 6 2 120 ${W2 + 10} ${W2 + 69} REJECT OK`,
  // A: 60 s in W0.
  `2 123456789012 ${ENI_A} 10.0.0.9 52.1.2.3 50001 443 6 10 5000 ${W0} ${W0 + 59} ACCEPT OK`,
  `2 123456789012 ${ENI_A} - - - - - - - ${W1} ${W1 + 59} - NODATA`,
  `2 123456789012 ${ENI_B} - - - - - - - ${W2} ${W2 + 59} - SKIPDATA`,
  // A: 600 s, 100 s in W0, 300 s in W1, 200 s in W2.
  `2 123456789012 ${ENI_A} 10.0.0.9 52.1.2.4 50002 443 6 7 1000 ${W0 + 200} ${W0 + 799} ACCEPT OK`,
  // B: 20 s, 10 s in W0 and 10 s in W1: remainder ties go to W0.
  `2 123456789012 ${ENI_B} 203.0.113.9 10.0.0.5 40001 443 6 1 101 ${W0 + 290} ${W0 + 309} REJECT OK`,
  // Line 9: a bad record.
  `2 123456789012 ${ENI_A} 10.0.0.9 52.1.2.4 50002 443 6 many 1000 ${W0} ${W0 + 59} ACCEPT OK`,
  '',
].join('\n');

const TGW_HEADER =
  'version resource-type account-id tgw-id tgw-attachment-id tgw-src-vpc-account-id tgw-dst-vpc-account-id tgw-src-vpc-id tgw-dst-vpc-id tgw-src-subnet-id tgw-dst-subnet-id tgw-src-eni tgw-dst-eni tgw-src-az-id tgw-dst-az-id tgw-pair-attachment-id srcaddr dstaddr srcport dstport protocol packets bytes start end log-status type packets-lost-no-route packets-lost-blackhole packets-lost-mtu-exceeded packets-lost-ttl-expired tcp-flags region flow-direction pkt-src-aws-service pkt-dst-aws-service';

const TGW_LINE = `6 TransitGateway 123456789010 tgw-02c8a9ccaa77bd5e1 tgw-attach-0e7a1c9dd4a9f6c89 123456789010 123456789010 vpc-0f1c8b6f0b0d1e7ea vpc-0a2b7fef8c8d4a3a0 subnet-0a7b2b3c4d5e6f7a8 subnet-0b8c9d0e1f2a3b4c5 eni-0a1b2c3d4e5f6a7b8 eni-0b2c3d4e5f6a7b8c9 use1-az1 use1-az2 tgw-attach-0f1e2d3c4b5a69788 10.0.1.5 10.1.2.6 443 49152 6 10 840 ${W0} ${W0 + 59} OK IPv4 0 0 0 0 19 us-east-1 egress - -`;

/** The gunzipped text of a generated file, split into header and rows. */
async function readGenerated(
  path: string
): Promise<{ text: string; header: string; rows: string[][] }> {
  const text = gunzipSync(await readFile(path)).toString('utf8');
  const [header = '', ...lines] = text
    .split('\n')
    .filter((line) => line !== '');
  return { text, header, rows: lines.map((line) => line.split(' ')) };
}

describe('flowlogs CLI', () => {
  let dir = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flowlogs-cli-'));
  });

  afterAll(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  describe('parse', () => {
    it('prints a plain v2 file with a header as JSON keyed by field name', async () => {
      // Prepare
      const file = join(dir, 'plain-v2.log');
      await writeFile(file, `${V2_HEADER}\n${V2_LINES.join('\n')}\n`);

      // Act
      const result = await runCli(['parse', file]);

      // Assess
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      const records = jsonLines(result.stdout);
      expect(records).toEqual(V2_RECORDS);
      for (const record of records) {
        expect(Object.keys(record as object)).toEqual(V2_HEADER.split(' '));
      }
      expect(result.stdout).toBe(
        `${V2_RECORDS.map((record) => JSON.stringify(record)).join('\n')}\n`
      );
    });

    it('prints a gzipped file the same as its plain text', async () => {
      // Prepare
      const file = join(dir, 'gzipped-v2.log.gz');
      await writeFile(file, gzipSync(`${V2_HEADER}\n${V2_LINES.join('\n')}\n`));

      // Act
      const result = await runCli(['parse', file]);

      // Assess
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      expect(jsonLines(result.stdout)).toEqual(V2_RECORDS);
    });

    it('reads a headerless file with a custom --format string', async () => {
      // Prepare
      const fields = [
        'interface-id',
        'start',
        'end',
        'bytes',
        'action',
        'flow-direction',
        'tcp-flags',
        'pkt-src-aws-service',
      ];
      const format = formatString(fields);
      const file = join(dir, 'custom.log');
      await writeFile(
        file,
        [
          `${ENI_A} ${W0} ${W0 + 59} 5000 ACCEPT ingress 19 S3`,
          `${ENI_B} ${W1} ${W1 + 9} - REJECT egress 2 -`,
          '',
        ].join('\n')
      );

      // Act
      const result = await runCli(['parse', file, '--format', format]);

      // Assess
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      const records = jsonLines(result.stdout);
      expect(records).toEqual([
        {
          'interface-id': ENI_A,
          start: W0,
          end: W0 + 59,
          bytes: 5000,
          action: 'ACCEPT',
          'flow-direction': 'ingress',
          'tcp-flags': 19,
          'pkt-src-aws-service': 'S3',
        },
        {
          'interface-id': ENI_B,
          start: W1,
          end: W1 + 9,
          bytes: null,
          action: 'REJECT',
          'flow-direction': 'egress',
          'tcp-flags': 2,
          'pkt-src-aws-service': null,
        },
      ]);
      for (const record of records) {
        expect(Object.keys(record as object)).toEqual(fields);
      }
    });

    it('reports bad lines on stderr by line number and still prints the good ones', async () => {
      // Prepare
      const [first = '', second = '', third = ''] = V2_LINES;
      const file = join(dir, 'bad-lines.log');
      await writeFile(
        file,
        [
          V2_HEADER,
          first,
          '2 123456789010 eni-1235b8ca123456789 too few fields',
          second,
          first.replace(' 20 4249 ', ' 20 lots '),
          third,
          '',
        ].join('\n')
      );

      // Act
      const result = await runCli(['parse', file]);

      // Assess
      expect(result.code).toBe(0);
      expect(jsonLines(result.stdout)).toEqual(V2_RECORDS);
      const errors = result.stderr
        .split('\n')
        .filter((line) => line.trim() !== '');
      expect(errors).toHaveLength(2);
      expect(errors[0]).toMatch(/\bline 3\b/);
      expect(errors[0]).toMatch(/field/);
      expect(errors[1]).toMatch(/\bline 5\b/);
      expect(errors[1]).toMatch(/bytes/);
    });

    it('exits 1 for a file that does not exist', async () => {
      // Prepare
      const file = join(dir, 'no-such-file.log');

      // Act
      const result = await runCli(['parse', file]);

      // Assess
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('no-such-file.log');
    });

    it('exits 1 naming the file for truncated gzip', async () => {
      // Prepare
      const lines = Array.from(
        { length: 200 },
        (_, i) =>
          `2 123456789012 ${ENI_A} 10.0.${i % 256}.1 52.1.${i % 7}.3 ${40000 + i} 443 6 ${i + 1} ${1000 * (i + 1)} ${W0 + i} ${W0 + i + 59} ACCEPT OK`
      );
      const whole = gzipSync(`${V2_HEADER}\n${lines.join('\n')}\n`);
      const file = join(dir, 'truncated.log.gz');
      await writeFile(file, whole.subarray(0, whole.length >> 1));

      // Act
      const parsed = await runCli(['parse', file]);
      const rolled = await runCli(['rollup', file]);

      // Assess
      expect(parsed.code).toBe(1);
      expect(parsed.stderr).toContain(file);
      expect(rolled.code).toBe(1);
      expect(rolled.stderr).toContain(file);
      expect(rolled.stdout).toBe('');
    });
  });

  describe('usage', () => {
    it('exits 2 for an unknown command', async () => {
      // Prepare
      const file = join(dir, 'usage.log');
      await writeFile(file, `${V2_HEADER}\n${V2_LINES.join('\n')}\n`);

      // Act
      const result = await runCli(['summarise', file]);

      // Assess
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('summarise');
    });

    it('exits 2 for a bad --window-mode', async () => {
      // Prepare
      const file = join(dir, 'usage-window.log');
      await writeFile(file, `${V2_HEADER}\n${V2_LINES.join('\n')}\n`);

      // Act
      const result = await runCli(['rollup', file, '--window-mode', 'end']);

      // Assess
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('--window-mode');
    });

    it('exits 2 when FILE is missing', async () => {
      // Prepare
      const commands = [['parse'], ['rollup', '--window-mode', 'start']];

      // Act
      const results = await Promise.all(commands.map((args) => runCli(args)));

      // Assess
      for (const result of results) {
        expect(result.code).toBe(2);
        expect(result.stdout).toBe('');
      }
    });

    it('exits 2 for a --format that is not a format', async () => {
      // Prepare
      const file = join(dir, 'usage-format.log');
      await writeFile(file, `${V2_LINES.join('\n')}\n`);

      // Act
      const result = await runCli([
        'parse',
        file,
        '--format',
        `${formatString(['interface-id'])} \${start`,
      ]);

      // Assess
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('--format');
    });

    it('review finding: exits 2 for a mistyped or unusable --format', async () => {
      // Prepare
      const file = join(dir, 'usage-format-typo.log');
      await writeFile(file, `${V2_LINES.join('\n')}\n`);
      const out = join(dir, 'never.log.gz');
      const calls = [
        ['parse', file, '--format', 'v3'],
        ['generate', '--records', '2', '--format', 'v4', '--out', out],
        ['rollup', file, '--format', formatString(['interface-id', 'bytes'])],
      ];

      // Act
      const results = await Promise.all(calls.map((args) => runCli(args)));

      // Assess
      for (const result of results) {
        expect(result.code).toBe(2);
        expect(result.stdout).toBe('');
        expect(result.stderr).toContain('--format');
      }
    });
  });

  describe('rollup', () => {
    it('prorates bytes and packets over windows by seconds of overlap', async () => {
      // Prepare
      const file = join(dir, 'rollup.log');
      await writeFile(file, ROLLUP_TEXT);

      // Act
      const result = await runCli(['rollup', file]);

      // Assess
      expect(result.code).toBe(0);
      const rollups = rollupsOf(result.stdout);
      expect(rollups.map(core)).toEqual([
        // 5000 + 1000 * 100/600 = 5000 + 166.7 (remainder 400 of 600: +1).
        counts(ENI_A, W0, {
          flows: 2,
          packets: 11,
          bytes: 5167,
          acceptFlows: 2,
          acceptPackets: 11,
          acceptBytes: 5167,
        }),
        // 7 * 300/600 = 3.5 (remainder 300, the largest: +1); 1000 * 300/600.
        counts(ENI_A, W1, {
          packets: 4,
          bytes: 500,
          acceptPackets: 4,
          acceptBytes: 500,
          nodataRecords: 1,
        }),
        // 120 rejected; 7 * 200/600 = 2.33 and 1000 * 200/600 = 333.3.
        counts(ENI_A, W2, {
          flows: 1,
          packets: 4,
          bytes: 453,
          acceptPackets: 2,
          acceptBytes: 333,
          rejectFlows: 1,
          rejectPackets: 2,
          rejectBytes: 120,
        }),
        // 100 * 10/30 = 33.3 and 3 * 10/30 = 1; 101 * 10/20 = 50.5 (tie: +1)
        // and 1 * 10/20 = 0.5 (tie: +1).
        counts(ENI_B, W0, {
          flows: 2,
          packets: 2,
          bytes: 84,
          acceptFlows: 1,
          acceptPackets: 1,
          acceptBytes: 33,
          rejectFlows: 1,
          rejectPackets: 1,
          rejectBytes: 51,
        }),
        // No flow starts here: 100 * 20/30 = 66.7 (+1), 3 * 20/30 = 2, 50.5.
        counts(ENI_B, W1, {
          packets: 2,
          bytes: 117,
          acceptPackets: 2,
          acceptBytes: 67,
          rejectBytes: 50,
        }),
        counts(ENI_B, W2, { skipdataRecords: 1 }),
      ]);
      for (const rollup of rollups) {
        expect(rollup.windowStart % 300).toBe(0);
      }
    });

    it('writes a summary of records and bad records to stderr', async () => {
      // Prepare
      const file = join(dir, 'rollup-summary.log');
      await writeFile(file, ROLLUP_TEXT);

      // Act
      const result = await runCli(['rollup', file]);

      // Assess
      expect(result.code).toBe(0);
      const summary = summaryOf(result.stderr);
      expect(summary).toMatchObject({
        records: 7,
        nodataRecords: 1,
        skipdataRecords: 1,
        badRecords: 1,
      });
      expect(summary.badRecordSamples).toHaveLength(1);
      expect(summary.badRecordSamples[0]).toMatchObject({ lineNumber: 9 });
    });

    it('puts all traffic in the window of start with --window-mode start', async () => {
      // Prepare
      const file = join(dir, 'rollup-start.log');
      await writeFile(file, gzipSync(ROLLUP_TEXT));

      // Act
      const result = await runCli(['rollup', file, '--window-mode', 'start']);

      // Assess
      expect(result.code).toBe(0);
      expect(rollupsOf(result.stdout).map(core)).toEqual([
        counts(ENI_A, W0, {
          flows: 2,
          packets: 17,
          bytes: 6000,
          acceptFlows: 2,
          acceptPackets: 17,
          acceptBytes: 6000,
        }),
        counts(ENI_A, W1, { nodataRecords: 1 }),
        counts(ENI_A, W2, {
          flows: 1,
          packets: 2,
          bytes: 120,
          rejectFlows: 1,
          rejectPackets: 2,
          rejectBytes: 120,
        }),
        counts(ENI_B, W0, {
          flows: 2,
          packets: 4,
          bytes: 201,
          acceptFlows: 1,
          acceptPackets: 3,
          acceptBytes: 100,
          rejectFlows: 1,
          rejectPackets: 1,
          rejectBytes: 101,
        }),
        counts(ENI_B, W2, { skipdataRecords: 1 }),
      ]);
      expect(summaryOf(result.stderr)).toMatchObject({
        records: 7,
        badRecords: 1,
      });
    });

    it('adds the seconds of its phases to the summary with --timing, and only then', async () => {
      // Prepare
      const file = join(dir, 'rollup-timing.log');
      await writeFile(
        file,
        `${V2_HEADER}\n2 123456789012 ${ENI_A} 10.0.0.9 52.1.2.3 50000 443 6 3 100 1793491490 1793491519 ACCEPT OK\n`
      );

      // Act
      const timed = await runCli(['rollup', file, '--timing']);
      const plain = await runCli(['rollup', file]);

      // Assess
      expect(timed.code).toBe(0);
      expect(timed.stdout).toBe(plain.stdout);
      const { seconds, ...rest } = summaryOf(timed.stderr) as RollupSummary & {
        seconds?: Record<string, number>;
      };
      expect(rest).toEqual(summaryOf(plain.stderr));
      // The main thread's CPU, where Linux tells it.
      const hasThreadCpu = existsSync('/proc/thread-self/schedstat');
      expect(Object.keys(seconds ?? {})).toEqual([
        'start',
        'scan',
        'readOut',
        ...(hasThreadCpu ? ['mainThreadCpu'] : []),
      ]);
      if (hasThreadCpu) expect(seconds?.mainThreadCpu).toBeGreaterThan(0);
      for (const value of Object.values(seconds ?? {})) {
        expect(value).toBeGreaterThanOrEqual(0);
        expect(value).toBeLessThan(60);
      }
      expect(summaryOf(plain.stderr)).not.toHaveProperty('seconds');
    });

    it('splits a 30 s flow over two windows as 33 and 67 bytes', async () => {
      // Prepare
      const file = join(dir, 'rollup-edge.log');
      await writeFile(
        file,
        `${V2_HEADER}\n2 123456789012 ${ENI_A} 10.0.0.9 52.1.2.3 50000 443 6 3 100 1793491490 1793491519 ACCEPT OK\n`
      );

      // Act
      const result = await runCli(['rollup', file]);

      // Assess
      expect(result.code).toBe(0);
      expect(rollupsOf(result.stdout).map(core)).toEqual([
        counts(ENI_A, 1_793_491_200, {
          flows: 1,
          packets: 1,
          bytes: 33,
          acceptFlows: 1,
          acceptPackets: 1,
          acceptBytes: 33,
        }),
        counts(ENI_A, 1_793_491_500, {
          packets: 2,
          bytes: 67,
          acceptPackets: 2,
          acceptBytes: 67,
        }),
      ]);
    });

    it('reports a Transit Gateway log as not per-ENI and prints no rollups', async () => {
      // Prepare
      const file = join(dir, 'tgw.log.gz');
      await writeFile(file, gzipSync(`${TGW_HEADER}\n${TGW_LINE}\n`));

      // Act
      const result = await runCli(['rollup', file]);

      // Assess
      expect(result.code).toBe(0);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('not per-ENI');
      const summary = JSON.parse(
        result.stderr.trim().split('\n').pop() ?? '{}'
      );
      expect(summary).toMatchObject({ rollups: 0 });
      expect(summary.notPerEni).toContain('Transit Gateway');
    });
  });

  describe('generate', () => {
    it('writes the same text for the same seed and different text for another', async () => {
      // Prepare
      const paths = ['seed-a1.gz', 'seed-a2.gz', 'seed-b.gz'].map((name) =>
        join(dir, name)
      );
      const seeds = ['42', '42', '43'];

      // Act
      const results = await Promise.all(
        paths.map((out, i) =>
          runCli([
            'generate',
            '--records',
            '2000',
            '--enis',
            '10',
            '--seed',
            seeds[i] ?? '',
            '--out',
            out,
          ])
        )
      );

      // Assess
      for (const result of results) expect(result.code).toBe(0);
      const [a1, a2, b] = await Promise.all(
        paths.map(async (path) => (await readGenerated(path)).text)
      );
      expect(a1).toBe(a2);
      expect(b).not.toBe(a1);
      expect(a1?.split('\n').filter((line) => line !== '')).toHaveLength(2001);
    });

    it('writes a header line of the format field names', async () => {
      // Prepare
      const customFields = [
        'interface-id',
        'start',
        'end',
        'bytes',
        'action',
        'log-status',
      ];
      const cases = [
        { format: 'v2', header: V2_HEADER },
        { format: 'v5', header: V5_HEADER },
        {
          format: formatString(customFields),
          header: 'interface-id start end bytes action log-status',
        },
      ];

      // Act
      const results = await Promise.all(
        cases.map(async ({ format }, i) => {
          const out = join(dir, `header-${i}.gz`);
          const result = await runCli([
            'generate',
            '--records',
            '100',
            '--format',
            format,
            '--out',
            out,
          ]);
          return { result, generated: await readGenerated(out) };
        })
      );

      // Assess
      for (const [i, { result, generated }] of results.entries()) {
        const expected = cases[i]?.header ?? '';
        expect(result.code).toBe(0);
        expect(generated.header).toBe(expected);
        expect(generated.rows).toHaveLength(100);
        for (const row of generated.rows) {
          expect(row).toHaveLength(expected.split(' ').length);
        }
      }
    });

    it('writes realistic skewed traffic over many ENIs', async () => {
      // Prepare
      const out = join(dir, 'realistic.gz');

      // Act
      const result = await runCli([
        'generate',
        '--records',
        '20000',
        '--enis',
        '20',
        '--seed',
        '7',
        '--out',
        out,
      ]);

      // Assess
      expect(result.code).toBe(0);
      const { header, rows } = await readGenerated(out);
      expect(header).toBe(V2_HEADER);
      expect(rows).toHaveLength(20000);
      const column = (name: string): number => header.split(' ').indexOf(name);
      const [eni, src, dst, start, end, action, status] = [
        'interface-id',
        'srcaddr',
        'dstaddr',
        'start',
        'end',
        'action',
        'log-status',
      ].map(column);
      const cell = (row: string[], index: number | undefined): string =>
        row[index ?? -1] ?? '';
      const rejects = rows.filter((row) => cell(row, action) === 'REJECT');
      expect(rejects.length / rows.length).toBeGreaterThanOrEqual(0.07);
      expect(rejects.length / rows.length).toBeLessThanOrEqual(0.13);
      expect(rows.some((row) => cell(row, status) === 'NODATA')).toBe(true);
      expect(rows.some((row) => cell(row, status) === 'SKIPDATA')).toBe(true);
      expect(
        rows.some(
          (row) => cell(row, src).includes(':') || cell(row, dst).includes(':')
        )
      ).toBe(true);
      expect(
        new Set(rows.map((row) => cell(row, eni))).size
      ).toBeGreaterThanOrEqual(15);
      const spans = rows.map(
        (row) => Number(cell(row, end)) - Number(cell(row, start))
      );
      expect(spans.some((span) => span >= 300)).toBe(true);
      expect(spans.some((span) => span < 60)).toBe(true);
    });

    it('writes a file that rollup reads whole, with every byte accounted for', async () => {
      // Prepare
      const out = join(dir, 'generated-rollup.gz');
      const records = 20000;
      const generated = await runCli([
        'generate',
        '--records',
        String(records),
        '--enis',
        '20',
        '--seed',
        '11',
        '--out',
        out,
      ]);
      const { header, rows } = await readGenerated(out);
      const bytesColumn = header.split(' ').indexOf('bytes');
      const fileBytes = rows.reduce((sum, row) => {
        const value = row[bytesColumn] ?? '-';
        return value === '-' ? sum : sum + Number(value);
      }, 0);

      // Act
      const result = await runCli(['rollup', out]);

      // Assess
      expect(generated.code).toBe(0);
      expect(result.code).toBe(0);
      const summary = summaryOf(result.stderr);
      expect(summary.records).toBe(records);
      expect(summary.badRecords).toBe(0);
      const rollups = rollupsOf(result.stdout);
      expect(rollups.reduce((sum, rollup) => sum + rollup.bytes, 0)).toBe(
        fileBytes
      );
      expect(fileBytes).toBeGreaterThan(0);
      const keys = rollups.map(
        (rollup) =>
          `${rollup.interfaceId} ${String(rollup.windowStart).padStart(12, '0')}`
      );
      expect(keys).toEqual([...keys].sort());
      expect(new Set(keys).size).toBe(keys.length);
    });

    it('writes a v11 file that rollup reads without bad records', async () => {
      // Prepare
      const out = join(dir, 'generated-v11.gz');
      await runCli([
        'generate',
        '--records',
        '5000',
        '--format',
        'v11',
        '--seed',
        '3',
        '--out',
        out,
      ]);

      // Act
      const result = await runCli(['rollup', out, '--window-mode', 'start']);

      // Assess
      expect(result.code).toBe(0);
      expect(summaryOf(result.stderr)).toMatchObject({
        records: 5000,
        badRecords: 0,
      });
    });
  });
});
