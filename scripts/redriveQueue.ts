import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import {
  DeleteMessageCommand,
  GetQueueUrlCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import {
  type FailedEvent,
  failedEventOf,
} from '../shared/decode/failedEvent.js';
import { DecodeError } from '../shared/errors.js';

/** What `redriveQueue` needs: the clients, which queue, how far to go. */
interface RedriveOptions {
  readonly sqs: SQSClient;
  readonly lambda: LambdaClient;
  /** The queue's name (not its URL), e.g. `flowlog-rollups-prod-failed-events`. */
  readonly queueName: string;
  /** How many messages to handle at most (replayed, failed again, unreadable or listed). */
  readonly max: number;
  /** List the messages without invoking or deleting anything. */
  readonly dryRun: boolean;
  /** Receives one human-readable line per message and nothing else. */
  readonly log: (line: string) => void;
}

/** What a redrive did; every message not counted in `replayed` is still in the queue. */
interface RedriveSummary {
  /** Invoked without a function error, and deleted. */
  readonly replayed: number;
  /** Invoked, and failed again (`FunctionError`): kept. */
  readonly failedAgain: number;
  /** Bodies that are not on-failure destination records: kept. */
  readonly unreadable: number;
  /** Readable messages listed by a dry run: kept. */
  readonly listed: number;
}

/** SQS returns at most 10 messages per receive. */
const BATCH = 10;
/**
 * Long enough for a synchronous invocation of a whole batch, so that a kept
 * message is not received again by this same run.
 */
const VISIBILITY_SECONDS = 900;

/** Reads a message's record, or says why it cannot be replayed. */
const readMessage = (
  message: Message
): { event: FailedEvent } | { error: DecodeError } => {
  try {
    return { event: failedEventOf(message.Body ?? '') };
  } catch (error) {
    if (error instanceof DecodeError) return { error };
    throw error;
  }
};

/**
 * Replays the events of a queue fed by Lambda on-failure destinations: each
 * message's original event is invoked synchronously on the function its
 * record names (without the `:$LATEST` qualifier, so the current code runs),
 * and the message is deleted only when that invocation has no
 * `FunctionError`. A body that is not a destination record is kept, logged
 * and counted as unreadable; it does not stop the run. Stops when a receive
 * comes back empty or `max` messages were handled. With `dryRun`, messages
 * are only listed (they stay invisible for the visibility timeout).
 * Rejects when SQS or Lambda themselves fail (unknown queue, throttling,
 * missing function): the message being handled then stays in the queue.
 * @example await redriveQueue({ sqs, lambda, queueName: 'flowlog-rollups-prod-failed-events', max: 100, dryRun: false, log: console.log })
 * @see https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
 */
async function redriveQueue(options: RedriveOptions): Promise<RedriveSummary> {
  const { sqs, lambda, queueName, max, dryRun, log } = options;
  const { QueueUrl } = await sqs.send(
    new GetQueueUrlCommand({ QueueName: queueName })
  );
  let replayed = 0;
  let failedAgain = 0;
  let unreadable = 0;
  let listed = 0;
  const handled = () => replayed + failedAgain + unreadable + listed;
  while (handled() < max) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MaxNumberOfMessages: Math.min(BATCH, max - handled()),
        WaitTimeSeconds: 1,
        VisibilityTimeout: VISIBILITY_SECONDS,
      })
    );
    if (Messages.length === 0) break;
    for (const message of Messages) {
      const read = readMessage(message);
      if ('error' in read) {
        unreadable++;
        log(
          `unreadable message ${message.MessageId ?? '?'}: ${read.error.message}: kept in the queue`
        );
        continue;
      }
      const { event } = read;
      log(
        `${dryRun ? 'would replay' : 'replaying'} on ${event.functionArn} (failed: ${event.condition}, ${event.approximateInvokeCount} attempts)`
      );
      if (dryRun) {
        listed++;
        continue;
      }
      const result = await lambda.send(
        new InvokeCommand({
          FunctionName: event.functionArn,
          InvocationType: 'RequestResponse',
          Payload: Buffer.from(JSON.stringify(event.payload)),
        })
      );
      if (result.FunctionError) {
        failedAgain++;
        log(`  failed again (${result.FunctionError}): kept in the queue`);
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
  }
  return { replayed, failedAgain, unreadable, listed };
}

export type { RedriveOptions, RedriveSummary };
export { redriveQueue };
