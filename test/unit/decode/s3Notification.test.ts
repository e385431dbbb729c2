import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeS3Key,
  isSqsEvent,
  objectsFromEvent,
  objectsFromMessageBody,
} from '../../../shared/decode/s3Notification.js';
import { DecodeError } from '../../../shared/errors.js';
import type { S3ObjectRef } from '../../../shared/types.js';

type Path = readonly (string | number)[];

interface SqsFixture {
  Records: { eventSource: string; messageId: string; body: string }[];
}

const root = new URL('../../../', import.meta.url);
const loadEvent = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`events/${name}`, root), 'utf8'));

const S3_EVENT = loadEvent('s3-object-created.json');
const EVENTBRIDGE_EVENT = loadEvent('eventbridge-s3-object-created.json');
const SQS_EVENT = loadEvent('sqs-s3-notification.json') as SqsFixture;
const SNS_IN_SQS_EVENT = loadEvent(
  'sns-in-sqs-s3-notification.json'
) as SqsFixture;

const firstBody = (event: SqsFixture): string => {
  const [record] = event.Records;
  if (record === undefined) throw new Error('fixture has no record');
  return record.body;
};

const SQS_BODY = firstBody(SQS_EVENT);
const SNS_BODY = firstBody(SNS_IN_SQS_EVENT);
const SNS_ENVELOPE = JSON.parse(SNS_BODY) as Record<string, unknown>;

/** The same notification as S3 -> SNS -> Lambda delivers it. */
const SNS_EVENT = {
  Records: [
    {
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      EventSubscriptionArn:
        'arn:aws:sns:us-east-1:123456789012:flowlog-rollups-object-created:b7d3e91a-2c4f-4a8e-9f16-5e0c8a3d7b42',
      Sns: SNS_ENVELOPE,
    },
  ],
};

/** The S3 test event, as S3 sends it when a notification is configured. */
const TEST_EVENT = {
  Service: 'Amazon S3',
  Event: 's3:TestEvent',
  Time: '2026-11-01T00:02:11.417Z',
  Bucket: 'flowlog-rollups-local',
  RequestId: '5582815E1AEA5ADF',
  HostId: '8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE',
};

/** What every sample event names. */
const OBJECT: S3ObjectRef = {
  bucket: 'flowlog-rollups-local',
  key: 'AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/01/123456789012_vpcflowlogs_us-east-1_fl-0123456789abcdef0_20261101T0010Z_3f2a9c1e.log.gz',
  eTag: '5d1c2e8a0f4b9a7c3e6d2b1a9f8e7c6d',
  sizeBytes: 48213,
};

/** A structuredClone of `value` with `path` set to `replacement`. */
function withValue(value: unknown, path: Path, replacement: unknown): unknown {
  const copy = structuredClone(value);
  let node: unknown = copy;
  for (const step of path.slice(0, -1)) {
    if (typeof node !== 'object' || node === null) return copy;
    node = (node as Record<string | number, unknown>)[step];
  }
  const last = path.at(-1);
  if (typeof node === 'object' && node !== null && last !== undefined) {
    if (replacement === undefined) {
      delete (node as Record<string | number, unknown>)[last];
    } else {
      (node as Record<string | number, unknown>)[last] = replacement;
    }
  }
  return copy;
}

const S3_KEY: Path = ['Records', 0, 's3', 'object', 'key'];
const EVENTBRIDGE_KEY: Path = ['detail', 'object', 'key'];

