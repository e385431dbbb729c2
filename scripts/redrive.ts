/**
 * `npm run redrive -- [--stage dev] [--region us-east-1] [--max N] [--dry-run]`:
 * replays the ingest events that failed after Lambda's retries (the
 * `<service>-<stage>-failed-events` queue, fed by the on-failure
 * destinations) once their cause is fixed. Each message's original event
 * is invoked synchronously on its function; the message is deleted only
 * when the invocation succeeds, so a replay that fails again stays in the
 * queue. Replaying is safe: ingest applies each contribution once.
 */

import { parseArgs } from 'node:util';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  DeleteMessageCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { failedEventOf } from '../shared/decode/failedEvent.js';

const { values } = parseArgs({
  options: {
    stage: { type: 'string', default: 'dev' },
    region: { type: 'string' },
    max: { type: 'string', default: '100' },
    'dry-run': { type: 'boolean', default: false },
  },
});
const region = values.region ?? process.env.AWS_REGION ?? 'us-east-1';
const sqs = new SQSClient({ region });
const lambda = new LambdaClient({ region });
const queueName = `flowlog-rollups-${values.stage}-failed-events`;
const { QueueUrl } = await sqs.send(
  new GetQueueUrlCommand({ QueueName: queueName })
);
const max = Number(values.max);
let replayed = 0;
let failed = 0;
while (replayed + failed < max) {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl,
      MaxNumberOfMessages: Math.min(10, max - replayed - failed),
      WaitTimeSeconds: 1,
      VisibilityTimeout: 900,
    })
  );
  if (Messages.length === 0) break;
  for (const message of Messages) {
    const event = failedEventOf(message.Body ?? '');
    console.log(
      `${values['dry-run'] ? 'would replay' : 'replaying'} on ${event.functionArn} (failed: ${event.condition}, ${event.approximateInvokeCount} attempts)`
    );
    if (values['dry-run']) continue;
    const result = await lambda.send(
      new InvokeCommand({
        FunctionName: event.functionArn,
        Payload: Buffer.from(JSON.stringify(event.payload)),
      })
    );
    if (result.FunctionError) {
      failed++;
      console.log(
        `  failed again (${result.FunctionError}): kept in the queue`
      );
      continue;
    }
    await sqs.send(
      new DeleteMessageCommand({
        QueueUrl,
        ReceiptHandle: message.ReceiptHandle,
      })
    );
    replayed++;
  }
  if (values['dry-run']) break;
}
console.log(`${replayed} replayed, ${failed} failed again (${queueName})`);
