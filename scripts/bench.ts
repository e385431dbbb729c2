/**
 * `npm run bench`: the hot-path benchmark at the shapes users have.
 * Generates (once, into bench-data/) 2M-record v2 files over 50, 2,000 and
 * 20,000 ENIs (seed 3), the same 20,000-ENI records as a Parquet object,
 * and a 5M-record v2 file over 200 ENIs. Each task runs in a process of
 * its own: bare streaming gunzip, `flowlogs rollup` (the hot path) and, on
 * the 5M file, `flowlogs parse` and a naive readline + split + object
 * baseline. Prints records/s, wall and CPU seconds, peak RSS, the ratios to
 * bare gunzip, the (ENI, window) items and the KiB of memory per item over
 * bare gunzip, then the targets of issues #2 and #13 as met or MISSED.
 * A report, not a test: it always exits 0.
 *   npm run bench                 full run
 *   npm run bench -- --quick      200k-record files, one repeat (a smoke run)
 *   npm run bench -- --repeats 5  repeat gunzip and rollup (default 3), keep the fastest
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import {
  cli,
  data,
  ensureFile,
  type FileSpec,
  type Measure,
  MIB,
  root,
  run,
} from './benchProcess.js';

const isQuick = process.argv.includes('--quick');
const repeatsAt = process.argv.indexOf('--repeats');
const repeats = isQuick
  ? 1
  : repeatsAt > 0
    ? Math.max(1, Number(process.argv[repeatsAt + 1]) || 1)
    : 3;

async function best(args: string[], times: number, keepStdout = false) {
  let fastest: Measure | null = null;
  for (let i = 0; i < times; i++) {
    const measure = await run(args, keepStdout);
    if (!fastest || measure.wallSeconds < fastest.wallSeconds)
      fastest = measure;
  }
  return fastest as Measure;
}

/** A bench file, and what its targets are (null: no target, figures only). */
interface BenchFile extends FileSpec {
  readonly minSpeed: number | null;
  readonly maxRssOverMiB: number | null;
  /** Also time `flowlogs parse` and the naive baseline (slow: 5M only). */
  readonly hasBaselines?: boolean;
}

const FLEET_RECORDS = isQuick ? 200_000 : 2_000_000;
const fleetName = (enis: number) => `v2-${FLEET_RECORDS / 1000}k-e${enis}-s3`;
const files: BenchFile[] = [
  ...[
    { enis: 50, minSpeed: 0.85, maxRssOverMiB: 32 },
    { enis: 2000, minSpeed: 0.8, maxRssOverMiB: 48 },
    { enis: 20_000, minSpeed: 0.6, maxRssOverMiB: 128 },
  ].map((shape) => ({
    name: fleetName(shape.enis),
    format: 'v2',
    records: FLEET_RECORDS,
    seed: 3,
    ...shape,
  })),
  isQuick
    ? {
        name: 'v2-1m',
        format: 'v2',
        records: 1_000_000,
        minSpeed: null,
        maxRssOverMiB: null,
        hasBaselines: true,
      }
    : {
        name: 'v2-5m',
        format: 'v2',
        records: 5_000_000,
        minSpeed: 0.75,
        maxRssOverMiB: 32,
        hasBaselines: true,
      },
];
/** The Parquet object of the 20,000-ENI records. */
const PARQUET_OF = fleetName(20_000);
const PARQUET_MAX_RSS_MIB = 256;
const PARQUET_MAX_TIME_RATIO = 2;

const pad = (text: string, width: number) => text.padStart(width);
const fixed = (value: number, digits = 2) => value.toFixed(digits);

/** The phases of `flowlogs rollup --timing` on its main thread, in seconds. */
interface Phases {
  readonly start: number;
  readonly scan: number;
  readonly readOut: number;
  /** CPU seconds of the main thread alone (Linux). */
  readonly mainThreadCpu?: number;
}

/** What the bench reads of `flowlogs rollup`'s summary (its last stderr line). */
interface RollupSummary {
  readonly rollups: number;
  readonly seconds?: Phases;
}

