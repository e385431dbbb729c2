import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import { loadConfig } from '../shared/config.js';
import { createTelemetry } from '../shared/observe/telemetry.js';
import { ingestCloudWatchEvent } from '../shared/pipeline/ingestCloudWatch.js';
import { createCloudWatchDeps } from '../shared/wiring.js';

const config = loadConfig();
const { tracer, logger, metrics, report, instrument } = createTelemetry(
  'Batches',
  config.stage
);
const deps = createCloudWatchDeps(config, instrument);

/** CloudWatch Logs subscription batch (one ENI's log stream) -> rollups in DynamoDB. */
async function ingest(event: unknown) {
  report(await ingestCloudWatchEvent(event, deps));
}

export const handler = middy(ingest)
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
