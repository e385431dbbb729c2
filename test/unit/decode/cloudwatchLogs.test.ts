import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CloudWatchDataMessage,
  decodeCloudWatchLogs,
  encodeCloudWatchLogs,
  interfaceIdOfStream,
} from '../../../shared/decode/cloudwatchLogs.js';
import { DecodeError } from '../../../shared/errors.js';

const root = new URL('../../../', import.meta.url);
const loadEvent = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`events/${name}`, root), 'utf8'));

const SUBSCRIPTION_EVENT = loadEvent('cloudwatch-logs-subscription.json');

const ENI = 'eni-0a1b2c3d4e5f60718';

/** A subscription batch of two v2 records of one ENI, ids as CloudWatch writes them. */
const MESSAGE: CloudWatchDataMessage = {
  owner: '123456789012',
  logGroup: '/vpc/flow-logs',
  logStream: `${ENI}-all`,
  subscriptionFilters: ['flowlog-rollups'],
  logEvents: [
    {
      id: '37934949120000000000000000000000000000000000000000000000',
      timestamp: 1793494912000,
      message: `2 123456789012 ${ENI} 10.0.1.5 10.0.2.9 443 49152 6 10 840 1793494912 1793494972 ACCEPT OK`,
    },
    {
      id: '37934949120000000000000000000000000000000000000000000001',
      timestamp: 1793494912000,
      message: `2 123456789012 ${ENI} 10.0.2.9 10.0.1.5 49152 443 6 8 6120 1793494912 1793494972 ACCEPT OK`,
    },
  ],
};

/** The Lambda event holding `value` as JSON, gzipped and base64'd. */
const packed = (value: unknown) => ({
  awslogs: {
    data: gzipSync(JSON.stringify(value)).toString('base64'),
  },
});

/** The message as JSON, with `changes` applied (undefined deletes a key). */
function messageWith(
  changes: Record<string, unknown>
): Record<string, unknown> {
  const message: Record<string, unknown> = {
    messageType: 'DATA_MESSAGE',
    ...structuredClone(MESSAGE),
  };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete message[key];
    else message[key] = value;
  }
  return message;
}

/** `MESSAGE`'s log events with the one at `index` replaced by `logEvent`. */
function logEventsWith(index: number, logEvent: unknown): unknown[] {
  const logEvents: unknown[] = structuredClone([...MESSAGE.logEvents]);
  logEvents[index] = logEvent;
  return logEvents;
}

/** The DecodeError `decodeCloudWatchLogs` throws for `event`; fails the test when none. */
function decodeErrorOf(event: unknown): DecodeError {
  try {
    decodeCloudWatchLogs(event);
  } catch (error) {
    if (error instanceof DecodeError) return error;
    throw error;
  }
  throw new Error('expected decodeCloudWatchLogs to throw a DecodeError');
}

/** What decoding `event` gives: 'decoded', 'DecodeError', or any other error as text. */
function outcomeOf(event: unknown): string {
  try {
    decodeCloudWatchLogs(event);
    return 'decoded';
  } catch (error) {
    return error instanceof DecodeError ? 'DecodeError' : String(error);
  }
}

const ACCEPTED_OUTCOMES = ['decoded', 'DecodeError'];

const NOT_AN_EVENT =
  'not a CloudWatch Logs subscription event: expected { awslogs: { data: "<base64>" } }';

