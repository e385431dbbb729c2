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
}

const DEFAULTS = {
  retentionDays: 30,
  writeConcurrency: 16,
  windowMode: 'prorate',
  badRecordSamples: 5,
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
  };
  if (read.problems.length > 0) {
    throw new ConfigError(`bad configuration: ${read.problems.join('; ')}`);
  }
  return Object.freeze(config);
}

export type { Config };
export { DEFAULTS, loadConfig };
