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
  talkerHash,
} from './rollupAccumulator.js';
import { assertRollupFormat, type RollupOptions } from './rollupRecords.js';
import { StatsCollector } from './statsCollector.js';
import { FNV_OFFSET, FNV_PRIME } from './topSketch.js';

const SPACE = 0x20;
const NEWLINE = 0x0a;
const RETURN = 0x0d;
const DASH = 0x2d;
const ZERO = 0x30;
/** An absent integer ("-") in the per-line values. */
const ABSENT = -1;
/** A malformed integer in the per-line values. */
const INVALID = -2;
const KIND_TEXT = 0;
const KIND_INTEGER = 1;
const KIND_HASHED = 2;
/** Text fields hashed while scanning: ENI keys and peer addresses. */
const HASHED_FIELDS = new Set([
  'interface-id',
  'resource-id',
  'srcaddr',
  'dstaddr',
]);

const utf8 = new TextDecoder();
const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);
const ACCEPT = ascii('ACCEPT');
const REJECT = ascii('REJECT');
const OK = ascii('OK');
const NODATA = ascii('NODATA');
const SKIPDATA = ascii('SKIPDATA');
const INGRESS = ascii('ingress');
const EGRESS = ascii('egress');

function equalAt(buf: Uint8Array, from: number, bytes: Uint8Array): boolean {
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (buf[from + i] !== bytes[i]) return false;
  }
  return true;
}

const isWord = (buf: Uint8Array, from: number, to: number, word: Uint8Array) =>
  to - from === word.length && equalAt(buf, from, word);

/** ACCEPT/REJECT as ACTION_*, or -1 for anything else. */
function matchAction(buf: Uint8Array, from: number, to: number): number {
  if (isWord(buf, from, to, ACCEPT)) return ACTION_ACCEPT;
  if (isWord(buf, from, to, REJECT)) return ACTION_REJECT;
  return -1;
}

/** OK/NODATA/SKIPDATA as STATUS_*, or -1 for anything else. */
function matchStatus(buf: Uint8Array, from: number, to: number): number {
  if (isWord(buf, from, to, OK)) return STATUS_OK;
  if (isWord(buf, from, to, NODATA)) return STATUS_NODATA;
  if (isWord(buf, from, to, SKIPDATA)) return STATUS_SKIPDATA;
  return -1;
}

function matchDirection(buf: Uint8Array, from: number, to: number): number {
  if (isWord(buf, from, to, INGRESS)) return DIRECTION_INGRESS;
  if (isWord(buf, from, to, EGRESS)) return DIRECTION_EGRESS;
  return DIRECTION_UNKNOWN;
}

/**
 * Interns ENI ids by their bytes (open addressing on the FNV-1a hash the
 * scanner computed, then a full byte compare), so a known ENI costs no string.
 */
class EniTable {
  private keys: Uint8Array[] = [];
  private hashes: number[] = [];
  private states: EniState[] = [];
  private table = new Int32Array(1024);

  lookup(
    buf: Uint8Array,
    from: number,
    to: number,
    hash: number,
    create: (interfaceId: string) => EniState
  ): EniState {
    const length = to - from;
    const mask = this.table.length - 1;
    for (let at = hash & mask; ; at = (at + 1) & mask) {
      const entry = this.table[at] as number;
      if (entry === 0) {
        const bytes = buf.slice(from, to);
        const state = create(utf8.decode(bytes));
        this.keys.push(bytes);
        this.hashes.push(hash);
        this.states.push(state);
        this.table[at] = this.keys.length;
        if (this.keys.length * 2 > this.table.length) this.rehash();
        return state;
      }
      const key = this.keys[entry - 1] as Uint8Array;
      if (
        this.hashes[entry - 1] === hash &&
        key.length === length &&
        equalAt(buf, from, key)
      ) {
        return this.states[entry - 1] as EniState;
      }
    }
  }

  private rehash(): void {
    const { keys, hashes, states } = this;
    this.keys = [];
    this.hashes = [];
    this.states = [];
    this.table = new Int32Array(this.table.length * 2);
    keys.forEach((key, index) => {
      this.lookup(
        key,
        0,
        key.length,
        hashes[index] as number,
        () => states[index] as EniState
      );
    });
  }
}

