import { ParseError, quoteValue } from '../errors.js';
import {
  MAX_LINE_BYTES,
  MAX_RECORD_SECONDS,
  MILLISECONDS_FROM,
} from '../flowLogRules.js';
import type { FlowLogFormat, IngestStats, Rollup } from '../types.js';
import {
  ACTION_ACCEPT,
  ACTION_NONE,
  ACTION_REJECT,
  DIRECTION_EGRESS,
  DIRECTION_INGRESS,
  DIRECTION_UNKNOWN,
  type EniState,
  RecordFacts,
  RollupAccumulator,
  rollupShapeOf,
  STATUS_NODATA,
  STATUS_OK,
  STATUS_SKIPDATA,
  TalkerKey,
  type WindowState,
} from './rollupAccumulator.js';
import { assertRollupFormat, type RollupOptions } from './rollupRecords.js';
import { StatsCollector } from './statsCollector.js';

// Column roles: what the scanner does with each field of the format.
const ROLE_OTHER = 0;
const ROLE_ENI = 1;
const ROLE_RESOURCE = 2;
const ROLE_SRCADDR = 3;
const ROLE_DSTADDR = 4;
const ROLE_SRCPORT = 5;
const ROLE_DSTPORT = 6;
const ROLE_PROTOCOL = 7;
const ROLE_PACKETS = 8;
const ROLE_BYTES = 9;
const ROLE_START = 10;
const ROLE_END = 11;
const ROLE_ACTION = 12;
const ROLE_STATUS = 13;
const ROLE_TCPFLAGS = 14;
const ROLE_DIRECTION = 15;
const ROLE_ACCOUNT = 16;
const ROLE_VPC = 17;
const ROLE_SUBNET = 18;
const ROLE_INSTANCE = 19;

const ROLES: Readonly<Record<string, number>> = {
  'interface-id': ROLE_ENI,
  'resource-id': ROLE_RESOURCE,
  srcaddr: ROLE_SRCADDR,
  dstaddr: ROLE_DSTADDR,
  srcport: ROLE_SRCPORT,
  dstport: ROLE_DSTPORT,
  protocol: ROLE_PROTOCOL,
  packets: ROLE_PACKETS,
  bytes: ROLE_BYTES,
  start: ROLE_START,
  end: ROLE_END,
  action: ROLE_ACTION,
  'log-status': ROLE_STATUS,
  'tcp-flags': ROLE_TCPFLAGS,
  'flow-direction': ROLE_DIRECTION,
  'account-id': ROLE_ACCOUNT,
  'vpc-id': ROLE_VPC,
  'subnet-id': ROLE_SUBNET,
  'instance-id': ROLE_INSTANCE,
};

const SPACE = 0x20;
const NEWLINE = 0x0a;
const RETURN = 0x0d;
const DASH = 0x2d;
const ZERO = 0x30;
/** Marks an absent integer ("-") in the per-line values. */
const ABSENT = -1;

const utf8 = new TextDecoder();

/** Interns ENI ids by their bytes, so that known ENIs cost no string. */
class EniTable {
  private readonly byHash = new Map<
    number,
    { bytes: Uint8Array; eni: EniState }[]
  >();
  private lastBytes: Uint8Array = new Uint8Array(0);
  private lastEni: EniState | null = null;

  lookup(
    buf: Uint8Array,
    from: number,
    to: number,
    create: (interfaceId: string) => EniState
  ): EniState {
    const length = to - from;
    const last = this.lastBytes;
    if (this.lastEni && last.length === length && equalAt(buf, from, last)) {
      return this.lastEni;
    }
    let hash = 0x811c9dc5;
    for (let i = from; i < to; i++) {
      hash = Math.imul(hash ^ (buf[i] as number), 0x01000193);
    }
    let bucket = this.byHash.get(hash);
    if (!bucket) {
      bucket = [];
      this.byHash.set(hash, bucket);
    }
    let found = bucket.find(
      (entry) =>
        entry.bytes.length === length && equalAt(buf, from, entry.bytes)
    );
    if (!found) {
      const bytes = buf.slice(from, to);
      found = { bytes, eni: create(utf8.decode(bytes)) };
      bucket.push(found);
    }
    this.lastBytes = found.bytes;
    this.lastEni = found.eni;
    return found.eni;
  }
}

function equalAt(buf: Uint8Array, from: number, bytes: Uint8Array): boolean {
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (buf[from + i] !== bytes[i]) return false;
  }
  return true;
}

