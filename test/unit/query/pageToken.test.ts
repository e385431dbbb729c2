import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QueryError } from '../../../shared/errors.js';
import {
  decodePageToken,
  encodePageToken,
  type PageToken,
} from '../../../shared/query/pageToken.js';

const SECRET = 'test-secret-0123456789';
const QUERY = {
  series: 'eni-0123456789abcdef0',
  from: 1_793_520_000,
  to: 1_793_523_600,
};
const TOKEN: PageToken = {
  ...QUERY,
  lastKey: { pk: `ENI#${QUERY.series}`, sk: 'W#2026-11-01T10:05:00Z' },
};

/** The QueryError that `act` throws; fails the test on anything else. */
function queryErrorOf(act: () => unknown): QueryError {
  try {
    act();
  } catch (error) {
    if (error instanceof QueryError) return error;
    throw error;
  }
  throw new Error('expected a QueryError, but nothing was thrown');
}

const INVALID = {
  statusCode: 400,
  code: 'invalid_next_token',
  param: 'nextToken',
};

/** The token's two parts. */
function partsOf(text: string): { payload: string; signature: string } {
  const [payload = '', signature = ''] = text.split('.');
  return { payload, signature };
}

/** `text` with the character at `index` replaced by another base64url one. */
const changeCharAt = (text: string, index: number): string => {
  const old = text.charAt(index);
  return `${text.slice(0, index)}${old === 'A' ? 'B' : 'A'}${text.slice(index + 1)}`;
};

describe('encodePageToken', () => {
  it('writes base64url text and a signature, joined by one dot', () => {
    // Act
    const text = encodePageToken(TOKEN, SECRET);
    // Assess
    expect(text).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
  });

  it('shows no raw key to edit, only base64url', () => {
    // Act
    const text = encodePageToken(TOKEN, SECRET);
    // Assess
    expect(text).not.toContain('W#');
    expect(text).not.toContain(QUERY.series);
  });
});

