/**
 * `npm run redrive -- [--stage dev] [--region us-east-1] [--max N] [--dry-run]`:
 * replays the ingest events that failed after Lambda's retries (the
 * `<service>-<stage>-failed-events` queue, fed by the on-failure
 * destinations) once their cause is fixed. Each message's original event
 * is invoked synchronously on its function; the message is deleted only
 * when the invocation succeeds, so a replay that fails again stays in the
 * queue, as does a body that is not a destination record. Replaying is
 * safe: ingest applies each contribution once. Exits with 1 when any
 * message failed again or was unreadable. The work is in `redriveQueue.ts`.
 */

import { parseArgs } from 'node:util';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { redriveQueue } from './redriveQueue.js';

const { values } = parseArgs({
  options: {
    stage: { type: 'string', default: 'dev' },
    region: { type: 'string' },
    max: { type: 'string', default: '100' },
    'dry-run': { type: 'boolean', default: false },
  },
});
const max = Number(values.max);
if (!Number.isInteger(max) || max < 1) {
  console.error(`--max must be a positive integer, not ${values.max}`);
  process.exit(2);
}
const region = values.region ?? process.env.AWS_REGION ?? 'us-east-1';
const queueName = `flowlog-rollups-${values.stage}-failed-events`;
const { replayed, failedAgain, unreadable, listed } = await redriveQueue({
  sqs: new SQSClient({ region }),
  lambda: new LambdaClient({ region }),
  queueName,
  max,
  dryRun: values['dry-run'],
  log: (line) => console.log(line),
});
console.log(
  values['dry-run']
    ? `${listed} would be replayed, ${unreadable} unreadable (${queueName})`
    : `${replayed} replayed, ${failedAgain} failed again, ${unreadable} unreadable (${queueName})`
);
if (failedAgain > 0 || unreadable > 0) process.exitCode = 1;
