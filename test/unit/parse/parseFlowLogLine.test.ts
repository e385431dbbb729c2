import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BadRecordReason } from '../../../shared/errors.js';
import { ParseError } from '../../../shared/errors.js';
import {
  DEFAULT_FORMAT,
  formatFromHeader,
  formatFromString,
  resolveFormat,
} from '../../../shared/parse/flowLogFormat.js';
import {
  parseFlowLogLine,
  parseFlowLogText,
} from '../../../shared/parse/parseFlowLogLine.js';
import type {
  FieldSpec,
  FieldValue,
  FlowLogFormat,
  FlowRecord,
  ParseResult,
} from '../../../shared/types.js';

type Result = ParseResult<FlowRecord, ParseError>;

const V5_FORMAT = resolveFormat('v5');

/** Reasons `parseFlowLogLine` may return. */
const LINE_REASONS: readonly BadRecordReason[] = [
  'field-count',
  'bad-integer',
  'bad-action',
  'bad-log-status',
  'end-before-start',
];

/** A good v2 record, field by field; tests override single columns. */
const V2_BASE: Readonly<Record<string, string>> = {
  version: '2',
  'account-id': '210987654321',
  'interface-id': 'eni-0c4d5e6f7a8b9c0d1',
  srcaddr: '10.8.1.20',
  dstaddr: '10.8.2.30',
  srcport: '51234',
  dstport: '22',
  protocol: '6',
  packets: '18',
  bytes: '3872',
  start: '1700000100',
  end: '1700000160',
  action: 'ACCEPT',
  'log-status': 'OK',
};

/** A v2 line: the base record with some columns replaced. */
const v2Line = (overrides: Readonly<Record<string, string>> = {}): string =>
  DEFAULT_FORMAT.fields
    .map((field) => overrides[field.name] ?? V2_BASE[field.name] ?? '')
    .join(' ');

/** The error of a failed result; fails the test for a success. */
function errorOf(result: Result | null): ParseError {
  if (result === null || result.success) {
    throw new Error(`expected a ParseError, got ${JSON.stringify(result)}`);
  }
  return result.error;
}

/** The record of a successful result; fails the test for an error. */
function recordOf(result: Result): FlowRecord {
  if (!result.success) {
    throw new Error(`expected a record, got: ${result.error.message}`);
  }
  return result.data;
}

/** Asserts what every parse outcome must look like. */
function assessOutcome(
  result: Result,
  format: FlowLogFormat,
  lineNumber: number
): void {
  if (result.success) {
    expect(Object.keys(result.data)).toEqual(
      format.fields.map((field) => field.key)
    );
  } else {
    expect(result.error).toBeInstanceOf(ParseError);
    expect(LINE_REASONS).toContain(result.error.reason);
    expect(result.error.lineNumber).toBe(lineNumber);
  }
}

/** A `${...}` format string built from space-separated field names. */
const formatOf = (names: string): FlowLogFormat =>
  formatFromString(
    names
      .split(' ')
      .map((name) => `\${${name}}`)
      .join(' ')
  );

const TCP_FLAGS_FORMAT = formatOf(
  'version vpc-id subnet-id instance-id interface-id account-id type srcaddr dstaddr srcport dstport pkt-srcaddr pkt-dstaddr protocol bytes packets start end action tcp-flags log-status'
);

const NAT_FORMAT = formatOf(
  'instance-id interface-id srcaddr dstaddr pkt-srcaddr pkt-dstaddr'
);

const TGW_PATH_FORMAT = formatOf(
  'version interface-id account-id vpc-id subnet-id instance-id srcaddr dstaddr srcport dstport protocol tcp-flags type pkt-srcaddr pkt-dstaddr action log-status'
);

const SERVICE_FORMAT = formatOf(
  'version srcaddr dstaddr srcport dstport protocol start end type packets bytes account-id vpc-id subnet-id instance-id interface-id region az-id sublocation-type sublocation-id action tcp-flags pkt-srcaddr pkt-dstaddr pkt-src-aws-service pkt-dst-aws-service traffic-path flow-direction log-status'
);

