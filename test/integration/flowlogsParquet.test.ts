/**
 * `flowlogs generate --out X.log.parquet` and `flowlogs rollup X.log.parquet`
 * through the real CLI: Parquet as VPC Flow Logs writes it, rolled up as
 * its text twin is.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parquetMetadata, parquetSchema } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

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

/** The summary `rollup` writes last on stderr, without the file name. */
function summaryOf(stderr: string): Record<string, unknown> {
  const lines = stderr.split('\n').filter((line) => line.trim() !== '');
  const { file: _, ...summary } = JSON.parse(
    lines[lines.length - 1] ?? '{}'
  ) as Record<string, unknown>;
  return summary;
}

let directory = '';

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'flowlogs-parquet-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** Generates the same records as text and as Parquet. */
async function generateBoth(
  name: string,
  args: readonly string[]
): Promise<{ text: string; parquet: string }> {
  const text = join(directory, `${name}.log.gz`);
  const parquet = join(directory, `${name}.log.parquet`);
  for (const out of [text, parquet]) {
    const result = await runCli(['generate', ...args, '--out', out]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
  }
  return { text, parquet };
}

describe('flowlogs and Parquet', () => {
  it('generates Parquet as VPC Flow Logs delivers it: GZIP pages, AWS column names and types', async () => {
    // Prepare
    const { parquet } = await generateBoth('shape', [
      '--records',
      '3000',
      '--enis',
      '20',
      '--seed',
      '4',
    ]);

    // Act
    const bytes = await readFile(parquet);
    const metadata = parquetMetadata(new Uint8Array(bytes).buffer);

    // Assess
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('PAR1');
    expect(Number(metadata.num_rows)).toBe(3000);
    const columns = parquetSchema(metadata).children.map(({ element }) => [
      element.name,
      element.type,
      element.repetition_type,
    ]);
    expect(columns.slice(0, 4)).toEqual([
      ['version', 'INT32', 'OPTIONAL'],
      ['account_id', 'BYTE_ARRAY', 'OPTIONAL'],
      ['interface_id', 'BYTE_ARRAY', 'OPTIONAL'],
      ['srcaddr', 'BYTE_ARRAY', 'OPTIONAL'],
    ]);
    expect(columns.find(([name]) => name === 'bytes')?.[1]).toBe('INT64');
    for (const group of metadata.row_groups) {
      for (const column of group.columns) {
        expect(column.meta_data?.codec).toBe('GZIP');
      }
    }
  });

  it.each<[string, string[]]>([
    [
      'v2 over many ENIs',
      ['--records', '20000', '--enis', '2000', '--seed', '9'],
    ],
    ['v5', ['--records', '4000', '--format', 'v5', '--seed', '2']],
    [
      'v11, start mode',
      ['--records', '3000', '--format', 'v11', '--seed', '3'],
    ],
  ])(
    'rolls up a Parquet file (%s) exactly as its text twin',
    async (name, args) => {
      // Prepare
      const { text, parquet } = await generateBoth(
        name.replace(/\W/g, ''),
        args
      );
      const mode = name.includes('start') ? ['--window-mode', 'start'] : [];

      // Act
      const fromText = await runCli(['rollup', text, ...mode]);
      const fromParquet = await runCli(['rollup', parquet, ...mode]);

      // Assess
      expect(fromParquet.code).toBe(0);
      expect(fromParquet.stdout).toBe(fromText.stdout);
      expect(fromParquet.stdout.length).toBeGreaterThan(1000);
      // Text lines count the header line: compare all but the samples.
      expect(summaryOf(fromParquet.stderr)).toEqual(summaryOf(fromText.stderr));
    },
    60_000
  );

  it('knows Parquet by its PAR1 bytes whatever the file is called', async () => {
    // Prepare
    const { parquet } = await generateBoth('magic', ['--records', '500']);
    const renamed = join(directory, 'flows.bin');
    await copyFile(parquet, renamed);

    // Act
    const byName = await runCli(['rollup', parquet]);
    const byMagic = await runCli(['rollup', renamed]);

    // Assess
    expect(byMagic.code).toBe(0);
    expect(byMagic.stdout).toBe(byName.stdout);
  });

  it('exits 1 naming the file for a .parquet file that is not Parquet', async () => {
    // Prepare
    const bogus = join(directory, 'bogus.log.parquet');
    await writeFile(bogus, 'version interface-id\n2 eni-1\n');

    // Act
    const result = await runCli(['rollup', bogus]);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${bogus}: not a readable Parquet file`);
  });
});
