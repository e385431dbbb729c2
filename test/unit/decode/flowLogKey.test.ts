import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyFlowLogKey } from '../../../shared/decode/flowLogKey.js';
import type { FlowLogKeyLayout } from '../../../shared/types.js';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const FILE = `${ACCOUNT}_vpcflowlogs_${REGION}_fl-0123456789abcdef0_20261101T0010Z_3f2a9c1e`;

/** The folders of each layout for 2026-11-01, hour 00, per the AWS docs. */
const FOLDERS: Record<FlowLogKeyLayout, string> = {
  default: `AWSLogs/${ACCOUNT}/vpcflowlogs/${REGION}/2026/11/01`,
  hourly: `AWSLogs/${ACCOUNT}/vpcflowlogs/${REGION}/2026/11/01/00`,
  hive: `AWSLogs/aws-account-id=${ACCOUNT}/aws-service=vpcflowlogs/aws-region=${REGION}/year=2026/month=11/day=01`,
  'hive-hourly': `AWSLogs/aws-account-id=${ACCOUNT}/aws-service=vpcflowlogs/aws-region=${REGION}/year=2026/month=11/day=01/hour=00`,
};

const LAYOUTS = Object.keys(FOLDERS) as FlowLogKeyLayout[];
const PREFIXES = ['', 'flow-logs', 'team a/vpc/prod', 'x=1/AWSLogsArchive'];
const FORMATS = [
  ['.log.gz', 'text'],
  ['.log.parquet', 'parquet'],
] as const;

const cases = LAYOUTS.flatMap((layout) =>
  PREFIXES.flatMap((prefix) =>
    FORMATS.map(([suffix, fileFormat]) => ({
      layout,
      prefix,
      suffix,
      fileFormat,
      key: `${prefix === '' ? '' : `${prefix}/`}${FOLDERS[layout]}/${FILE}${suffix}`,
    }))
  )
);

