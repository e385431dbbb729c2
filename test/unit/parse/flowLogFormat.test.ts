import { describe, expect, it } from 'vitest';
import { FormatError } from '../../../shared/errors.js';
import {
  DEFAULT_FORMAT,
  DEFAULT_FORMAT_STRING,
  FIELD_CATALOGUE,
  formatFromHeader,
  formatFromString,
  isHeaderLine,
  resolveFormat,
} from '../../../shared/parse/flowLogFormat.js';
import type { FlowLogFormat } from '../../../shared/types.js';

/** The VPC Flow Logs fields and the version that introduced each (no v6). */
const VPC_FIELDS: readonly (readonly [string, number])[] = [
  ['version', 2],
  ['account-id', 2],
  ['interface-id', 2],
  ['srcaddr', 2],
  ['dstaddr', 2],
  ['srcport', 2],
  ['dstport', 2],
  ['protocol', 2],
  ['packets', 2],
  ['bytes', 2],
  ['start', 2],
  ['end', 2],
  ['action', 2],
  ['log-status', 2],
  ['vpc-id', 3],
  ['subnet-id', 3],
  ['instance-id', 3],
  ['tcp-flags', 3],
  ['type', 3],
  ['pkt-srcaddr', 3],
  ['pkt-dstaddr', 3],
  ['region', 4],
  ['az-id', 4],
  ['sublocation-type', 4],
  ['sublocation-id', 4],
  ['pkt-src-aws-service', 5],
  ['pkt-dst-aws-service', 5],
  ['flow-direction', 5],
  ['traffic-path', 5],
  ['ecs-cluster-arn', 7],
  ['ecs-cluster-name', 7],
  ['ecs-container-instance-arn', 7],
  ['ecs-container-instance-id', 7],
  ['ecs-container-id', 7],
  ['ecs-second-container-id', 7],
  ['ecs-service-name', 7],
  ['ecs-task-definition-arn', 7],
  ['ecs-task-arn', 7],
  ['ecs-task-id', 7],
  ['reject-reason', 8],
  ['resource-id', 9],
  ['encryption-status', 10],
  ['instance-tag', 11],
  ['instance-tag-2', 11],
  ['interface-tag', 11],
  ['interface-tag-2', 11],
  ['asg-tag', 11],
  ['asg-tag-2', 11],
  ['interface-type', 11],
  ['next-hop-interface-id', 11],
  ['next-hop-subnet-id', 11],
  ['next-hop-az-id', 11],
  ['next-hop-vpc-id', 11],
  ['next-hop-interface-type', 11],
];

const INTEGER_FIELDS = [
  'version',
  'srcport',
  'dstport',
  'protocol',
  'packets',
  'bytes',
  'start',
  'end',
  'tcp-flags',
  'traffic-path',
  'encryption-status',
];

const V2_FIELDS = [
  'version',
  'account-id',
  'interface-id',
  'srcaddr',
  'dstaddr',
  'srcport',
  'dstport',
  'protocol',
  'packets',
  'bytes',
  'start',
  'end',
  'action',
  'log-status',
];

/** The Transit Gateway default field set (v2-v6 TGW fields). */
const TGW_FIELDS = [
  'version',
  'resource-type',
  'account-id',
  'tgw-id',
  'tgw-attachment-id',
  'tgw-src-vpc-account-id',
  'tgw-dst-vpc-account-id',
  'tgw-src-vpc-id',
  'tgw-dst-vpc-id',
  'tgw-src-subnet-id',
  'tgw-dst-subnet-id',
  'tgw-src-eni',
  'tgw-dst-eni',
  'tgw-src-az-id',
  'tgw-dst-az-id',
  'tgw-pair-attachment-id',
  'srcaddr',
  'dstaddr',
  'srcport',
  'dstport',
  'protocol',
  'packets',
  'bytes',
  'start',
  'end',
  'log-status',
  'type',
  'packets-lost-no-route',
  'packets-lost-blackhole',
  'packets-lost-mtu-exceeded',
  'packets-lost-ttl-expired',
  'tcp-flags',
  'region',
  'flow-direction',
  'pkt-src-aws-service',
  'pkt-dst-aws-service',
];

const toFormatString = (names: readonly string[]): string =>
  names.map((name) => `\${${name}}`).join(' ');

const namesOf = (format: FlowLogFormat): string[] =>
  format.fields.map((field) => field.name);