/**
 * The hot path: rolls up flow-log text straight from bytes, chunk by chunk,
 * without a string or object per record. Lines are split and validated in
 * place with exactly the rules of `parseFlowLogLine` (field count, integers,
 * action, log-status, end >= start, checked left to right) and the keying
 * rules of `RecordRollup`; the test suite holds both paths to the same output.
 * Bad lines are counted and sampled, never thrown. Memory is bounded by the
 * number of (ENI, window) pairs, not by the input size.
 * @example
 * const scanner = new FlowLogScanner(format, { windowMode: 'prorate' }, 2);
 * for await (const chunk of text) scanner.push(chunk);
 * const { rollups, stats } = scanner.finish();
 */
class FlowLogScanner {
  private readonly accumulator: RollupAccumulator;
  private readonly collector: StatsCollector;
  private readonly facts = new RecordFacts();
  private readonly key = new TalkerKey();
  private readonly enis = new EniTable();
  private readonly format: FlowLogFormat;
  private readonly header: Uint8Array;
  private readonly defaultEni: EniState | null;
  private readonly columns: number;
  private readonly roles: Uint8Array;
  private readonly isInteger: Uint8Array;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly values: Float64Array;
  private readonly columnOf: Int32Array;
  private carry = new Uint8Array(64 * 1024);
  private carryLength = 0;
  private isOverlong = false;
  private lineNumber: number;

  /** `firstLineNumber` is the number of the first line pushed (2 after a header). */
  constructor(
    format: FlowLogFormat,
    options: RollupOptions,
    firstLineNumber = 1
  ) {
    assertRollupFormat(format, options);
    this.format = format;
    this.accumulator = new RollupAccumulator(
      rollupShapeOf(format),
      options.windowMode
    );
    this.collector = new StatsCollector(options.sampleLimit);
    this.header = new TextEncoder().encode(format.header);
    this.defaultEni =
      options.interfaceId === undefined
        ? null
        : this.accumulator.eni(options.interfaceId);
    this.lineNumber = firstLineNumber;
    const columns = format.fields.length;
    this.columns = columns;
    this.roles = new Uint8Array(columns);
    this.isInteger = new Uint8Array(columns);
    this.columnOf = new Int32Array(20).fill(-1);
    format.fields.forEach((field, column) => {
      const role = ROLES[field.name] ?? ROLE_OTHER;
      this.roles[column] = role;
      this.isInteger[column] = field.type === 'integer' ? 1 : 0;
      if (role !== ROLE_OTHER) this.columnOf[role] = column;
    });
    this.starts = new Int32Array(columns + 1);
    this.ends = new Int32Array(columns + 1);
    this.values = new Float64Array(columns);
  }

  /** Feeds the next chunk of text (any split, even mid-line or mid-character). */
  push(chunk: Uint8Array): void {
    let from = 0;
    if (this.carryLength > 0 || this.isOverlong) {
      const newline = chunk.indexOf(NEWLINE);
      if (newline < 0) {
        this.keep(chunk, 0, chunk.length);
        return;
      }
      this.keep(chunk, 0, newline);
      this.flushCarry();
      from = newline + 1;
    }
    from = this.scan(chunk, from);
    this.keep(chunk, from, chunk.length);
  }

  /** Ends the input (a last line without newline counts) and returns the rollups. */
  finish(): { rollups: Rollup[]; stats: IngestStats } {
    if (this.carryLength > 0 || this.isOverlong) this.flushCarry();
    return {
      rollups: this.accumulator.finish(),
      stats: this.collector.stats,
    };
  }

  private keep(chunk: Uint8Array, from: number, to: number): void {
    const length = to - from;
    if (length === 0) return;
    if (this.isOverlong || this.carryLength + length > MAX_LINE_BYTES) {
      this.isOverlong = true;
      return;
    }
    if (this.carryLength + length > this.carry.length) {
      const bigger = new Uint8Array(MAX_LINE_BYTES);
      bigger.set(this.carry.subarray(0, this.carryLength));
      this.carry = bigger;
    }
    this.carry.set(chunk.subarray(from, to), this.carryLength);
    this.carryLength += length;
  }

  private flushCarry(): void {
    if (this.isOverlong) {
      this.collector.stats.lines++;
      this.collector.bad(new ParseError('line-too-long', this.lineNumber++));
    } else {
      this.carry[this.carryLength] = NEWLINE;
      this.scan(this.carry.subarray(0, this.carryLength + 1), 0);
    }
    this.carryLength = 0;
    this.isOverlong = false;
  }