/** The summary line `flowlogs rollup` ends with (on stderr). */
function rollupSummary(measure: Measure): RollupSummary {
  const line = measure.stderr
    .trimEnd()
    .split('\n')
    .reverse()
    .find((text) => text.startsWith('{'));
  return JSON.parse(line ?? '{"rollups":0}') as RollupSummary;
}

interface FileResult {
  readonly spec: BenchFile;
  readonly items: number;
  readonly phases: Phases | null;
  readonly tasks: Record<string, Measure>;
}

type Check = [name: string, value: number, target: string, isMet: boolean];

function checksOf(result: FileResult): Check[] {
  const { spec, tasks } = result;
  const g = tasks.gunzip as Measure;
  const r = tasks.rollup as Measure;
  const checks: Check[] = [];
  const speed = g.wallSeconds / r.wallSeconds;
  const over = r.maxRssMiB - g.maxRssMiB;
  if (spec.minSpeed !== null) {
    checks.push([
      `${spec.name} speed vs bare gunzip`,
      speed,
      `>= ${spec.minSpeed}`,
      speed >= spec.minSpeed,
    ]);
  }
  if (spec.maxRssOverMiB !== null) {
    checks.push([
      `${spec.name} RSS over gunzip (MiB)`,
      over,
      `<= ${spec.maxRssOverMiB}`,
      over <= spec.maxRssOverMiB,
    ]);
  }
  const naive = tasks.naive;
  if (naive && spec.minSpeed !== null) {
    checks.push([
      `${spec.name} CPU vs bare gunzip`,
      r.cpuSeconds / g.cpuSeconds,
      '<= 2',
      r.cpuSeconds / g.cpuSeconds <= 2,
    ]);
    checks.push([
      `${spec.name} CPU saving vs naive`,
      naive.cpuSeconds / r.cpuSeconds,
      '>= 3',
      naive.cpuSeconds / r.cpuSeconds >= 3,
    ]);
  }
  return checks;
}

async function measureFile(spec: BenchFile): Promise<FileResult> {
  const path = await ensureFile(spec);
  const gunzip = await best(
    [join(root, 'scripts', 'benchTasks.mjs'), 'gunzip', path],
    repeats,
    true
  );
  const textBytes = (JSON.parse(gunzip.stdout) as { bytes: number }).bytes;
  const tasks: Record<string, Measure> = {
    gunzip,
    rollup: await best([cli, 'rollup', path, '--timing'], repeats),
  };
  const rollupRun = tasks.rollup as Measure;
  if (spec.hasBaselines) {
    tasks.parse = await best([cli, 'parse', path], 1);
    tasks.naive = await best(
      [join(root, 'scripts', 'benchTasks.mjs'), 'naive', path],
      1
    );
  }
  // Untimed: the output itself (its last line counts the items).
  const { rollups: items, seconds: phases = null } = rollupSummary(rollupRun);
  console.log(
    `\n${spec.name}: ${spec.records.toLocaleString('en')} records, ${(spec.enis ?? 200).toLocaleString('en')} ENIs, ${items.toLocaleString('en')} (ENI, window) items, ${fixed(textBytes / MIB, 0)} MiB of text`
  );
  console.log(
    `${'task'.padEnd(8)}${pad('wall s', 9)}${pad('CPU s', 8)}${pad('rec/s', 12)}${pad('RSS MiB', 9)}${pad('speed×gz', 10)}${pad('CPU×gz', 8)}${pad('KiB/item', 10)}`
  );
  for (const [task, m] of Object.entries(tasks)) {
    const perItem =
      task === 'rollup'
        ? fixed(((m.maxRssMiB - gunzip.maxRssMiB) * 1024) / items, 2)
        : '';
    console.log(
      `${task.padEnd(8)}${pad(fixed(m.wallSeconds), 9)}${pad(fixed(m.cpuSeconds), 8)}${pad(Math.round(spec.records / m.wallSeconds).toLocaleString('en'), 12)}${pad(fixed(m.maxRssMiB, 0), 9)}${pad(fixed(gunzip.wallSeconds / m.wallSeconds), 10)}${pad(fixed(m.cpuSeconds / gunzip.cpuSeconds), 8)}${pad(perItem, 10)}`
    );
  }
  if (phases) {
    // The work cannot take less wall time than its CPU time spread over
    // every core: what that allows, next to what the run reached.
    const cores = availableParallelism();
    const bound = Math.max(rollupRun.cpuSeconds / cores, phases.start);
    console.log(
      `rollup on its main thread: start ${fixed(phases.start)} s, scan ${fixed(phases.scan)} s (the inflate worker alongside), read-out ${fixed(phases.readOut)} s (rollups written as JSON lines); its ${fixed(rollupRun.cpuSeconds)} s of CPU on ${cores} cores take >= ${fixed(bound)} s: at best ${fixed(gunzip.wallSeconds / bound)}× bare gunzip`
    );
    const { mainThreadCpu } = phases;
    if (mainThreadCpu !== undefined) {
      // Busy near its whole wall time, the main thread sets the pace.
      const wall = phases.start + phases.scan + phases.readOut;
      console.log(
        `rollup's CPU by thread: main ${fixed(mainThreadCpu)} s of its ${fixed(wall)} s (${fixed((100 * mainThreadCpu) / wall, 0)}% busy), the others (inflate worker, GC, V8) ${fixed(Math.max(rollupRun.cpuSeconds - mainThreadCpu, 0))} s`
      );
    }
  }
  return { spec, items, phases, tasks };
}

