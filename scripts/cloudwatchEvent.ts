/**
 * Builds a CloudWatch Logs subscription event (what `cloudwatchIngest`
 * receives) from a flow-log text file, so that you can make your own:
 *   npx tsx scripts/cloudwatchEvent.ts FILE [--eni ENI] [--log-group NAME]
 *     [--max-events N] [--out events/cloudwatch-logs-subscription.json]
 * FILE is plain or gzipped text, one record a line, with or without a header
 * line (the header gives the format; else v2). The event holds the lines of
 * one ENI (default: the one with most lines), as its log stream `<eni>-all`
 * would, in the order of the file. Each line becomes a log event with the
 * record's start as timestamp and a deterministic 56-digit id.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { encodeCloudWatchLogs } from '../shared/decode/cloudwatchLogs.js';
import {
  DEFAULT_FORMAT,
  formatFromHeader,
  isHeaderLine,
} from '../shared/parse/flowLogFormat.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    eni: { type: 'string' },
    'log-group': { type: 'string', default: '/vpc/flow-logs' },
    'max-events': { type: 'string', default: '50' },
    out: { type: 'string' },
  },
});
const [file] = positionals;
if (!file) {
  throw new Error(
    'usage: cloudwatchEvent.ts FILE [--eni ENI] [--log-group NAME] [--max-events N] [--out FILE]'
  );
}
const bytes = await readFile(file);
const text = (
  bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes
).toString('utf8');
const lines = text.split('\n').filter((line) => line.trim() !== '');
const first = lines[0] ?? '';
const format = isHeaderLine(first) ? formatFromHeader(first) : DEFAULT_FORMAT;
const records = isHeaderLine(first) ? lines.slice(1) : lines;
const column = (name: string) =>
  format.fields.findIndex((field) => field.name === name);
const [eniAt, startAt, accountAt] = [
  column('interface-id'),
  column('start'),
  column('account-id'),
];
if (eniAt < 0 && !values.eni) {
  throw new Error('the format has no interface-id: pass --eni');
}
const eniOf = (line: string) =>
  values.eni ?? line.split(' ')[eniAt] ?? 'unknown';
const counts = new Map<string, number>();
for (const line of records) {
  const eni = eniOf(line);
  if (eni.startsWith('eni-')) counts.set(eni, (counts.get(eni) ?? 0) + 1);
}
const eni =
  values.eni ??
  [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
if (!eni) throw new Error(`${file}: no records with an ENI`);
const chosen = records
  .filter((line) => eniAt < 0 || line.split(' ')[eniAt] === eni)
  .slice(0, Number(values['max-events']));
const logEvents = chosen.map((message, index) => {
  const start = Number(message.split(' ')[startAt]);
  const timestamp = Number.isSafeInteger(start) ? start * 1000 : 0;
  const id = `${timestamp}${String(index).padStart(8, '0')}`.padEnd(56, '0');
  return { id, timestamp, message };
});
const owner = chosen[0]?.split(' ')[accountAt] ?? '123456789012';
const event = encodeCloudWatchLogs({
  owner: /^\d{12}$/.test(owner) ? owner : '123456789012',
  logGroup: values['log-group'],
  logStream: `${eni}-all`,
  subscriptionFilters: ['flowlog-rollups'],
  logEvents,
});
const json = `${JSON.stringify(event, null, 2)}\n`;
if (values.out) {
  await writeFile(values.out, json);
  console.log(`${values.out}: ${logEvents.length} log events of ${eni}`);
} else {
  process.stdout.write(json);
}
