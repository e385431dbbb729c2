import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { IngestCounts } from '../pipeline/ingestSummary.js';
import {
  ingestMetrics,
  METRICS_NAMESPACE,
  SERVICE_NAME,
  summaryLevel,
} from './ingestMetrics.js';

/**
 * The Powertools Logger, Metrics and Tracer of one handler, and its one
 * report per input: the summary as one log line (`Ingest complete.`, at
 * the level `summaryLevel` gives) and as metrics (dimensions `service` and
 * `stage`). Handlers create it at
 * module scope and wire the three into middy.
 */
function createTelemetry(inputs: 'Objects' | 'Batches', stage: string) {
  const tracer = new Tracer({ serviceName: SERVICE_NAME });
  const logger = new Logger({ serviceName: SERVICE_NAME });
  // `stage` keeps one stage's alarms off another's metrics in one account.
  const metrics = new Metrics({
    namespace: METRICS_NAMESPACE,
    serviceName: SERVICE_NAME,
    defaultDimensions: { stage },
  });
  const report = (summary: IngestCounts): void => {
    logger[summaryLevel(summary)]('Ingest complete.', { ...summary });
    for (const point of ingestMetrics(summary, Date.now() / 1000, inputs)) {
      metrics.addMetric(point.name, point.unit, point.value);
    }
  };
  const instrument = <T>(client: T): T => tracer.captureAWSv3Client(client);
  return { tracer, logger, metrics, report, instrument };
}

export { createTelemetry };
