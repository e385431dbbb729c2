import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config.js';
import { ConfigError, FormatError } from '../../shared/errors.js';
import {
  DEFAULT_FORMAT,
  DEFAULT_FORMAT_STRING,
} from '../../shared/parse/flowLogFormat.js';
import type { FlowLogFormatLookup } from '../../shared/source/ec2FlowLogFormats.js';
import {
  createCloudWatchDeps,
  createFormatResolver,
  createIngestDeps,
  rollupFormat,
} from '../../shared/wiring.js';

const LOG_GROUP_A = '/vpc/a';
const LOG_GROUP_B = '/vpc/b';
/** A custom format without interface-id: the ENI comes from the stream name. */
const NO_ENI_FORMAT =
  '${srcaddr} ${dstaddr} ${packets} ${bytes} ${start} ${end}';
const ENI_FORMAT =
  '${interface-id} ${srcaddr} ${dstaddr} ${packets} ${bytes} ${start} ${end} ${action}';

const namesOf = (format: { fields: readonly { name: string }[] }) =>
  format.fields.map((field) => field.name);

/** A Config as loadConfig builds it from these variables. */
const configOf = (formats: {
  FLOW_LOG_FORMAT?: string;
  FLOW_LOG_FORMATS?: Record<string, string>;
}) =>
  loadConfig({
    ROLLUP_TABLE: 't',
    FLOW_LOG_FORMAT: formats.FLOW_LOG_FORMAT,
    FLOW_LOG_FORMATS:
      formats.FLOW_LOG_FORMATS && JSON.stringify(formats.FLOW_LOG_FORMATS),
  });

/**
 * A lookup factory over fixed answers by log group (a log group without one
 * is rejected with FormatError), recording factory calls and lookups.
 */
function stubLookup(answers: Record<string, string> = {}) {
  const calls = { created: 0, asked: [] as string[] };
  const lookup: FlowLogFormatLookup = {
    async formatStringOf(logGroup) {
      calls.asked.push(logGroup);
      const answer = answers[logGroup];
      if (answer === undefined) {
        throw new FormatError(`no flow log publishes to ${logGroup}`);
      }
      return answer;
    },
  };
  const factory = () => {
    calls.created++;
    return lookup;
  };
  return { factory, calls };
}

/** The error `run` throws; fails the test when it throws none. */
function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