describe('decodeCloudWatchLogs', () => {
  it('decodes a DATA_MESSAGE that encodeCloudWatchLogs built', () => {
    // Prepare
    const event = encodeCloudWatchLogs(MESSAGE);

    // Act
    const payload = decodeCloudWatchLogs(event);

    // Assess
    expect(payload).toStrictEqual({ kind: 'data', ...MESSAGE });
  });

  it('decodes the sample subscription event into 50 log events of one ENI stream', () => {
    // Act
    const payload = decodeCloudWatchLogs(SUBSCRIPTION_EVENT);

    // Assess
    if (payload.kind !== 'data') throw new Error('expected a DATA_MESSAGE');
    expect(payload.logGroup).toBe('/vpc/flow-logs');
    expect(payload.logStream).toMatch(/^eni-[0-9a-f]+-all$/);
    expect(payload.owner).toBe('123456789012');
    expect(payload.logEvents).toHaveLength(50);
    const eni = interfaceIdOfStream(payload.logStream);
    expect(eni).not.toBeNull();
    for (const logEvent of payload.logEvents) {
      expect(logEvent.id).toMatch(/^\d{56}$/);
      expect(logEvent.message.split(' ')[2]).toBe(eni);
    }
  });

  it('returns kind control for a CONTROL_MESSAGE', () => {
    // Prepare: as CloudWatch Logs sends it, with empty names and id
    const event = packed({
      messageType: 'CONTROL_MESSAGE',
      owner: 'CloudwatchLogs',
      logGroup: '',
      logStream: '',
      subscriptionFilters: [],
      logEvents: [
        {
          id: '',
          timestamp: 1432826855000,
          message:
            'CWL CONTROL MESSAGE: Checking health of destination Lambda function.',
        },
      ],
    });

    // Act
    const payload = decodeCloudWatchLogs(event);

    // Assess
    expect(payload).toStrictEqual({ kind: 'control' });
  });

  it('keeps log event ids longer than 2^53 as exact strings', () => {
    // Prepare: these two ids are the same number as a double
    const ids = [
      '36595265471924562453464378293417693234508467837823713280',
      '36595265471924562453464378293417693234508467837823713281',
    ];
    const logEvents = ids.map((id) => ({ id, timestamp: 1, message: 'x' }));
    const event = encodeCloudWatchLogs({ ...MESSAGE, logEvents });

    // Act
    const payload = decodeCloudWatchLogs(event);

    // Assess
    if (payload.kind !== 'data') throw new Error('expected a DATA_MESSAGE');
    expect(payload.logEvents.map((logEvent) => logEvent.id)).toStrictEqual(ids);
  });

  it('keeps only the string subscription filter names, none when absent', () => {
    // Prepare
    const mixed = packed(
      messageWith({ subscriptionFilters: ['a', 7, null, 'b'] })
    );
    const absent = packed(messageWith({ subscriptionFilters: undefined }));

    // Act
    const fromMixed = decodeCloudWatchLogs(mixed);
    const fromAbsent = decodeCloudWatchLogs(absent);

    // Assess
    expect(fromMixed).toHaveProperty('subscriptionFilters', ['a', 'b']);
    expect(fromAbsent).toHaveProperty('subscriptionFilters', []);
  });

  it('decodes a batch without log events', () => {
    // Prepare
    const event = encodeCloudWatchLogs({ ...MESSAGE, logEvents: [] });

    // Act
    const payload = decodeCloudWatchLogs(event);

    // Assess
    expect(payload).toHaveProperty('logEvents', []);
  });

  it.each<[string, unknown]>([
    ['undefined', undefined],
    ['null', null],
    ['a string', 'H4sIAAAAAAAAA'],
    ['an object without awslogs', { Records: [] }],
    ['awslogs that is not an object', { awslogs: 'H4sI' }],
    ['awslogs without data', { awslogs: {} }],
    ['data that is not a string', { awslogs: { data: 42 } }],
    ['data that is an array', { awslogs: { data: ['H4sI'] } }],
  ])('throws DecodeError for %s', (_case, event) => {
    // Act
    const error = decodeErrorOf(event);

    // Assess
    expect(error.message).toBe(NOT_AN_EVENT);
  });

  it.each([
    ['characters outside base64', 'H4sI*AAA'],
    ['a length that is not a multiple of 4', 'H4sIA'],
    ['padding in the middle', 'H4==sIAA'],
    ['three padding characters', 'H==='],
  ])('throws DecodeError for data with %s', (_case, data) => {
    // Act
    const error = decodeErrorOf({ awslogs: { data } });

    // Assess
    expect(error.message).toBe('awslogs.data is not valid base64');
  });

  it.each([
    ['plain text', Buffer.from('{"messageType":"DATA_MESSAGE"}')],
    ['no bytes', Buffer.alloc(0)],
    ['a cut gzip stream', gzipSync('{"messageType":"x"}').subarray(0, 12)],
  ])(
    'throws DecodeError for base64 of %s, which is not gzip',
    (_case, bytes) => {
      // Prepare
      const event = { awslogs: { data: bytes.toString('base64') } };

      // Act
      const error = decodeErrorOf(event);

      // Assess
      expect(error.message).toBe('awslogs.data is not gzip');
      expect(error.cause).toBeInstanceOf(Error);
    }
  );

  it('throws DecodeError for gzip that holds no JSON', () => {
    // Prepare
    const data = gzipSync('{"messageType": DATA_MESSAGE').toString('base64');

    // Act
    const error = decodeErrorOf({ awslogs: { data } });

    // Assess
    expect(error.message).toBe('awslogs.data does not hold JSON');
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it.each<[string, unknown, string]>([
    ['an array', [MESSAGE], 'an array'],
    ['null', null, 'null'],
    ['a number', 42, 'number'],
    ['a string', 'DATA_MESSAGE', 'string'],
  ])(
    'throws DecodeError when the JSON is %s, not an object',
    (_case, value, what) => {
      // Prepare
      const event = packed(value);

      // Act
      const error = decodeErrorOf(event);

      // Assess
      expect(error.message).toBe(
        `awslogs.data must hold a JSON object, got ${what}`
      );
    }
  );

  it.each<[string, unknown, string]>([
    [
      'an unknown messageType',
      'SUBSCRIPTION_MESSAGE',
      'awslogs.data: messageType must be DATA_MESSAGE or CONTROL_MESSAGE, got SUBSCRIPTION_MESSAGE',
    ],
    [
      'no messageType',
      undefined,
      'awslogs.data: messageType must be a non-empty string, got undefined',
    ],
    [
      'a messageType that is not a string',
      1,
      'awslogs.data: messageType must be a non-empty string, got number',
    ],
  ])('throws DecodeError for %s', (_case, messageType, message) => {
    // Prepare
    const event = packed(messageWith({ messageType }));

    // Act
    const error = decodeErrorOf(event);

    // Assess
    expect(error.message).toBe(message);
  });

  it.each<[string, unknown, string]>([
    ['missing', undefined, 'undefined'],
    ['an object', { 0: MESSAGE.logEvents[0] }, 'object'],
    ['null', null, 'null'],
  ])('throws DecodeError when logEvents is %s', (_case, logEvents, what) => {
    // Prepare
    const event = packed(messageWith({ logEvents }));

    // Act
    const error = decodeErrorOf(event);

    // Assess
    expect(error.message).toBe(
      `awslogs.data: logEvents must be an array, got ${what}`
    );
  });

  it.each<[string, unknown, string]>([
    ['not an object', 'x', ' must be an object, got string'],
    ['null', null, ' must be an object, got null'],
    [
      'an id that is a number',
      { id: 1, timestamp: 1, message: 'x' },
      '.id must be a string of digits',
    ],
    [
      'an id with a non-digit',
      { id: '1e56', timestamp: 1, message: 'x' },
      '.id must be a string of digits',
    ],
    [
      'a timestamp that is a string',
      { id: '1', timestamp: '1793494912000', message: 'x' },
      '.timestamp must be an integer',
    ],
    [
      'a fractional timestamp',
      { id: '1', timestamp: 1.5, message: 'x' },
      '.timestamp must be an integer',
    ],
    ['no message', { id: '1', timestamp: 1 }, '.message must be a string'],
  ])(
    'throws DecodeError naming the index of a log event that is %s',
    (_case, logEvent, problem) => {
      // Prepare
      const event = packed(
        messageWith({ logEvents: logEventsWith(1, logEvent) })
      );

      // Act
      const error = decodeErrorOf(event);

      // Assess
      expect(error.message).toBe(`awslogs.data: logEvents[1]${problem}`);
    }
  );

  it.each(['owner', 'logGroup', 'logStream'])(
    'throws DecodeError naming %s when it is missing or empty',
    (name) => {
      // Prepare
      const missing = packed(messageWith({ [name]: undefined }));
      const empty = packed(messageWith({ [name]: '' }));

      // Act
      const errors = [decodeErrorOf(missing), decodeErrorOf(empty)];

      // Assess
      expect(errors.map((error) => error.message)).toStrictEqual([
        `awslogs.data: ${name} must be a non-empty string, got undefined`,
        `awslogs.data: ${name} must be a non-empty string, got string`,
      ]);
    }
  );

  it('throws only DecodeError for arbitrary events', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.record({ awslogs: fc.anything() }),
          fc.record({ awslogs: fc.record({ data: fc.anything() }) })
        ),
        (event) => {
          // Act
          const outcome = outcomeOf(event);

          // Assess
          expect(ACCEPTED_OUTCOMES).toContain(outcome);
        }
      )
    );
  });

  it('throws only DecodeError for arbitrary strings and bytes as data', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.stringMatching(/^[A-Za-z0-9+/]*={0,2}$/),
          fc.uint8Array().map((bytes) => Buffer.from(bytes).toString('base64'))
        ),
        (data) => {
          // Act
          const outcome = outcomeOf({ awslogs: { data } });

          // Assess
          expect(ACCEPTED_OUTCOMES).toContain(outcome);
        }
      )
    );
  });

  it('throws only DecodeError for arbitrary JSON, gzipped and base64-encoded', () => {
    // Prepare: free JSON and payloads near the expected shape
    const text = fc.oneof(fc.string(), fc.jsonValue());
    const logEvent = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          id: fc.oneof(fc.bigInt({ min: 0n }).map(String), fc.jsonValue()),
          timestamp: fc.oneof(fc.integer(), fc.double(), fc.jsonValue()),
          message: text,
        },
        { requiredKeys: [] }
      )
    );
    const payload = fc.record(
      {
        messageType: fc.oneof(
          fc.constantFrom('DATA_MESSAGE', 'CONTROL_MESSAGE'),
          fc.jsonValue()
        ),
        owner: text,
        logGroup: text,
        logStream: text,
        subscriptionFilters: fc.oneof(fc.array(text), fc.jsonValue()),
        logEvents: fc.oneof(fc.array(logEvent), fc.jsonValue()),
      },
      { requiredKeys: [] }
    );

    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), payload), (value) => {
        // Act
        const outcome = outcomeOf(packed(value));

        // Assess
        expect(ACCEPTED_OUTCOMES).toContain(outcome);
      }),
      { numRuns: 500 }
    );
  });
});