  /** Scans whole lines from `from`; returns where the unfinished line starts. */
  private scan(buf: Uint8Array, from: number): number {
    const { starts, ends, columns } = this;
    const length = buf.length;
    let lineStart = from;
    let column = 0;
    let fieldStart = from;
    for (let i = from; i < length; i++) {
      const c = buf[i] as number;
      if (c === SPACE) {
        if (column < columns) {
          starts[column] = fieldStart;
          ends[column] = i;
        }
        column++;
        fieldStart = i + 1;
      } else if (c === NEWLINE) {
        let end = i;
        if (end > fieldStart && buf[end - 1] === RETURN) end--;
        if (column < columns) {
          starts[column] = fieldStart;
          ends[column] = end;
        }
        if (i - lineStart > MAX_LINE_BYTES) {
          this.collector.stats.lines++;
          this.collector.bad(new ParseError('line-too-long', this.lineNumber));
        } else {
          this.line(buf, lineStart, end, column + 1);
        }
        this.lineNumber++;
        column = 0;
        lineStart = i + 1;
        fieldStart = lineStart;
      }
    }
    return lineStart;
  }

  private line(buf: Uint8Array, from: number, to: number, count: number): void {
    if (to === from) return;
    const header = this.header;
    if (
      to - from === header.length &&
      buf[from] === header[0] &&
      equalAt(buf, from, header)
    ) {
      return;
    }
    const { collector, columns } = this;
    collector.stats.lines++;
    if (count !== columns) {
      collector.bad(
        new ParseError(
          'field-count',
          this.lineNumber,
          undefined,
          `${count}, expected ${columns}`
        )
      );
      return;
    }
    const error = this.validate(buf);
    if (error) {
      collector.bad(error);
      return;
    }
    this.record(buf);
  }

  /** Checks the columns left to right, as `parseFlowLogLine` does. */
  private validate(buf: Uint8Array): ParseError | null {
    const { starts, ends, values, roles, isInteger, columns, facts } = this;
    facts.action = ACTION_NONE;
    facts.status = STATUS_OK;
    facts.direction = DIRECTION_UNKNOWN;
    for (let column = 0; column < columns; column++) {
      const from = starts[column] as number;
      const to = ends[column] as number;
      const role = roles[column] as number;
      if (to - from === 1 && buf[from] === DASH) {
        values[column] = ABSENT;
        continue;
      }
      if (isInteger[column] === 1) {
        let value = 0;
        for (let i = from; i < to; i++) {
          const digit = (buf[i] as number) - ZERO;
          if (digit < 0 || digit > 9) {
            value = -1;
            break;
          }
          value = value * 10 + digit;
        }
        if (to === from || value < 0 || !Number.isSafeInteger(value)) {
          return this.badValue('bad-integer', buf, column);
        }
        if (
          (role === ROLE_START || role === ROLE_END) &&
          value >= MILLISECONDS_FROM
        ) {
          value = Math.floor(value / 1000);
        }
        values[column] = value;
      } else if (role === ROLE_ACTION) {
        const action = matchAction(buf, from, to);
        if (action < 0) return this.badValue('bad-action', buf, column);
        facts.action = action;
      } else if (role === ROLE_STATUS) {
        const status = matchStatus(buf, from, to);
        if (status < 0) return this.badValue('bad-log-status', buf, column);
        facts.status = status;
      } else if (role === ROLE_DIRECTION) {
        facts.direction = matchDirection(buf, from, to);
      }
    }
    const start = this.integer(ROLE_START);
    const end = this.integer(ROLE_END);
    if (start !== ABSENT && end !== ABSENT && end < start) {
      return new ParseError(
        'end-before-start',
        this.lineNumber,
        undefined,
        `${start} > ${end}`
      );
    }
    return null;
  }

  private badValue(
    reason: 'bad-integer' | 'bad-action' | 'bad-log-status',
    buf: Uint8Array,
    column: number
  ): ParseError {
    const text = utf8.decode(
      buf.subarray(this.starts[column], this.ends[column])
    );
    return new ParseError(
      reason,
      this.lineNumber,
      this.format.fields[column]?.name,
      quoteValue(text)
    );
  }

  /** The integer value of a role's column, or ABSENT. */
  private integer(role: number): number {
    const column = this.columnOf[role] as number;
    return column < 0 ? ABSENT : (this.values[column] as number);
  }

  /** The byte range of a role's column, or null when absent or "-". */
  private present(buf: Uint8Array, role: number): number {
    const column = this.columnOf[role] as number;
    if (column < 0) return -1;
    const from = this.starts[column] as number;
    const to = this.ends[column] as number;
    return to - from === 1 && buf[from] === DASH ? -1 : column;
  }