/** The Parquet object of the 20,000-ENI records against its text twin. */
async function measureParquet(text: FileResult): Promise<Check[]> {
  const path = await ensureFile(text.spec, '.log.parquet');
  const rollup = await best([cli, 'rollup', path], repeats);
  const { rollups: items } = rollupSummary(rollup);
  const textRollup = text.tasks.rollup as Measure;
  const ratio = rollup.wallSeconds / textRollup.wallSeconds;
  console.log(
    `\n${PARQUET_OF}.log.parquet: the same records as Parquet, ${items.toLocaleString('en')} items (text: ${text.items.toLocaleString('en')})`
  );
  console.log(
    `rollup   ${fixed(rollup.wallSeconds)} s wall, ${fixed(rollup.cpuSeconds)} s CPU, ${fixed(rollup.maxRssMiB, 0)} MiB peak RSS; ${fixed(ratio)}× the text path's time`
  );
  return [
    [
      'Parquet time vs text path',
      ratio,
      `<= ${PARQUET_MAX_TIME_RATIO}`,
      ratio <= PARQUET_MAX_TIME_RATIO,
    ],
    [
      'Parquet peak RSS (MiB)',
      rollup.maxRssMiB,
      `<= ${PARQUET_MAX_RSS_MIB}`,
      rollup.maxRssMiB <= PARQUET_MAX_RSS_MIB,
    ],
    [
      'Parquet items = text items',
      items,
      `${text.items}`,
      items === text.items,
    ],
  ];
}

async function main(): Promise<void> {
  if (!existsSync(cli)) throw new Error('run `npm run build` first');
  mkdirSync(data, { recursive: true });
  const results: FileResult[] = [];
  for (const spec of files) results.push(await measureFile(spec));
  const checks = results.flatMap(checksOf);
  const fleet = results.find((result) => result.spec.name === PARQUET_OF);
  if (fleet) checks.push(...(await measureParquet(fleet)));
  console.log(
    `\ntargets (issue #13 fleet shapes, issue #2 on the 5M file; one run on this machine${isQuick ? '; --quick: smaller files, figures only indicative' : ''}):`
  );
  for (const [name, value, target, isMet] of checks) {
    console.log(
      `  ${name.padEnd(42)}${pad(fixed(value), 9)}  target ${target.padEnd(8)} ${isMet ? 'met' : 'MISSED'}`
    );
  }
  writeFileSync(
    join(data, 'results.json'),
    `${JSON.stringify(
      results.map(({ spec, items, phases, tasks }) => ({
        ...spec,
        items,
        phases,
        tasks,
      })),
      null,
      2
    )}\n`
  );
  console.log(`\nraw figures: ${join(data, 'results.json')}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
