/**
 * `flowlogs`: the command line over the shared pipeline.
 *   flowlogs parse FILE [--format FMT]
 *   flowlogs rollup FILE [--format FMT] [--window-mode prorate|start] [--timing]
 *   flowlogs generate --records N [--format v2|v5|v11|FMT] [--enis N] [--seed S] [--start EPOCH] --out FILE
 *   flowlogs dashboard --url https://API [--profile NAME] [--region R] [--port 3001]
 * Exit status: 0 done (bad lines are reported, not fatal), 1 the file cannot
 * be read or decoded, 2 bad usage.
 */
import { parseArgs } from 'node:util';
import { assertRollupFormat } from '../shared/aggregate/rollupRecords.js';
import { warmInflateWorker } from '../shared/decode/flowLogText.js';
import { FlowLogError } from '../shared/errors.js';
import { dashboardCommand } from './cli/dashboardCommand.js';
import { generateCommand } from './cli/generateCommand.js';
import { parseCommand } from './cli/parseCommand.js';
import { rollupCommand } from './cli/rollupCommand.js';
import { formatOption, UsageError } from './cli/usageError.js';

const USAGE = `usage:
  flowlogs parse FILE [--format FMT]
  flowlogs rollup FILE [--format FMT] [--window-mode prorate|start]
  flowlogs generate --records N [--format v2|v5|v11|FMT] [--enis N] [--seed S] [--start EPOCH] --out FILE
  flowlogs dashboard --url https://API [--profile NAME] [--region R] [--port 3001]
dashboard serves a deployed stage's dashboard on 127.0.0.1, signing every
request with your AWS credentials (SigV4), since the API keeps IAM auth.
FILE may be gzipped or plain; a header line, if present, gives the format.
rollup also takes Parquet (.parquet or PAR1 bytes: the columns give the
format); generate writes Parquet when FILE ends in .parquet.
--timing adds to rollup's summary (stderr) the seconds of its phases on the
main thread: start (to the command), scan, read-out (rollups written as JSON lines),
and (on Linux) the main thread's CPU seconds.
FMT is v2, v5, v11, or a format string like '\${version} \${interface-id} ...'.`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string' },
      'window-mode': { type: 'string' },
      records: { type: 'string' },
      enis: { type: 'string' },
      seed: { type: 'string' },
      start: { type: 'string' },
      out: { type: 'string' },
      url: { type: 'string' },
      profile: { type: 'string' },
      region: { type: 'string' },
      port: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      timing: { type: 'boolean' },
    },
  });
  const [command, file, ...extra] = positionals;
  // The inflate thread boots while the rest starts; a .parquet file needs
  // none (one named otherwise, known by its bytes, just leaves it idle).
  const isParquetNamed = file?.endsWith('.parquet') === true;
  if ((command === 'rollup' || command === 'parse') && !isParquetNamed) {
    warmInflateWorker();
  }
  if (values.help || command === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  if (command === 'generate') {
    await generateCommand(values as Record<string, string | undefined>);
    return 0;
  }
  if (command === 'dashboard') {
    await dashboardCommand(values as Record<string, string | undefined>);
    return 0;
  }
  if (command !== 'parse' && command !== 'rollup') {
    throw new UsageError(`unknown command "${command}"`);
  }
  if (file === undefined || extra.length > 0) {
    throw new UsageError(`${command} takes exactly one FILE`);
  }
  if (command === 'parse') {
    await parseCommand(file, formatOption(values.format));
    return 0;
  }
  const mode = values['window-mode'] ?? 'prorate';
  if (mode !== 'prorate' && mode !== 'start') {
    throw new UsageError(
      `--window-mode must be prorate or start, got "${mode}"`
    );
  }
  const format = formatOption(values.format, (candidate) =>
    assertRollupFormat(candidate, { windowMode: mode })
  );
  await rollupCommand(file, format, mode, values.timing === true);
  return 0;
}

process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  // A closed pipe (`flowlogs parse f | head`) is a normal way to stop.
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (
      error instanceof UsageError ||
      (error instanceof TypeError && 'code' in error)
    ) {
      process.stderr.write(`flowlogs: ${error.message}\n${USAGE}\n`);
      process.exitCode = 2;
    } else if (
      error instanceof FlowLogError ||
      (error instanceof Error && 'code' in error)
    ) {
      process.stderr.write(`flowlogs: ${error.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(
        `flowlogs: ${String(error instanceof Error ? error.stack : error)}\n`
      );
      process.exitCode = 1;
    }
  }
);
