import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Config } from './config.js';
import { warmInflateWorker } from './decode/flowLogText.js';
import { ConfigError, FormatError, messageOf } from './errors.js';
import { DEFAULT_FORMAT, resolveFormat } from './parse/flowLogFormat.js';
import type {
  CloudWatchDeps,
  FormatResolver,
} from './pipeline/ingestCloudWatch.js';
import { type IngestDeps, itemWriteMsAt } from './pipeline/ingestS3Object.js';
import { cachedPlacements } from './pipeline/placeRollups.js';
import type { CatalogDeps } from './pipeline/refreshCatalog.js';
import type { QueryDeps } from './query/queryRollups.js';
import type { CatalogSource } from './source/ec2Catalog.js';
import type { FlowLogFormatLookup } from './source/ec2FlowLogFormats.js';
import {
  createS3Client,
  createS3ObjectSource,
} from './source/s3ObjectSource.js';
import { createDynamoCatalogStore } from './store/catalogStore.js';
import { createDynamoRollupReader } from './store/dynamoRollupReader.js';
import {
  createDynamoClient,
  createDynamoRollupStore,
} from './store/dynamoRollupStore.js';
import { createDynamoPartCheckpoints } from './store/partCheckpoints.js';
import { createRangeRanker } from './store/rangeRanking.js';
import type { RollupStore } from './store/rollupStore.js';
import type { FlowLogFormat } from './types.js';

type Instrument = <T>(client: T) => T;
const asIs: Instrument = (client) => client;

function createStore(config: Config, client: DynamoDBClient): RollupStore {
  return createDynamoRollupStore(client, {
    tableName: config.rollupTable,
    retentionDays: config.retentionDays,
    concurrency: config.writeConcurrency,
  });
}

const rollupOptions = (config: Config) => ({
  windowMode: config.windowMode,
  sampleLimit: config.badRecordSamples,
});

/**
 * Builds what ingest needs from the configuration: the S3 source, the
 * DynamoDB store and part checkpoints (one client), the rollup options and
 * the part budget. `instrument` wraps each AWS
 * client (the handlers pass the Tracer's `captureAWSv3Client`).
 */
function createIngestDeps(
  config: Config,
  instrument: Instrument = asIs
): IngestDeps {
  const s3 = instrument(
    createS3Client({ forcePathStyle: config.s3ForcePathStyle })
  );
  const dynamo = instrument(createDynamoClient(config.maxAttempts));
  // At the cold start: the first object does not wait for the thread's boot.
  warmInflateWorker();
  return {
    source: createS3ObjectSource(s3),
    store: createStore(config, dynamo),
    placements: cachedPlacements(catalogStore(config, dynamo)),
    options: rollupOptions(config),
    checkpoints: createDynamoPartCheckpoints(dynamo, {
      tableName: config.rollupTable,
      retentionDays: config.retentionDays,
    }),
    maxPartItems: config.maxPartItems,
    maxPartBytes: config.partMemoryMb * 1024 * 1024,
    itemWriteMs: itemWriteMsAt(config.functionMemoryMb),
  };
}

/**
 * A format that CloudWatch records can be rolled up by: `v2`/`v5`/`v11` or
 * a `${...}` string of fields the catalogue knows, holding `start` and
 * `end` (interface-id may come from the log stream's name). Throws
 * `FormatError` saying what is wrong.
 */
function rollupFormat(spec: string): FlowLogFormat {
  const format = resolveFormat(spec);
  const unknown = format.fields.filter((field) => !field.isKnown);
  if (unknown.length > 0) {
    const tokens = unknown.map((field) => `\${${field.name}}`).join(' ');
    throw new FormatError(`unknown field ${tokens}`);
  }
  const names = new Set(format.fields.map((field) => field.name));
  const missing = ['start', 'end'].filter((name) => !names.has(name));
  if (missing.length > 0 && !format.isTransitGateway) {
    throw new FormatError(
      `no ${missing.map((name) => `\${${name}}`).join(' or ')}, which rollups need`
    );
  }
  return format;
}

/**
 * The formats of CloudWatch Logs records, checked at cold start:
 * `FLOW_LOG_FORMATS[logGroup]`, else `FLOW_LOG_FORMAT` (default v2), or,
 * when that is `auto`, the `LogFormat` that `lookup` finds for the log
 * group. Throws one `ConfigError` naming each bad variable.
 */
