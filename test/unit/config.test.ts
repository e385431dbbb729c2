import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULTS,
  loadConfig,
  MIN_PART_ITEMS,
  PART_BASE_MB,
} from '../../shared/config.js';
import { ConfigError } from '../../shared/errors.js';

type Env = Record<string, string | undefined>;

const TABLE = 'flowlog-rollups-dev-rollups';

/** The error `loadConfig` throws for `env`; fails the test when it throws none. */
function configErrorOf(env: Env): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

describe('loadConfig', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('applies the defaults when only ROLLUP_TABLE is set', () => {
    // Prepare
    const env: Env = { ROLLUP_TABLE: TABLE };

    // Act
    const config = loadConfig(env);

    // Assess
    expect(config).toStrictEqual({
      rollupTable: TABLE,
      retentionDays: 30,
      writeConcurrency: 16,
      windowMode: 'prorate',
      badRecordSamples: 5,
      s3ForcePathStyle: false,
      stage: 'local',
      maxAttempts: 10,
      partMemoryMb: 1024 - PART_BASE_MB,
      functionMemoryMb: 1024,
      maxPartItems: 100_000_000,
      flowLogFormat: null,
      flowLogFormats: {},
      pageTokenSecret: `flowlog-rollups:${TABLE}`,
    });
    expect(DEFAULTS).toStrictEqual({
      retentionDays: 30,
      writeConcurrency: 16,
      windowMode: 'prorate',
      badRecordSamples: 5,
      maxAttempts: 10,
    });
  });

  it('gives parts the memory the function has beyond its base, and caps items only when told', () => {
    // Prepare
    const memory = (mb: string) =>
      loadConfig({ ROLLUP_TABLE: TABLE, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: mb });

    // Act
    const sizes = ['128', '1024', '3008'].map((mb) => memory(mb).partMemoryMb);
    const set = loadConfig({
      ROLLUP_TABLE: TABLE,
      PART_MEMORY_MB: '300',
      PART_MAX_ITEMS: '20000',
    });

    // Assess
    expect(sizes).toEqual([64, 1024 - PART_BASE_MB, 3008 - PART_BASE_MB]);
    expect(set.partMemoryMb).toBe(300);
    expect(set.maxPartItems).toBe(20_000);
    expect(() =>
      loadConfig({
        ROLLUP_TABLE: TABLE,
        PART_MAX_ITEMS: String(MIN_PART_ITEMS - 1),
      })
    ).toThrow(/PART_MAX_ITEMS must be an integer from 8192/);
    expect(() =>
      loadConfig({
        ROLLUP_TABLE: TABLE,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: 'lots',
      })
    ).toThrow(/AWS_LAMBDA_FUNCTION_MEMORY_SIZE must be an integer from 128/);
  });

  it('reads process.env when no environment is given', () => {
    // Prepare
    vi.stubEnv('ROLLUP_TABLE', 'from-process-env');
    vi.stubEnv('RETENTION_DAYS', '7');

    // Act
    const config = loadConfig();

    // Assess
    expect(config.rollupTable).toBe('from-process-env');
    expect(config.retentionDays).toBe(7);
  });

  it('trims the table name', () => {
    // Prepare
    const env: Env = { ROLLUP_TABLE: `  ${TABLE}\n` };

    // Act
    const config = loadConfig(env);

    // Assess
    expect(config.rollupTable).toBe(TABLE);
  });

  it.each([
    ['unset', undefined],
    ['empty', ''],
    ['blank', '  \t'],
  ])('requires ROLLUP_TABLE (%s)', (_case, value) => {
    // Prepare
    const env: Env = { ROLLUP_TABLE: value };

    // Act
    const error = configErrorOf(env);

    // Assess
    expect(error.message).toBe('bad configuration: ROLLUP_TABLE is required');
  });

  describe.each([
    { name: 'RETENTION_DAYS', key: 'retentionDays', min: 1, max: 3650 },
    { name: 'WRITE_CONCURRENCY', key: 'writeConcurrency', min: 1, max: 256 },
    { name: 'BAD_RECORD_SAMPLES', key: 'badRecordSamples', min: 0, max: 100 },
  ] as const)('$name', ({ name, key, min, max }) => {
    it.each([
      [String(min), min],
      [String(max), max],
      [` ${min + 1} `, min + 1],
      [`00${max}`, max],
    ])('accepts %j as %d', (raw, expected) => {
      // Prepare
      const env: Env = { ROLLUP_TABLE: TABLE, [name]: raw };

      // Act
      const config = loadConfig(env);

      // Assess
      expect(config[key]).toBe(expected);
    });

    it.each(['', '   '])('falls back to the default for %j', (raw) => {
      // Prepare
      const env: Env = { ROLLUP_TABLE: TABLE, [name]: raw };

      // Act
      const config = loadConfig(env);

      // Assess
      expect(config[key]).toBe(DEFAULTS[key]);
    });

    it.each([
      String(min - 1),
      String(max + 1),
      '-5',
      '1.5',
      '1e2',
      '0x10',
      'ten',
      '12 days',
      '99999999999999999999999',
    ])('rejects %j, naming the variable and the accepted range', (raw) => {
      // Prepare
      const env: Env = { ROLLUP_TABLE: TABLE, [name]: raw };

      // Act
      const error = configErrorOf(env);

      // Assess
      expect(error.message).toBe(
        `bad configuration: ${name} must be an integer from ${min} to ${max}, got '${raw}'`
      );
    });
  });

  describe('WINDOW_MODE', () => {
    it.each(['prorate', 'start'] as const)('accepts %s', (mode) => {
      // Prepare
      const env: Env = { ROLLUP_TABLE: TABLE, WINDOW_MODE: ` ${mode} ` };

      // Act
      const config = loadConfig(env);

      // Assess
      expect(config.windowMode).toBe(mode);
    });

    it.each(['Start', 'end', 'prorated'])(
      'rejects %j, naming the accepted values',
      (raw) => {
        // Prepare
        const env: Env = { ROLLUP_TABLE: TABLE, WINDOW_MODE: raw };

        // Act
        const error = configErrorOf(env);

        // Assess
        expect(error.message).toBe(
          `bad configuration: WINDOW_MODE must be one of prorate, start, got '${raw}'`
        );
      }
    );
  });

  it('names every bad variable in one error', () => {
    // Prepare
    const env: Env = {
      RETENTION_DAYS: '0',
      WRITE_CONCURRENCY: 'many',
      WINDOW_MODE: 'end',
      BAD_RECORD_SAMPLES: '101',
    };

    // Act
    const error = configErrorOf(env);

    // Assess
    expect(error.name).toBe('ConfigError');
    expect(error.message).toBe(
      'bad configuration: ' +
        [
          'ROLLUP_TABLE is required',
          "RETENTION_DAYS must be an integer from 1 to 3650, got '0'",
          "WRITE_CONCURRENCY must be an integer from 1 to 256, got 'many'",
          "WINDOW_MODE must be one of prorate, start, got 'end'",
          "BAD_RECORD_SAMPLES must be an integer from 0 to 100, got '101'",
        ].join('; ')
    );
  });

  it.each([
    ['set', 'http://127.0.0.1:4568', true],
    ['unset', undefined, false],
    ['blank', ' ', false],
  ])(
    'derives s3ForcePathStyle from AWS_ENDPOINT_URL_S3 (%s)',
    (_case, endpoint, expected) => {
      // Prepare
      const env: Env = { ROLLUP_TABLE: TABLE, AWS_ENDPOINT_URL_S3: endpoint };

      // Act
      const config = loadConfig(env);

      // Assess
      expect(config.s3ForcePathStyle).toBe(expected);
    }
  );

  it('ignores AWS_ENDPOINT_URL_DYNAMODB for S3 addressing', () => {
    // Prepare
    const env: Env = {
      ROLLUP_TABLE: TABLE,
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
    };

    // Act
    const config = loadConfig(env);

    // Assess
    expect(config.s3ForcePathStyle).toBe(false);
  });

  it('returns a frozen object', () => {
    // Prepare
    const env: Env = { ROLLUP_TABLE: TABLE };

    // Act
    const config = loadConfig(env);
    const changed = Reflect.set(config, 'writeConcurrency', 1);

    // Assess
    expect(Object.isFrozen(config)).toBe(true);
    expect(changed).toBe(false);
    expect(config.writeConcurrency).toBe(16);
  });
});
