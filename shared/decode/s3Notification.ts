import { DecodeError } from '../errors.js';
import type { S3ObjectRef } from '../types.js';
import { isJsonObject, type JsonObject } from './jsonObject.js';

/** One message of an SQS event, as far as decoding needs it. */
interface SqsMessage {
  readonly messageId: string;
  readonly body: string;
  readonly eventSource: 'aws:sqs';
}

/** An SQS event as Lambda delivers it: a batch of one or more messages. */
interface SqsEvent {
  readonly Records: readonly SqsMessage[];
}

/** Names a bad value's kind for a message, never echoing a whole payload. */
const describe = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value === '') return 'an empty string';
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}...` : value;
    return `string ${JSON.stringify(shown)}`;
  }
  return typeof value;
};

const SHAPES =
  'an S3 event notification (Records[] from aws:s3), the S3 test event ' +
  "or an EventBridge event from source 'aws.s3'";

function requireObject(
  parent: JsonObject,
  name: string,
  path: string
): JsonObject {
  const value = parent[name];
  if (!isJsonObject(value)) {
    throw new DecodeError(
      `${path}.${name}: expected an object, got ${describe(value)}`
    );
  }
  return value;
}

function requireString(parent: JsonObject, name: string, path: string): string {
  const value = parent[name];
  if (typeof value !== 'string' || value === '') {
    throw new DecodeError(
      `${path}.${name}: expected a non-empty string, got ${describe(value)}`
    );
  }
  return value;
}

/** An optional string field: absent and null both mean absent. */
function optionalString(
  parent: JsonObject,
  name: string,
  path: string
): string | undefined {
  const value = parent[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new DecodeError(
      `${path}.${name}: expected a string, got ${describe(value)}`
    );
  }
  return value;
}

function optionalSize(
  parent: JsonObject,
  name: string,
  path: string
): number | undefined {
  const value = parent[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new DecodeError(
      `${path}.${name}: expected a byte count, got ${typeof value === 'number' ? value : describe(value)}`
    );
  }
  return value;
}

function decodeKeyAt(encodedKey: string, path: string): string {
  try {
    return decodeURIComponent(encodedKey.replace(/\+/g, ' '));
  } catch (error) {
    throw new DecodeError(
      `${path}: not valid URL encoding: ${describe(encodedKey)}`,
      { cause: error }
    );
  }
}

/**
 * Decodes a key as S3 notifications carry it: form-URL-encoded, so `+` is a
 * space and `%xx` an escaped byte of UTF-8. Decodes exactly once (a key that
 * really holds `%2B` arrives as `%252B`). Throws `DecodeError` on a malformed
 * escape.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 */
const decodeS3Key = (encodedKey: string): string =>
  decodeKeyAt(encodedKey, 'key');

function objectRef(
  bucket: string,
  encodedKey: string,
  objectPath: string,
  extra: {
    versionId: string | undefined;
    eTag: string | undefined;
    sizeBytes: number | undefined;
  }
): S3ObjectRef {
  return {
    bucket,
    key: decodeKeyAt(encodedKey, `${objectPath}.key`),
    ...(extra.versionId === undefined ? {} : { versionId: extra.versionId }),
    ...(extra.eTag === undefined ? {} : { eTag: extra.eTag }),
    ...(extra.sizeBytes === undefined ? {} : { sizeBytes: extra.sizeBytes }),
  };
}

/** One record of an S3 event notification; [] unless `ObjectCreated:*`. */
function objectsFromS3Record(record: unknown, path: string): S3ObjectRef[] {
  if (!isJsonObject(record)) {
    throw new DecodeError(
      `${path}: expected an object, got ${describe(record)}`
    );
  }
  if (record.eventSource !== 'aws:s3') {
    throw new DecodeError(
      `${path}.eventSource: expected 'aws:s3', got ${describe(record.eventSource)}`
    );
  }
  // eventName has no `s3:` prefix here (ObjectCreated:Put, ObjectRemoved:...).
  const eventName = requireString(record, 'eventName', path);
  if (!eventName.startsWith('ObjectCreated:')) return [];
  const s3 = requireObject(record, 's3', path);
  const bucket = requireObject(s3, 'bucket', `${path}.s3`);
  const object = requireObject(s3, 'object', `${path}.s3`);
  const objectPath = `${path}.s3.object`;
  return [
    objectRef(
      requireString(bucket, 'name', `${path}.s3.bucket`),
      requireString(object, 'key', objectPath),
      objectPath,
      {
        versionId: optionalString(object, 'versionId', objectPath),
        eTag: optionalString(object, 'eTag', objectPath),
        sizeBytes: optionalSize(object, 'size', objectPath),
      }
    ),
  ];
}

/**
 * An S3 event delivered through EventBridge; [] unless `Object Created`.
 *
 * The EventBridge docs (ev-events) show `detail.object.key` without saying
 * whether it is encoded; only the notification docs say "The object key name
 * value is URL encoded". Powertools for AWS Lambda (Python) applies
 * `unquote_plus` to the EventBridge key as it does to the notification key
 * (`S3EventBridgeNotificationObject.key`), so both are decoded here the same
 * way. Flow-log keys hold no `+`, `%` or space unless the user prefix does.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 */
function objectsFromEventBridge(
  event: JsonObject,
  path: string
): S3ObjectRef[] {
  if (event.source !== 'aws.s3') {
    throw new DecodeError(
      `${path}.source: expected 'aws.s3', got ${describe(event.source)}`
    );
  }
  if (requireString(event, 'detail-type', path) !== 'Object Created') return [];
  const detail = requireObject(event, 'detail', path);
  const bucket = requireObject(detail, 'bucket', `${path}.detail`);
  const object = requireObject(detail, 'object', `${path}.detail`);
  const objectPath = `${path}.detail.object`;
  return [
    objectRef(
      requireString(bucket, 'name', `${path}.detail.bucket`),
      requireString(object, 'key', objectPath),
      objectPath,
      {
        versionId: optionalString(object, 'version-id', objectPath),
        eTag: optionalString(object, 'etag', objectPath),
        sizeBytes: optionalSize(object, 'size', objectPath),
      }
    ),
  ];
}

/** An S3 notification, the S3 test event or an EventBridge S3 event. */
function objectsFromNotification(value: unknown, path: string): S3ObjectRef[] {
  if (!isJsonObject(value)) {
    throw new DecodeError(
      `${path}: expected ${SHAPES}, got ${describe(value)}`
    );
  }
  if (value.Service === 'Amazon S3' && value.Event === 's3:TestEvent') {
    return [];
  }
  if (value.Records !== undefined) {
    const records = value.Records;
    if (!Array.isArray(records) || records.length === 0) {
      throw new DecodeError(
        `${path}.Records: expected a non-empty array, got ${describe(records)}`
      );
    }
    return records.flatMap((record, index) =>
      objectsFromS3Record(record, `${path}.Records[${index}]`)
    );
  }
  if (value.source !== undefined || value['detail-type'] !== undefined) {
    return objectsFromEventBridge(value, path);
  }
  throw new DecodeError(`${path}: expected ${SHAPES}, got another object`);
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DecodeError(`${path}: not JSON (${describe(text)})`, {
      cause: error,
    });
  }
}

/** An SNS notification (in an SQS body or a Lambda SNS record). */
function objectsFromSnsEnvelope(
  envelope: JsonObject,
  path: string
): S3ObjectRef[] {
  if (envelope.Type !== 'Notification') {
    throw new DecodeError(
      `${path}.Type: expected 'Notification', got ${describe(envelope.Type)}`
    );
  }
  const message = envelope.Message;
  if (typeof message !== 'string') {
    throw new DecodeError(
      `${path}.Message: expected a JSON string, got ${describe(message)}`
    );
  }
  return objectsFromNotification(
    parseJson(message, `${path}.Message`),
    `${path}.Message`
  );
}

/**
 * True for an SQS event: a non-empty `Records` array whose every record has
 * `eventSource: 'aws:sqs'` and a string `messageId` and `body`. Never throws.
 * Decode each message with `objectsFromMessageBody`, so that a bad message
 * fails alone (partial batch response).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html
 */
function isSqsEvent(event: unknown): event is SqsEvent {
  if (!isJsonObject(event)) return false;
  const records = event.Records;
  return (
    Array.isArray(records) &&
    records.length > 0 &&
    records.every(
      (record) =>
        isJsonObject(record) &&
        record.eventSource === 'aws:sqs' &&
        typeof record.messageId === 'string' &&
        typeof record.body === 'string'
    )
  );
}

/**
 * The objects created, per a Lambda event: a direct S3 event notification
 * (only `ObjectCreated:*` records count), the S3 test event (no objects), an
 * EventBridge `Object Created` event (other detail types give no objects) or
 * an SNS event carrying any of these. Keys come back URL-decoded, once.
 * Throws `DecodeError`, naming the offending field, on anything else,
 * including an SQS event (decode those per message with
 * `objectsFromMessageBody`).
 * @example
 * ```ts
 * objectsFromEvent(s3Notification); // events/s3-object-created.json
 * // [{ bucket: 'flowlog-rollups-local', key: 'AWSLogs/.../...log.gz',
 * //    eTag: '5d1c...', sizeBytes: 48213 }]
 * ```
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html
 */
function objectsFromEvent(event: unknown): S3ObjectRef[] {
  if (!isJsonObject(event)) {
    throw new DecodeError(
      `event: expected ${SHAPES} or an SNS event, got ${describe(event)}`
    );
  }
  const records = event.Records;
  if (Array.isArray(records)) {
    if (records.some((r) => isJsonObject(r) && r.eventSource === 'aws:sqs')) {
      throw new DecodeError(
        'event: an SQS event; decode each message body with objectsFromMessageBody'
      );
    }
    if (records.some((r) => isJsonObject(r) && r.EventSource === 'aws:sns')) {
      return records.flatMap((record, index) => {
        const path = `event.Records[${index}]`;
        if (!isJsonObject(record) || record.EventSource !== 'aws:sns') {
          throw new DecodeError(
            `${path}: expected an SNS record (EventSource 'aws:sns')`
          );
        }
        return objectsFromSnsEnvelope(
          requireObject(record, 'Sns', path),
          `${path}.Sns`
        );
      });
    }
  }
  return objectsFromNotification(event, 'event');
}

/**
 * The objects created, per one SQS message body: the JSON of an S3 event
 * notification or of the S3 test event (S3 -> SQS, or SNS with raw message
 * delivery), of an SNS notification envelope whose `Message` holds one of
 * those (S3 -> SNS -> SQS), or of an EventBridge S3 event (an EventBridge
 * rule targeting SQS). Keys come back URL-decoded, once. Throws `DecodeError`
 * when the body is not JSON or not one of these shapes.
 * @example
 * ```ts
 * for (const record of event.Records) {
 *   const objects = objectsFromMessageBody(record.body);
 * }
 * ```
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html
 */
function objectsFromMessageBody(body: string): S3ObjectRef[] {
  if (typeof body !== 'string') {
    throw new DecodeError(
      `message body: expected a string, got ${describe(body)}`
    );
  }
  const message = parseJson(body, 'message body');
  if (isJsonObject(message) && message.Type !== undefined) {
    return objectsFromSnsEnvelope(message, 'message body');
  }
  return objectsFromNotification(message, 'message body');
}

export type { SqsEvent, SqsMessage };
export { decodeS3Key, isSqsEvent, objectsFromEvent, objectsFromMessageBody };
