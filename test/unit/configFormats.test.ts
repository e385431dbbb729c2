import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config.js';
import { ConfigError } from '../../shared/errors.js';

type Env = Record<string, string | undefined>;

const TABLE = 'flowlog-rollups-dev-rollups';
const FORMATS_PROBLEM =
  'FLOW_LOG_FORMATS must be a JSON object of log group name to format string';

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
  describe('FLOW_LOG_FORMAT and FLOW_LOG_FORMATS', () => {
    it('reads FLOW_LOG_FORMATS as formats by log group', () => {
      // Prepare
      const formats = { '/vpc/a': 'v5', '/vpc/b': '${interface-id} ${start}' };
      const env: Env = {
        ROLLUP_TABLE: TABLE,
        FLOW_LOG_FORMATS: ` ${JSON.stringify(formats)} `,
      };

      // Act
      const config = loadConfig(env);

      // Assess
      expect(config.flowLogFormats).toStrictEqual(formats);
      expect(Object.isFrozen(config.flowLogFormats)).toBe(true);
    });

    it.each([
      ['unset', undefined],
      ['blank', '  '],
    ])('reads no formats when FLOW_LOG_FORMATS is %s', (_case, value) => {
      // Prepare
      const env: Env = { ROLLUP_TABLE: TABLE, FLOW_LOG_FORMATS: value };

      // Act
      const config = loadConfig(env);

      // Assess
      expect(config.flowLogFormats).toStrictEqual({});
    });

    it.each([
      ['auto', 'auto'],
      ['  v5 ', 'v5'],
      ['', null],
      ['   ', null],
    ])('reads FLOW_LOG_FORMAT %j as %j', (value, expected) => {
      // Prepare
      const env: Env = { ROLLUP_TABLE: TABLE, FLOW_LOG_FORMAT: value };

      // Act
      const config = loadConfig(env);

      // Assess
      expect(config.flowLogFormat).toBe(expected);
    });

    it.each([
      ['not JSON', "{'/vpc/a': 'v5'}"],
      ['a JSON array', '["v5"]'],
      ['JSON null', 'null'],
      ['a JSON string', '"v5"'],
      ['a JSON number', '5'],
      ['an object with a number value', '{"/vpc/a": 5}'],
      ['an object with a null value', '{"/vpc/a": null}'],
      ['an object with an object value', '{"/vpc/a": {"format": "v5"}}'],
    ])(
      'throws ConfigError naming FLOW_LOG_FORMATS when it is %s',
      (_case, value) => {
        // Prepare
        const env: Env = { ROLLUP_TABLE: TABLE, FLOW_LOG_FORMATS: value };

        // Act
        const error = configErrorOf(env);

        // Assess
        expect(error.message).toContain(
          `bad configuration: ${FORMATS_PROBLEM}`
        );
      }
    );

    it('names FLOW_LOG_FORMATS together with the other bad variables', () => {
      // Prepare
      const env: Env = {
        ROLLUP_TABLE: TABLE,
        RETENTION_DAYS: '0',
        FLOW_LOG_FORMATS: '[]',
      };

      // Act
      const error = configErrorOf(env);

      // Assess
      expect(error.message).toContain('RETENTION_DAYS must be an integer');
      expect(error.message).toContain(FORMATS_PROBLEM);
    });
  });
});