describe('classifyFlowLogKey', () => {
  it.each(cases)(
    'reads the $layout layout with prefix "$prefix" and $suffix',
    ({ key, layout, prefix, fileFormat }) => {
      // Act
      const result = classifyFlowLogKey(key);
      // Assess
      expect(result).toEqual({
        kind: 'flow-log',
        layout,
        prefix,
        accountId: ACCOUNT,
        region: REGION,
        fileFormat,
      });
    }
  );

  it('reads the documented example file name and other regions', () => {
    // Prepare
    const keys = [
      'AWSLogs/123456789012/vpcflowlogs/us-east-1/2018/06/20/123456789012_vpcflowlogs_us-east-1_fl-1234abcd_20180620T1620Z_fe123456.log.gz',
      'AWSLogs/210987654321/vpcflowlogs/us-gov-west-1/2024/02/29/23/210987654321_vpcflowlogs_us-gov-west-1_fl-0a1b2c3d4e5f60718_20240229T2355Z_0c9d8e7f.log.gz',
    ];
    // Act
    const results = keys.map(classifyFlowLogKey);
    // Assess
    expect(results.map((r) => r.kind)).toEqual(['flow-log', 'flow-log']);
  });

  it.each([
    [
      'a key outside AWSLogs/',
      `logs/${ACCOUNT}/${FILE}.log.gz`,
      /not under an AWSLogs\/ folder/,
    ],
    [
      'AWSLogs inside a folder name',
      `myAWSLogs/${FOLDERS.default.slice(8)}/${FILE}.log.gz`,
      /not under an AWSLogs\//,
    ],
    ['an empty key', '', /not under an AWSLogs\//],
    [
      'too few folders',
      `AWSLogs/${ACCOUNT}/vpcflowlogs/${REGION}/${FILE}.log.gz`,
      /3 folders under AWSLogs\/; VPC Flow Logs use 6 or 7/,
    ],
    ['too many folders', `${FOLDERS.hourly}/extra/${FILE}.log.gz`, /8 folders/],
    [
      'another service',
      `AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/2026/11/01/${ACCOUNT}_CloudTrail_${REGION}_20261101T0010Z_a.json.gz`,
      /service "CloudTrail" is not vpcflowlogs/,
    ],
    [
      'another Hive service',
      `${FOLDERS.hive.replace('=vpcflowlogs', '=elasticloadbalancing')}/${FILE}.log.gz`,
      /service "elasticloadbalancing" is not vpcflowlogs/,
    ],
    [
      'an 11-digit account',
      `${FOLDERS.default.replace(ACCOUNT, '12345678901')}/${FILE}.log.gz`,
      /account id "12345678901" is not 12 digits/,
    ],
    [
      'a malformed region',
      `${FOLDERS.default.replace(REGION, 'US_EAST_1')}/${FILE}.log.gz`,
      /region "US_EAST_1" is not a region code/,
    ],
    [
      'a two-digit year',
      `${FOLDERS.default.replace('2026', '26')}/${FILE}.log.gz`,
      /year "26" is not yyyy/,
    ],
    [
      'month 13',
      `${FOLDERS.default.replace('/11/', '/13/')}/${FILE}.log.gz`,
      /month "13" is not a month/,
    ],
    [
      'a one-digit day',
      `${FOLDERS.default.replace('/01', '/1')}/${FILE}.log.gz`,
      /day "1" is not a day/,
    ],
    [
      'a day the month lacks',
      `${FOLDERS.default.replace('/11/01', '/02/29')}/${FILE}.log.gz`,
      /no such date 2026-02-29/,
    ],
    [
      'hour 24',
      `${FOLDERS.hourly.replace(/00$/, '24')}/${FILE}.log.gz`,
      /hour "24" is not an hour/,
    ],
    [
      'a Hive folder without its label',
      `${FOLDERS.hive.replace('month=11', '11')}/${FILE}.log.gz`,
      /expected month=\.\.\. for the month, got "11"/,
    ],
    [
      'a mixed layout',
      `AWSLogs/aws-account-id=${ACCOUNT}/vpcflowlogs/${REGION}/2026/11/01/${FILE}.log.gz`,
      /expected aws-service=\.\.\. for the service/,
    ],
    [
      'another suffix',
      `${FOLDERS.default}/${FILE}.log`,
      /is not a \.log\.gz or \.log\.parquet file/,
    ],
    [
      'a folder marker',
      `${FOLDERS.default}/`,
      /"" is not a \.log\.gz or \.log\.parquet file/,
    ],
    [
      'a gzip that is not a flow-log file',
      `${FOLDERS.default}/notes.log.gz`,
      /"notes\.log\.gz" is not a flow-log file name/,
    ],
    [
      'a file name without the flow log id',
      `${FOLDERS.default}/${ACCOUNT}_vpcflowlogs_${REGION}_20261101T0010Z_3f2a9c1e.log.gz`,
      /is not a flow-log file name/,
    ],
    [
      'a file of another account',
      `${FOLDERS.default}/${FILE.replace(ACCOUNT, '999999999999')}.log.gz`,
      /account or region in the file name differs/,
    ],
    [
      'a file of another region',
      `${FOLDERS.default}/${FILE.replace(REGION, 'eu-west-1')}.log.gz`,
      /account or region in the file name differs/,
    ],
  ])('skips %s', (_name, key, reason) => {
    // Act
    const result = classifyFlowLogKey(key);
    // Assess
    expect(result.kind).toBe('skip');
    expect(result.kind === 'skip' ? result.reason : '').toMatch(reason);
  });

  it('never throws, and skips with a reason whenever it does not classify', () => {
    const segment = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom(
        'AWSLogs',
        ACCOUNT,
        'vpcflowlogs',
        REGION,
        '2026',
        '02',
        '30',
        'hour=23',
        `${FILE}.log.gz`
      )
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.array(segment, { maxLength: 10 }).map((parts) => parts.join('/'))
        ),
        (key) => {
          // Act
          const result = classifyFlowLogKey(key);
          // Assess
          expect(result.kind === 'flow-log' || result.reason.length > 0).toBe(
            true
          );
        }
      )
    );
  });
});
