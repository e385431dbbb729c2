/**
 * `npm run bench`: the hot-path benchmark. Generates (once, into bench-data/)
 * 1M-record v2 and v5 files and a 5M-record v2 file, then measures on each,
 * every task in its own process: bare streaming gunzip, `flowlogs parse`,
 * `flowlogs rollup` (the hot path) and a naive readline + split + object
 * baseline. Prints records/s, MB/s of text, wall and CPU seconds, peak RSS
 * and the ratios to bare gunzip, then checks the targets of issue #2 on the
 * 5M-record file. A report, not a test: it always exits 0.
 *   npm run bench                 full run
 *   npm run bench -- --quick      200k/1M records, one repeat (a smoke run)
 *   npm run bench -- --repeats 5  repeat gunzip and rollup (default 3), keep the fastest
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
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

const files: FileSpec[] = isQuick
  ? [
      { name: 'v2-200k', format: 'v2', records: 200_000 },
      { name: 'v5-200k', format: 'v5', records: 200_000 },
      { name: 'v2-1m', format: 'v2', records: 1_000_000 },
    ]
  : [
      { name: 'v2-1m', format: 'v2', records: 1_000_000 },
      { name: 'v5-1m', format: 'v5', records: 1_000_000 },
      { name: 'v2-5m', format: 'v2', records: 5_000_000 },
    ];

const pad = (text: string, width: number) => text.padStart(width);
const fixed = (value: number, digits = 2) => value.toFixed(digits);

async function main(): Promise<void> {
  if (!existsSync(cli)) throw new Error('run `npm run build` first');
  mkdirSync(data, { recursive: true });
  const results: Record<
    string,
    Record<string, Measure & { textBytes: number }>
  > = {};
  for (const spec of files) {
    const path = await ensureFile(spec);
    const gunzip = await best(
      [join(root, 'scripts', 'benchTasks.mjs'), 'gunzip', path],
      repeats,
      true
    );
    const textBytes = (JSON.parse(gunzip.stdout) as { bytes: number }).bytes;
    const tasks: Record<string, Measure> = {
      gunzip,
      rollup: await best([cli, 'rollup', path], repeats),
      parse: await best([cli, 'parse', path], 1),
      naive: await best(
        [join(root, 'scripts', 'benchTasks.mjs'), 'naive', path],
        1
      ),
    };
    results[spec.name] = {};
    console.log(
      `\n${spec.name}: ${spec.records.toLocaleString('en')} records, ${fixed(textBytes / MIB, 0)} MiB of text`
    );
    console.log(
      `${'task'.padEnd(8)}${pad('wall s', 9)}${pad('CPU s', 8)}${pad('rec/s', 12)}${pad('MB/s', 8)}${pad('RSS MiB', 9)}${pad('speed×gz', 10)}${pad('CPU×gz', 8)}`
    );
    for (const [task, m] of Object.entries(tasks)) {
      results[spec.name] = {
        ...results[spec.name],
        [task]: { ...m, textBytes },
      };
      console.log(
        `${task.padEnd(8)}${pad(fixed(m.wallSeconds), 9)}${pad(fixed(m.cpuSeconds), 8)}${pad(Math.round(spec.records / m.wallSeconds).toLocaleString('en'), 12)}${pad(fixed(textBytes / 1e6 / m.wallSeconds, 0), 8)}${pad(fixed(m.maxRssMiB, 0), 9)}${pad(fixed(gunzip.wallSeconds / m.wallSeconds), 10)}${pad(fixed(m.cpuSeconds / gunzip.cpuSeconds), 8)}`
      );
    }
  }
  const [small, , large] = files.map((spec) => results[spec.name]);
  if (small && large) {
    const g = large.gunzip as Measure;
    const r = large.rollup as Measure;
    const n = large.naive as Measure;
    const checks: [string, number, string, boolean][] = [
      [
        'speed vs bare gunzip',
        g.wallSeconds / r.wallSeconds,
        '>= 0.75',
        g.wallSeconds / r.wallSeconds >= 0.75,
      ],
      [
        'CPU vs bare gunzip',
        r.cpuSeconds / g.cpuSeconds,
        '<= 2',
        r.cpuSeconds / g.cpuSeconds <= 2,
      ],
      [
        'CPU saving vs naive',
        n.cpuSeconds / r.cpuSeconds,
        '>= 3',
        n.cpuSeconds / r.cpuSeconds >= 3,
      ],
      [
        'RSS over bare gunzip (MiB)',
        r.maxRssMiB - g.maxRssMiB,
        '<= 32',
        r.maxRssMiB - g.maxRssMiB <= 32,
      ],
      [
        'RSS growth 1M -> 5M',
        r.maxRssMiB / (small.rollup as Measure).maxRssMiB,
        '<= 1.1',
        r.maxRssMiB / (small.rollup as Measure).maxRssMiB <= 1.1,
      ],
    ];
    console.log(`\ntargets (flowlogs rollup on ${files[2]?.name}):`);
    for (const [name, value, target, ok] of checks) {
      console.log(
        `  ${name.padEnd(28)}${pad(fixed(value), 8)}  target ${target.padEnd(8)} ${ok ? 'met' : 'MISSED'}`
      );
    }
  }
  writeFileSync(
    join(data, 'results.json'),
    `${JSON.stringify(results, null, 2)}\n`
  );
  console.log(`\nraw figures: ${join(data, 'results.json')}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
