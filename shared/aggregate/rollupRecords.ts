import { FormatError, ParseError, spanTooLongError } from '../errors.js';
import { MAX_RECORD_SECONDS } from '../flowLogRules.js';
import type {
  FieldValue,
  FlowLogFormat,
  FlowRecord,
  IngestStats,
  ParseResult,
  Rollup,
  WindowMode,
} from '../types.js';
import {
  ACTION_ACCEPT,
  ACTION_NONE,
  ACTION_REJECT,
  RecordFacts,
  STATUS_NODATA,
  STATUS_OK,
  STATUS_SKIPDATA,
} from './recordFacts.js';
import { RollupAccumulator } from './rollupAccumulator.js';
import { rollupShapeOf } from './rollupShape.js';
import { StatsCollector } from './statsCollector.js';
import { talkerHash } from './topListKeys.js';
import {
  DIRECTION_EGRESS,
  DIRECTION_INGRESS,
  DIRECTION_UNKNOWN,
} from './topLists.js';
import { hashBytes } from './topSketch.js';

/** Options shared by both ingest paths. */
interface RollupOptions {
  readonly windowMode: WindowMode;
  /** How many bad records to keep as samples. */
  readonly sampleLimit?: number;
  /** The ENI of every record when the format has no interface-id (CloudWatch stream name). */
  readonly interfaceId?: string;
}

/**
 * Checks that a format can be rolled up: it needs start and end, and an
 * interface-id (or resource-id, or `options.interfaceId`). Throws
 * `FormatError` naming what is missing.
 */
function assertRollupFormat(format: FlowLogFormat, options: RollupOptions) {
  const names = new Set(format.fields.map((field) => field.name));
  for (const needed of ['start', 'end']) {
    if (!names.has(needed)) {
      throw new FormatError(`the format has no ${needed} field to roll up by`);
    }
  }
  if (
    !names.has('interface-id') &&
    !names.has('resource-id') &&
    options.interfaceId === undefined
  ) {
    throw new FormatError(
      'the format has no interface-id field and no interface id was given'
    );
  }
}

const num = (value: FieldValue | undefined, absent: number): number =>
  typeof value === 'number' ? value : absent;
const text = (value: FieldValue | undefined): string | null =>
  typeof value === 'string' ? value : null;

/**
 * Rolls up typed records (the reference path; the byte scanner must agree
 * with it). Bad records and records that cannot be keyed are counted, never
 * thrown. Call `add` per parse result, then `finish`.
 */
class RecordRollup {
  private readonly accumulator: RollupAccumulator;
  private readonly collector: StatsCollector;
  private readonly options: RollupOptions;
  private readonly facts = new RecordFacts();
  private readonly encoder = new TextEncoder();

  constructor(format: FlowLogFormat, options: RollupOptions) {
    assertRollupFormat(format, options);
    this.accumulator = new RollupAccumulator(
      rollupShapeOf(format),
      options.windowMode
    );
    this.collector = new StatsCollector(options.sampleLimit);
    this.options = options;
  }

  add(result: ParseResult<FlowRecord, ParseError>, lineNumber: number): void {
    const { collector } = this;
    collector.stats.lines++;
    if (!result.success) {
      collector.bad(result.error);
      return;
    }
    const record = result.data;
    const interfaceId =
      text(record.interfaceId) ??
      text(record.resourceId) ??
      this.options.interfaceId;
    if (interfaceId === undefined) {
      collector.bad(new ParseError('missing-interface-id', lineNumber));
      return;
    }
    const { start, end } = record;
    if (typeof start !== 'number' || typeof end !== 'number') {
      collector.bad(new ParseError('missing-time', lineNumber));
      return;
    }
    if (end - start + 1 > MAX_RECORD_SECONDS) {
      collector.bad(spanTooLongError(lineNumber, end - start + 1));
      return;
    }
    const facts = this.fill(record, start, end);
    collector.stats.records++;
    if (facts.status === STATUS_NODATA) collector.stats.nodataRecords++;
    if (facts.status === STATUS_SKIPDATA) collector.stats.skipdataRecords++;
    this.accumulate(interfaceId, record, facts);
  }

  /** The (ENI, window) items held so far (a walk over the ENIs). */
  itemCount(): number {
    return this.accumulator.itemCount();
  }

  finish(): { rollups: Rollup[]; stats: IngestStats } {
    return {
      rollups: this.accumulator.finish(),
      stats: this.collector.stats,
    };
  }

  private fill(record: FlowRecord, start: number, end: number): RecordFacts {
    const { facts } = this;
    facts.start = start;
    facts.end = end;
    facts.packets = num(record.packets, 0);
    facts.bytes = num(record.bytes, 0);
    facts.action =
      record.action === 'ACCEPT'
        ? ACTION_ACCEPT
        : record.action === 'REJECT'
          ? ACTION_REJECT
          : ACTION_NONE;
    facts.status =
      record.logStatus === 'NODATA'
        ? STATUS_NODATA
        : record.logStatus === 'SKIPDATA'
          ? STATUS_SKIPDATA
          : STATUS_OK;
    facts.protocol = num(record.protocol, -1);
    facts.tcpFlags = num(record.tcpFlags, -1);
    facts.direction =
      record.flowDirection === 'ingress'
        ? DIRECTION_INGRESS
        : record.flowDirection === 'egress'
          ? DIRECTION_EGRESS
          : DIRECTION_UNKNOWN;
    facts.srcport = num(record.srcport, -1);
    facts.dstport = num(record.dstport, -1);
    return facts;
  }

  private accumulate(
    interfaceId: string,
    record: FlowRecord,
    facts: RecordFacts
  ): void {
    const { accumulator } = this;
    const { shape } = accumulator;
    const window = accumulator.add(accumulator.eni(interfaceId), facts);
    if (shape.hasAccountId && window.accountId === null) {
      window.accountId = text(record.accountId);
    }
    if (shape.hasVpcId && window.vpcId === null) {
      window.vpcId = text(record.vpcId);
    }
    if (shape.hasSubnetId && window.subnetId === null) {
      window.subnetId = text(record.subnetId);
    }
    if (shape.hasInstanceId && window.instanceId === null) {
      window.instanceId = text(record.instanceId);
    }
    if (facts.status !== STATUS_OK) return;
    const src = this.encoder.encode(text(record.srcaddr) ?? '-');
    const srcHash = hashBytes(src, 0, src.length);
    if (shape.hasTalkers) {
      const dst = this.encoder.encode(text(record.dstaddr) ?? '-');
      const hash = talkerHash(srcHash, hashBytes(dst, 0, dst.length), facts);
      accumulator.addTalker(
        window,
        hash,
        facts,
        src,
        0,
        src.length,
        dst,
        0,
        dst.length
      );
    }
    if (shape.hasRejected && facts.action === ACTION_REJECT) {
      accumulator.addRejected(window, srcHash, facts, src, 0, src.length);
    }
  }
}

export type { RollupOptions };
export { assertRollupFormat, RecordRollup };