describe('parseFlowLogLine', () => {
  it.each<[string, string, FlowRecord]>([
    [
      'an accepted v2 record',
      '2 210987654321 eni-0c4d5e6f7a8b9c0d1 10.8.1.20 10.8.2.30 51234 22 6 18 3872 1700000100 1700000160 ACCEPT OK',
      {
        version: 2,
        accountId: '210987654321',
        interfaceId: 'eni-0c4d5e6f7a8b9c0d1',
        srcaddr: '10.8.1.20',
        dstaddr: '10.8.2.30',
        srcport: 51234,
        dstport: 22,
        protocol: 6,
        packets: 18,
        bytes: 3872,
        start: 1700000100,
        end: 1700000160,
        action: 'ACCEPT',
        logStatus: 'OK',
      },
    ],
    [
      'a rejected v2 record',
      '2 210987654321 eni-0c4d5e6f7a8b9c0d1 10.8.4.41 10.8.4.7 50113 3389 6 9 1620 1700000100 1700000160 REJECT OK',
      {
        version: 2,
        accountId: '210987654321',
        interfaceId: 'eni-0c4d5e6f7a8b9c0d1',
        srcaddr: '10.8.4.41',
        dstaddr: '10.8.4.7',
        srcport: 50113,
        dstport: 3389,
        protocol: 6,
        packets: 9,
        bytes: 1620,
        start: 1700000100,
        end: 1700000160,
        action: 'REJECT',
        logStatus: 'OK',
      },
    ],
    [
      'a NODATA record, with dashes as null',
      '2 210987654321 eni-0c4d5e6f7a8b9c0d1 - - - - - - - 1700000300 1700000358 - NODATA',
      {
        version: 2,
        accountId: '210987654321',
        interfaceId: 'eni-0c4d5e6f7a8b9c0d1',
        srcaddr: null,
        dstaddr: null,
        srcport: null,
        dstport: null,
        protocol: null,
        packets: null,
        bytes: null,
        start: 1700000300,
        end: 1700000358,
        action: null,
        logStatus: 'NODATA',
      },
    ],
    [
      'a SKIPDATA record, with dashes as null',
      '2 210987654321 eni-0a9b8c7d6e5f4a3b2 - - - - - - - 1700000300 1700000358 - SKIPDATA',
      {
        version: 2,
        accountId: '210987654321',
        interfaceId: 'eni-0a9b8c7d6e5f4a3b2',
        srcaddr: null,
        dstaddr: null,
        srcport: null,
        dstport: null,
        protocol: null,
        packets: null,
        bytes: null,
        start: 1700000300,
        end: 1700000358,
        action: null,
        logStatus: 'SKIPDATA',
      },
    ],
    [
      'an IPv6 record',
      '2 210987654321 eni-0c4d5e6f7a8b9c0d1 2001:db8:77aa:c100:1a2b:3c4d:5e6f:7081 2001:db8:77aa:c102:9f8e:7d6c:5b4a:3921 40211 22 6 37 6120 1700000400 1700000512 ACCEPT OK',
      {
        version: 2,
        accountId: '210987654321',
        interfaceId: 'eni-0c4d5e6f7a8b9c0d1',
        srcaddr: '2001:db8:77aa:c100:1a2b:3c4d:5e6f:7081',
        dstaddr: '2001:db8:77aa:c102:9f8e:7d6c:5b4a:3921',
        srcport: 40211,
        dstport: 22,
        protocol: 6,
        packets: 37,
        bytes: 6120,
        start: 1700000400,
        end: 1700000512,
        action: 'ACCEPT',
        logStatus: 'OK',
      },
    ],
  ])('parses %s', (_, line, expected) => {
    // Prepare
    const lineNumber = 2;

    // Act
    const result = parseFlowLogLine(line, DEFAULT_FORMAT, lineNumber);

    // Assess
    expect(result).toEqual({ success: true, data: expected });
  });

  it.each([
    [
      '3 vpc-0f1e2d3c4b5a69788 subnet-0aa1bb2cc3dd4ee5f i-0a1b2c3d4e5f60718 eni-0c4d5e6f7a8b9c0d1 210987654321 IPv4 198.51.100.23 10.8.0.15 38811 8080 198.51.100.23 10.8.0.15 6 612 9 1700001000 1700001055 ACCEPT 2 OK',
      2,
    ],
    [
      '3 vpc-0f1e2d3c4b5a69788 subnet-0aa1bb2cc3dd4ee5f i-0a1b2c3d4e5f60718 eni-0c4d5e6f7a8b9c0d1 210987654321 IPv4 10.8.0.15 198.51.100.23 8080 38811 10.8.0.15 198.51.100.23 6 418 6 1700001000 1700001055 ACCEPT 18 OK',
      18,
    ],
    [
      '3 vpc-0f1e2d3c4b5a69788 subnet-0aa1bb2cc3dd4ee5f i-0a1b2c3d4e5f60718 eni-0c4d5e6f7a8b9c0d1 210987654321 IPv4 10.8.0.15 198.51.100.23 8080 38811 10.8.0.15 198.51.100.23 6 96 2 1700001056 1700001110 ACCEPT 19 OK',
      19,
    ],
  ])(
    'reads tcp-flags as a number in a v3 custom format (%#)',
    (line, flags) => {
      // Prepare
      const lineNumber = 5;

      // Act
      const record = recordOf(
        parseFlowLogLine(line, TCP_FLAGS_FORMAT, lineNumber)
      );

      // Assess
      expect(record.tcpFlags).toBe(flags);
      expect(record.version).toBe(3);
      expect(record.vpcId).toBe('vpc-0f1e2d3c4b5a69788');
      expect(record.subnetId).toBe('subnet-0aa1bb2cc3dd4ee5f');
      expect(record.instanceId).toBe('i-0a1b2c3d4e5f60718');
      expect(record.type).toBe('IPv4');
      expect(record.protocol).toBe(6);
      expect(record.start).toBe(flags === 19 ? 1700001056 : 1700001000);
      expect(Object.keys(record)).toHaveLength(21);
    }
  );

  it('parses a NAT gateway custom format with a dash instance-id', () => {
    // Prepare
    const line =
      '- eni-0e1f2a3b4c5d6e7f8 10.8.3.9 10.8.0.140 10.8.3.9 203.0.113.77';

    // Act
    const result = parseFlowLogLine(line, NAT_FORMAT, 3);

    // Assess
    expect(result).toEqual({
      success: true,
      data: {
        instanceId: null,
        interfaceId: 'eni-0e1f2a3b4c5d6e7f8',
        srcaddr: '10.8.3.9',
        dstaddr: '10.8.0.140',
        pktSrcaddr: '10.8.3.9',
        pktDstaddr: '203.0.113.77',
      },
    });
  });

  it('parses a transit-gateway-path v3 custom format', () => {
    // Prepare
    const line =
      '3 eni-0d2e3f4a5b6c7d8e9 210987654321 vpc-0f1e2d3c4b5a69788 subnet-0bb2cc3dd4ee5ff60 - 10.60.1.12 10.60.2.48 42110 80 6 3 IPv4 10.30.7.201 10.60.2.48 ACCEPT OK';

    // Act
    const result = parseFlowLogLine(line, TGW_PATH_FORMAT, 4);

    // Assess
    expect(result).toEqual({
      success: true,
      data: {
        version: 3,
        interfaceId: 'eni-0d2e3f4a5b6c7d8e9',
        accountId: '210987654321',
        vpcId: 'vpc-0f1e2d3c4b5a69788',
        subnetId: 'subnet-0bb2cc3dd4ee5ff60',
        instanceId: null,
        srcaddr: '10.60.1.12',
        dstaddr: '10.60.2.48',
        srcport: 42110,
        dstport: 80,
        protocol: 6,
        tcpFlags: 3,
        type: 'IPv4',
        pktSrcaddr: '10.30.7.201',
        pktDstaddr: '10.60.2.48',
        action: 'ACCEPT',
        logStatus: 'OK',
      },
    });
  });

  it.each<[string, string, Readonly<Record<string, FieldValue>>]>([
    [
      'an ingress record from S3',
      '5 3.5.140.12 10.8.0.44 443 51522 6 1700002000 1700002057 IPv4 21 18230 210987654321 vpc-0f1e2d3c4b5a69788 subnet-0aa1bb2cc3dd4ee5f i-0f9e8d7c6b5a49382 eni-0b1c2d3e4f5a6b7c8 eu-west-1 euw1-az2 - - ACCEPT 19 3.5.140.12 10.8.0.44 S3 - - ingress OK',
      {
        srcaddr: '3.5.140.12',
        packets: 21,
        bytes: 18230,
        region: 'eu-west-1',
        azId: 'euw1-az2',
        sublocationType: null,
        sublocationId: null,
        tcpFlags: 19,
        pktSrcAwsService: 'S3',
        pktDstAwsService: null,
        trafficPath: null,
        flowDirection: 'ingress',
        logStatus: 'OK',
      },
    ],
    [
      'an egress record to S3',
      '5 10.8.0.44 3.5.140.12 51522 443 6 1700002000 1700002057 IPv4 11 902 210987654321 vpc-0f1e2d3c4b5a69788 subnet-0aa1bb2cc3dd4ee5f i-0f9e8d7c6b5a49382 eni-0b1c2d3e4f5a6b7c8 eu-west-1 euw1-az2 - - ACCEPT 3 10.8.0.44 3.5.140.12 - S3 8 egress OK',
      {
        srcaddr: '10.8.0.44',
        packets: 11,
        bytes: 902,
        region: 'eu-west-1',
        azId: 'euw1-az2',
        sublocationType: null,
        sublocationId: null,
        tcpFlags: 3,
        pktSrcAwsService: null,
        pktDstAwsService: 'S3',
        trafficPath: 8,
        flowDirection: 'egress',
        logStatus: 'OK',
      },
    ],
  ])('parses a v5 29-field record: %s', (_, line, expected) => {
    // Prepare
    const lineNumber = 9;

    // Act
    const record = recordOf(parseFlowLogLine(line, SERVICE_FORMAT, lineNumber));

    // Assess
    expect(SERVICE_FORMAT.fields).toHaveLength(29);
    expect(Object.keys(record)).toEqual(
      SERVICE_FORMAT.fields.map((field) => field.key)
    );
    expect(record).toMatchObject(expected);
    expect(record.version).toBe(5);
    expect(record.interfaceId).toBe('eni-0b1c2d3e4f5a6b7c8');
  });

  it('keeps account-id "unknown" as a string', () => {
    // Prepare
    const line = v2Line({ 'account-id': 'unknown' });

    // Act
    const record = recordOf(parseFlowLogLine(line, DEFAULT_FORMAT, 2));

    // Assess
    expect(record.accountId).toBe('unknown');
  });

  it('keeps digit-only ids as strings, leading zeros included', () => {
    // Prepare
    const line = v2Line({
      'account-id': '000412345678',
      'interface-id': 'eni-0000000000000001',
    });

    // Act
    const record = recordOf(parseFlowLogLine(line, DEFAULT_FORMAT, 2));

    // Assess
    expect(record.accountId).toBe('000412345678');
    expect(record.interfaceId).toBe('eni-0000000000000001');
  });

  it('converts 13-digit millisecond start and end to floored seconds', () => {
    // Prepare
    const line = v2Line({ start: '1700000100999', end: '1700000160500' });

    // Act
    const record = recordOf(parseFlowLogLine(line, DEFAULT_FORMAT, 2));

    // Assess
    expect(record.start).toBe(1700000100);
    expect(record.end).toBe(1700000160);
  });

  it('leaves other 13-digit integers unchanged', () => {
    // Prepare
    const line = v2Line({ bytes: '1700000100999' });

    // Act
    const record = recordOf(parseFlowLogLine(line, DEFAULT_FORMAT, 2));

    // Assess
    expect(record.bytes).toBe(1700000100999);
  });

  it('ignores a trailing carriage return', () => {
    // Prepare
    const line = `${v2Line()}\r`;

    // Act
    const result = parseFlowLogLine(line, DEFAULT_FORMAT, 2);

    // Assess
    expect(result).toEqual(parseFlowLogLine(v2Line(), DEFAULT_FORMAT, 2));
    expect(recordOf(result).logStatus).toBe('OK');
  });

  it('carries an unknown header column through as a string', () => {
    // Prepare
    const format = formatFromHeader(`${DEFAULT_FORMAT.header} flow-label`);
    const line = `${v2Line()} 0042`;

    // Act
    const record = recordOf(parseFlowLogLine(line, format, 2));

    // Assess
    expect(record.flowLabel).toBe('0042');
    expect(record.bytes).toBe(3872);
  });

  it.each([
    ['the largest safe integer', '9007199254740991', 9007199254740991],
    ['leading zeros', '007', 7],
    ['zero', '0', 0],
  ])('accepts %s in an integer field', (_, text, expected) => {
    // Prepare
    const line = v2Line({ bytes: text });

    // Act
    const record = recordOf(parseFlowLogLine(line, DEFAULT_FORMAT, 2));

    // Assess
    expect(record.bytes).toBe(expected);
  });

  it('accepts end equal to start', () => {
    // Prepare
    const line = v2Line({ start: '1700000100', end: '1700000100' });

    // Act
    const record = recordOf(parseFlowLogLine(line, DEFAULT_FORMAT, 2));

    // Assess
    expect(record.start).toBe(1700000100);
    expect(record.end).toBe(1700000100);
  });

  it.each<[string, string, BadRecordReason, string | undefined]>([
    [
      'too few fields',
      '2 210987654321 eni-0c4d5e6f7a8b9c0d1 10.8.1.20 10.8.2.30 51234 22 6 18 3872 1700000100 1700000160 ACCEPT',
      'field-count',
      undefined,
    ],
    ['too many fields', `${v2Line()} extra`, 'field-count', undefined],
    ['an empty line', '', 'field-count', undefined],
    [
      'letters in srcport',
      v2Line({ srcport: 'ssh' }),
      'bad-integer',
      'srcport',
    ],
    ['a negative packets', v2Line({ packets: '-5' }), 'bad-integer', 'packets'],
    [
      'an empty srcport from a double space',
      '2 210987654321 eni-0c4d5e6f7a8b9c0d1 10.8.1.20 10.8.2.30  22 6 18 3872 1700000100 1700000160 ACCEPT OK',
      'bad-integer',
      'srcport',
    ],
    ['a fraction in bytes', v2Line({ bytes: '1.5' }), 'bad-integer', 'bytes'],
    [
      'an unsafe integer (2^53) in bytes',
      v2Line({ bytes: '9007199254740992' }),
      'bad-integer',
      'bytes',
    ],
    ['an exponent in start', v2Line({ start: '1e9' }), 'bad-integer', 'start'],
    ['letters in version', v2Line({ version: 'v2' }), 'bad-integer', 'version'],
    ['an unknown action', v2Line({ action: 'ALLOW' }), 'bad-action', 'action'],
    [
      'a lower-case action',
      v2Line({ action: 'accept' }),
      'bad-action',
      'action',
    ],
    [
      'an unknown log-status',
      v2Line({ 'log-status': 'FAILED' }),
      'bad-log-status',
      'log-status',
    ],
    [
      'a lower-case log-status',
      v2Line({ 'log-status': 'ok' }),
      'bad-log-status',
      'log-status',
    ],
    [
      'end before start',
      v2Line({ start: '1700000160', end: '1700000100' }),
      'end-before-start',
      undefined,
    ],
    [
      'end in milliseconds before start in seconds',
      v2Line({ start: '1700000160', end: '1700000100999' }),
      'end-before-start',
      undefined,
    ],
    [
      'a bad srcport and a bad action (leftmost wins)',
      v2Line({ srcport: 'x', action: 'DENY' }),
      'bad-integer',
      'srcport',
    ],
    [
      'a bad action and a bad log-status (leftmost wins)',
      v2Line({ action: 'DENY', 'log-status': 'LOST' }),
      'bad-action',
      'action',
    ],
    [
      'a bad bytes and end before start',
      v2Line({ bytes: 'lots', start: '1700000160', end: '1700000100' }),
      'bad-integer',
      'bytes',
    ],
  ])('rejects %s', (_, line, reason, field) => {
    // Prepare
    const lineNumber = 7;

    // Act
    const error = errorOf(parseFlowLogLine(line, DEFAULT_FORMAT, lineNumber));

    // Assess
    expect(error).toBeInstanceOf(ParseError);
    expect(error.lineNumber).toBe(lineNumber);
    expect(error.reason).toBe(reason);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(/^line 7: /);
  });

  it('says how many fields a short line has and how many it needs', () => {
    // Prepare
    const line = DEFAULT_FORMAT.fields
      .slice(1)
      .map((field) => V2_BASE[field.name])
      .join(' ');

    // Act
    const error = errorOf(parseFlowLogLine(line, DEFAULT_FORMAT, 12));

    // Assess
    expect(error.reason).toBe('field-count');
    expect(error.message).toContain('13, expected 14');
  });

  it('names the field and quotes the bad value in the message', () => {
    // Prepare
    const line = v2Line({ dstport: 'https' });

    // Act
    const error = errorOf(parseFlowLogLine(line, DEFAULT_FORMAT, 3));

    // Assess
    expect(error.message).toContain('dstport');
    expect(error.message).toContain('"https"');
  });

  it('reports a bad integer in a custom format by its field name', () => {
    // Prepare
    const line =
      '3 eni-0d2e3f4a5b6c7d8e9 210987654321 vpc-0f1e2d3c4b5a69788 subnet-0bb2cc3dd4ee5ff60 - 10.60.1.12 10.60.2.48 42110 80 6 SYN IPv4 10.30.7.201 10.60.2.48 ACCEPT OK';

    // Act
    const error = errorOf(parseFlowLogLine(line, TGW_PATH_FORMAT, 21));

    // Assess
    expect(error.reason).toBe('bad-integer');
    expect(error.field).toBe('tcp-flags');
    expect(error.lineNumber).toBe(21);
  });

  it('never throws for arbitrary strings (default and v5 formats)', () => {
    // Prepare
    const formats = fc.constantFrom(DEFAULT_FORMAT, V5_FORMAT);
    const lineNumber = fc.integer({ min: 1, max: 1_000_000 });

    // Act
    const property = fc.property(
      fc.string({ maxLength: 400 }),
      formats,
      lineNumber,
      (text, format, line) => {
        const result = parseFlowLogLine(text, format, line);
        assessOutcome(result, format, line);
      }
    );

    // Assess
    fc.assert(property);
  });

  it('never throws for arbitrary tokens joined by spaces (default and v5 formats)', () => {
    // Prepare
    const token = fc.oneof(
      fc.constantFrom(
        '-',
        '',
        '0',
        '2',
        '5',
        '6',
        '1700000100',
        '1700000160',
        '1700000100999',
        '9007199254740992',
        '-5',
        '1.5',
        'ACCEPT',
        'REJECT',
        'OK',
        'NODATA',
        'SKIPDATA',
        'eni-0c4d5e6f7a8b9c0d1',
        '10.8.1.20',
        '\r'
      ),
      fc.nat().map(String),
      fc.string({ maxLength: 12 })
    );
    const line = fc
      .array(token, { maxLength: 35 })
      .map((tokens) => tokens.join(' '));
    const formats = fc.constantFrom(DEFAULT_FORMAT, V5_FORMAT);

    // Act
    const property = fc.property(line, formats, (text, format) => {
      const result = parseFlowLogLine(text, format, 42);
      assessOutcome(result, format, 42);
    });

    // Assess
    fc.assert(property, { numRuns: 300 });
  });

  it('round-trips records of arbitrary valid values (default, v5 and v11 formats)', () => {
    // Prepare
    const format = fc.constantFrom(
      DEFAULT_FORMAT,
      V5_FORMAT,
      resolveFormat('v11')
    );
    const sample = format.chain((chosen) =>
      fc.tuple(...chosen.fields.map(valueFor)).map((values) => ({
        format: chosen,
        values: orderTimes(chosen, values),
      }))
    );

    // Act
    const property = fc.property(sample, ({ format: chosen, values }) => {
      const line = values.join(' ');
      const result = parseFlowLogLine(line, chosen, 1);
      const expected = Object.fromEntries(
        chosen.fields.map((field, i) => [
          field.key,
          expectedValue(field, values[i] ?? ''),
        ])
      );
      expect(result).toEqual({ success: true, data: expected });
    });

    // Assess
    fc.assert(property);
  });
});

