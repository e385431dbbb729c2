import {
  RecordRollup,
  type RollupOptions,
} from '../aggregate/rollupRecords.js';
import {
  decodeCloudWatchLogs,
  interfaceIdOfStream,
} from '../decode/cloudwatchLogs.js';
import { FormatError } from '../errors.js';
import { parseFlowLogText } from '../parse/parseFlowLogLine.js';
import { contributionId } from '../store/contributionId.js';
import type { RollupStore } from '../store/rollupStore.js';
import type { FlowLogFormat } from '../types.js';
import {
  applyRollups,
  type IngestCounts,
  labelled,
  skipped,
} from './ingestSummary.js';
import { type PlacementSource, placementsOf } from './placeRollups.js';
import { NOT_PER_ENI } from './rollupFlowLog.js';

/** What ingesting one CloudWatch Logs subscription batch did. */
interface BatchSummary extends IngestCounts {
  readonly logGroup?: string;
  readonly logStream?: string;
  readonly logEvents: number;
}

/** The flow-log format of a log group: CloudWatch records have no header. */
interface FormatResolver {
  formatFor(logGroup: string): Promise<FlowLogFormat>;
}

/** What CloudWatch ingest needs from the outside world. */
interface CloudWatchDeps {
  readonly store: RollupStore;
  readonly options: RollupOptions;
  readonly formats: FormatResolver;
  /** Places ENIs whose records name no VPC or subnet (the ENI catalog). */
  readonly placements?: PlacementSource;
}

/**
 * The ENI of a batch's records when its format has no interface-id: the
 * one the stream is named after. Throws `FormatError` when neither says.
 */
function streamInterfaceId(
  format: FlowLogFormat,
  logStream: string
): string | undefined {
  const names = new Set(format.fields.map((field) => field.name));
  if (names.has('interface-id') || names.has('resource-id')) return undefined;
  const interfaceId = interfaceIdOfStream(logStream);
  if (interfaceId === null) {
    throw new FormatError(
      `the format has no interface-id and log stream "${logStream}" is not named <eni-id>-all|accept|reject`
    );
  }
  return interfaceId;
}

/**
 * Ingests one CloudWatch Logs subscription event exactly once: decodes
 * `awslogs.data`, parses each log event's message as one record in the
 * log group's format (the typed parser), rolls them up and applies them
 * as one contribution whose id hashes log group, log stream and the ids
 * of its log events (a redelivered batch is skipped). A CONTROL_MESSAGE
 * and an empty batch are skipped; malformed messages are counted bad
 * records. Throws `DecodeError` for a payload that cannot be decoded and
 * `FormatError` when no usable format is known, naming the log group.
 * @example const summary = await ingestCloudWatchEvent(event, deps);
 */
async function ingestCloudWatchEvent(
  event: unknown,
  deps: CloudWatchDeps
): Promise<BatchSummary> {
  const startedMs = performance.now();
  const payload = decodeCloudWatchLogs(event);
  if (payload.kind === 'control') {
    const detail = 'CloudWatch Logs checked the destination';
    return { logEvents: 0, ...skipped('control-message', detail, startedMs) };
  }
  const { logGroup, logStream, logEvents } = payload;
  const names = { logGroup, logStream, logEvents: logEvents.length };
  if (logEvents.length === 0) {
    return { ...names, ...skipped('empty-batch', 'no log events', startedMs) };
  }
  const label = `cloudwatch:${logGroup}/${logStream}`;
  try {
    const format = await deps.formats.formatFor(logGroup);
    if (format.isTransitGateway) {
      return { ...names, ...skipped('not-per-eni', NOT_PER_ENI, startedMs) };
    }
    const interfaceId = streamInterfaceId(format, logStream);
    const rollup = new RecordRollup(format, { ...deps.options, interfaceId });
    for (const [index, logEvent] of logEvents.entries()) {
      const result = parseFlowLogText(logEvent.message, index + 1, format);
      if (result) rollup.add(result, index + 1);
    }
    const { rollups, stats } = rollup.finish();
    const ids = logEvents.map((logEvent) => logEvent.id);
    const id = contributionId('cloudwatch', logGroup, logStream, ...ids);
    const contribution = {
      id,
      label,
      rollups,
      placements: await placementsOf(rollups, deps.placements),
    };
    const counts = await applyRollups(
      deps.store,
      contribution,
      stats,
      startedMs
    );
    return { ...names, ...counts };
  } catch (error) {
    throw labelled(error, label);
  }
}

export type { BatchSummary, CloudWatchDeps, FormatResolver };
export { ingestCloudWatchEvent };
