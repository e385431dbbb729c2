import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  NoSuchKey,
  NotFound,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { DecodeError, messageOf } from '../errors.js';
import type { RandomAccessObject, S3ObjectRef } from '../types.js';

/** Which bytes were read: the identity that makes a contribution id. */
interface ObjectVersion {
  /** The version read (versioned buckets), else the ETag. */
  readonly version: string;
  readonly sizeBytes: number;
}

/** An object opened for streaming. */
interface StreamedObject extends ObjectVersion {
  readonly body: AsyncIterable<Uint8Array>;
}

/** An object opened for random access (Parquet footers live at the end). */
interface RandomAccessOpened extends ObjectVersion {
  readonly file: RandomAccessObject;
}

/**
 * Where ingest reads objects from. `null` means the object does not exist
 * (deleted before processing); other failures throw `DecodeError` naming
 * the object.
 */
interface ObjectSource {
  stream(ref: S3ObjectRef): Promise<StreamedObject | null>;
  randomAccess(ref: S3ObjectRef): Promise<RandomAccessOpened | null>;
}

async function* noBytes(): AsyncGenerator<Uint8Array> {}

const urlOf = (ref: S3ObjectRef): string => `s3://${ref.bucket}/${ref.key}`;

const isMissing = (error: unknown): boolean =>
  error instanceof NoSuchKey ||
  error instanceof NotFound ||
  // A VersionId that was deleted for good answers NoSuchVersion.
  (error instanceof Error &&
    (error.name === 'NoSuchKey' || error.name === 'NoSuchVersion'));

function unreadable(ref: S3ObjectRef, step: string, error: unknown) {
  const message = messageOf(error);
  return new DecodeError(`${urlOf(ref)}: ${step} failed: ${message}`, {
    cause: error,
  });
}

function versionOf(
  ref: S3ObjectRef,
  response: { VersionId?: string; ETag?: string }
): string {
  const version = response.VersionId ?? response.ETag;
  if (!version) {
    throw new DecodeError(`${urlOf(ref)}: S3 returned no ETag or VersionId`);
  }
  return version;
}

/**
 * Reads flow-log objects from S3 with GetObject (streamed) and ranged
 * GetObject pinned to one version (random access).
 * @example const source = createS3ObjectSource(new S3Client({}));
 */
function createS3ObjectSource(client: S3Client): ObjectSource {
  async function stream(ref: S3ObjectRef): Promise<StreamedObject | null> {
    let response: GetObjectCommandOutput;
    try {
      response = await client.send(
        new GetObjectCommand({
          Bucket: ref.bucket,
          Key: ref.key,
          VersionId: ref.versionId,
        })
      );
    } catch (error) {
      if (isMissing(error)) return null;
      throw unreadable(ref, 'GetObject', error);
    }
    const body = response.Body as AsyncIterable<Uint8Array> | undefined;
    return {
      version: versionOf(ref, response),
      sizeBytes: response.ContentLength ?? 0,
      body: body ?? noBytes(),
    };
  }

  async function randomAccess(
    ref: S3ObjectRef
  ): Promise<RandomAccessOpened | null> {
    let head: { VersionId?: string; ETag?: string; ContentLength?: number };
    try {
      head = await client.send(
        new HeadObjectCommand({
          Bucket: ref.bucket,
          Key: ref.key,
          VersionId: ref.versionId,
        })
      );
    } catch (error) {
      if (isMissing(error)) return null;
      throw unreadable(ref, 'HeadObject', error);
    }
    const byteLength = head.ContentLength ?? 0;
    // Every range must come from the version the head saw.
    const pin = head.VersionId
      ? { VersionId: head.VersionId }
      : { IfMatch: head.ETag };
    const slice = async (start: number, end = byteLength) => {
      // S3 ignores a range that ends before it starts and sends it all.
      if (end <= start) return new ArrayBuffer(0);
      try {
        const response = await client.send(
          new GetObjectCommand({
            Bucket: ref.bucket,
            Key: ref.key,
            Range: `bytes=${start}-${end - 1}`,
            ...pin,
          })
        );
        const bytes =
          (await response.Body?.transformToByteArray()) ?? new Uint8Array(0);
        // The SDK's array is the body's own: its buffer, with no copy (a
        // Parquet row group is tens of MB), unless it views a larger one.
        const isWhole =
          bytes.byteOffset === 0 &&
          bytes.byteLength === bytes.buffer.byteLength &&
          bytes.buffer instanceof ArrayBuffer;
        return isWhole ? (bytes.buffer as ArrayBuffer) : bytes.slice().buffer;
      } catch (error) {
        throw unreadable(ref, `GetObject bytes ${start}-${end - 1}`, error);
      }
    };
    return {
      version: versionOf(ref, head),
      sizeBytes: byteLength,
      file: { byteLength, slice },
    };
  }

  return { stream, randomAccess };
}

/**
 * The S3 client of the handlers: the SDK's own endpoint and credential
 * resolution (`AWS_ENDPOINT_URL_S3` included), path-style when asked.
 */
function createS3Client(options: { forcePathStyle: boolean }): S3Client {
  const config: S3ClientConfig = { forcePathStyle: options.forcePathStyle };
  return new S3Client(config);
}

export type { ObjectSource, RandomAccessOpened, StreamedObject };
export { createS3Client, createS3ObjectSource };