/** Runs `act` and returns what it threw (undefined when it returned). */
function thrownBy(act: () => unknown): unknown {
  try {
    act();
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('objectsFromEvent', () => {
  it('reads the object of a direct S3 event notification', () => {
    // Act
    const objects = objectsFromEvent(structuredClone(S3_EVENT));
    // Assess
    expect(objects).toEqual([OBJECT]);
  });

  it('reads the object of an EventBridge Object Created event', () => {
    // Act
    const objects = objectsFromEvent(structuredClone(EVENTBRIDGE_EVENT));
    // Assess
    expect(objects).toEqual([OBJECT]);
  });

  it('reads S3 notifications that arrive through SNS', () => {
    // Prepare
    const event = structuredClone({
      Records: [...SNS_EVENT.Records, ...SNS_EVENT.Records],
    });
    // Act
    const objects = objectsFromEvent(event);
    // Assess
    expect(objects).toEqual([OBJECT, OBJECT]);
  });

  it('reads every ObjectCreated record and ignores other event names', () => {
    // Prepare
    const put = withValue(S3_EVENT, S3_KEY, 'a.log.gz') as {
      Records: Record<string, unknown>[];
    };
    const [record] = put.Records;
    const removed = withValue(record, ['eventName'], 'ObjectRemoved:Delete');
    const copied = withValue(
      withValue(
        withValue(
          record,
          ['eventName'],
          'ObjectCreated:CompleteMultipartUpload'
        ),
        ['s3', 'object', 'key'],
        'b.log.gz'
      ),
      ['s3', 'object', 'versionId'],
      '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY'
    );
    const tagged = withValue(record, ['eventName'], 'ObjectTagging:Put');
    const event = { Records: [record, removed, copied, tagged] };
    // Act
    const objects = objectsFromEvent(event);
    // Assess
    expect(objects).toEqual([
      { ...OBJECT, key: 'a.log.gz' },
      {
        ...OBJECT,
        key: 'b.log.gz',
        versionId: '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY',
      },
    ]);
  });

  it('reads an object without the optional version, ETag and size', () => {
    // Prepare
    let event = withValue(
      S3_EVENT,
      ['Records', 0, 's3', 'object', 'eTag'],
      undefined
    );
    event = withValue(event, ['Records', 0, 's3', 'object', 'size'], undefined);
    event = withValue(event, ['Records', 0, 's3', 'object', 'versionId'], null);
    // Act
    const objects = objectsFromEvent(event);
    // Assess
    expect(objects).toEqual([{ bucket: OBJECT.bucket, key: OBJECT.key }]);
  });

  it('ignores EventBridge events of other detail types', () => {
    // Prepare
    const event = withValue(
      EVENTBRIDGE_EVENT,
      ['detail-type'],
      'Object Deleted'
    );
    // Act
    const objects = objectsFromEvent(event);
    // Assess
    expect(objects).toEqual([]);
  });

  it('returns no objects for the S3 test event', () => {
    // Act
    const objects = objectsFromEvent(structuredClone(TEST_EVENT));
    // Assess
    expect(objects).toEqual([]);
  });

  it.each([
    ['+ as a space', 'flow+logs/a.log.gz', 'flow logs/a.log.gz'],
    ['%20 as a space', 'flow%20logs/a.log.gz', 'flow logs/a.log.gz'],
    ['%2B as a plus', 'c%2B%2B/a.log.gz', 'c++/a.log.gz'],
    ['UTF-8 escapes', 'caf%C3%A9/%E2%9C%93+%F0%9F%93%A6', 'café/✓ 📦'],
    ['only once', 'x%252B%2520y', 'x%2B%20y'],
    ['=, : and , as AWS escapes them', 'a%3Db%3Ac%2Cd', 'a=b:c,d'],
  ])('decodes keys: %s', (_name, encoded, decoded) => {
    // Prepare
    const s3 = withValue(S3_EVENT, S3_KEY, encoded);
    const eventBridge = withValue(EVENTBRIDGE_EVENT, EVENTBRIDGE_KEY, encoded);
    // Act
    const keys = [...objectsFromEvent(s3), ...objectsFromEvent(eventBridge)];
    // Assess
    expect(keys.map((object) => object.key)).toEqual([decoded, decoded]);
  });

  it('rejects an SQS event and names the per-message decoder', () => {
    // Act
    const error = thrownBy(() => objectsFromEvent(structuredClone(SQS_EVENT)));
    // Assess
    expect(error).toBeInstanceOf(DecodeError);
    expect(String(error)).toMatch(/SQS event.*objectsFromMessageBody/);
  });

  it.each<[string, unknown, RegExp]>([
    ['null', null, /^DecodeError: event: expected .* got null$/],
    ['a string', 'Records', /event: expected .* got string "Records"/],
    ['an array', [S3_EVENT], /event: expected .* got an array/],
    ['an unknown object', { hello: 'world' }, /event: expected an S3 event/],
    [
      'Records not an array',
      { Records: {} },
      /event\.Records: expected a non-empty array, got object/,
    ],
    [
      'empty Records',
      { Records: [] },
      /event\.Records: expected a non-empty array/,
    ],
    [
      'a record not an object',
      { Records: [7] },
      /event\.Records\[0\]: expected an object, got number/,
    ],
    [
      'another event source',
      withValue(S3_EVENT, ['Records', 0, 'eventSource'], 'aws:dynamodb'),
      /event\.Records\[0\]\.eventSource: expected 'aws:s3', got string "aws:dynamodb"/,
    ],
    [
      'no event name',
      withValue(S3_EVENT, ['Records', 0, 'eventName'], undefined),
      /event\.Records\[0\]\.eventName: expected a non-empty string, got undefined/,
    ],
    [
      'no s3 member',
      withValue(S3_EVENT, ['Records', 0, 's3'], undefined),
      /event\.Records\[0\]\.s3: expected an object/,
    ],
    [
      'no bucket',
      withValue(S3_EVENT, ['Records', 0, 's3', 'bucket'], 'b'),
      /event\.Records\[0\]\.s3\.bucket: expected an object, got string/,
    ],
    [
      'an empty bucket name',
      withValue(S3_EVENT, ['Records', 0, 's3', 'bucket', 'name'], ''),
      /s3\.bucket\.name: expected a non-empty string, got an empty string/,
    ],
    [
      'no object',
      withValue(S3_EVENT, ['Records', 0, 's3', 'object'], null),
      /event\.Records\[0\]\.s3\.object: expected an object, got null/,
    ],
    [
      'no key',
      withValue(S3_EVENT, S3_KEY, undefined),
      /event\.Records\[0\]\.s3\.object\.key: expected a non-empty string/,
    ],
    [
      'a numeric key',
      withValue(S3_EVENT, S3_KEY, 42),
      /s3\.object\.key: expected a non-empty string, got number/,
    ],
    [
      'a malformed escape in the key',
      withValue(S3_EVENT, S3_KEY, 'a%E0%A4%A.log.gz'),
      /s3\.object\.key: not valid URL encoding: string "a%E0%A4%A\.log\.gz"/,
    ],
    [
      'a negative size',
      withValue(S3_EVENT, ['Records', 0, 's3', 'object', 'size'], -1),
      /s3\.object\.size: expected a byte count, got -1/,
    ],
    [
      'a size in a string',
      withValue(S3_EVENT, ['Records', 0, 's3', 'object', 'size'], '12'),
      /s3\.object\.size: expected a byte count, got string "12"/,
    ],
    [
      'a numeric ETag',
      withValue(S3_EVENT, ['Records', 0, 's3', 'object', 'eTag'], 5),
      /s3\.object\.eTag: expected a string, got number/,
    ],
    [
      'a version id that is not a string',
      withValue(S3_EVENT, ['Records', 0, 's3', 'object', 'versionId'], {}),
      /s3\.object\.versionId: expected a string, got object/,
    ],
    [
      'an EventBridge event of another source',
      withValue(EVENTBRIDGE_EVENT, ['source'], 'aws.ec2'),
      /event\.source: expected 'aws\.s3', got string "aws\.ec2"/,
    ],
    [
      'an EventBridge event without detail-type',
      withValue(EVENTBRIDGE_EVENT, ['detail-type'], undefined),
      /event\.detail-type: expected a non-empty string, got undefined/,
    ],
    [
      'an EventBridge event without detail',
      withValue(EVENTBRIDGE_EVENT, ['detail'], undefined),
      /event\.detail: expected an object, got undefined/,
    ],
    [
      'an EventBridge event without a bucket name',
      withValue(EVENTBRIDGE_EVENT, ['detail', 'bucket', 'name'], undefined),
      /event\.detail\.bucket\.name: expected a non-empty string/,
    ],
    [
      'an EventBridge event without a key',
      withValue(EVENTBRIDGE_EVENT, EVENTBRIDGE_KEY, undefined),
      /event\.detail\.object\.key: expected a non-empty string/,
    ],
    [
      'an EventBridge size that is not an integer',
      withValue(EVENTBRIDGE_EVENT, ['detail', 'object', 'size'], 1.5),
      /event\.detail\.object\.size: expected a byte count, got 1\.5/,
    ],
    [
      'an SNS record whose message is not JSON',
      withValue(SNS_EVENT, ['Records', 0, 'Sns', 'Message'], 'hello'),
      /event\.Records\[0\]\.Sns\.Message: not JSON/,
    ],
    [
      'an SNS record without Sns',
      withValue(SNS_EVENT, ['Records', 0, 'Sns'], undefined),
      /event\.Records\[0\]\.Sns: expected an object/,
    ],
    [
      'an SNS event with a record of another source',
      withValue(SNS_EVENT, ['Records', 1], { EventSource: 'aws:s3' }),
      /event\.Records\[1\]: expected an SNS record/,
    ],
  ])('throws DecodeError naming the field for %s', (_name, event, message) => {
    // Act
    const error = thrownBy(() => objectsFromEvent(event));
    // Assess
    expect(error).toBeInstanceOf(DecodeError);
    expect(String(error)).toMatch(message);
  });

  it('throws nothing but DecodeError for any input', () => {
    const paths: readonly (readonly [unknown, Path])[] = [
      ...[
        ['Records'],
        ['Records', 0],
        ['Records', 0, 'eventSource'],
        ['Records', 0, 'eventName'],
        ['Records', 0, 's3'],
        ['Records', 0, 's3', 'bucket'],
        ['Records', 0, 's3', 'bucket', 'name'],
        ['Records', 0, 's3', 'object'],
        S3_KEY,
        ['Records', 0, 's3', 'object', 'size'],
        ['Records', 0, 's3', 'object', 'eTag'],
        ['Records', 0, 's3', 'object', 'versionId'],
      ].map((path) => [S3_EVENT, path] as const),
      ...[
        ['source'],
        ['detail-type'],
        ['detail'],
        ['detail', 'bucket', 'name'],
        ['detail', 'object'],
        EVENTBRIDGE_KEY,
        ['detail', 'object', 'size'],
        ['detail', 'object', 'etag'],
        ['detail', 'object', 'version-id'],
      ].map((path) => [EVENTBRIDGE_EVENT, path] as const),
      ...[
        ['Records', 0, 'EventSource'],
        ['Records', 0, 'Sns'],
        ['Records', 0, 'Sns', 'Type'],
        ['Records', 0, 'Sns', 'Message'],
      ].map((path) => [SNS_EVENT, path] as const),
      [TEST_EVENT, ['Event']],
      [SQS_EVENT, ['Records', 0, 'eventSource']],
    ];
    const value = fc.oneof(
      fc.jsonValue(),
      fc.string(),
      fc.stringMatching(/^[%+a-zA-Z0-9]{0,12}$/)
    );
    const mutated = fc
      .tuple(fc.constantFrom(...paths), value)
      .map(([[event, path], replacement]) =>
        withValue(event, path, replacement)
      );
    fc.assert(
      fc.property(fc.oneof(fc.anything(), mutated), (event) => {
        // Act
        const error = thrownBy(() => objectsFromEvent(event));
        // Assess
        expect(error === undefined || error instanceof DecodeError).toBe(true);
      })
    );
  });
});

describe('objectsFromMessageBody', () => {
  it('reads an S3 event notification (S3 -> SQS)', () => {
    // Act
    const objects = objectsFromMessageBody(SQS_BODY);
    // Assess
    expect(objects).toEqual([OBJECT]);
  });

  it('reads an SNS envelope carrying the notification (S3 -> SNS -> SQS)', () => {
    // Act
    const objects = objectsFromMessageBody(SNS_BODY);
    // Assess
    expect(objects).toEqual([OBJECT]);
  });

  it('reads an EventBridge event (an EventBridge rule targeting SQS)', () => {
    // Act
    const objects = objectsFromMessageBody(JSON.stringify(EVENTBRIDGE_EVENT));
    // Assess
    expect(objects).toEqual([OBJECT]);
  });

  it('reads an EventBridge event that SNS carries', () => {
    // Prepare
    const body = JSON.stringify(
      withValue(SNS_ENVELOPE, ['Message'], JSON.stringify(EVENTBRIDGE_EVENT))
    );
    // Act
    const objects = objectsFromMessageBody(body);
    // Assess
    expect(objects).toEqual([OBJECT]);
  });

  it('returns no objects for the S3 test event, raw or through SNS', () => {
    // Prepare
    const raw = JSON.stringify(TEST_EVENT);
    const viaSns = JSON.stringify(withValue(SNS_ENVELOPE, ['Message'], raw));
    // Act
    const objects = [
      ...objectsFromMessageBody(raw),
      ...objectsFromMessageBody(viaSns),
    ];
    // Assess
    expect(objects).toEqual([]);
  });

  it('decodes the key in an SNS envelope once', () => {
    // Prepare
    const message = JSON.stringify(
      withValue(S3_EVENT, S3_KEY, 'my+logs%2B/caf%C3%A9.log.gz')
    );
    const body = JSON.stringify(withValue(SNS_ENVELOPE, ['Message'], message));
    // Act
    const [object] = objectsFromMessageBody(body);
    // Assess
    expect(object?.key).toBe('my logs+/café.log.gz');
  });

  it.each<[string, unknown, RegExp]>([
    [
      'text that is not JSON',
      'hello',
      /^DecodeError: message body: not JSON \(string "hello"\)$/,
    ],
    ['an empty body', '', /message body: not JSON/],
    [
      'a JSON string',
      '"Records"',
      /message body: expected an S3 event .* got string "Records"/,
    ],
    ['a JSON array', '[]', /message body: expected .* got an array/],
    ['JSON null', 'null', /message body: expected .* got null/],
    ['an unknown object', '{"foo":1}', /message body: expected an S3 event/],
    [
      'an SNS subscription confirmation',
      JSON.stringify(
        withValue(SNS_ENVELOPE, ['Type'], 'SubscriptionConfirmation')
      ),
      /message body\.Type: expected 'Notification', got string "SubscriptionConfirmation"/,
    ],
    [
      'an SNS envelope without Message',
      JSON.stringify(withValue(SNS_ENVELOPE, ['Message'], undefined)),
      /message body\.Message: expected a JSON string, got undefined/,
    ],
    [
      'an SNS Message that is not JSON',
      JSON.stringify(withValue(SNS_ENVELOPE, ['Message'], '{')),
      /message body\.Message: not JSON/,
    ],
    [
      'an SNS Message of an unknown shape',
      JSON.stringify(withValue(SNS_ENVELOPE, ['Message'], '{"a":1}')),
      /message body\.Message: expected an S3 event/,
    ],
    [
      'a notification without a bucket',
      JSON.stringify(
        withValue(S3_EVENT, ['Records', 0, 's3', 'bucket'], undefined)
      ),
      /message body\.Records\[0\]\.s3\.bucket: expected an object/,
    ],
    [
      'a body that is not a string',
      42,
      /message body: expected a string, got number/,
    ],
  ])('throws DecodeError for %s', (_name, body, message) => {
    // Act
    const error = thrownBy(() => objectsFromMessageBody(body as string));
    // Assess
    expect(error).toBeInstanceOf(DecodeError);
    expect(String(error)).toMatch(message);
  });

  it('throws nothing but DecodeError for any body', () => {
    const bodies = [S3_EVENT, EVENTBRIDGE_EVENT, SNS_ENVELOPE, TEST_EVENT];
    const mutated = fc
      .tuple(
        fc.constantFrom(...bodies),
        fc.constantFrom<Path>(
          ['Type'],
          ['Message'],
          ['Records', 0, 's3', 'object', 'key'],
          ['Records', 0, 'eventName'],
          ['detail', 'object'],
          ['Event'],
          ['Service']
        ),
        fc.oneof(fc.jsonValue(), fc.string())
      )
      .map(([body, path, replacement]) =>
        JSON.stringify(withValue(body, path, replacement))
      );
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), mutated), (body) => {
        // Act
        const error = thrownBy(() => objectsFromMessageBody(body));
        // Assess
        expect(error === undefined || error instanceof DecodeError).toBe(true);
      })
    );
  });
});

