import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import { loadConfig } from '../shared/config.js';
import { createTelemetry } from '../shared/observe/telemetry.js';
import { refreshCatalog } from '../shared/pipeline/refreshCatalog.js';
import {
  createEc2CatalogSource,
  createEc2Client,
} from '../shared/source/ec2Catalog.js';
import { createCatalogDeps } from '../shared/wiring.js';

const config = loadConfig();
const { tracer, logger, instrument } = createTelemetry('Objects', config.stage);
const deps = createCatalogDeps(
  config,
  createEc2CatalogSource(instrument(createEc2Client(config.maxAttempts))),
  instrument
);

/** Schedule (or `serverless invoke`) -> the ENI catalog brought up to date. */
async function refresh() {
  const summary = await refreshCatalog(deps, Math.floor(Date.now() / 1000));
  logger.info('Catalog refreshed.', { ...summary });
  return summary;
}

export const handler = middy(refresh)
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger));
