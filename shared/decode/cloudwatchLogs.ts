import { gunzipSync, gzipSync } from 'node:zlib';
import { DecodeError } from '../errors.js';
import { isJsonObject, type JsonObject } from './jsonObject.js';

/** One log event of a subscription batch: one flow-log record. */
interface CloudWatchLogEvent {
  /** Decimal string longer than 2^53: kept as text, never as a number. */
  readonly id: string;
  readonly timestamp: number;
  readonly message: string;
}

/** A decoded CloudWatch Logs subscription payload. */
type CloudWatchLogsPayload =
  | {
      readonly kind: 'data';
      readonly owner: string;
      readonly logGroup: string;
      readonly logStream: string;
      readonly subscriptionFilters: readonly string[];
      readonly logEvents: readonly CloudWatchLogEvent[];
    }
  /** CloudWatch checks that the destination is reachable: nothing to ingest. */
  | { readonly kind: 'control' };

const describe = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;

function text(parent: JsonObject, name: string): string {
  const value = parent[name];
  if (typeof value !== 'string' || value === '') {
    throw new DecodeError(
      `awslogs.data: ${name} must be a non-empty string, got ${describe(value)}`
    );
  }
  return value;
}

function logEventAt(value: unknown, index: number): CloudWatchLogEvent {
  const where = `awslogs.data: logEvents[${index}]`;
  if (!isJsonObject(value)) {
    throw new DecodeError(`${where} must be an object, got ${describe(value)}`);
  }
  const { id, timestamp, message } = value;
  if (typeof id !== 'string' || !/^\d+$/.test(id)) {
    throw new DecodeError(`${where}.id must be a string of digits`);
  }
  if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp)) {
    throw new DecodeError(`${where}.timestamp must be an integer`);
  }
  if (typeof message !== 'string') {
    throw new DecodeError(`${where}.message must be a string`);
  }
  return { id, timestamp, message };
}

/** base64 -> gunzip -> JSON, each step failing with its own message. */
function unpack(data: string): unknown {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data) || data.length % 4 !== 0) {
    throw new DecodeError('awslogs.data is not valid base64');
  }
  let json: string;
  try {
    json = gunzipSync(Buffer.from(data, 'base64')).toString('utf8');
  } catch (error) {
    throw new DecodeError('awslogs.data is not gzip', { cause: error });
  }
  try {
    return JSON.parse(json) as unknown;
  } catch (error) {
    throw new DecodeError('awslogs.data does not hold JSON', { cause: error });
  }
}

/**
 * Decodes a CloudWatch Logs subscription event as Lambda receives it:
 * `awslogs.data` is base64 of gzip of JSON. A `CONTROL_MESSAGE` is
 * `{ kind: 'control' }`. Throws `DecodeError` saying which step failed
 * (not an awslogs event, not base64, not gzip, not JSON, a missing or
 * mistyped field, naming the bad log event's index). Log event ids stay
 * strings: they are decimals longer than 2^53.
 * @example const payload = decodeCloudWatchLogs(event);
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html
 */
function decodeCloudWatchLogs(event: unknown): CloudWatchLogsPayload {
  const awslogs = isJsonObject(event) ? event.awslogs : undefined;
  const data = isJsonObject(awslogs) ? awslogs.data : undefined;
  if (typeof data !== 'string') {
    throw new DecodeError(
      'not a CloudWatch Logs subscription event: expected { awslogs: { data: "<base64>" } }'
    );
  }
  const payload = unpack(data);
  if (!isJsonObject(payload)) {
    throw new DecodeError(
      `awslogs.data must hold a JSON object, got ${describe(payload)}`
    );
  }
  const messageType = text(payload, 'messageType');
  if (messageType === 'CONTROL_MESSAGE') return { kind: 'control' };
  if (messageType !== 'DATA_MESSAGE') {
    throw new DecodeError(
      `awslogs.data: messageType must be DATA_MESSAGE or CONTROL_MESSAGE, got ${messageType}`
    );
  }
  const { logEvents, subscriptionFilters } = payload;
  if (!Array.isArray(logEvents)) {
    throw new DecodeError(
      `awslogs.data: logEvents must be an array, got ${describe(logEvents)}`
    );
  }
  return {
    kind: 'data',
    owner: text(payload, 'owner'),
    logGroup: text(payload, 'logGroup'),
    logStream: text(payload, 'logStream'),
    subscriptionFilters: Array.isArray(subscriptionFilters)
      ? subscriptionFilters.filter((name) => typeof name === 'string')
      : [],
    logEvents: logEvents.map(logEventAt),
  };
}

/**
 * The ENI a flow-log stream is named after (`eni-0a1b2c3d-all`, `-accept`,
 * `-reject`), or null for any other stream name.
 */
function interfaceIdOfStream(logStream: string): string | null {
  const match =
    /^(eni-[0-9a-f]{8}(?:[0-9a-f]{9})?)-(?:all|accept|reject)$/.exec(logStream);
  return match?.[1] ?? null;
}

/** The data of a subscription batch, as CloudWatch Logs writes it. */
type CloudWatchDataMessage = Omit<
  Extract<CloudWatchLogsPayload, { kind: 'data' }>,
  'kind'
>;

/**
 * Builds the event Lambda receives for a subscription batch (the inverse
 * of `decodeCloudWatchLogs`): JSON -> gzip -> base64 in `awslogs.data`.
 * For sample events and tests.
 * @example encodeCloudWatchLogs({ owner, logGroup, logStream, subscriptionFilters: [], logEvents })
 */
function encodeCloudWatchLogs(message: CloudWatchDataMessage): {
  awslogs: { data: string };
} {
  const json = JSON.stringify({ messageType: 'DATA_MESSAGE', ...message });
  return { awslogs: { data: gzipSync(json).toString('base64') } };
}

export type {
  CloudWatchDataMessage,
  CloudWatchLogEvent,
  CloudWatchLogsPayload,
};
export { decodeCloudWatchLogs, encodeCloudWatchLogs, interfaceIdOfStream };
