/**
 * What the bench scripts share: running a task in its own process with
 * its CPU time and peak RSS measured (scripts/benchUsage.mjs), and the
 * generated flow-log files under bench-data/ (made once, reused).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const data = join(root, 'bench-data');
const cli = join(root, 'dist', 'flowlogs.mjs');
const MIB = 1024 * 1024;

interface Measure {
  wallSeconds: number;
  cpuSeconds: number;
  maxRssMiB: number;
  stdout: string;
  /** The tail of stderr (logs at WARN and above go there). */
  stderr: string;
}

function run(
  args: string[],
  keepStdout: boolean,
  env: NodeJS.ProcessEnv = process.env
): Promise<Measure> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', join(root, 'scripts', 'benchUsage.mjs'), ...args],
      {
        env,
        stdio: ['ignore', keepStdout ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      }
    );
    let stdout = '';
    let usage = '';
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-65_536);
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stdio[3]?.on('data', (chunk: Buffer) => {
      usage += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`${args.join(' ')} exited ${code}:\n${stderr}`));
        return;
      }
      const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      const { cpuSeconds, maxRssMiB } = JSON.parse(usage) as {
        cpuSeconds: number;
        maxRssMiB: number;
      };
      resolve({ wallSeconds, cpuSeconds, maxRssMiB, stdout, stderr });
    });
  });
}

interface FileSpec {
  name: string;
  format: string;
  records: number;
  /** Distinct ENIs (default 200): fleet shapes have thousands. */
  enis?: number;
  /** Generator seed (default 1). */
  seed?: number;
  /** Earliest flow start, epoch seconds (default: the generator's, 2026-11-01T00:00:00Z). */
  start?: number;
}

/** Generates a spec's file once (gzip text, or Parquet), reused after. */
async function ensureFile(
  spec: FileSpec,
  suffix: '.log.gz' | '.log.parquet' = '.log.gz'
): Promise<string> {
  const path = join(data, `${spec.name}${suffix}`);
  if (!existsSync(path)) {
    console.log(`generating ${path} ...`);
    await run(
      [
        cli,
        'generate',
        '--records',
        String(spec.records),
        '--format',
        spec.format,
        '--enis',
        String(spec.enis ?? 200),
        '--seed',
        String(spec.seed ?? 1),
        ...(spec.start === undefined ? [] : ['--start', String(spec.start)]),
        '--out',
        path,
      ],
      false
    );
  }
  return path;
}

export type { FileSpec, Measure };
export { cli, data, ensureFile, MIB, root, run };