describe('decodePageToken', () => {
  it('reads back the token it encoded', () => {
    // Prepare
    const text = encodePageToken(TOKEN, SECRET);
    // Act
    const token = decodePageToken(text, SECRET, QUERY);
    // Assess
    expect(token).toEqual(TOKEN);
  });

  it('rejects a tampered payload with a valid old signature', () => {
    // Prepare
    const { signature } = partsOf(encodePageToken(TOKEN, SECRET));
    const edited = { ...TOKEN, lastKey: { ...TOKEN.lastKey, sk: 'W#2020' } };
    const payload = Buffer.from(JSON.stringify(edited)).toString('base64url');
    // Act
    const error = queryErrorOf(() =>
      decodePageToken(`${payload}.${signature}`, SECRET, QUERY)
    );
    // Assess
    expect(error).toMatchObject(INVALID);
  });

  it('rejects a payload with one character changed', () => {
    // Prepare
    const { payload, signature } = partsOf(encodePageToken(TOKEN, SECRET));
    const text = `${changeCharAt(payload, 5)}.${signature}`;
    // Act
    const error = queryErrorOf(() => decodePageToken(text, SECRET, QUERY));
    // Assess
    expect(error).toMatchObject(INVALID);
  });

  it.each([0, 10, 41])(
    'rejects a signature with its character %i changed',
    (index) => {
      // Prepare
      const { payload, signature } = partsOf(encodePageToken(TOKEN, SECRET));
      const text = `${payload}.${changeCharAt(signature, index)}`;
      // Act
      const error = queryErrorOf(() => decodePageToken(text, SECRET, QUERY));
      // Assess
      expect(error).toMatchObject(INVALID);
    }
  );

  it('rejects a cut signature', () => {
    // Prepare
    const text = encodePageToken(TOKEN, SECRET).slice(0, -4);
    // Act
    const error = queryErrorOf(() => decodePageToken(text, SECRET, QUERY));
    // Assess
    expect(error).toMatchObject(INVALID);
  });

  it('rejects a token signed with another secret', () => {
    // Prepare
    const text = encodePageToken(TOKEN, 'another-secret');
    // Act
    const error = queryErrorOf(() => decodePageToken(text, SECRET, QUERY));
    // Assess
    expect(error).toMatchObject(INVALID);
  });

  it.each([
    (text: string) => `${text}.`,
    (text: string) => `${text}.x`,
    (text: string) => `.${text}`,
    (text: string) => `${text}.${partsOf(text).signature}`,
    (text: string) => text.replace('.', '..'),
    (text: string) => text.replace('.', ''),
  ])('rejects extra or missing dots (%#)', (mangle) => {
    // Prepare
    const text = mangle(encodePageToken(TOKEN, SECRET));
    // Act
    const error = queryErrorOf(() => decodePageToken(text, SECRET, QUERY));
    // Assess
    expect(error).toMatchObject(INVALID);
  });

  it.each(['', '.', '..', 'garbage', 'a.b', '%%%', 'null', '{}', ' '])(
    'rejects the garbage %j',
    (text) => {
      // Act
      const error = queryErrorOf(() => decodePageToken(text, SECRET, QUERY));
      // Assess
      expect(error).toMatchObject(INVALID);
    }
  );

  it.each([
    { series: 'eni-0a1b2c3d' },
    { from: QUERY.from - 1 },
    { to: QUERY.to + 1 },
  ])('rejects a token of another query (%j)', (change) => {
    // Prepare
    const text = encodePageToken(TOKEN, SECRET);
    // Act
    const error = queryErrorOf(() =>
      decodePageToken(text, SECRET, { ...QUERY, ...change })
    );
    // Assess
    expect(error).toMatchObject(INVALID);
  });

  it('review finding: rejects a signature with characters appended', () => {
    // Prepare: Buffer.from(..., 'base64url') skips characters outside the
    // alphabet and stops at '=', so the issued token plus '!' still verifies.
    const issued = encodePageToken(TOKEN, SECRET);
    const mangled = [`${issued}!`, `${issued}=junk`, `${issued}%20`];
    // Act
    const outcomes = mangled.map((text) => {
      try {
        decodePageToken(text, SECRET, QUERY);
        return 'accepted';
      } catch (error) {
        return error instanceof QueryError ? error.code : 'other error';
      }
    });
    // Assess
    expect(outcomes).toEqual([
      'invalid_next_token',
      'invalid_next_token',
      'invalid_next_token',
    ]);
  });

  it('decodes no random string and throws nothing but a 400', () => {
    // Prepare
    const issuedPayload = partsOf(encodePageToken(TOKEN, SECRET)).payload;
    const base64url = fc.stringMatching(/^[A-Za-z0-9_-]{0,80}$/);
    const text = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc
        .tuple(base64url, base64url)
        .map(([payload, signature]) => `${payload}.${signature}`),
      fc
        .stringMatching(/^[A-Za-z0-9_-]{43}$/)
        .map((signature) => `${issuedPayload}.${signature}`)
    );
    fc.assert(
      fc.property(text, (candidate) => {
        // Act
        const error = queryErrorOf(() =>
          decodePageToken(candidate, SECRET, QUERY)
        );
        // Assess
        expect(error).toMatchObject(INVALID);
      }),
      { numRuns: 2000 }
    );
  });

  it('reads back any token it encoded', () => {
    const key = fc.dictionary(
      fc.string({ minLength: 1 }),
      fc.string({ unit: 'binary' })
    );
    fc.assert(
      fc.property(
        fc.record({
          series: fc.string(),
          from: fc.integer({ min: 0, max: 2 ** 40 }),
          to: fc.integer({ min: 0, max: 2 ** 40 }),
          lastKey: key,
        }),
        fc.string({ minLength: 1 }),
        (token, secret) => {
          // Prepare
          const text = encodePageToken(token, secret);
          // Act
          const decoded = decodePageToken(text, secret, token);
          // Assess
          expect(decoded).toEqual(token);
        }
      )
    );
  });
});
