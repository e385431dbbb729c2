// Child-process tasks for `npm run bench`, kept in plain JavaScript so that
// nothing is compiled while they are timed.
//   node scripts/benchTasks.mjs gunzip FILE   bare streaming gunzip (256 KiB reads and zlib chunks)
//   node scripts/benchTasks.mjs naive FILE    readline + split(' ') + an object per record
// Both print a one-line JSON result on stdout.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';

const CHUNK = 256 * 1024;
const [task, file] = process.argv.slice(2);
const open = () =>
  createReadStream(file, { highWaterMark: CHUNK }).pipe(
    createGunzip({ chunkSize: CHUNK })
  );

if (task === 'gunzip') {
  let bytes = 0;
  for await (const chunk of open()) bytes += chunk.length;
  process.stdout.write(`${JSON.stringify({ bytes })}\n`);
} else if (task === 'naive') {
  let names = null;
  let records = 0;
  const rollups = new Map();
  for await (const line of createInterface({
    input: open(),
    crlfDelay: Infinity,
  })) {
    const values = line.split(' ');
    if (names === null) {
      names = values;
      continue;
    }
    const record = {};
    names.forEach((name, i) => {
      const value = values[i];
      record[name] =
        value === '-' ? null : /^\d+$/.test(value) ? Number(value) : value;
    });
    if (record.start === null) continue;
    records++;
    const key = `${record['interface-id']} ${record.start - (record.start % 300)}`;
    const rollup = rollups.get(key) ?? { flows: 0, packets: 0, bytes: 0 };
    rollup.flows++;
    rollup.packets += record.packets ?? 0;
    rollup.bytes += record.bytes ?? 0;
    rollups.set(key, rollup);
  }
  process.stdout.write(
    `${JSON.stringify({ records, rollups: rollups.size })}\n`
  );
} else {
  process.stderr.write('usage: benchTasks.mjs gunzip|naive FILE\n');
  process.exitCode = 2;
}
