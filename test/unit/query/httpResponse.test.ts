import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QueryError, StoreError } from '../../../shared/errors.js';
import {
  errorResponse,
  resultResponse,
} from '../../../shared/query/httpResponse.js';
import type { QueryResult } from '../../../shared/query/queryResult.js';

const RESULT: QueryResult = {
  statusCode: 200,
  body: {
    windowStart: 1_793_527_500,
    window: '2026-11-01T10:05:00Z',
    enis: [
      { interfaceId: 'eni-0a1b2c3d', bytes: 30, note: 'a,"b"' },
      { interfaceId: 'eni-1a1b2c3d', bytes: 7 },
    ],
  },
  table: {
    columns: ['interfaceId', 'bytes', 'note'],
    rows: [
      { interfaceId: 'eni-0a1b2c3d', bytes: 30, note: 'a,"b"' },
      { interfaceId: 'eni-1a1b2c3d', bytes: 7 },
    ],
  },
};

const GENERIC_500 = {
  statusCode: 500,
  headers: { 'content-type': 'application/json' },
  body: '{"error":{"code":"internal_error","message":"internal error"}}',
};

describe('resultResponse', () => {
  it('answers JSON with the body and its status', () => {
    // Act
    const response = resultResponse(RESULT, 'json');
    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.headers).toEqual({ 'content-type': 'application/json' });
    expect(JSON.parse(response.body)).toEqual(RESULT.body);
  });

  it('answers CSV of the table with a header row', () => {
    // Act
    const response = resultResponse(RESULT, 'csv');
    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.headers).toEqual({
      'content-type': 'text/csv; charset=utf-8',
    });
    expect(response.body).toBe(
      'interfaceId,bytes,note\r\neni-0a1b2c3d,30,"a,""b"""\r\neni-1a1b2c3d,7,\r\n'
    );
  });

  it('keeps the status of the result', () => {
    // Prepare
    const result = { ...RESULT, statusCode: 206 };
    // Act
    const json = resultResponse(result, 'json');
    const csv = resultResponse(result, 'csv');
    // Assess
    expect([json.statusCode, csv.statusCode]).toEqual([206, 206]);
  });
});

describe('errorResponse', () => {
  it('answers a 400 QueryError with its code, message and param', () => {
    // Prepare
    const error = new QueryError(
      400,
      'invalid_parameter',
      'limit is bad',
      'limit'
    );
    // Act
    const response = errorResponse(error);
    // Assess
    expect(response.statusCode).toBe(400);
    expect(response.headers).toEqual({ 'content-type': 'application/json' });
    expect(JSON.parse(response.body)).toEqual({
      error: {
        code: 'invalid_parameter',
        message: 'limit is bad',
        param: 'limit',
      },
    });
  });

  it.each([
    [404, 'not_found'],
    [405, 'method_not_allowed'],
  ])('answers a %i QueryError without a param', (statusCode, code) => {
    // Prepare
    const error = new QueryError(statusCode, code, 'no route /x');
    // Act
    const response = errorResponse(error);
    // Assess
    expect(response.statusCode).toBe(statusCode);
    expect(JSON.parse(response.body)).toEqual({
      error: { code, message: 'no route /x' },
    });
    expect(response.headers['retry-after']).toBeUndefined();
  });

  it('adds retry-after to a 503, in whole seconds', () => {
    // Prepare
    const error = new QueryError(503, 'unavailable', 'retry later');
    // Act
    const response = errorResponse(error);
    // Assess
    expect(response.statusCode).toBe(503);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.headers['retry-after']).toMatch(/^[1-9]\d*$/);
    expect(JSON.parse(response.body)).toEqual({
      error: { code: 'unavailable', message: 'retry later' },
    });
  });

  it('says nothing of the cause of a 503', () => {
    // Prepare
    const cause = new StoreError('table arn:aws:dynamodb:eu-west-1:1:x gone');
    const error = new QueryError(503, 'unavailable', 'retry later', undefined, {
      cause,
    });
    // Act
    const response = errorResponse(error);
    // Assess
    expect(response.body).not.toContain('arn:aws');
    expect(response.body).not.toContain('StoreError');
  });

  it.each([
    ['an Error', new Error('password=hunter2 at db.internal')],
    ['a StoreError', new StoreError('reading table-secret failed')],
    ['a TypeError', new TypeError('Cannot read properties of undefined')],
    ['a string', 'password=hunter2'],
    ['null', null],
    ['undefined', undefined],
    ['a QueryError look-alike', { statusCode: 400, code: 'x', message: 'y' }],
  ])('answers a generic 500 for %s', (_name, thrown) => {
    // Act
    const response = errorResponse(thrown);
    // Assess
    expect(response).toEqual(GENERIC_500);
  });

  it('answers a generic 500 with no stack for any value that is not a QueryError', () => {
    const thrown = fc.oneof(
      fc.anything(),
      fc.string().map((message) => new Error(message)),
      fc.string().map((message) => new RangeError(message)),
      fc.record({
        statusCode: fc.integer(),
        code: fc.string(),
        message: fc.string(),
        stack: fc.string(),
      })
    );
    fc.assert(
      fc.property(thrown, (value) => {
        // Act
        const response = errorResponse(value);
        // Assess
        expect(response).toEqual(GENERIC_500);
      })
    );
  });

  it('answers any QueryError with its own status and code, and never a stack', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(400, 404, 405, 503),
        fc.stringMatching(/^[a-z_]{1,20}$/),
        fc.string(),
        fc.option(fc.string(), { nil: undefined }),
        (statusCode, code, message, param) => {
          // Prepare
          const error = new QueryError(statusCode, code, message, param);
          // Act
          const response = errorResponse(error);
          // Assess
          expect(response.statusCode).toBe(statusCode);
          expect(JSON.parse(response.body)).toEqual({
            error:
              param === undefined
                ? { code, message }
                : { code, message, param },
          });
          expect(response.body).not.toContain('httpResponse.test.ts');
        }
      )
    );
  });
});
