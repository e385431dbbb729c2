import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { loadConfig } from '../shared/config.js';
import { createTelemetry } from '../shared/observe/telemetry.js';
import { answerRequest } from '../shared/query/answerRequest.js';
import { createQueryDeps } from '../shared/wiring.js';

const config = loadConfig();
const { tracer, logger, instrument } = createTelemetry('Objects', config.stage);
const deps = createQueryDeps(config, instrument);

/** API Gateway HTTP API (payload 2.0) -> rollup query -> JSON or CSV. */
async function query(event: APIGatewayProxyEventV2) {
  const { response, failure } = await answerRequest(
    {
      method: event.requestContext.http.method,
      path: event.rawPath,
      query: event.queryStringParameters ?? {},
      headers: event.headers ?? {},
    },
    deps,
    Date.now() / 1000
  );
  if (failure !== undefined) {
    logger.error('Query failed.', { path: event.rawPath, error: failure });
  }
  return response;
}

export const handler = middy(query)
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger));