  private record(buf: Uint8Array): void {
    const { collector, facts, accumulator } = this;
    const eniColumn = this.present(buf, ROLE_ENI);
    const keyColumn =
      eniColumn >= 0 ? eniColumn : this.present(buf, ROLE_RESOURCE);
    if (keyColumn < 0 && this.defaultEni === null) {
      collector.bad(new ParseError('missing-interface-id', this.lineNumber));
      return;
    }
    const start = this.integer(ROLE_START);
    const end = this.integer(ROLE_END);
    if (start === ABSENT || end === ABSENT) {
      collector.bad(new ParseError('missing-time', this.lineNumber));
      return;
    }
    if (end - start + 1 > MAX_RECORD_SECONDS) {
      collector.bad(
        new ParseError(
          'span-too-long',
          this.lineNumber,
          undefined,
          `${end - start + 1} s`
        )
      );
      return;
    }
    const stats = collector.stats;
    stats.records++;
    if (facts.status === STATUS_NODATA) stats.nodataRecords++;
    else if (facts.status === STATUS_SKIPDATA) stats.skipdataRecords++;
    facts.start = start;
    facts.end = end;
    facts.packets = Math.max(this.integer(ROLE_PACKETS), 0);
    facts.bytes = Math.max(this.integer(ROLE_BYTES), 0);
    facts.protocol = this.integer(ROLE_PROTOCOL);
    facts.tcpFlags = this.integer(ROLE_TCPFLAGS);
    facts.srcport = this.integer(ROLE_SRCPORT);
    facts.dstport = this.integer(ROLE_DSTPORT);
    const eni =
      keyColumn < 0
        ? (this.defaultEni as EniState)
        : this.enis.lookup(
            buf,
            this.starts[keyColumn] as number,
            this.ends[keyColumn] as number,
            (id) => accumulator.eni(id)
          );
    const window = accumulator.add(eni, facts);
    this.details(buf, window);
  }

  private details(buf: Uint8Array, window: WindowState): void {
    const { accumulator, facts, key, starts, ends, columnOf } = this;
    const { shape } = accumulator;
    if (shape.hasAccountId && window.accountId === null) {
      window.accountId = this.text(buf, ROLE_ACCOUNT);
    }
    if (shape.hasVpcId && window.vpcId === null) {
      window.vpcId = this.text(buf, ROLE_VPC);
    }
    if (shape.hasSubnetId && window.subnetId === null) {
      window.subnetId = this.text(buf, ROLE_SUBNET);
    }
    if (shape.hasInstanceId && window.instanceId === null) {
      window.instanceId = this.text(buf, ROLE_INSTANCE);
    }
    if (facts.status !== STATUS_OK) return;
    const src = columnOf[ROLE_SRCADDR] as number;
    if (shape.hasTalkers) {
      const dst = columnOf[ROLE_DSTADDR] as number;
      key.reset();
      key.appendSlice(buf, starts[src] as number, ends[src] as number);
      key.appendSpace();
      key.appendSlice(buf, starts[dst] as number, ends[dst] as number);
      key.appendTail(facts);
      accumulator.addTalker(window, key, facts);
    }
    if (shape.hasRejected && facts.action === ACTION_REJECT) {
      accumulator.addRejected(
        window,
        buf,
        starts[src] as number,
        ends[src] as number,
        facts
      );
    }
  }

  private text(buf: Uint8Array, role: number): string | null {
    const column = this.present(buf, role);
    return column < 0
      ? null
      : utf8.decode(buf.subarray(this.starts[column], this.ends[column]));
  }
}

// Enumerations, matched on bytes: ACCEPT/REJECT, OK/NODATA/SKIPDATA, ingress/egress.
const ACCEPT = new TextEncoder().encode('ACCEPT');
const REJECT = new TextEncoder().encode('REJECT');
const NODATA = new TextEncoder().encode('NODATA');
const SKIPDATA = new TextEncoder().encode('SKIPDATA');
const INGRESS = new TextEncoder().encode('ingress');
const EGRESS = new TextEncoder().encode('egress');

const isWord = (buf: Uint8Array, from: number, to: number, word: Uint8Array) =>
  to - from === word.length && equalAt(buf, from, word);

function matchAction(buf: Uint8Array, from: number, to: number): number {
  if (isWord(buf, from, to, ACCEPT)) return ACTION_ACCEPT;
  if (isWord(buf, from, to, REJECT)) return ACTION_REJECT;
  return -1;
}

function matchStatus(buf: Uint8Array, from: number, to: number): number {
  if (to - from === 2 && buf[from] === 0x4f && buf[from + 1] === 0x4b) {
    return STATUS_OK;
  }
  if (isWord(buf, from, to, NODATA)) return STATUS_NODATA;
  if (isWord(buf, from, to, SKIPDATA)) return STATUS_SKIPDATA;
  return -1;
}

function matchDirection(buf: Uint8Array, from: number, to: number): number {
  if (isWord(buf, from, to, INGRESS)) return DIRECTION_INGRESS;
  if (isWord(buf, from, to, EGRESS)) return DIRECTION_EGRESS;
  return DIRECTION_UNKNOWN;
}

export { FlowLogScanner };