describe('parseFlowLogText', () => {
  it('returns null for an empty line', () => {
    // Prepare
    const text = '';

    // Act
    const result = parseFlowLogText(text, 4, DEFAULT_FORMAT);

    // Assess
    expect(result).toBeNull();
  });

  it.each([
    ['the default header', DEFAULT_FORMAT],
    ['a custom header', NAT_FORMAT],
    ['the v5 header', V5_FORMAT],
  ])('returns null for a line equal to %s', (_, format) => {
    // Prepare
    const text = format.header;

    // Act
    const result = parseFlowLogText(text, 30, format);

    // Assess
    expect(result).toBeNull();
  });

  it('returns a line-too-long error for a line that was not kept', () => {
    // Prepare
    const lineNumber = 17;

    // Act
    const result = parseFlowLogText(null, lineNumber, DEFAULT_FORMAT);

    // Assess
    const error = errorOf(result);
    expect(error).toBeInstanceOf(ParseError);
    expect(error.reason).toBe('line-too-long');
    expect(error.lineNumber).toBe(lineNumber);
    expect(error.field).toBeUndefined();
  });

  it.each([
    ['a good record', v2Line()],
    ['a NODATA record', v2Line({ srcaddr: '-', 'log-status': 'NODATA' })],
    ['a bad record', v2Line({ protocol: 'tcp' })],
    ['a short record', '2 210987654321'],
    ['the header of another format', NAT_FORMAT.header],
  ])('returns the parse result for %s', (_, text) => {
    // Prepare
    const expected = parseFlowLogLine(text, DEFAULT_FORMAT, 8);

    // Act
    const result = parseFlowLogText(text, 8, DEFAULT_FORMAT);

    // Assess
    expect(result).toEqual(expected);
  });
});

