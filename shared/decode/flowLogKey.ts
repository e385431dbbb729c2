import type { FlowLogKey, FlowLogKeyLayout } from '../types.js';

/**
 * One folder level under `AWSLogs/`: its name in reasons, the `name=` label
 * it carries in the Hive layouts, the values it accepts and what they are.
 */
type FolderRule = readonly [
  name: string,
  hiveLabel: string,
  pattern: RegExp,
  expected: string,
];

/** The folders in order; the hour exists only in the hourly layouts. */
const FOLDERS: readonly FolderRule[] = [
  ['account id', 'aws-account-id=', /^\d{12}$/, '12 digits'],
  ['service', 'aws-service=', /^vpcflowlogs$/, 'vpcflowlogs'],
  // us-east-1, us-gov-west-1, eu-isoe-west-1, cn-north-1, ...
  ['region', 'aws-region=', /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/, 'a region code'],
  ['year', 'year=', /^\d{4}$/, 'yyyy'],
  ['month', 'month=', /^(?:0[1-9]|1[0-2])$/, 'a month (01-12)'],
  ['day', 'day=', /^(?:0[1-9]|[12]\d|3[01])$/, 'a day (01-31)'],
  ['hour', 'hour=', /^(?:[01]\d|2[0-3])$/, 'an hour (00-23)'],
];

const DAILY = FOLDERS.slice(0, 6);
const HOURLY = FOLDERS;

/**
 * The four S3 layouts of VPC Flow Logs, after `[prefix/]AWSLogs/`:
 * - default     `{account}/vpcflowlogs/{region}/yyyy/mm/dd/{file}`
 * - hourly      `{account}/vpcflowlogs/{region}/yyyy/mm/dd/HH/{file}`
 * - hive        `aws-account-id={account}/aws-service=vpcflowlogs/aws-region={region}/year=yyyy/month=mm/day=dd/{file}`
 * - hive-hourly the same with `hour=HH/` before the file.
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3-path.html
 */
const LAYOUTS: readonly {
  readonly layout: FlowLogKeyLayout;
  readonly isHive: boolean;
  readonly folders: readonly FolderRule[];
}[] = [
  { layout: 'default', isHive: false, folders: DAILY },
  { layout: 'hourly', isHive: false, folders: HOURLY },
  { layout: 'hive', isHive: true, folders: DAILY },
  { layout: 'hive-hourly', isHive: true, folders: HOURLY },
];

/**
 * `aws_account_id_vpcflowlogs_region_flow_log_id_YYYYMMDDTHHmmZ_hash` plus
 * `.log.gz` (text) or `.log.parquet`, as in
 * `123456789012_vpcflowlogs_us-east-1_fl-1234abcd_20180620T1620Z_fe123456.log.gz`.
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3-path.html
 */
const FILE_NAME =
  /^(?<account>\d{12})_vpcflowlogs_(?<region>[a-z0-9-]+)_fl-[0-9a-z]+_\d{8}T\d{4}Z_[0-9A-Za-z]+\.log\.(?:gz|parquet)$/;

const FILE_FORMATS: readonly (readonly [string, 'text' | 'parquet'])[] = [
  ['.log.gz', 'text'],
  ['.log.parquet', 'parquet'],
];

const AWS_LOGS = 'AWSLogs/';

const skip = (reason: string): FlowLogKey => ({ kind: 'skip', reason });

const quote = (text: string): string =>
  JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text);

const isRealDate = (year: string, month: string, day: string): boolean => {
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  return date.getUTCDate() === Number(day);
};

/**
 * Says whether an S3 key names a file VPC Flow Logs delivered, and how: its
 * layout (default, hourly, Hive, Hive hourly), the user's prefix before
 * `AWSLogs/` (without its trailing slash; '' when none), account, region and
 * file format (`.log.gz` text, `.log.parquet` Parquet). Never throws: any
 * other key (another service, a malformed folder, another file name or
 * suffix) gives `{ kind: 'skip', reason }` with a short reason. Pass the key
 * already URL-decoded.
 * @example
 * ```ts
 * classifyFlowLogKey(
 *   'AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/01/' +
 *     '123456789012_vpcflowlogs_us-east-1_fl-0123456789abcdef0_20261101T0010Z_3f2a9c1e.log.gz'
 * );
 * // { kind: 'flow-log', layout: 'default', prefix: '',
 * //   accountId: '123456789012', region: 'us-east-1', fileFormat: 'text' }
 * ```
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3-path.html
 */
function classifyFlowLogKey(key: string): FlowLogKey {
  // AWS reserves AWSLogs: a user prefix cannot hold a folder of that name.
  const root = key.startsWith(AWS_LOGS) ? 0 : key.indexOf(`/${AWS_LOGS}`) + 1;
  if (root === 0 && !key.startsWith(AWS_LOGS)) {
    return skip(`not under an ${AWS_LOGS} folder`);
  }
  const prefix = root === 0 ? '' : key.slice(0, root - 1);
  const parts = key.slice(root + AWS_LOGS.length).split('/');
  const file = parts.pop() ?? '';
  const isHive = parts[0]?.startsWith('aws-account-id=') ?? false;
  const match = LAYOUTS.find(
    (entry) => entry.isHive === isHive && entry.folders.length === parts.length
  );
  if (match === undefined) {
    return skip(
      `${parts.length} folders under AWSLogs/; VPC Flow Logs use ${DAILY.length} or ${HOURLY.length}`
    );
  }
  const values: string[] = [];
  for (const [index, rule] of match.folders.entries()) {
    const [name, hiveLabel, pattern, expected] = rule;
    const folder = parts[index] ?? '';
    const label = match.isHive ? hiveLabel : '';
    if (!folder.startsWith(label)) {
      return skip(`expected ${label}... for the ${name}, got ${quote(folder)}`);
    }
    const value = folder.slice(label.length);
    if (!pattern.test(value)) {
      return skip(`${name} ${quote(value)} is not ${expected}`);
    }
    values.push(value);
  }
  const [accountId = '', , region = '', year = '', month = '', day = ''] =
    values;
  if (!isRealDate(year, month, day)) {
    return skip(`no such date ${year}-${month}-${day}`);
  }
  const fileFormat = FILE_FORMATS.find(([suffix]) => file.endsWith(suffix));
  if (fileFormat === undefined) {
    return skip(`${quote(file)} is not a .log.gz or .log.parquet file`);
  }
  const named = FILE_NAME.exec(file)?.groups;
  if (named === undefined) {
    return skip(`${quote(file)} is not a flow-log file name`);
  }
  if (named.account !== accountId || named.region !== region) {
    return skip('account or region in the file name differs from the folders');
  }
  return {
    kind: 'flow-log',
    layout: match.layout,
    prefix,
    accountId,
    region,
    fileFormat: fileFormat[1],
  };
}

export { classifyFlowLogKey };
