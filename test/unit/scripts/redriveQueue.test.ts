import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  DeleteMessageCommand,
  GetQueueUrlCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { redriveQueue } from '../../../scripts/redriveQueue.js';

const QUEUE_NAME = 'flowlog-rollups-prod-failed-events';
const QUEUE_URL = `https://sqs.eu-west-1.amazonaws.com/123456789012/${QUEUE_NAME}`;
const FUNCTION =
  'arn:aws:lambda:eu-west-1:123456789012:function:flowlog-rollups-prod-s3Ingest';

/** An on-failure destination record as Lambda writes it to SQS. */
const record = (payload: unknown, functionArn = `${FUNCTION}:$LATEST`) => ({
  version: '1.0',
  timestamp: '2026-11-27T16:00:00.000Z',
  requestContext: {
    requestId: 'c0e7a3f4-5a1b-4c9e-9d2f-1b2c3d4e5f60',
    functionArn,
    condition: 'RetriesExhausted',
    approximateInvokeCount: 3,
  },
  requestPayload: payload,
  responseContext: {
    statusCode: 200,
    executedVersion: '$LATEST',
    functionError: 'Unhandled',
  },
  responsePayload: {
    errorType: 'DecodeError',
    errorMessage: 's3://b/k: not gzip',
  },
});

const s3Event = (key: string) => ({
  Records: [
    {
      eventSource: 'aws:s3',
      s3: { bucket: { name: 'flow-logs' }, object: { key } },
    },
  ],
});

const messageOf = (index: number, body: string): Message => ({
  MessageId: `m-${index}`,
  ReceiptHandle: `rh-${index}`,
  Body: body,
});

const replayable = (count: number): Message[] =>
  Array.from({ length: count }, (_, index) =>
    messageOf(index, JSON.stringify(record(s3Event(`k${index}.log.gz`))))
  );

const sqsMock = mockClient(SQSClient);
const lambdaMock = mockClient(LambdaClient);

/** Serves `messages` in receive order, as many as each receive asks for. */
const serve = (messages: Message[]) => {
  const waiting = [...messages];
  sqsMock
    .on(ReceiveMessageCommand)
    .callsFake((input: { MaxNumberOfMessages?: number }) => ({
      Messages: waiting.splice(0, input.MaxNumberOfMessages ?? 1),
    }));
};

const run = (options: { max?: number; dryRun?: boolean } = {}) => {
  const lines: string[] = [];
  const summary = redriveQueue({
    sqs: new SQSClient({ region: 'eu-west-1' }),
    lambda: new LambdaClient({ region: 'eu-west-1' }),
    queueName: QUEUE_NAME,
    max: options.max ?? 100,
    dryRun: options.dryRun ?? false,
    log: (line) => lines.push(line),
  });
  return { summary, lines };
};

/** The event an invocation sent: the script always sends JSON bytes. */
const payloadOf = (payload: unknown): unknown => {
  if (!(payload instanceof Uint8Array)) throw new TypeError('not bytes');
  return JSON.parse(new TextDecoder().decode(payload));
};

