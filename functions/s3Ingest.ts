import {
  BatchProcessor,
  EventType,
  processPartialResponse,
} from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { loadConfig } from '../shared/config.js';
import {
  isSqsEvent,
  objectsFromEvent,
  objectsFromMessageBody,
} from '../shared/decode/s3Notification.js';
import {
  METRICS_NAMESPACE,
  objectMetrics,
  SERVICE_NAME,
  summaryLevel,
} from '../shared/observe/ingestMetrics.js';
import { ingestS3Objects, type ObjectSummary } from '../shared/pipeline.js';
import { createIngestDeps } from '../shared/wiring.js';

const config = loadConfig();
const tracer = new Tracer({ serviceName: SERVICE_NAME });
const logger = new Logger({ serviceName: SERVICE_NAME });
const metrics = new Metrics({
  namespace: METRICS_NAMESPACE,
  serviceName: SERVICE_NAME,
});
const deps = createIngestDeps(config, (client) =>
  tracer.captureAWSv3Client(client)
);
const processor = new BatchProcessor(EventType.SQS);

const report = (summary: ObjectSummary) => {
  logger[summaryLevel(summary)]('Ingest complete.', { ...summary });
  for (const point of objectMetrics(summary, Date.now() / 1000)) {
    metrics.addMetric(point.name, point.unit, point.value);
  }
};

const ingestMessage = (record: SQSRecord) =>
  ingestS3Objects(objectsFromMessageBody(record.body), deps, report);

/** S3 object created (direct, EventBridge, or through SQS/SNS) -> rollups in DynamoDB. */
async function ingest(event: unknown) {
  if (isSqsEvent(event)) {
    return processPartialResponse(event as SQSEvent, ingestMessage, processor);
  }
  await ingestS3Objects(objectsFromEvent(event), deps, report);
}

export const handler = middy(ingest)
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