function createFormatResolver(
  config: Config,
  lookup: () => FlowLogFormatLookup
): FormatResolver {
  const problems: string[] = [];
  const checked = (spec: string, variable: string) => {
    try {
      return rollupFormat(spec);
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      const auto = variable === 'FLOW_LOG_FORMAT' ? ', auto' : '';
      problems.push(
        `${variable}: ${error.message} (accepted: v2, v5, v11${auto} or a \${...} format string)`
      );
      return DEFAULT_FORMAT;
    }
  };
  const byLogGroup = new Map<string, FlowLogFormat>();
  for (const [logGroup, spec] of Object.entries(config.flowLogFormats)) {
    byLogGroup.set(logGroup, checked(spec, `FLOW_LOG_FORMATS["${logGroup}"]`));
  }
  const isAuto = config.flowLogFormat === 'auto';
  const fallback =
    config.flowLogFormat === null || isAuto
      ? DEFAULT_FORMAT
      : checked(config.flowLogFormat, 'FLOW_LOG_FORMAT');
  if (problems.length > 0) {
    throw new ConfigError(`bad configuration: ${problems.join('; ')}`);
  }
  const discovered = isAuto ? lookup() : null;
  async function formatFor(logGroup: string): Promise<FlowLogFormat> {
    const configured = byLogGroup.get(logGroup);
    if (configured) return configured;
    if (discovered === null) return fallback;
    const spec = await discovered.formatStringOf(logGroup);
    try {
      return rollupFormat(spec);
    } catch (error) {
      const message = messageOf(error);
      throw new FormatError(
        `the flow log of log group ${logGroup} has a format rollups cannot use: ${message}`,
        { cause: error }
      );
    }
  }
  return { formatFor };
}

/**
 * Builds what CloudWatch ingest needs: the store, the rollup options and
 * the format resolver (with an EC2 client only when FLOW_LOG_FORMAT=auto).
 * Throws `ConfigError` for unusable formats.
 */
function createCloudWatchDeps(
  config: Config,
  instrument: Instrument = asIs
): CloudWatchDeps {
  const dynamo = instrument(createDynamoClient(config.maxAttempts));
  return {
    store: createStore(config, dynamo),
    options: rollupOptions(config),
    formats: createFormatResolver(config, () => ec2Lookup(instrument)),
    placements: cachedPlacements(catalogStore(config, dynamo)),
  };
}

/**
 * The EC2 format lookup, its module loaded only when one is made (that is,
 * FLOW_LOG_FORMAT=auto): the EC2 client alone adds about 120 MiB to a
 * process, which no other configuration should pay at cold start.
 */
function ec2Lookup(instrument: Instrument): FlowLogFormatLookup {
  const lookup = import('./source/ec2FlowLogFormats.js').then((ec2) =>
    ec2.createEc2FlowLogFormatLookup(instrument(ec2.createEc2Client()))
  );
  // A failed load surfaces at the first lookup, not as an unhandled rejection.
  lookup.catch(() => undefined);
  return {
    async formatStringOf(logGroup) {
      return (await lookup).formatStringOf(logGroup);
    },
  };
}

const catalogStore = (config: Config, client: DynamoDBClient) =>
  createDynamoCatalogStore(client, {
    tableName: config.rollupTable,
    retentionDays: config.retentionDays,
    concurrency: config.writeConcurrency,
  });

/**
 * Builds what the query API needs: the DynamoDB reader, the ENI catalog
 * (the same client) and the token key.
 */
function createQueryDeps(
  config: Config,
  instrument: Instrument = asIs
): QueryDeps {
  const dynamo = instrument(createDynamoClient(config.maxAttempts));
  return {
    reader: createDynamoRollupReader(dynamo, config.rollupTable),
    ranker: createRangeRanker(dynamo, config.rollupTable),
    catalog: catalogStore(config, dynamo),
    tokenSecret: config.pageTokenSecret,
  };
}

/**
 * Builds what the catalog refresh needs around its EC2 `source` (the
 * handler makes it: only that function loads the EC2 client).
 */
function createCatalogDeps(
  config: Config,
  source: CatalogSource,
  instrument: Instrument = asIs
): CatalogDeps {
  return {
    source,
    store: catalogStore(
      config,
      instrument(createDynamoClient(config.maxAttempts))
    ),
    concurrency: config.writeConcurrency,
  };
}

export {
  createCatalogDeps,
  createCloudWatchDeps,
  createFormatResolver,
  createIngestDeps,
  createQueryDeps,
  rollupFormat,
};