describe('isSqsEvent', () => {
  it('is true for SQS events', () => {
    // Act
    const results = [SQS_EVENT, SNS_IN_SQS_EVENT].map(isSqsEvent);
    // Assess
    expect(results).toEqual([true, true]);
  });

  it.each<[string, unknown]>([
    ['an S3 event notification', S3_EVENT],
    ['an EventBridge event', EVENTBRIDGE_EVENT],
    ['an SNS event', SNS_EVENT],
    ['null', null],
    ['a string', 'aws:sqs'],
    ['an empty batch', { Records: [] }],
    [
      'a record without a body',
      withValue(SQS_EVENT, ['Records', 0, 'body'], undefined),
    ],
    [
      'a batch with another source',
      withValue(SQS_EVENT, ['Records', 1], { eventSource: 'aws:s3' }),
    ],
  ])('is false for %s', (_name, event) => {
    // Act
    const result = isSqsEvent(event);
    // Assess
    expect(result).toBe(false);
  });
});

describe('decodeS3Key', () => {
  it('decodes + and %xx once', () => {
    // Act
    const key = decodeS3Key('a+b%2Bc%25d');
    // Assess
    expect(key).toBe('a b+c%d');
  });

  it('throws DecodeError on a malformed escape', () => {
    // Act
    const error = thrownBy(() => decodeS3Key('100%'));
    // Assess
    expect(error).toBeInstanceOf(DecodeError);
    expect(String(error)).toMatch(/key: not valid URL encoding/);
  });
});
