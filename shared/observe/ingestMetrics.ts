import type { IngestCounts } from '../pipeline/ingestSummary.js';

/** The CloudWatch namespace of every metric this project emits. */
const METRICS_NAMESPACE = 'FlowlogRollups';
/** The `service` of logs, metrics and traces (POWERTOOLS_SERVICE_NAME overrides it). */
const SERVICE_NAME = 'flowlog-rollups';

/** One metric data point (the Powertools `addMetric` arguments). */
interface MetricPoint {
  readonly name: string;
  readonly unit: 'Count' | 'Milliseconds' | 'Seconds';
  readonly value: number;
}

/** `field-count` -> `FieldCount`, for metric names. */
const pascal = (code: string): string =>
  code.replace(/(^|-)([a-z])/g, (_, __, letter: string) =>
    letter.toUpperCase()
  );

/**
 * The metrics of one ingested (or skipped) input: an S3 object (`Objects`)
 * or a CloudWatch Logs batch (`Batches`). Names and units are documented
 * in README.md ("Metrics"). Ingest lag is `nowSeconds` minus the end of the
 * newest window the input touched.
 */
function ingestMetrics(
  summary: IngestCounts,
  nowSeconds: number,
  inputs: 'Objects' | 'Batches' = 'Objects'
): MetricPoint[] {
  if (summary.outcome === 'skipped') {
    return [{ name: `${inputs}Skipped`, unit: 'Count', value: 1 }];
  }
  const points: MetricPoint[] = [
    { name: `${inputs}Ingested`, unit: 'Count', value: 1 },
    { name: 'Records', unit: 'Count', value: summary.records ?? 0 },
    { name: 'BadRecords', unit: 'Count', value: summary.badRecords ?? 0 },
    { name: 'NodataRecords', unit: 'Count', value: summary.nodataRecords ?? 0 },
    {
      name: 'SkipdataRecords',
      unit: 'Count',
      value: summary.skipdataRecords ?? 0,
    },
    { name: 'RollupItemsWritten', unit: 'Count', value: summary.itemsWritten },
    {
      name: 'ContributionsAlreadyApplied',
      unit: 'Count',
      value: summary.itemsAlreadyApplied,
    },
    {
      name: inputs === 'Objects' ? 'ObjectDuration' : 'BatchDuration',
      unit: 'Milliseconds',
      value: Math.round(summary.durationMs),
    },
  ];
  for (const [reason, count] of Object.entries(
    summary.badRecordsByReason ?? {}
  )) {
    points.push({
      name: `BadRecords${pascal(reason)}`,
      unit: 'Count',
      value: count,
    });
  }
  if (summary.writeCapacityUnits !== undefined) {
    // What the input cost: DynamoDB bills on-demand writes by these.
    points.push({
      name: 'WriteCapacityUnits',
      unit: 'Count',
      value: summary.writeCapacityUnits,
    });
  }
  if (summary.newestWindowEnd !== null) {
    points.push({
      name: 'IngestLag',
      unit: 'Seconds',
      value: Math.max(0, nowSeconds - summary.newestWindowEnd),
    });
  }
  return points;
}

/**
 * The log level of an object's summary (Vector's rules): ERROR when data
 * is lost (the object vanished, or SKIPDATA records say the service lost
 * records), WARN when records were rejected, INFO otherwise.
 */
function summaryLevel(summary: IngestCounts): 'info' | 'warn' | 'error' {
  if (summary.skipReason === 'object-missing') return 'error';
  if ((summary.skipdataRecords ?? 0) > 0) return 'error';
  if ((summary.badRecords ?? 0) > 0) return 'warn';
  return 'info';
}

export type { MetricPoint };
export { ingestMetrics, METRICS_NAMESPACE, SERVICE_NAME, summaryLevel };
