import type { Config } from './config.js';
import type { IngestDeps } from './pipeline.js';
import {
  createS3Client,
  createS3ObjectSource,
} from './source/s3ObjectSource.js';
import {
  createDynamoClient,
  createDynamoRollupStore,
} from './store/dynamoRollupStore.js';

/**
 * Builds what ingest needs from the configuration: the S3 source, the
 * DynamoDB store and the rollup options. `instrument` wraps each AWS
 * client (the handlers pass the Tracer's `captureAWSv3Client`).
 */
function createIngestDeps(
  config: Config,
  instrument: <T>(client: T) => T = (client) => client
): IngestDeps {
  const s3 = instrument(
    createS3Client({ forcePathStyle: config.s3ForcePathStyle })
  );
  const dynamo = instrument(createDynamoClient());
  return {
    source: createS3ObjectSource(s3),
    store: createDynamoRollupStore(dynamo, {
      tableName: config.rollupTable,
      retentionDays: config.retentionDays,
      concurrency: config.writeConcurrency,
    }),
    options: {
      windowMode: config.windowMode,
      sampleLimit: config.badRecordSamples,
    },
  };
}

export { createIngestDeps };
