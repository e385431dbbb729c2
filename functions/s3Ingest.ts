import {
  BatchProcessor,
  EventType,
  processPartialResponse,
} from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { loadConfig } from '../shared/config.js';
import {
  isSqsEvent,
  objectsFromEvent,
  objectsFromMessageBody,
} from '../shared/decode/s3Notification.js';
import { createTelemetry } from '../shared/observe/telemetry.js';
import { ingestS3Objects } from '../shared/pipeline/ingestS3Object.js';
import { createIngestDeps } from '../shared/wiring.js';

const config = loadConfig();
const { tracer, logger, metrics, report, instrument } = createTelemetry(
  'Objects',
  config.stage
);
const deps = createIngestDeps(config, instrument);
const processor = new BatchProcessor(EventType.SQS);

/** S3 object created (direct, EventBridge, or through SQS/SNS) -> rollups in DynamoDB. */
async function ingest(event: unknown, context: Context) {
  // Parts of a large object stop in time for the retry to resume them.
  const timed = {
    ...deps,
    remainingMs: () => context.getRemainingTimeInMillis(),
  };
  if (isSqsEvent(event)) {
    const ingestMessage = (record: SQSRecord) =>
      ingestS3Objects(objectsFromMessageBody(record.body), timed, report);
    // One object at a time: memory and DynamoDB writes stay bounded.
    return processPartialResponse(event as SQSEvent, ingestMessage, processor, {
      processInParallel: false,
    });
  }
  await ingestS3Objects(objectsFromEvent(event), timed, report);
}

export const handler = middy(ingest)
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
