import { Readable } from 'node:stream';
import {
  GetObjectCommand,
  type GetObjectCommandInput,
  HeadObjectCommand,
  NoSuchKey,
  NotFound,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../shared/errors.js';
import { createS3ObjectSource } from '../../../shared/source/s3ObjectSource.js';
import type { S3ObjectRef } from '../../../shared/types.js';

const REF: S3ObjectRef = {
  bucket: 'flow-logs',
  key: 'AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/01/x.log.parquet',
};
const OBJECT_URL = `s3://${REF.bucket}/${REF.key}`;
const ETAG = '"9b2cf535f27731c974343645a3985328"';
const VERSION = '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY';
/** The object's bytes: 0, 1, 2, ..., 15. */
const OBJECT = Uint8Array.from({ length: 16 }, (_, index) => index);

/** A GetObject body as the SDK gives it in Node: a Readable with the SDK's helpers. */
const bodyOf = (bytes: Uint8Array) =>
  Object.assign(Readable.from([bytes]), {
    transformToByteArray: async () => bytes,
    transformToString: async () => Buffer.from(bytes).toString(),
    transformToWebStream: () => new Blob([bytes]).stream(),
  });

const s3Error = (name: string, httpStatusCode: number) =>
  new S3ServiceException({
    name,
    $fault: 'client',
    message: `${name} message`,
    $metadata: { httpStatusCode },
  });

const noSuchKey = () =>
  new NoSuchKey({
    message: 'The specified key does not exist.',
    $metadata: {},
  });

async function collect(
  body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>
): Promise<number[]> {
  const bytes: number[] = [];
  for await (const chunk of body) bytes.push(...chunk);
  return bytes;
}

/** The rejection of `promise`; fails the test when it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (reason: unknown) => reason
  );
}

/**
 * Serves GetObject from OBJECT the way S3 does: a valid `bytes=first-last`
 * range gives those bytes; a range whose last byte is before its first is
 * ignored (RFC 9110), which gives the whole object.
 */
function rangedGet(input: GetObjectCommandInput) {
  const range = /^bytes=(\d+)-(\d+)$/.exec(input.Range ?? '');
  const first = Number(range?.[1] ?? 0);
  const last = Number(range?.[2] ?? OBJECT.length - 1);
  const bytes = last < first ? OBJECT : OBJECT.slice(first, last + 1);
  return { Body: bodyOf(bytes), ETag: ETAG };
}

const setup = () => {
  const client = new S3Client({});
  const mock = mockClient(client);
  return { mock, source: createS3ObjectSource(client) };
};

describe('createS3ObjectSource', () => {
  describe('stream', () => {
    it('streams the body and names the version by VersionId', async () => {
      // Prepare
      const { mock, source } = setup();
      mock.on(GetObjectCommand).resolves({
        Body: bodyOf(OBJECT),
        ContentLength: OBJECT.length,
        ETag: ETAG,
        VersionId: VERSION,
      });

      // Act
      const opened = await source.stream({ ...REF, versionId: VERSION });

      // Assess
      expect(opened?.version).toBe(VERSION);
      expect(opened?.sizeBytes).toBe(16);
      expect(await collect(opened?.body ?? [])).toEqual([...OBJECT]);
      expect(mock.commandCalls(GetObjectCommand)[0]?.args[0].input).toEqual({
        Bucket: REF.bucket,
        Key: REF.key,
        VersionId: VERSION,
      });
    });

    it('names the version by ETag when S3 gives no VersionId', async () => {
      // Prepare
      const { mock, source } = setup();
      mock.on(GetObjectCommand).resolves({ Body: bodyOf(OBJECT), ETag: ETAG });

      // Act
      const opened = await source.stream(REF);

      // Assess
      expect(opened?.version).toBe(ETAG);
    });

    it('gives an empty body when S3 returns none', async () => {
      // Prepare
      const { mock, source } = setup();
      mock.on(GetObjectCommand).resolves({ ETag: ETAG });

      // Act
      const opened = await source.stream(REF);

      // Assess
      expect(opened?.sizeBytes).toBe(0);
      expect(await collect(opened?.body ?? [Uint8Array.of(1)])).toEqual([]);
    });

    it.each([
      ['NoSuchKey', noSuchKey()],
      ['an error named NoSuchKey', s3Error('NoSuchKey', 404)],
    ])('returns null for %s', async (_case, error) => {
      // Prepare
      const { mock, source } = setup();
      mock.on(GetObjectCommand).rejects(error);

      // Act
      const opened = await source.stream(REF);

      // Assess
      expect(opened).toBeNull();
    });

    it('throws DecodeError naming the object for other errors', async () => {
      // Prepare
      const { mock, source } = setup();
      const denied = s3Error('AccessDenied', 403);
      mock.on(GetObjectCommand).rejects(denied);

      // Act
      const error = await rejectionOf(source.stream(REF));

      // Assess
      expect(error).toBeInstanceOf(DecodeError);
      expect(error).toHaveProperty(
        'message',
        `${OBJECT_URL}: GetObject failed: AccessDenied message`
      );
      expect(error).toHaveProperty('cause', denied);
    });

    it('throws DecodeError naming the object when S3 gives no version', async () => {
      // Prepare
      const { mock, source } = setup();
      mock.on(GetObjectCommand).resolves({ Body: bodyOf(OBJECT) });

      // Act
      const error = await rejectionOf(source.stream(REF));

      // Assess
      expect(error).toBeInstanceOf(DecodeError);
      expect(error).toHaveProperty(
        'message',
        expect.stringContaining(
          `${OBJECT_URL}: S3 returned no ETag or VersionId`
        )
      );
    });

    it('review finding: returns null when the notified version was deleted (NoSuchVersion)', async () => {
      // Prepare
      const { mock, source } = setup();
      mock.on(GetObjectCommand).rejects(s3Error('NoSuchVersion', 404));

      // Act
      const opened = await source.stream({ ...REF, versionId: VERSION });

      // Assess
      expect(opened).toBeNull();
    });
  });

  describe('randomAccess', () => {
    it.each([
      ['NoSuchKey', noSuchKey()],
      ['NotFound', new NotFound({ message: 'Not Found', $metadata: {} })],
    ])('returns null when HeadObject fails with %s', async (_case, error) => {
      // Prepare
      const { mock, source } = setup();
      mock.on(HeadObjectCommand).rejects(error);

      // Act
      const opened = await source.randomAccess(REF);

      // Assess
      expect(opened).toBeNull();
      expect(mock.commandCalls(GetObjectCommand)).toHaveLength(0);
    });

    it('throws DecodeError naming the object when HeadObject fails otherwise', async () => {
      // Prepare
      const { mock, source } = setup();
      mock.on(HeadObjectCommand).rejects(s3Error('Forbidden', 403));

      // Act
      const error = await rejectionOf(source.randomAccess(REF));

      // Assess
      expect(error).toBeInstanceOf(DecodeError);
      expect(error).toHaveProperty(
        'message',
        `${OBJECT_URL}: HeadObject failed: Forbidden message`
      );
    });

    it('heads the notified version and names it by VersionId', async () => {
      // Prepare
      const { mock, source } = setup();
      mock.on(HeadObjectCommand).resolves({
        ContentLength: OBJECT.length,
        ETag: ETAG,
        VersionId: VERSION,
      });

      // Act
      const opened = await source.randomAccess({ ...REF, versionId: VERSION });

      // Assess
      expect(opened?.version).toBe(VERSION);
      expect(opened?.sizeBytes).toBe(16);
      expect(opened?.file.byteLength).toBe(16);
      expect(mock.commandCalls(HeadObjectCommand)[0]?.args[0].input).toEqual({
        Bucket: REF.bucket,
        Key: REF.key,
        VersionId: VERSION,
      });
    });

    it('names the version by ETag when S3 gives no VersionId', async () => {
      // Prepare
      const { mock, source } = setup();
      mock.on(HeadObjectCommand).resolves({ ContentLength: 16, ETag: ETAG });

      // Act
      const opened = await source.randomAccess(REF);

      // Assess
      expect(opened?.version).toBe(ETAG);
    });

    it('pins ranged reads to the ETag with IfMatch and reads bytes=start-(end-1)', async () => {
      // Prepare
      const { mock, source } = setup();
      mock.on(HeadObjectCommand).resolves({ ContentLength: 16, ETag: ETAG });
      mock.on(GetObjectCommand).callsFake(rangedGet);
      const opened = await source.randomAccess(REF);

      // Act
      const buffer = await opened?.file.slice(2, 6);

      // Assess
      expect([...new Uint8Array(buffer ?? new ArrayBuffer(0))]).toEqual([
        2, 3, 4, 5,
      ]);
      expect(mock.commandCalls(GetObjectCommand)[0]?.args[0].input).toEqual({
        Bucket: REF.bucket,
        Key: REF.key,
        Range: 'bytes=2-5',
        IfMatch: ETAG,
      });
    });

    it('pins ranged reads to the VersionId the head saw', async () => {
      // Prepare
      const { mock, source } = setup();
      mock.on(HeadObjectCommand).resolves({
        ContentLength: 16,
        ETag: ETAG,
        VersionId: VERSION,
      });
      mock.on(GetObjectCommand).callsFake(rangedGet);
      const opened = await source.randomAccess(REF);

      // Act
      await opened?.file.slice(0, 8);

      // Assess
      expect(mock.commandCalls(GetObjectCommand)[0]?.args[0].input).toEqual({
        Bucket: REF.bucket,
        Key: REF.key,
        Range: 'bytes=0-7',
        VersionId: VERSION,
      });
    });

    it('reads to the end of the object when no end is given', async () => {
      // Prepare
      const { mock, source } = setup();
      mock.on(HeadObjectCommand).resolves({ ContentLength: 16, ETag: ETAG });
      mock.on(GetObjectCommand).callsFake(rangedGet);
      const opened = await source.randomAccess(REF);

      // Act
      const buffer = await opened?.file.slice(12);

      // Assess
      expect(buffer?.byteLength).toBe(4);
      expect(mock.commandCalls(GetObjectCommand)[0]?.args[0].input.Range).toBe(
        'bytes=12-15'
      );
    });

    it('throws DecodeError naming the object and the range when a read fails', async () => {
      // Prepare
      const { mock, source } = setup();
      mock.on(HeadObjectCommand).resolves({ ContentLength: 16, ETag: ETAG });
      mock.on(GetObjectCommand).rejects(s3Error('PreconditionFailed', 412));
      const opened = await source.randomAccess(REF);

      // Act
      const error = await rejectionOf(
        opened?.file.slice(4, 8) ?? Promise.resolve()
      );

      // Assess
      expect(error).toBeInstanceOf(DecodeError);
      expect(error).toHaveProperty(
        'message',
        `${OBJECT_URL}: GetObject bytes 4-7 failed: PreconditionFailed message`
      );
    });

    it("gives the body array's own buffer, and copies only an array that views a larger one", async () => {
      // Prepare: the SDK's array may be a view into a pooled buffer.
      const { mock, source } = setup();
      mock.on(HeadObjectCommand).resolves({ ContentLength: 16, ETag: ETAG });
      const whole = OBJECT.slice(2, 6);
      const view = new Uint8Array(64).fill(9).subarray(10, 14);
      view.set([6, 7, 8, 9]);
      mock
        .on(GetObjectCommand)
        .resolvesOnce({ Body: bodyOf(whole) } as never)
        .resolvesOnce({ Body: bodyOf(view) } as never);
      const opened = await source.randomAccess(REF);

      // Act
      const first = await opened?.file.slice(2, 6);
      const second = await opened?.file.slice(6, 10);

      // Assess
      expect(first).toBe(whole.buffer);
      expect([...new Uint8Array(second ?? new ArrayBuffer(0))]).toEqual([
        6, 7, 8, 9,
      ]);
    });

    it('review finding: reads an empty range as no bytes, without a request', async () => {
      // Prepare
      const { mock, source } = setup();
      mock.on(HeadObjectCommand).resolves({ ContentLength: 16, ETag: ETAG });
      mock.on(GetObjectCommand).callsFake(rangedGet);
      const opened = await source.randomAccess(REF);

      // Act
      const buffer = await opened?.file.slice(5, 5);

      // Assess
      expect(buffer?.byteLength).toBe(0);
      expect(mock.commandCalls(GetObjectCommand)).toHaveLength(0);
    });
  });
});
