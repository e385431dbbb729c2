import { createHash } from 'node:crypto';

/**
 * A deterministic, fixed-length id for one unit of input, from the parts
 * that identify it (e.g. `'s3', bucket, key, versionId or ETag`): 128 bits
 * of SHA-256 in base64url, 22 characters. The same input always gets the
 * same id, so a redelivery is recognised; parts are joined with NUL, which
 * no S3 key or log group name contains, so different inputs do not collide
 * by concatenation.
 * @example contributionId('s3', 'my-bucket', 'AWSLogs/.../x.log.gz', '"9b2cf5..."')
 */
function contributionId(...parts: readonly string[]): string {
  return createHash('sha256')
    .update(parts.join('\0'))
    .digest('base64url')
    .slice(0, 22);
}

export { contributionId };