describe('redriveQueue', () => {
  beforeEach(() => {
    sqsMock.reset();
    lambdaMock.reset();
    sqsMock.on(GetQueueUrlCommand).resolves({ QueueUrl: QUEUE_URL });
    sqsMock.on(DeleteMessageCommand).resolves({});
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200 });
  });

  it('replays each message on its function with the original event and deletes it', async () => {
    // Prepare
    const other =
      'arn:aws:lambda:eu-west-1:123456789012:function:flowlog-rollups-prod-cloudwatchIngest';
    const cloudwatchEvent = { awslogs: { data: 'H4sIAAAAAAAA' } };
    serve([
      messageOf(1, JSON.stringify(record(s3Event('a.log.gz')))),
      messageOf(2, JSON.stringify(record(cloudwatchEvent, other))),
    ]);
    // Act
    const { summary } = run();
    // Assess
    expect(await summary).toEqual({
      replayed: 2,
      failedAgain: 0,
      unreadable: 0,
      listed: 0,
    });
    expect(sqsMock.commandCalls(GetQueueUrlCommand)[0]?.args[0].input).toEqual({
      QueueName: QUEUE_NAME,
    });
    expect(
      sqsMock.commandCalls(ReceiveMessageCommand)[0]?.args[0].input
    ).toEqual({
      QueueUrl: QUEUE_URL,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 1,
      VisibilityTimeout: 900,
    });
    const invokes = lambdaMock
      .commandCalls(InvokeCommand)
      .map((call) => call.args[0].input);
    expect(invokes.map((input) => input.FunctionName)).toEqual([
      FUNCTION,
      other,
    ]);
    expect(invokes.map((input) => input.InvocationType)).toEqual([
      'RequestResponse',
      'RequestResponse',
    ]);
    expect(invokes.map((input) => payloadOf(input.Payload))).toEqual([
      s3Event('a.log.gz'),
      cloudwatchEvent,
    ]);
    expect(
      sqsMock
        .commandCalls(DeleteMessageCommand)
        .map((call) => call.args[0].input)
    ).toEqual([
      { QueueUrl: QUEUE_URL, ReceiptHandle: 'rh-1' },
      { QueueUrl: QUEUE_URL, ReceiptHandle: 'rh-2' },
    ]);
  });

  it('keeps a message whose replay fails again', async () => {
    // Prepare
    serve(replayable(2));
    lambdaMock
      .on(InvokeCommand)
      .resolvesOnce({ StatusCode: 200, FunctionError: 'Unhandled' })
      .resolves({ StatusCode: 200 });
    // Act
    const { summary, lines } = run();
    // Assess
    expect(await summary).toEqual({
      replayed: 1,
      failedAgain: 1,
      unreadable: 0,
      listed: 0,
    });
    expect(
      sqsMock
        .commandCalls(DeleteMessageCommand)
        .map((call) => call.args[0].input)
    ).toEqual([{ QueueUrl: QUEUE_URL, ReceiptHandle: 'rh-1' }]);
    expect(lines).toContain('  failed again (Unhandled): kept in the queue');
  });

  it('keeps and counts a body that is not a destination record, and goes on', async () => {
    // Prepare
    serve([
      messageOf(1, '{'),
      messageOf(2, JSON.stringify({ Records: [] })),
      ...replayable(1),
    ]);
    // Act
    const { summary, lines } = run();
    // Assess
    expect(await summary).toEqual({
      replayed: 1,
      failedAgain: 0,
      unreadable: 2,
      listed: 0,
    });
    expect(lambdaMock.commandCalls(InvokeCommand)).toHaveLength(1);
    expect(
      sqsMock
        .commandCalls(DeleteMessageCommand)
        .map((call) => call.args[0].input)
    ).toEqual([{ QueueUrl: QUEUE_URL, ReceiptHandle: 'rh-0' }]);
    expect(lines.filter((line) => line.startsWith('unreadable'))).toEqual([
      'unreadable message m-1: not JSON: not an on-failure destination record: kept in the queue',
      'unreadable message m-2: not an on-failure destination record: expected requestContext.functionArn and requestPayload: kept in the queue',
    ]);
  });

  it('handles at most max messages', async () => {
    // Prepare
    serve(replayable(25));
    // Act
    const { summary } = run({ max: 12 });
    // Assess
    expect((await summary).replayed).toBe(12);
    expect(
      sqsMock
        .commandCalls(ReceiveMessageCommand)
        .map((call) => call.args[0].input.MaxNumberOfMessages)
    ).toEqual([10, 2]);
    expect(lambdaMock.commandCalls(InvokeCommand)).toHaveLength(12);
    expect(sqsMock.commandCalls(DeleteMessageCommand)).toHaveLength(12);
  });

  it('only lists the messages in a dry run', async () => {
    // Prepare
    serve([...replayable(12), messageOf(99, 'not a record')]);
    // Act
    const { summary, lines } = run({ dryRun: true });
    // Assess
    expect(await summary).toEqual({
      replayed: 0,
      failedAgain: 0,
      unreadable: 1,
      listed: 12,
    });
    expect(lambdaMock.commandCalls(InvokeCommand)).toHaveLength(0);
    expect(sqsMock.commandCalls(DeleteMessageCommand)).toHaveLength(0);
    expect(lines[0]).toBe(
      `would replay on ${FUNCTION} (failed: RetriesExhausted, 3 attempts)`
    );
  });

  it('stops when a receive comes back empty', async () => {
    // Prepare
    sqsMock.on(ReceiveMessageCommand).resolves({});
    // Act
    const { summary } = run();
    // Assess
    expect(await summary).toEqual({
      replayed: 0,
      failedAgain: 0,
      unreadable: 0,
      listed: 0,
    });
    expect(sqsMock.commandCalls(ReceiveMessageCommand)).toHaveLength(1);
    expect(lambdaMock.commandCalls(InvokeCommand)).toHaveLength(0);
  });

  it('rejects and deletes nothing when Lambda itself fails', async () => {
    // Prepare
    serve(replayable(1));
    lambdaMock.on(InvokeCommand).rejects(new Error('Rate exceeded'));
    // Act
    const { summary } = run();
    // Assess
    await expect(summary).rejects.toThrow('Rate exceeded');
    expect(sqsMock.commandCalls(DeleteMessageCommand)).toHaveLength(0);
  });
});
