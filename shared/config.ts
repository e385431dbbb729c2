import { ConfigError } from './errors.js';
import type { WindowMode } from './types.js';

/** Everything the handlers read from the environment, validated once. */
interface Config {
  /** DynamoDB table of the rollups (`ROLLUP_TABLE`). */
  readonly rollupTable: string;
  /** Rollups expire this many days after their window (`RETENTION_DAYS`). */
  readonly retentionDays: number;
  /** DynamoDB writes in flight per object (`WRITE_CONCURRENCY`). */
  readonly writeConcurrency: number;
  /** How bytes and packets land in windows (`WINDOW_MODE`). */
  readonly windowMode: WindowMode;
  /** Bad-record samples kept per object for the log (`BAD_RECORD_SAMPLES`). */
  readonly badRecordSamples: number;
  /**
   * Path-style S3 addressing: on when `AWS_ENDPOINT_URL_S3` points at a
   * local stand-in, which has no virtual-host buckets.
   */
  readonly s3ForcePathStyle: boolean;
  /** The deployment stage (`STAGE`, set by serverless.yml; `local` otherwise): a metrics dimension. */
  readonly stage: string;
  /** Attempts per AWS call, throttling retries included (`AWS_MAX_ATTEMPTS`, the SDK's own variable; default 10). */
  readonly maxAttempts: number;
  /**
   * The format of CloudWatch Logs records (`FLOW_LOG_FORMAT`): a `${...}`
   * format string, `auto` (ask ec2:DescribeFlowLogs), or null for the
   * default v2 format. Checked against the field catalogue by the wiring.
   */
  readonly flowLogFormat: string | null;
  /**
   * Memory for the (ENI, window) items of one part of an S3 object, in MB
   * (`PART_MEMORY_MB`). By default what the function's memory
   * (`AWS_LAMBDA_FUNCTION_MEMORY_SIZE`, 1024 MB when unset) leaves after
   * PART_BASE_MB. A part is cut when the scanner's memory and the rollups
   * to be built from it would pass this (see scanInParts).
   */
  readonly partMemoryMb: number;
  /**
   * The function's memory in MB (`AWS_LAMBDA_FUNCTION_MEMORY_SIZE`, which
   * Lambda sets; 1024 when unset): its share of a vCPU sets how long a
   * part's writes take (see itemWriteMsAt in pipeline/ingestS3Object.ts).
   */
  readonly functionMemoryMb: number;
  /**
   * At most this many items in a part (`PART_MAX_ITEMS`; by default no
   * cap but the memory). Never below MIN_PART_ITEMS, far above
   * SMALL_INPUT_ITEMS (an input that small is never cut: every attempt
   * must agree on that).
   */
  readonly maxPartItems: number;
  /** Formats by log group name (`FLOW_LOG_FORMATS`, a JSON object). */
  readonly flowLogFormats: Readonly<Record<string, string>>;
  /**
   * Key of the HMAC that signs the query API's `nextToken`s
   * (`PAGE_TOKEN_SECRET`); by default derived from the table name, which
   * detects edits but not forgery by someone who knows the name: set it.
   */
  readonly pageTokenSecret: string;
}

/** Memory of a running s3Ingest before any item: Node.js, SDK, inflate worker, ring. */
const PART_BASE_MB = 192;
const MIN_PART_MB = 64;
const MIN_PART_ITEMS = 8192;
const NO_PART_CAP = 100_000_000;

const DEFAULTS = {
  retentionDays: 30,
  writeConcurrency: 16,
  windowMode: 'prorate',
  badRecordSamples: 5,
  maxAttempts: 10,
} as const;

type Env = Readonly<Record<string, string | undefined>>;

/** Reads one variable; collects a problem instead of throwing at once. */
class EnvReader {
  readonly problems: string[] = [];

  constructor(private readonly env: Env) {}

  text(name: string, fallback?: string): string {
    const value = this.env[name]?.trim();
    if (value) return value;
    if (fallback !== undefined) return fallback;
    this.problems.push(`${name} is required`);
    return '';
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.env[name]?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      this.problems.push(
        `${name} must be an integer from ${min} to ${max}, got '${raw}'`
      );
      return fallback;
    }
    return value;
  }

  /** A JSON object whose values are all strings; {} when unset. */
  stringMap(name: string): Record<string, string> {
    const raw = this.env[name]?.trim();
    if (!raw) return {};
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      value = undefined;
    }
    const isStringMap =
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value) &&
      Object.values(value).every((item) => typeof item === 'string');
    if (!isStringMap) {
      this.problems.push(
        `${name} must be a JSON object of log group name to format string, e.g. {"/vpc/flow-logs":"\${version} \${interface-id} ..."}`
      );
      return {};
    }
    return value as Record<string, string>;
  }

  oneOf<T extends string>(
    name: string,
    fallback: T,
    accepted: readonly T[]
  ): T {
    const raw = this.env[name]?.trim();
    if (!raw) return fallback;
    const found = accepted.find((value) => value === raw);
    if (found === undefined) {
      this.problems.push(
        `${name} must be one of ${accepted.join(', ')}, got '${raw}'`
      );
      return fallback;
    }
    return found;
  }
}

/**
 * Builds the configuration from environment variables. Throws one
 * `ConfigError` naming every bad variable and its accepted values.
 * @example const config = loadConfig(); // at module scope: fails the cold start
 */
function loadConfig(env: Env = process.env): Config {
  const read = new EnvReader(env);
  const functionMemoryMb = read.integer(
    'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
    1024,
    128,
    10_240
  );
  const config: Config = {
    rollupTable: read.text('ROLLUP_TABLE'),
    retentionDays: read.integer(
      'RETENTION_DAYS',
      DEFAULTS.retentionDays,
      1,
      3650
    ),
    writeConcurrency: read.integer(
      'WRITE_CONCURRENCY',
      DEFAULTS.writeConcurrency,
      1,
      256
    ),
    windowMode: read.oneOf<WindowMode>('WINDOW_MODE', DEFAULTS.windowMode, [
      'prorate',
      'start',
    ]),
    badRecordSamples: read.integer(
      'BAD_RECORD_SAMPLES',
      DEFAULTS.badRecordSamples,
      0,
      100
    ),
    s3ForcePathStyle: Boolean(env.AWS_ENDPOINT_URL_S3?.trim()),
    stage: env.STAGE?.trim() || 'local',
    maxAttempts: read.integer('AWS_MAX_ATTEMPTS', DEFAULTS.maxAttempts, 1, 30),
    flowLogFormat: env.FLOW_LOG_FORMAT?.trim() || null,
    partMemoryMb: read.integer(
      'PART_MEMORY_MB',
      Math.max(MIN_PART_MB, functionMemoryMb - PART_BASE_MB),
      MIN_PART_MB,
      10_240
    ),
    functionMemoryMb,
    maxPartItems: read.integer(
      'PART_MAX_ITEMS',
      NO_PART_CAP,
      MIN_PART_ITEMS,
      NO_PART_CAP
    ),
    flowLogFormats: Object.freeze(read.stringMap('FLOW_LOG_FORMATS')),
    pageTokenSecret:
      env.PAGE_TOKEN_SECRET?.trim() ||
      `flowlog-rollups:${env.ROLLUP_TABLE?.trim() ?? ''}`,
  };
  if (read.problems.length > 0) {
    throw new ConfigError(`bad configuration: ${read.problems.join('; ')}`);
  }
  return Object.freeze(config);
}

export type { Config };
export { DEFAULTS, loadConfig, MIN_PART_ITEMS, PART_BASE_MB };
