import type { ParseError } from './errors.js';

/** How a field's text is read: integers become numbers, the rest strings. */
type FieldType = 'integer' | 'string';

/** One column of a flow-log format. */
interface FieldSpec {
  /** The AWS name, hyphenated as in headers and `${...}` tokens. */
  readonly name: string;
  /** camelCase key used in `FlowRecord` (`interface-id` -> `interfaceId`). */
  readonly key: string;
  readonly type: FieldType;
  /** Flow-log version that introduced the field; 0 for a field we do not know. */
  readonly version: number;
  readonly isKnown: boolean;
}

/** The ordered columns of a flow log, from a header line or format string. */
interface FlowLogFormat {
  readonly fields: readonly FieldSpec[];
  /** The field names joined by single spaces, as a header line reads. */
  readonly header: string;
  /** True for Transit Gateway flow logs (tgw-* fields, no interface-id). */
  readonly isTransitGateway: boolean;
}

/** A field's value: `-` in the text is `null`. */
type FieldValue = string | number | null;

/**
 * A field's value before the flow-log rules apply: a token of a text line,
 * or a typed cell of a Parquet row (null when absent).
 */
type RawFieldValue = string | number | bigint | null;

/** One parsed record, keyed by `FieldSpec.key`, in format order. */
type FlowRecord = Readonly<Record<string, FieldValue>>;

/** The Powertools `safeParse` shape. */
type ParseResult<T, E> =
  | { readonly success: true; readonly data: T }
  | { readonly success: false; readonly error: E };

/**
 * One record of an input, parsed: a text line, or a Parquet row. `lineNumber`
 * counts from 1 (for Parquet, the row's index in the file plus one).
 */
interface ParsedLine {
  readonly lineNumber: number;
  readonly result: ParseResult<FlowRecord, ParseError>;
}

/** `prorate` splits bytes/packets over windows by overlap; `start` puts all in the window of start. */
type WindowMode = 'prorate' | 'start';

/** A peer of an ENI in its top-talkers list. */
interface TopTalker {
  readonly peer: string;
  /** The service port: the lower of srcport and dstport; null when unknown. */
  readonly port: number | null;
  readonly protocol: number | null;
  readonly flows: number;
  readonly packets: number;
  readonly bytes: number;
}

/** A source address of rejected flows. */
interface RejectedSource {
  readonly address: string;
  readonly flows: number;
  readonly packets: number;
  readonly bytes: number;
}

/** The counters of one (ENI, window). Optional ones exist when the format has their fields. */
interface RollupCounters {
  flows: number;
  packets: number;
  bytes: number;
  acceptFlows: number;
  acceptPackets: number;
  acceptBytes: number;
  rejectFlows: number;
  rejectPackets: number;
  rejectBytes: number;
  nodataRecords: number;
  skipdataRecords: number;
  ingressPackets?: number;
  ingressBytes?: number;
  egressPackets?: number;
  egressBytes?: number;
  tcpBytes?: number;
  udpBytes?: number;
  icmpBytes?: number;
  otherBytes?: number;
  synOnlyFlows?: number;
}

/**
 * Rejected flows of one source to one destination port: what a source
 * tried. `port` is the destination port, null when the record has none.
 */
interface RejectedFlow {
  readonly address: string;
  readonly port: number | null;
  readonly protocol: number | null;
  readonly flows: number;
  readonly packets: number;
  readonly bytes: number;
}

/** A destination port (and protocol) that rejected flows tried. */
interface RejectedPort {
  /** Null when the records have no destination port. */
  readonly port: number | null;
  readonly protocol: number | null;
  readonly flows: number;
  readonly packets: number;
  readonly bytes: number;
}

/** The rollup of one ENI over one 300-second window. */
interface Rollup extends RollupCounters {
  interfaceId: string;
  /** Window start, epoch seconds, a multiple of 300. */
  windowStart: number;
  accountId?: string;
  vpcId?: string;
  subnetId?: string;
  instanceId?: string;
  /** Approximate top peers by bytes (bounded); see `mergeRollups`. */
  topTalkers?: TopTalker[];
  /** Approximate top sources of rejected flows, by flows (bounded). */
  topRejectedSources?: RejectedSource[];
  /**
   * Approximate top (source, destination port, protocol) of rejected
   * flows, by flows (bounded): the ports rejected, and who tried them.
   */
  topRejectedFlows?: RejectedFlow[];
  /**
   * Approximate top destination ports (and protocols) of rejected flows,
   * by flows (bounded): every tracked rejected flow summed by port.
   */
  topRejectedPorts?: RejectedPort[];
}

/** A kept example of a bad record. */
interface BadRecordSample {
  readonly lineNumber: number;
  readonly reason: string;
  readonly message: string;
}

/** What one input (file, object, batch) held, besides its rollups. */
interface IngestStats {
  /** Non-blank lines that are not header lines. */
  lines: number;
  /** Good records (OK, NODATA and SKIPDATA). */
  records: number;
  nodataRecords: number;
  skipdataRecords: number;
  badRecords: number;
  badRecordsByReason: Record<string, number>;
  badRecordSamples: BadRecordSample[];
}

/** The outcome of rolling up one input. */
type RollupOutcome =
  | {
      readonly kind: 'rollups';
      readonly format: FlowLogFormat;
      readonly rollups: Rollup[];
      readonly stats: IngestStats;
    }
  | {
      readonly kind: 'not-per-eni';
      readonly format: FlowLogFormat;
      readonly reason: string;
    };

/** One S3 object named by a notification. The key is already URL-decoded. */
interface S3ObjectRef {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
  readonly eTag?: string;
  readonly sizeBytes?: number;
}

/** How VPC Flow Logs laid out the key of a delivered file. */
type FlowLogKeyLayout = 'default' | 'hourly' | 'hive' | 'hive-hourly';

/** What a key says about an object: a flow-log file to ingest, or not. */
type FlowLogKey =
  | {
      readonly kind: 'flow-log';
      readonly layout: FlowLogKeyLayout;
      /** The user's prefix before `AWSLogs/`, '' when none. */
      readonly prefix: string;
      readonly accountId: string;
      readonly region: string;
      /** `.log.gz` is gzip text with a header line; `.log.parquet` is Parquet. */
      readonly fileFormat: 'text' | 'parquet';
    }
  | { readonly kind: 'skip'; readonly reason: string };

/**
 * An object read at random offsets (the shape hyparquet reads Parquet
 * from): its size, and the bytes of [start, end).
 */
interface RandomAccessObject {
  readonly byteLength: number;
  slice(start: number, end?: number): Promise<ArrayBuffer>;
}

/**
 * Shared memory that a decoder writes text into, slot by slot in turn, for
 * a consumer that reads it where it lies (the scanner's own memory): no copy
 * of the text between the two threads. The writer touches nothing but the
 * slots; the bytes around them are the consumer's.
 */
interface TextRing {
  readonly buffer: SharedArrayBuffer;
  /** Where each slot starts; every slot holds `slotBytes`. */
  readonly slotOffsets: readonly number[];
  readonly slotBytes: number;
}

export type {
  BadRecordSample,
  FieldSpec,
  FieldType,
  FieldValue,
  FlowLogFormat,
  FlowLogKey,
  FlowLogKeyLayout,
  FlowRecord,
  IngestStats,
  ParsedLine,
  ParseResult,
  RandomAccessObject,
  RawFieldValue,
  RejectedFlow,
  RejectedPort,
  RejectedSource,
  Rollup,
  RollupCounters,
  RollupOutcome,
  S3ObjectRef,
  TextRing,
  TopTalker,
  WindowMode,
};
