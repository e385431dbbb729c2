/**
 * Runs one handler on one event file, in this process, against whatever the
 * environment points the AWS SDK at (the local stack):
 *   tsx scripts/local/invokeHandler.ts s3Ingest events/s3-object-created.json [TIMEOUT_SECONDS]
 * Prints the handler's result as JSON. Used by `npm run bench:ingest` to
 * measure a whole ingest in a process of its own. The context's deadline
 * is TIMEOUT_SECONDS away (default 300).
 */
import { readFile } from 'node:fs/promises';
import { lambdaContext } from './lambdaContext.js';

const [name, eventFile, timeout = '300'] = process.argv.slice(2);
const timeoutSeconds = Number(timeout);
if (!name || !eventFile || !(timeoutSeconds > 0)) {
  throw new Error(
    'usage: invokeHandler.ts <function name> <event file> [timeout seconds]'
  );
}
const event = JSON.parse(await readFile(eventFile, 'utf8')) as unknown;
const { handler } = (await import(`../../functions/${name}.js`)) as {
  handler: (event: unknown, context: unknown) => Promise<unknown>;
};
const result = await handler(event, lambdaContext(name, timeoutSeconds));
console.log(JSON.stringify({ result: result ?? null }));