/** An instrument that records the class name of each client it wraps. */
function recordingInstrument() {
  const wrapped: string[] = [];
  const instrument = <T>(client: T): T => {
    wrapped.push(
      client instanceof Object ? client.constructor.name : String(client)
    );
    return client;
  };
  return { instrument, wrapped };
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

describe('rollupFormat', () => {
  it('accepts v2 as the default format', () => {
    // Act
    const format = rollupFormat('v2');

    // Assess
    expect(format.header).toBe(DEFAULT_FORMAT.header);
    expect(format.isTransitGateway).toBe(false);
  });

  it.each([
    ['v5', ['pkt-srcaddr', 'flow-direction', 'traffic-path']],
    ['v11', ['reject-reason', 'resource-id', 'next-hop-interface-id']],
  ])('accepts %s with its later fields', (spec, laterFields) => {
    // Act
    const format = rollupFormat(spec);

    // Assess
    const names = namesOf(format);
    expect(names.slice(0, 14)).toStrictEqual(namesOf(DEFAULT_FORMAT));
    expect(names).toEqual(expect.arrayContaining(laterFields));
  });

  it('accepts a ${...} format string, in its order', () => {
    // Act
    const format = rollupFormat(ENI_FORMAT);

    // Assess
    expect(format.header).toBe(
      'interface-id srcaddr dstaddr packets bytes start end action'
    );
  });

  it('accepts a format without interface-id', () => {
    // Act
    const format = rollupFormat(NO_ENI_FORMAT);

    // Assess
    expect(namesOf(format)).not.toContain('interface-id');
    expect(namesOf(format)).toContain('start');
  });

  it('accepts a Transit Gateway format without start and end (ingest skips it)', () => {
    // Act
    const format = rollupFormat(
      '${version} ${resource-type} ${tgw-id} ${tgw-attachment-id} ${packets} ${bytes}'
    );

    // Assess
    expect(format.isTransitGateway).toBe(true);
  });

  it.each([
    [
      'one unknown token',
      `${ENI_FORMAT} \${colour}`,
      'unknown field ${colour}',
    ],
    [
      'two unknown tokens',
      '${hue} ${start} ${end} ${shade}',
      'unknown field ${hue} ${shade}',
    ],
  ])('throws FormatError naming %s', (_case, spec, message) => {
    // Act
    const error = thrownBy(() => rollupFormat(spec));

    // Assess
    expect(error).toBeInstanceOf(FormatError);
    expect(error).toHaveProperty('message', message);
  });

  it.each([
    [
      'start',
      '${interface-id} ${bytes} ${end}',
      'no ${start}, which rollups need',
    ],
    [
      'end',
      '${interface-id} ${bytes} ${start}',
      'no ${end}, which rollups need',
    ],
    [
      'start and end',
      '${interface-id} ${packets} ${bytes}',
      'no ${start} or ${end}, which rollups need',
    ],
  ])('throws FormatError when the format has no %s', (_case, spec, message) => {
    // Act
    const error = thrownBy(() => rollupFormat(spec));

    // Assess
    expect(error).toBeInstanceOf(FormatError);
    expect(error).toHaveProperty('message', message);
  });

  it.each([['v3'], ['auto'], ['${interface-id} $start ${end}'], ['']])(
    'throws FormatError for the unusable spec %j',
    (spec) => {
      // Act
      const error = thrownBy(() => rollupFormat(spec));

      // Assess
      expect(error).toBeInstanceOf(FormatError);
    }
  );
});

describe('createFormatResolver', () => {
  it('uses the FLOW_LOG_FORMATS entry for its log group and FLOW_LOG_FORMAT for others', async () => {
    // Prepare
    const config = configOf({
      FLOW_LOG_FORMAT: 'v5',
      FLOW_LOG_FORMATS: { [LOG_GROUP_A]: ENI_FORMAT },
    });
    const { factory } = stubLookup();
    const resolver = createFormatResolver(config, factory);

    // Act
    const ofA = await resolver.formatFor(LOG_GROUP_A);
    const ofB = await resolver.formatFor(LOG_GROUP_B);

    // Assess
    expect(ofA.header).toBe(rollupFormat(ENI_FORMAT).header);
    expect(ofB.header).toBe(rollupFormat('v5').header);
  });

  it('uses the v2 format when FLOW_LOG_FORMAT is unset', async () => {
    // Prepare
    const config = configOf({ FLOW_LOG_FORMATS: { [LOG_GROUP_A]: 'v5' } });
    const { factory } = stubLookup();
    const resolver = createFormatResolver(config, factory);

    // Act
    const ofB = await resolver.formatFor(LOG_GROUP_B);

    // Assess
    expect(ofB.header).toBe(DEFAULT_FORMAT.header);
  });

  it.each<[string, string | undefined]>([
    ['unset', undefined],
    ['v5', 'v5'],
    ['a ${...} string', ENI_FORMAT],
  ])(
    'never builds the lookup when FLOW_LOG_FORMAT is %s',
    async (_case, spec) => {
      // Prepare
      const config = configOf({ FLOW_LOG_FORMAT: spec });
      const { factory, calls } = stubLookup({ [LOG_GROUP_A]: ENI_FORMAT });

      // Act
      const resolver = createFormatResolver(config, factory);
      await resolver.formatFor(LOG_GROUP_A);

      // Assess
      expect(calls).toStrictEqual({ created: 0, asked: [] });
    }
  );

  it('with auto, looks up only log groups without a FLOW_LOG_FORMATS entry, when asked', async () => {
    // Prepare
    const config = configOf({
      FLOW_LOG_FORMAT: 'auto',
      FLOW_LOG_FORMATS: { [LOG_GROUP_A]: 'v5' },
    });
    const { factory, calls } = stubLookup({
      [LOG_GROUP_A]: DEFAULT_FORMAT_STRING,
      [LOG_GROUP_B]: NO_ENI_FORMAT,
    });

    // Act
    const resolver = createFormatResolver(config, factory);
    const askedAtStart = [...calls.asked];
    const ofA = await resolver.formatFor(LOG_GROUP_A);
    const ofB = await resolver.formatFor(LOG_GROUP_B);

    // Assess
    expect(askedAtStart).toStrictEqual([]);
    expect(ofA.header).toBe(rollupFormat('v5').header);
    expect(ofB.header).toBe(rollupFormat(NO_ENI_FORMAT).header);
    expect(calls).toStrictEqual({ created: 1, asked: [LOG_GROUP_B] });
  });

  it('with auto, throws FormatError naming the log group when the discovered format has an unknown field', async () => {
    // Prepare
    const config = configOf({ FLOW_LOG_FORMAT: 'auto' });
    const { factory } = stubLookup({
      [LOG_GROUP_B]: `${ENI_FORMAT} \${colour}`,
    });
    const resolver = createFormatResolver(config, factory);

    // Act
    const error = await rejectionOf(resolver.formatFor(LOG_GROUP_B));

    // Assess
    expect(error).toBeInstanceOf(FormatError);
    expect(error).toHaveProperty(
      'message',
      `the flow log of log group ${LOG_GROUP_B} has a format rollups cannot use: unknown field \${colour}`
    );
    expect(error).toHaveProperty('cause', expect.any(FormatError));
  });

  it('with auto, throws FormatError naming the log group when the discovered format has no start', async () => {
    // Prepare
    const config = configOf({ FLOW_LOG_FORMAT: 'auto' });
    const { factory } = stubLookup({
      [LOG_GROUP_B]: '${interface-id} ${bytes} ${end}',
    });
    const resolver = createFormatResolver(config, factory);

    // Act
    const error = await rejectionOf(resolver.formatFor(LOG_GROUP_B));

    // Assess
    expect(error).toBeInstanceOf(FormatError);
    expect(error).toHaveProperty(
      'message',
      expect.stringContaining(`log group ${LOG_GROUP_B}`)
    );
  });

  it('with auto, passes on a failed lookup as it is', async () => {
    // Prepare
    const config = configOf({ FLOW_LOG_FORMAT: 'auto' });
    const { factory } = stubLookup();
    const resolver = createFormatResolver(config, factory);

    // Act
    const error = await rejectionOf(resolver.formatFor(LOG_GROUP_B));

    // Assess
    expect(error).toBeInstanceOf(FormatError);
    expect(error).toHaveProperty(
      'message',
      `no flow log publishes to ${LOG_GROUP_B}`
    );
  });

  it('throws ConfigError naming FLOW_LOG_FORMAT when it is unusable', () => {
    // Prepare
    const config = configOf({ FLOW_LOG_FORMAT: '${interface-id} ${bytes}' });
    const { factory } = stubLookup();

    // Act
    const error = thrownBy(() => createFormatResolver(config, factory));

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toHaveProperty(
      'message',
      'bad configuration: FLOW_LOG_FORMAT: no ${start} or ${end}, which rollups need (accepted: v2, v5, v11, auto or a ${...} format string)'
    );
  });

  it('throws one ConfigError naming each bad FLOW_LOG_FORMATS entry and FLOW_LOG_FORMAT', () => {
    // Prepare
    const config = configOf({
      FLOW_LOG_FORMAT: 'v3',
      FLOW_LOG_FORMATS: {
        [LOG_GROUP_A]: `${ENI_FORMAT} \${colour}`,
        [LOG_GROUP_B]: 'v5',
        '/vpc/c': '${interface-id} ${bytes}',
      },
    });
    const { factory } = stubLookup();

    // Act
    const error = thrownBy(() => createFormatResolver(config, factory));

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    const message = error instanceof Error ? error.message : '';
    expect(message).toContain(
      'FLOW_LOG_FORMATS["/vpc/a"]: unknown field ${colour}'
    );
    expect(message).toContain(
      'FLOW_LOG_FORMATS["/vpc/c"]: no ${start} or ${end}, which rollups need'
    );
    expect(message).toContain('FLOW_LOG_FORMAT: "v3" is not v2, v5, v11');
    expect(message).not.toContain('/vpc/b');
  });

  it('throws ConfigError for a bad FLOW_LOG_FORMATS entry under auto without building the lookup', () => {
    // Prepare
    const config = configOf({
      FLOW_LOG_FORMAT: 'auto',
      FLOW_LOG_FORMATS: { [LOG_GROUP_A]: 'v4' },
    });
    const { factory, calls } = stubLookup();

    // Act
    const error = thrownBy(() => createFormatResolver(config, factory));

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toHaveProperty(
      'message',
      expect.stringContaining('FLOW_LOG_FORMATS["/vpc/a"]')
    );
    expect(calls.created).toBe(0);
  });

  it('review finding: does not list auto as accepted for a FLOW_LOG_FORMATS entry', () => {
    // Prepare: either looking the log group up or an error that does not
    // offer auto for FLOW_LOG_FORMATS entries would be consistent
    const config = configOf({ FLOW_LOG_FORMATS: { [LOG_GROUP_A]: 'auto' } });
    const { factory } = stubLookup({ [LOG_GROUP_A]: ENI_FORMAT });

    // Act
    let message = '';
    try {
      createFormatResolver(config, factory);
    } catch (error) {
      message = error instanceof Error ? error.message : String(error);
    }

    // Assess
    expect(message).not.toMatch(
      /FLOW_LOG_FORMATS\["\/vpc\/a"\]: .*\(accepted: [^)]*\bauto\b/
    );
  });
});

describe('createIngestDeps', () => {
  it('wraps the S3 and DynamoDB clients with the instrument', () => {
    // Prepare
    const { instrument, wrapped } = recordingInstrument();

    // Act
    const deps = createIngestDeps(configOf({}), instrument);

    // Assess
    expect(wrapped).toStrictEqual(['S3Client', 'DynamoDBClient']);
    expect(deps.options).toStrictEqual({
      windowMode: 'prorate',
      sampleLimit: 5,
    });
  });
});

describe('createCloudWatchDeps', () => {
  it.each<[string, string | undefined, string[]]>([
    ['auto', 'auto', ['DynamoDBClient', 'EC2Client']],
    ['v5', 'v5', ['DynamoDBClient']],
    ['unset', undefined, ['DynamoDBClient']],
  ])(
    'wraps an EC2 client only when FLOW_LOG_FORMAT is auto (%s)',
    async (_case, spec, clients) => {
      // Prepare
      const { instrument, wrapped } = recordingInstrument();

      // Act
      createCloudWatchDeps(configOf({ FLOW_LOG_FORMAT: spec }), instrument);
      // The EC2 module loads asynchronously (only under auto).
      await import('../../shared/source/ec2FlowLogFormats.js');
      await new Promise((resolve) => setTimeout(resolve, 0));

      // Assess
      expect(wrapped).toStrictEqual(clients);
    }
  );

  it('throws ConfigError for an unusable FLOW_LOG_FORMAT', () => {
    // Prepare
    const config = configOf({ FLOW_LOG_FORMAT: '${bytes}' });

    // Act
    const error = thrownBy(() => createCloudWatchDeps(config));

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
  });
});
