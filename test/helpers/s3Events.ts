import { readFile } from 'node:fs/promises';
import type {
  S3Event,
  S3EventRecord,
  S3ObjectCreatedNotificationEvent,
  SQSEvent,
  SQSRecord,
} from 'aws-lambda';
import type { S3ObjectRef } from '../../shared/types.js';

/** The ways an S3 object-created notification reaches s3Ingest. */
type EventShape = 's3' | 'sqs' | 'sns-in-sqs' | 'eventbridge';

const EVENT_FILES: Readonly<Record<EventShape, string>> = {
  s3: 's3-object-created.json',
  sqs: 'sqs-s3-notification.json',
  'sns-in-sqs': 'sns-in-sqs-s3-notification.json',
  eventbridge: 'eventbridge-s3-object-created.json',
};

/** An SNS notification envelope, as an SQS body carries it. */
interface SnsEnvelope {
  Type: string;
  Message: string;
  [field: string]: unknown;
}

/** The sample events of events/, parsed once per test file. */
interface SampleEvents {
  readonly s3: S3Event;
  readonly sqs: SQSEvent;
  readonly 'sns-in-sqs': SQSEvent;
  readonly eventbridge: S3ObjectCreatedNotificationEvent;
}

async function loadSampleEvents(): Promise<SampleEvents> {
  const read = async (shape: EventShape): Promise<unknown> =>
    JSON.parse(
      await readFile(
        new URL(`../../events/${EVENT_FILES[shape]}`, import.meta.url),
        'utf8'
      )
    );
  return {
    s3: (await read('s3')) as S3Event,
    sqs: (await read('sqs')) as SQSEvent,
    'sns-in-sqs': (await read('sns-in-sqs')) as SQSEvent,
    eventbridge: (await read(
      'eventbridge'
    )) as S3ObjectCreatedNotificationEvent,
  };
}

/**
 * A key as S3 notifications carry it: URL-encoded with a space as `+`
 * (so a real `+` is `%2B`); `/` stays as it is.
 */
const encodeS3Key = (key: string): string =>
  key
    .split('/')
    .map((part) => encodeURIComponent(part).replace(/%20/g, '+'))
    .join('/');

/** An object named by a notification: the key as the object has it. */
interface NotifiedObject extends S3ObjectRef {
  readonly eTag: string;
  readonly sizeBytes: number;
}

function firstOf<T>(items: readonly T[], what: string): T {
  const [first] = items;
  if (first === undefined) throw new Error(`the sample has no ${what}`);
  return first;
}

/** The sample S3 notification, one record per object. */
function s3Notification(
  samples: SampleEvents,
  objects: readonly NotifiedObject[]
): S3Event {
  const template = firstOf(samples.s3.Records, 'S3 record');
  const records = objects.map((object): S3EventRecord => {
    const record = structuredClone(template);
    record.s3.bucket.name = object.bucket;
    record.s3.bucket.arn = `arn:aws:s3:::${object.bucket}`;
    record.s3.object.key = encodeS3Key(object.key);
    record.s3.object.eTag = object.eTag;
    record.s3.object.size = object.sizeBytes;
    return record;
  });
  return { Records: records };
}

/** The sample SQS message, with this body and message id. */
function sqsRecord(
  template: SQSRecord,
  body: string,
  messageId: string
): SQSRecord {
  const record = structuredClone(template);
  record.body = body;
  record.messageId = messageId;
  return record;
}

/** An SQS message whose body is the sample SNS envelope of a notification. */
function snsInSqsRecord(
  samples: SampleEvents,
  notification: S3Event,
  messageId: string
): SQSRecord {
  const template = firstOf(samples['sns-in-sqs'].Records, 'SQS record');
  const envelope = JSON.parse(template.body) as SnsEnvelope;
  envelope.Message = JSON.stringify(notification);
  return sqsRecord(template, JSON.stringify(envelope, null, 2), messageId);
}

/**
 * The sample event of a shape, cloned and pointed at the objects (SQS
 * shapes: one message carrying all of them). EventBridge carries one object.
 */
function eventFor(
  samples: SampleEvents,
  shape: EventShape,
  objects: readonly NotifiedObject[],
  messageId = 'b1f0c7a2-0000-4000-8000-000000000001'
): S3Event | SQSEvent | S3ObjectCreatedNotificationEvent {
  const notification = s3Notification(samples, objects);
  switch (shape) {
    case 's3':
      return notification;
    case 'sqs': {
      const template = firstOf(samples.sqs.Records, 'SQS record');
      return {
        Records: [sqsRecord(template, JSON.stringify(notification), messageId)],
      };
    }
    case 'sns-in-sqs':
      return { Records: [snsInSqsRecord(samples, notification, messageId)] };
    case 'eventbridge': {
      const object = firstOf(objects, 'object');
      const event = structuredClone(samples.eventbridge);
      event.resources = [`arn:aws:s3:::${object.bucket}`];
      event.detail.bucket.name = object.bucket;
      event.detail.object.key = encodeS3Key(object.key);
      event.detail.object.etag = object.eTag;
      event.detail.object.size = object.sizeBytes;
      return event;
    }
  }
}

export type { EventShape, NotifiedObject, SampleEvents };
export {
  encodeS3Key,
  eventFor,
  loadSampleEvents,
  s3Notification,
  snsInSqsRecord,
  sqsRecord,
};
