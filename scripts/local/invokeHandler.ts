/**
 * Runs one handler on one event file, in this process, against whatever the
 * environment points the AWS SDK at (the local stack):
 *   tsx scripts/local/invokeHandler.ts s3Ingest events/s3-object-created.json
 * Prints the handler's result as JSON. Used by `npm run bench:ingest` to
 * measure a whole ingest in a process of its own.
 */
import { readFile } from 'node:fs/promises';
import { lambdaContext } from './lambdaContext.js';

const [name, eventFile] = process.argv.slice(2);
if (!name || !eventFile) {
  throw new Error('usage: invokeHandler.ts <function name> <event file>');
}
const event = JSON.parse(await readFile(eventFile, 'utf8')) as unknown;
const { handler } = (await import(`../../functions/${name}.js`)) as {
  handler: (event: unknown, context: unknown) => Promise<unknown>;
};
const result = await handler(event, lambdaContext(name));
console.log(JSON.stringify({ result: result ?? null }));