describe('interfaceIdOfStream', () => {
  it.each([
    ['eni-0a1b2c3d-all', 'eni-0a1b2c3d'],
    ['eni-0a1b2c3d-accept', 'eni-0a1b2c3d'],
    ['eni-0a1b2c3d-reject', 'eni-0a1b2c3d'],
    [`${ENI}-all`, ENI],
    [`${ENI}-accept`, ENI],
    [`${ENI}-reject`, ENI],
  ])('returns the ENI of stream %s', (logStream, eni) => {
    // Act
    const interfaceId = interfaceIdOfStream(logStream);

    // Assess
    expect(interfaceId).toBe(eni);
  });

  it.each([
    ['no suffix', ENI],
    ['another suffix', `${ENI}-deny`],
    ['9 hex digits', 'eni-0a1b2c3d4-all'],
    ['16 hex digits', 'eni-0a1b2c3d4e5f6071-all'],
    ['18 hex digits', 'eni-0a1b2c3d4e5f607181-all'],
    ['upper-case hex', 'eni-0A1B2C3D-all'],
    ['another resource', 'i-0a1b2c3d4e5f60718-all'],
    ['a prefix', `x${ENI}-all`],
    ['a trailing newline', `${ENI}-all\n`],
    ['the empty string', ''],
  ])('returns null for a stream with %s', (_case, logStream) => {
    // Act
    const interfaceId = interfaceIdOfStream(logStream);

    // Assess
    expect(interfaceId).toBeNull();
  });
});