describe('flowLogFormat', () => {
  describe('FIELD_CATALOGUE', () => {
    it('holds the 54 VPC fields with the versions that introduced them', () => {
      // Prepare
      const expected = VPC_FIELDS.map(([name, version]) => [name, version]);

      // Act
      const vpcRows = FIELD_CATALOGUE.filter(([, version]) => version !== 6);

      // Assess
      expect(vpcRows).toHaveLength(54);
      expect(vpcRows.map(([name, version]) => [name, version])).toEqual(
        expected
      );
    });

    it('uses only the VPC versions 2, 3, 4, 5, 7, 8, 9, 10 and 11 outside Transit Gateway fields', () => {
      // Prepare
      const vpcVersions = [2, 3, 4, 5, 7, 8, 9, 10, 11];

      // Act
      const versions = new Set(
        FIELD_CATALOGUE.filter(([, version]) => version !== 6).map(
          ([, version]) => version
        )
      );

      // Assess
      expect([...versions].sort((a, b) => a - b)).toEqual(vpcVersions);
    });

    it('types exactly the documented VPC integer fields as integer', () => {
      // Prepare
      const vpcNames = new Set(VPC_FIELDS.map(([name]) => name));

      // Act
      const integerNames = FIELD_CATALOGUE.filter(
        ([name, , type]) => vpcNames.has(name) && type === 'integer'
      ).map(([name]) => name);

      // Assess
      expect([...integerNames].sort()).toEqual([...INTEGER_FIELDS].sort());
    });

    it('lists every field name once', () => {
      // Prepare
      const names = FIELD_CATALOGUE.map(([name]) => name);

      // Act
      const unique = new Set(names);

      // Assess
      expect(unique.size).toBe(names.length);
    });
  });

  describe('formatFromString', () => {
    it('reads format tokens in order, with camelCase keys', () => {
      // Prepare
      const spec = `\${interface-id} \${start} \${end} \${bytes} \${pkt-srcaddr}`;

      // Act
      const format = formatFromString(spec);

      // Assess
      expect(namesOf(format)).toEqual([
        'interface-id',
        'start',
        'end',
        'bytes',
        'pkt-srcaddr',
      ]);
      expect(format.fields.map((field) => field.key)).toEqual([
        'interfaceId',
        'start',
        'end',
        'bytes',
        'pktSrcaddr',
      ]);
      expect(format.header).toBe('interface-id start end bytes pkt-srcaddr');
    });

    it('describes known fields with their catalogue type and version', () => {
      // Prepare
      const spec = `\${tcp-flags} \${vpc-id} \${traffic-path}`;

      // Act
      const format = formatFromString(spec);

      // Assess
      expect(format.fields).toEqual([
        {
          name: 'tcp-flags',
          key: 'tcpFlags',
          type: 'integer',
          version: 3,
          isKnown: true,
        },
        {
          name: 'vpc-id',
          key: 'vpcId',
          type: 'string',
          version: 3,
          isKnown: true,
        },
        {
          name: 'traffic-path',
          key: 'trafficPath',
          type: 'integer',
          version: 5,
          isKnown: true,
        },
      ]);
    });

    it('tolerates extra whitespace between and around tokens', () => {
      // Prepare
      const spec = `  \${version}\t\${account-id}   \${action}\n`;

      // Act
      const format = formatFromString(spec);

      // Assess
      expect(namesOf(format)).toEqual(['version', 'account-id', 'action']);
    });

    it('keeps an unknown field as a string field with isKnown false', () => {
      // Prepare
      const spec = `\${interface-id} \${flow-score-v2} \${bytes}`;

      // Act
      const format = formatFromString(spec);

      // Assess
      expect(format.fields[1]).toEqual({
        name: 'flow-score-v2',
        key: 'flowScoreV2',
        type: 'string',
        version: 0,
        isKnown: false,
      });
    });

    it.each([
      ['a bare name', `\${version} account-id`, 'account-id'],
      ['a missing closing brace', `\${version} \${account-id`, `\${account-id`],
      ['a dollar without braces', `\${version} $srcaddr`, '$srcaddr'],
      ['empty braces', `\${version} \${}`, `\${}`],
    ])('throws a FormatError naming the token for %s', (_, spec, token) => {
      // Prepare
      const act = (): FlowLogFormat => formatFromString(spec);

      // Act
      const thrown = captureError(act);

      // Assess
      expect(thrown).toBeInstanceOf(FormatError);
      expect(thrown?.message).toContain(`"${token}"`);
    });

    it('throws a FormatError for a malformed field name', () => {
      // Prepare
      const spec = `\${version} \${Account-ID}`;

      // Act
      const thrown = captureError(() => formatFromString(spec));

      // Assess
      expect(thrown).toBeInstanceOf(FormatError);
      expect(thrown?.message).toContain('"Account-ID"');
    });

    it.each([
      ['the same spelling', `\${version} \${srcaddr} \${srcaddr}`],
      ['hyphen and underscore spellings', `\${log-status} \${log_status}`],
    ])('throws a FormatError for a field repeated with %s', (_, spec) => {
      // Prepare
      const act = (): FlowLogFormat => formatFromString(spec);

      // Act
      const thrown = captureError(act);

      // Assess
      expect(thrown).toBeInstanceOf(FormatError);
      expect(thrown?.message).toContain('appears twice');
    });

    it.each([
      ['an empty string', ''],
      ['only whitespace', '   \t '],
    ])('throws a FormatError for %s', (_, spec) => {
      // Prepare
      const act = (): FlowLogFormat => formatFromString(spec);

      // Act
      const thrown = captureError(act);

      // Assess
      expect(thrown).toBeInstanceOf(FormatError);
    });
  });

  describe('formatFromHeader', () => {
    it('reads a space-separated header line', () => {
      // Prepare
      const line = 'version interface-id srcaddr dstaddr action log-status';

      // Act
      const format = formatFromHeader(line);

      // Assess
      expect(namesOf(format)).toEqual([
        'version',
        'interface-id',
        'srcaddr',
        'dstaddr',
        'action',
        'log-status',
      ]);
      expect(format.header).toBe(line);
    });

    it('maps Parquet underscore names to the hyphenated fields', () => {
      // Prepare
      const line = 'version account_id interface_id log_status tcp_flags';

      // Act
      const format = formatFromHeader(line);

      // Assess
      expect(namesOf(format)).toEqual([
        'version',
        'account-id',
        'interface-id',
        'log-status',
        'tcp-flags',
      ]);
      expect(format.fields.map((field) => field.key)).toEqual([
        'version',
        'accountId',
        'interfaceId',
        'logStatus',
        'tcpFlags',
      ]);
      expect(format.fields.every((field) => field.isKnown)).toBe(true);
      expect(format.fields[4]?.type).toBe('integer');
    });

    it('ignores surrounding whitespace and a trailing carriage return', () => {
      // Prepare
      const line = ' version account-id bytes\r';

      // Act
      const format = formatFromHeader(line);

      // Assess
      expect(namesOf(format)).toEqual(['version', 'account-id', 'bytes']);
    });

    it('throws a FormatError for a line of values', () => {
      // Prepare
      const line = '2 210987654321 eni-0c4d5e6f7a8b9c0d1';

      // Act
      const thrown = captureError(() => formatFromHeader(line));

      // Assess
      expect(thrown).toBeInstanceOf(FormatError);
      expect(thrown?.message).toContain('"2"');
    });

    it('throws a FormatError for a repeated column', () => {
      // Prepare
      const line = 'version bytes bytes';

      // Act
      const thrown = captureError(() => formatFromHeader(line));

      // Assess
      expect(thrown).toBeInstanceOf(FormatError);
    });
  });

  describe('DEFAULT_FORMAT', () => {
    it('is the 14 version 2 fields in AWS order', () => {
      // Prepare
      const expected = V2_FIELDS;

      // Act
      const names = namesOf(DEFAULT_FORMAT);

      // Assess
      expect(names).toEqual(expected);
      expect(DEFAULT_FORMAT.fields.every((field) => field.version === 2)).toBe(
        true
      );
      expect(DEFAULT_FORMAT.isTransitGateway).toBe(false);
    });

    it('has the version 2 header line and format string', () => {
      // Prepare
      const header =
        'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';

      // Act
      const fromString = formatFromString(DEFAULT_FORMAT_STRING);

      // Assess
      expect(DEFAULT_FORMAT.header).toBe(header);
      expect(DEFAULT_FORMAT_STRING).toBe(toFormatString(V2_FIELDS));
      expect(fromString).toEqual(DEFAULT_FORMAT);
    });
  });

  describe('resolveFormat', () => {
    it('resolves v2 to the default format', () => {
      // Prepare
      const spec = 'v2';

      // Act
      const format = resolveFormat(spec);

      // Assess
      expect(format).toEqual(DEFAULT_FORMAT);
      expect(format.fields).toHaveLength(14);
    });

    it('resolves v5 to the 29 fields of versions 2 to 5', () => {
      // Prepare
      const expected = VPC_FIELDS.filter(([, version]) => version <= 5).map(
        ([name]) => name
      );

      // Act
      const format = resolveFormat('v5');

      // Assess
      expect(format.fields).toHaveLength(29);
      expect(namesOf(format)).toEqual(expected);
      expect(format.isTransitGateway).toBe(false);
    });

    it('resolves v11 to all 54 VPC fields', () => {
      // Prepare
      const expected = VPC_FIELDS.map(([name]) => name);

      // Act
      const format = resolveFormat('v11');

      // Assess
      expect(format.fields).toHaveLength(54);
      expect(namesOf(format)).toEqual(expected);
      expect(format.isTransitGateway).toBe(false);
    });

    it('resolves a format string', () => {
      // Prepare
      const spec = `\${instance-id} \${interface-id} \${srcaddr} \${dstaddr}`;

      // Act
      const format = resolveFormat(spec);

      // Assess
      expect(format).toEqual(formatFromString(spec));
      expect(format.header).toBe('instance-id interface-id srcaddr dstaddr');
    });

    it('resolves a header line', () => {
      // Prepare
      const spec = 'version vpc-id subnet-id interface-id tcp-flags log-status';

      // Act
      const format = resolveFormat(spec);

      // Assess
      expect(format).toEqual(formatFromHeader(spec));
      expect(format.fields).toHaveLength(6);
    });

    it('throws a FormatError for a spec that is neither', () => {
      // Prepare
      const spec = 'V5';

      // Act
      const thrown = captureError(() => resolveFormat(spec));

      // Assess
      expect(thrown).toBeInstanceOf(FormatError);
    });
  });

  describe('isHeaderLine', () => {
    it.each([
      ['the default header', DEFAULT_FORMAT.header],
      ['a custom header', 'interface-id srcaddr dstaddr bytes'],
      ['a Parquet-style header', 'version account_id interface_id log_status'],
      ['a header with an unknown column', 'interface-id bytes my-extra-col'],
      ['the v11 header', resolveFormat('v11').header],
    ])('is true for %s', (_, line) => {
      // Prepare
      const text = line;

      // Act
      const isHeader = isHeaderLine(text);

      // Assess
      expect(isHeader).toBe(true);
    });

    it.each([
      [
        'a v2 data line',
        '2 210987654321 eni-0c4d5e6f7a8b9c0d1 10.8.1.20 10.8.2.30 51234 443 6 12 3400 1700000100 1700000160 ACCEPT OK',
      ],
      [
        'a NODATA line',
        '2 210987654321 eni-0c4d5e6f7a8b9c0d1 - - - - - - - 1700000100 1700000160 - NODATA',
      ],
      ['an all-string custom data line', 'eni-0a1b ACCEPT'],
      ['lower-case values of unknown names', 'eni-0a1b egress'],
      ['a line with a dash', 'interface-id -'],
      ['an empty line', ''],
    ])('is false for %s', (_, line) => {
      // Prepare
      const text = line;

      // Act
      const isHeader = isHeaderLine(text);

      // Assess
      expect(isHeader).toBe(false);
    });
  });

  describe('isTransitGateway', () => {
    it('is true for the Transit Gateway field set', () => {
      // Prepare
      const spec = toFormatString(TGW_FIELDS);

      // Act
      const format = formatFromString(spec);

      // Assess
      expect(format.fields).toHaveLength(36);
      expect(format.isTransitGateway).toBe(true);
    });

    it('is true for a Transit Gateway header line', () => {
      // Prepare
      const line = 'version tgw-id tgw-attachment-id srcaddr dstaddr bytes';

      // Act
      const format = formatFromHeader(line);

      // Assess
      expect(format.isTransitGateway).toBe(true);
    });

    it.each([
      ['the default format', DEFAULT_FORMAT_STRING],
      ['the v5 fields', toFormatString(namesOf(resolveFormat('v5')))],
      ['a tgw field next to interface-id', `\${interface-id} \${tgw-id}`],
    ])('is false for %s', (_, spec) => {
      // Prepare
      const text = spec;

      // Act
      const format = formatFromString(text);

      // Assess
      expect(format.isTransitGateway).toBe(false);
    });
  });
});

