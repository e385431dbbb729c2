import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contributionId } from '../../../shared/store/contributionId.js';

const PARTS = [
  's3',
  'my-bucket',
  'AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/01/x.log.gz',
  '"9b2cf535f27731c974343645a3985328"',
] as const;

const BASE64URL_22 = /^[A-Za-z0-9_-]{22}$/;

/** Parts as S3 keys and log group names can hold them: anything but NUL. */
const part = fc
  .string({ unit: 'grapheme', maxLength: 12 })
  .map((text) => text.replaceAll('\0', ''));

describe('contributionId', () => {
  it('returns the same id for the same parts', () => {
    // Prepare
    const again = [...PARTS];

    // Act
    const first = contributionId(...PARTS);
    const second = contributionId(...again);

    // Assess
    expect(second).toBe(first);
  });

  it('keeps the ids of already stored contributions (pinned value)', () => {
    // Act
    const id = contributionId(...PARTS);

    // Assess
    expect(id).toBe('M9Azh3Jg2LLmCVKILSxkmH');
  });

  it('returns 22 base64url characters for any parts', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 5 }), (parts) => {
        // Act
        const id = contributionId(...parts);

        // Assess
        expect(id).toMatch(BASE64URL_22);
      })
    );
  });

  it.each(PARTS.map((_, index) => index))(
    'differs when part %i differs',
    (index) => {
      // Prepare
      const changed = PARTS.map((value, at) =>
        at === index ? `${value}x` : value
      );

      // Act
      const id = contributionId(...changed);

      // Assess
      expect(id).not.toBe(contributionId(...PARTS));
    }
  );

  it('differs when the parts come in another order', () => {
    // Act
    const id = contributionId('s3', 'key', 'bucket');

    // Assess
    expect(id).not.toBe(contributionId('s3', 'bucket', 'key'));
  });

  it('does not collide by concatenation', () => {
    // Act
    const left = contributionId('a', 'bc');
    const right = contributionId('ab', 'c');

    // Assess
    expect(left).not.toBe(right);
    expect(contributionId('abc')).not.toBe(left);
    expect(contributionId('a', 'bc', '')).not.toBe(left);
  });

  it('gives different ids to different lists of NUL-free parts', () => {
    fc.assert(
      fc.property(
        fc.array(part, { minLength: 1, maxLength: 4 }),
        fc.array(part, { minLength: 1, maxLength: 4 }),
        (a, b) => {
          // Prepare
          fc.pre(JSON.stringify(a) !== JSON.stringify(b));

          // Act
          const idA = contributionId(...a);
          const idB = contributionId(...b);

          // Assess
          expect(idA).not.toBe(idB);
        }
      )
    );
  });
});