const MILLISECONDS_FROM = 1_000_000_000_000;

/** Epoch seconds as the parser stores them: 13-digit milliseconds floored. */
const asSeconds = (value: number): number =>
  value >= MILLISECONDS_FROM ? Math.floor(value / 1000) : value;

/** Text with no space, carriage return or newline (the line's separators). */
const fieldText = fc
  .string({ unit: 'binary', maxLength: 20 })
  .map((text) => text.replace(/[ \r\n]/g, '_'));

/** An arbitrary valid value for one field of a format, as text. */
function valueFor(field: FieldSpec): fc.Arbitrary<string> {
  if (field.name === 'action') {
    return fc.constantFrom('ACCEPT', 'REJECT', '-');
  }
  if (field.name === 'log-status') {
    return fc.constantFrom('OK', 'NODATA', 'SKIPDATA', '-');
  }
  if (field.type === 'integer') {
    return fc.oneof(fc.constant('-'), fc.maxSafeNat().map(String));
  }
  return fc.oneof(fc.constant('-'), fieldText);
}

/** Swaps start and end when end would come before start. */
function orderTimes(
  format: FlowLogFormat,
  values: readonly string[]
): string[] {
  const copy = [...values];
  const startAt = format.fields.findIndex((field) => field.name === 'start');
  const endAt = format.fields.findIndex((field) => field.name === 'end');
  const start = copy[startAt];
  const end = copy[endAt];
  if (
    start !== undefined &&
    end !== undefined &&
    start !== '-' &&
    end !== '-' &&
    asSeconds(Number(end)) < asSeconds(Number(start))
  ) {
    copy[startAt] = end;
    copy[endAt] = start;
  }
  return copy;
}

/** What a valid text value parses to. */
function expectedValue(field: FieldSpec, text: string): FieldValue {
  if (text === '-') return null;
  if (field.type !== 'integer') return text;
  const number = Number(text);
  return field.name === 'start' || field.name === 'end'
    ? asSeconds(number)
    : number;
}