/**
 * The hot path: rolls up flow-log text straight from bytes, chunk by chunk,
 * without a string or object per record. Each line is split and its integers
 * parsed in one pass; validation follows exactly the rules of
 * `parseFlowLogLine` (field count, integers, action, log-status,
 * end >= start, first problem from the left) and keying follows
 * `RecordRollup`; the tests hold both paths to the same output. Bad lines are
 * counted and sampled, never thrown. Memory is bounded by the number of
 * (ENI, window) pairs, not by the input size.
 * @example
 * const scanner = new FlowLogScanner(format, { windowMode: 'prorate' }, 2);
 * for await (const chunk of text) scanner.push(chunk);
 * const { rollups, stats } = scanner.finish();
 */
class FlowLogScanner {
  private readonly accumulator: RollupAccumulator;
  private readonly collector: StatsCollector;
  private readonly facts = new RecordFacts();
  private readonly enis = new EniTable();
  private readonly createEni: (interfaceId: string) => EniState;
  private readonly format: FlowLogFormat;
  private readonly header: Uint8Array;
  private readonly defaultEni: EniState | null;
  private readonly columns: number;
  /** Per column: KIND_TEXT, KIND_INTEGER or KIND_HASHED (index `columns` is text). */
  private readonly kinds: Uint8Array;
  /** Integer columns, and all columns that need validation, in order. */
  private readonly integerColumns: Int32Array;
  private readonly checkedColumns: Int32Array;
  /** Field bounds and integer values of the current line; index `columns` is an always-absent field. */
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly values: Float64Array;
  private readonly hashes: Int32Array;
  // The column of each field the rollup reads, or `columns` when absent.
  private readonly cEni: number;
  private readonly cResource: number;
  private readonly cSrc: number;
  private readonly cDst: number;
  private readonly cSrcport: number;
  private readonly cDstport: number;
  private readonly cProtocol: number;
  private readonly cPackets: number;
  private readonly cBytes: number;
  private readonly cStart: number;
  private readonly cEnd: number;
  private readonly cAction: number;
  private readonly cStatus: number;
  private readonly cTcpFlags: number;
  private readonly cDirection: number;
  private readonly cAccount: number;
  private readonly cVpc: number;
  private readonly cSubnet: number;
  private readonly cInstance: number;
  private carry = new Uint8Array(4096);
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
    this.createEni = (interfaceId) => this.accumulator.eni(interfaceId);
    this.collector = new StatsCollector(options.sampleLimit);
    this.header = ascii(format.header);
    this.defaultEni =
      options.interfaceId === undefined
        ? null
        : this.accumulator.eni(options.interfaceId);
    this.lineNumber = firstLineNumber;
    const { fields } = format;
    const columns = fields.length;
    this.columns = columns;
    this.kinds = Uint8Array.from([...fields, undefined], (field) =>
      field?.type === 'integer'
        ? KIND_INTEGER
        : field && HASHED_FIELDS.has(field.name)
          ? KIND_HASHED
          : KIND_TEXT
    );
    const columnsWhere = (test: (name: string, type: string) => boolean) =>
      Int32Array.from(
        fields.flatMap((field, column) =>
          test(field.name, field.type) ? [column] : []
        )
      );
    this.integerColumns = columnsWhere((_, type) => type === 'integer');
    this.checkedColumns = columnsWhere(
      (name, type) =>
        type === 'integer' ||
        name === 'action' ||
        name === 'log-status' ||
        name === 'flow-direction'
    );
    this.starts = new Int32Array(columns + 1);
    this.ends = new Int32Array(columns + 1);
    this.values = new Float64Array(columns + 1).fill(ABSENT);
    this.hashes = new Int32Array(columns + 1);
    const at = (name: string): number => {
      const column = fields.findIndex((field) => field.name === name);
      return column < 0 ? columns : column;
    };
    this.cEni = at('interface-id');
    this.cResource = at('resource-id');
    this.cSrc = at('srcaddr');
    this.cDst = at('dstaddr');
    this.cSrcport = at('srcport');
    this.cDstport = at('dstport');
    this.cProtocol = at('protocol');
    this.cPackets = at('packets');
    this.cBytes = at('bytes');
    this.cStart = at('start');
    this.cEnd = at('end');
    this.cAction = at('action');
    this.cStatus = at('log-status');
    this.cTcpFlags = at('tcp-flags');
    this.cDirection = at('flow-direction');
    this.cAccount = at('account-id');
    this.cVpc = at('vpc-id');
    this.cSubnet = at('subnet-id');
    this.cInstance = at('instance-id');
  }

  /** Feeds the next chunk of text (any split, even mid-line or mid-character). */
  push(bytes: Uint8Array): void {
    // One element type everywhere keeps the byte loops monomorphic.
    const chunk = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
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
    if (this.carryLength + length + 1 > this.carry.length) {
      const bigger = new Uint8Array(MAX_LINE_BYTES + 1);
      bigger.set(this.carry.subarray(0, this.carryLength));
      this.carry = bigger;
    }
    this.carry.set(chunk.subarray(from, to), this.carryLength);
    this.carryLength += length;
  }

  private flushCarry(): void {
    if (this.isOverlong) {
      this.tooLong();
    } else {
      this.carry[this.carryLength] = NEWLINE;
      this.scan(this.carry.subarray(0, this.carryLength + 1), 0);
    }
    this.carryLength = 0;
    this.isOverlong = false;
  }

  private tooLong(): void {
    this.collector.stats.lines++;
    this.bad(new ParseError('line-too-long', this.lineNumber));
  }

  private bad(error: ParseError): void {
    this.collector.bad(error);
  }

  /** Scans the whole lines of buf[from..); returns where the unfinished line starts. */
  private scan(buf: Uint8Array, from: number): number {
    const last = buf.lastIndexOf(NEWLINE);
    let lineStart = from;
    while (lineStart <= last) {
      lineStart = this.fastLine(buf, lineStart);
      this.lineNumber++;
    }
    return lineStart;
  }

  /**
   * Splits one newline-terminated line and parses its integers in a single
   * pass. Anything unusual (control bytes, extra fields, overlong or blank
   * lines) goes to `slowLine`. Returns the start of the next line.
   */
  private fastLine(buf: Uint8Array, lineStart: number): number {
    const header = this.header;
    if (buf[lineStart] === header[0]) {
      const next = this.afterHeader(buf, lineStart);
      if (next > 0) return next;
    }
    const { starts, ends, values, hashes, kinds, columns } = this;
    let i = lineStart;
    let column = 0;
    let c = 0;
    for (;;) {
      const fieldStart = i;
      const kind = kinds[column];
      if (kind === KIND_INTEGER) {
        let value = 0;
        for (;;) {
          c = buf[i] as number;
          const digit = c - ZERO;
          if (digit >>> 0 > 9) break;
          value = value * 10 + digit;
          i++;
        }
        if (c > SPACE) {
          do c = buf[++i] as number;
          while (c > SPACE);
          value =
            i - fieldStart === 1 && buf[fieldStart] === DASH ? ABSENT : INVALID;
        } else if (i === fieldStart) {
          value = INVALID;
        }
        values[column] = value;
      } else if (kind === KIND_HASHED) {
        let hash = FNV_OFFSET;
        c = buf[i] as number;
        while (c > SPACE) {
          hash = Math.imul(hash ^ c, FNV_PRIME);
          c = buf[++i] as number;
        }
        hashes[column] = hash;
      } else {
        c = buf[i] as number;
        while (c > SPACE) c = buf[++i] as number;
      }
      starts[column] = fieldStart;
      ends[column] = i;
      if (c !== SPACE || ++column === columns) break;
      i++;
    }
    const newline = c === RETURN ? i + 1 : i;
    if (
      c === SPACE ||
      buf[newline] !== NEWLINE ||
      i === lineStart ||
      newline - lineStart > MAX_LINE_BYTES
    ) {
      return this.slowLine(buf, lineStart);
    }
    this.collector.stats.lines++;
    if (column + 1 !== columns) this.fieldCount(column + 1);
    else this.check(buf);
    return newline + 1;
  }

  /** If a header line starts at `at`, the start of the next line; else 0. */
  private afterHeader(buf: Uint8Array, at: number): number {
    const header = this.header;
    const end = at + header.length;
    if (end >= buf.length || !equalAt(buf, at, header)) return 0;
    if (buf[end] === NEWLINE) return end + 1;
    return buf[end] === RETURN && buf[end + 1] === NEWLINE ? end + 2 : 0;
  }

  /**
   * The general path for one line: splits on single spaces only (other
   * control bytes stay inside fields, as in `parseFlowLogLine`), strips one
   * trailing CR, skips blank lines, and reports overlong lines.
   */
  private slowLine(buf: Uint8Array, lineStart: number): number {
    const newline = buf.indexOf(NEWLINE, lineStart);
    if (newline - lineStart > MAX_LINE_BYTES) {
      this.tooLong();
      return newline + 1;
    }
    let end = newline;
    if (end > lineStart && buf[end - 1] === RETURN) end--;
    if (end === lineStart) return newline + 1;
    const { starts, ends, columns } = this;
    let count = 0;
    let fieldStart = lineStart;
    for (let i = lineStart; i <= end; i++) {
      if (i === end || buf[i] === SPACE) {
        if (count < columns) {
          starts[count] = fieldStart;
          ends[count] = i;
        }
        count++;
        fieldStart = i + 1;
      }
    }
    this.collector.stats.lines++;
    if (count !== columns) {
      this.fieldCount(count);
    } else {
      this.readFields(buf);
      this.check(buf);
    }
    return newline + 1;
  }

  private fieldCount(count: number): void {
    this.bad(
      new ParseError(
        'field-count',
        this.lineNumber,
        undefined,
        `${count}, expected ${this.columns}`
      )
    );
  }

  /** Fills `values` and `hashes` from the field bounds (the slow path). */
  private readFields(buf: Uint8Array): void {
    const { starts, ends, values, hashes, kinds, columns } = this;
    for (let column = 0; column < columns; column++) {
      const from = starts[column] as number;
      const to = ends[column] as number;
      if (kinds[column] === KIND_HASHED) {
        let hash = FNV_OFFSET;
        for (let i = from; i < to; i++) {
          hash = Math.imul(hash ^ (buf[i] as number), FNV_PRIME);
        }
        hashes[column] = hash;
      }
      if (kinds[column] !== KIND_INTEGER) continue;
      let value = from === to ? INVALID : 0;
      for (let i = from; i < to && value >= 0; i++) {
        const digit = (buf[i] as number) - ZERO;
        value = digit >= 0 && digit <= 9 ? value * 10 + digit : INVALID;
      }
      if (to - from === 1 && buf[from] === DASH) value = ABSENT;
      values[column] = value;
    }
  }

  /** Validates a line with the right field count, then records it. */
  private check(buf: Uint8Array): void {
    const { values, integerColumns, starts, ends, facts, columns } = this;
    let isValid = true;
    for (let k = 0; k < integerColumns.length; k++) {
      const value = values[integerColumns[k] as number] as number;
      if (value < ABSENT || value > Number.MAX_SAFE_INTEGER) isValid = false;
    }
    facts.action = ACTION_NONE;
    facts.status = STATUS_OK;
    facts.direction = DIRECTION_UNKNOWN;
    const { cAction, cStatus, cDirection } = this;
    if (cAction !== columns && !this.isDash(buf, cAction)) {
      facts.action = matchAction(
        buf,
        starts[cAction] as number,
        ends[cAction] as number
      );
      if (facts.action < 0) isValid = false;
    }
    if (cStatus !== columns && !this.isDash(buf, cStatus)) {
      facts.status = matchStatus(
        buf,
        starts[cStatus] as number,
        ends[cStatus] as number
      );
      if (facts.status < 0) isValid = false;
    }
    if (cDirection !== columns && !this.isDash(buf, cDirection)) {
      facts.direction = matchDirection(
        buf,
        starts[cDirection] as number,
        ends[cDirection] as number
      );
    }
    if (!isValid) {
      this.bad(this.firstProblem(buf));
      return;
    }
    const { cStart, cEnd } = this;
    if ((values[cStart] as number) >= MILLISECONDS_FROM) {
      values[cStart] = Math.floor((values[cStart] as number) / 1000);
    }
    if ((values[cEnd] as number) >= MILLISECONDS_FROM) {
      values[cEnd] = Math.floor((values[cEnd] as number) / 1000);
    }
    const start = values[cStart] as number;
    const end = values[cEnd] as number;
    if (start !== ABSENT && end !== ABSENT && end < start) {
      this.bad(
        new ParseError(
          'end-before-start',
          this.lineNumber,
          undefined,
          `${start} > ${end}`
        )
      );
      return;
    }
    this.record(buf);
  }

  /** The first bad column from the left (called only when there is one). */
  private firstProblem(buf: Uint8Array): ParseError {
    const { values, starts, ends, checkedColumns, cAction, cStatus } = this;
    for (const column of checkedColumns) {
      if (this.kinds[column] === KIND_INTEGER) {
        const value = values[column] as number;
        if (value < ABSENT || value > Number.MAX_SAFE_INTEGER) {
          return this.badValue('bad-integer', buf, column);
        }
      } else if (!this.isDash(buf, column)) {
        const from = starts[column] as number;
        const to = ends[column] as number;
        if (column === cAction && matchAction(buf, from, to) < 0) {
          return this.badValue('bad-action', buf, column);
        }
        if (column === cStatus && matchStatus(buf, from, to) < 0) {
          return this.badValue('bad-log-status', buf, column);
        }
      }
    }
    throw new Error('firstProblem called on a valid line');
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

  /** True when the column is absent from the format or holds "-". */
  private isDash(buf: Uint8Array, column: number): boolean {
    const from = this.starts[column] as number;
    return (
      column === this.columns ||
      ((this.ends[column] as number) - from === 1 && buf[from] === DASH)
    );
  }

  private record(buf: Uint8Array): void {
    const { values, facts, accumulator, starts, ends } = this;
    let eni: EniState | null = this.defaultEni;
    const keyColumn = !this.isDash(buf, this.cEni)
      ? this.cEni
      : !this.isDash(buf, this.cResource)
        ? this.cResource
        : -1;
    if (keyColumn >= 0) {
      eni = this.enis.lookup(
        buf,
        starts[keyColumn] as number,
        ends[keyColumn] as number,
        this.hashes[keyColumn] as number,
        this.createEni
      );
    }
    if (eni === null) {
      this.bad(new ParseError('missing-interface-id', this.lineNumber));
      return;
    }
    const start = values[this.cStart] as number;
    const end = values[this.cEnd] as number;
    if (start === ABSENT || end === ABSENT) {
      this.bad(new ParseError('missing-time', this.lineNumber));
      return;
    }
    if (end - start + 1 > MAX_RECORD_SECONDS) {
      this.bad(
        new ParseError(
          'span-too-long',
          this.lineNumber,
          undefined,
          `${end - start + 1} s`
        )
      );
      return;
    }
    const stats = this.collector.stats;
    stats.records++;
    if (facts.status === STATUS_NODATA) stats.nodataRecords++;
    else if (facts.status === STATUS_SKIPDATA) stats.skipdataRecords++;
    facts.start = start;
    facts.end = end;
    const packets = values[this.cPackets] as number;
    const bytes = values[this.cBytes] as number;
    facts.packets = Math.max(packets, 0);
    facts.bytes = Math.max(bytes, 0);
    facts.protocol = values[this.cProtocol] as number;
    facts.tcpFlags = values[this.cTcpFlags] as number;
    facts.srcport = values[this.cSrcport] as number;
    facts.dstport = values[this.cDstport] as number;
    const window = accumulator.add(eni, facts);
    const { shape } = accumulator;
    if (shape.hasAccountId && window.accountId === null) {
      window.accountId = this.text(buf, this.cAccount);
    }
    if (shape.hasVpcId && window.vpcId === null) {
      window.vpcId = this.text(buf, this.cVpc);
    }
    if (shape.hasSubnetId && window.subnetId === null) {
      window.subnetId = this.text(buf, this.cSubnet);
    }
    if (shape.hasInstanceId && window.instanceId === null) {
      window.instanceId = this.text(buf, this.cInstance);
    }
    if (facts.status !== STATUS_OK) return;
    const { cSrc, cDst, hashes } = this;
    const srcHash = hashes[cSrc] as number;
    if (shape.hasTalkers) {
      accumulator.addTalker(
        window,
        talkerHash(srcHash, hashes[cDst] as number, facts),
        facts,
        buf,
        starts[cSrc] as number,
        ends[cSrc] as number,
        buf,
        starts[cDst] as number,
        ends[cDst] as number
      );
    }
    if (shape.hasRejected && facts.action === ACTION_REJECT) {
      accumulator.addRejected(
        window,
        srcHash,
        facts,
        buf,
        starts[cSrc] as number,
        ends[cSrc] as number
      );
    }
  }

  private text(buf: Uint8Array, column: number): string | null {
    return this.isDash(buf, column)
      ? null
      : utf8.decode(buf.subarray(this.starts[column], this.ends[column]));
  }
}

export { FlowLogScanner };
