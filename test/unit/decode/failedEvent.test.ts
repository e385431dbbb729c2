import { describe, expect, it } from 'vitest';
import { failedEventOf } from '../../../shared/decode/failedEvent.js';
import { DecodeError } from '../../../shared/errors.js';

/** An on-failure destination record as Lambda writes it to SQS. */
const record = (payload: unknown) => ({
  version: '1.0',
  timestamp: '2026-11-27T16:00:00.000Z',
  requestContext: {
    requestId: 'c0e7a3f4-5a1b-4c9e-9d2f-1b2c3d4e5f60',
    functionArn:
      'arn:aws:lambda:us-east-1:123456789012:function:flowlog-rollups-prod-s3Ingest:$LATEST',
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

describe('failedEventOf', () => {
  it('returns the function and the original event of a destination record', () => {
    // Prepare
    const payload = { Records: [{ eventSource: 'aws:s3' }] };
    // Act
    const event = failedEventOf(JSON.stringify(record(payload)));
    // Assess
    expect(event).toEqual({
      functionArn:
        'arn:aws:lambda:us-east-1:123456789012:function:flowlog-rollups-prod-s3Ingest',
      payload,
      condition: 'RetriesExhausted',
      approximateInvokeCount: 3,
    });
  });

  it.each([
    ['not JSON', '{'],
    ['not an object', '[1]'],
    ['no requestContext', JSON.stringify({ requestPayload: {} })],
    [
      'no requestPayload',
      JSON.stringify({ requestContext: { functionArn: 'arn:aws:lambda:x' } }),
    ],
  ])('throws DecodeError for a body that is %s', (_, body) => {
    // Act
    const act = () => failedEventOf(body);
    // Assess
    expect(act).toThrow(DecodeError);
  });
});