describe('flowLogFormat review findings', () => {
  it.each(['constructor', 'hasOwnProperty', 'toString', 'valueOf', 'v3', 'v4'])(
    'refuses %s: neither a named format nor a header of known fields',
    (spec) => {
      // Act
      const error = captureError(() => resolveFormat(spec));

      // Assess
      expect(error).toBeInstanceOf(FormatError);
      expect(error?.message).toContain(`"${spec}" is not v2, v5, v11`);
    }
  );

  it('refuses two unknown fields that would share one key', () => {
    // Act
    const error = captureError(() =>
      formatFromHeader('interface-id tag-2 tag2')
    );

    // Assess
    expect(error).toBeInstanceOf(FormatError);
    expect(error?.message).toContain('"tag-2" and "tag2"');
  });

  it('keeps a Parquet-style header as written so a repeat is recognised', () => {
    // Act
    const format = formatFromHeader('interface_id start end log_status');

    // Assess
    expect(format.header).toBe('interface_id start end log_status');
    expect(format.fields.map((field) => field.name)).toEqual([
      'interface-id',
      'start',
      'end',
      'log-status',
    ]);
  });
});

/** Runs `act` and returns what it threw, or undefined. */
function captureError(act: () => unknown): Error | undefined {
  try {
    act();
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  }
  return undefined;
}
