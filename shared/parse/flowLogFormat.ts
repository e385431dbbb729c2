import { FormatError } from '../errors.js';
import type { FieldSpec, FieldType, FlowLogFormat } from '../types.js';

/**
 * Every VPC Flow Logs field, one row each: name, version, type. Integer
 * fields are the ones AWS types INT_32/INT_64 in Parquet; the rest are text.
 * Transit Gateway fields (version 6) are listed so that such logs are
 * recognised rather than half-parsed.
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html
 * @see https://docs.aws.amazon.com/vpc/latest/tgw/tgw-flow-logs.html
 */
const FIELD_CATALOGUE: readonly (readonly [string, number, FieldType])[] = [
  ['version', 2, 'integer'],
  ['account-id', 2, 'string'],
  ['interface-id', 2, 'string'],
  ['srcaddr', 2, 'string'],
  ['dstaddr', 2, 'string'],
  ['srcport', 2, 'integer'],
  ['dstport', 2, 'integer'],
  ['protocol', 2, 'integer'],
  ['packets', 2, 'integer'],
  ['bytes', 2, 'integer'],
  ['start', 2, 'integer'],
  ['end', 2, 'integer'],
  ['action', 2, 'string'],
  ['log-status', 2, 'string'],
  ['vpc-id', 3, 'string'],
  ['subnet-id', 3, 'string'],
  ['instance-id', 3, 'string'],
  ['tcp-flags', 3, 'integer'],
  ['type', 3, 'string'],
  ['pkt-srcaddr', 3, 'string'],
  ['pkt-dstaddr', 3, 'string'],
  ['region', 4, 'string'],
  ['az-id', 4, 'string'],
  ['sublocation-type', 4, 'string'],
  ['sublocation-id', 4, 'string'],
  ['pkt-src-aws-service', 5, 'string'],
  ['pkt-dst-aws-service', 5, 'string'],
  ['flow-direction', 5, 'string'],
  ['traffic-path', 5, 'integer'],
  ['resource-type', 6, 'string'],
  ['tgw-id', 6, 'string'],
  ['tgw-attachment-id', 6, 'string'],
  ['tgw-src-vpc-account-id', 6, 'string'],
  ['tgw-dst-vpc-account-id', 6, 'string'],
  ['tgw-src-vpc-id', 6, 'string'],
  ['tgw-dst-vpc-id', 6, 'string'],
  ['tgw-src-subnet-id', 6, 'string'],
  ['tgw-dst-subnet-id', 6, 'string'],
  ['tgw-src-eni', 6, 'string'],
  ['tgw-dst-eni', 6, 'string'],
  ['tgw-src-az-id', 6, 'string'],
  ['tgw-dst-az-id', 6, 'string'],
  ['tgw-pair-attachment-id', 6, 'string'],
  ['packets-lost-no-route', 6, 'integer'],
  ['packets-lost-blackhole', 6, 'integer'],
  ['packets-lost-mtu-exceeded', 6, 'integer'],
  ['packets-lost-ttl-expired', 6, 'integer'],
  ['ecs-cluster-arn', 7, 'string'],
  ['ecs-cluster-name', 7, 'string'],
  ['ecs-container-instance-arn', 7, 'string'],
  ['ecs-container-instance-id', 7, 'string'],
  ['ecs-container-id', 7, 'string'],
  ['ecs-second-container-id', 7, 'string'],
  ['ecs-service-name', 7, 'string'],
  ['ecs-task-definition-arn', 7, 'string'],
  ['ecs-task-arn', 7, 'string'],
  ['ecs-task-id', 7, 'string'],
  ['reject-reason', 8, 'string'],
  ['resource-id', 9, 'string'],
  ['encryption-status', 10, 'integer'],
  ['instance-tag', 11, 'string'],
  ['instance-tag-2', 11, 'string'],
  ['interface-tag', 11, 'string'],
  ['interface-tag-2', 11, 'string'],
  ['asg-tag', 11, 'string'],
  ['asg-tag-2', 11, 'string'],
  ['interface-type', 11, 'string'],
  ['next-hop-interface-id', 11, 'string'],
  ['next-hop-subnet-id', 11, 'string'],
  ['next-hop-az-id', 11, 'string'],
  ['next-hop-vpc-id', 11, 'string'],
  ['next-hop-interface-type', 11, 'string'],
];

/** Field names that only Transit Gateway flow logs carry. */
const TGW_ONLY_FIELD = /^(tgw-|packets-lost-|resource-type$)/;

const toKey = (name: string): string =>
  name.replace(/[-_]([a-z0-9])/g, (_, c: string) => c.toUpperCase());

const CATALOGUE = new Map<string, FieldSpec>();
for (const [name, version, type] of FIELD_CATALOGUE) {
  if (!CATALOGUE.has(name)) {
    CATALOGUE.set(name, {
      name,
      key: toKey(name),
      type,
      version,
      isKnown: true,
    });
  }
}

/** The default (version 2) format, as AWS writes it. */
const DEFAULT_FORMAT_STRING =
  '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}';

const FIELD_NAME = /^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$/;

/**
 * Builds a format from field names in order. An unknown name becomes a string
 * field (AWS keeps adding fields); Parquet-style underscores are accepted.
 * Throws `FormatError` for no fields, a repeated field or a malformed name.
 */
function formatFromFieldNames(names: readonly string[]): FlowLogFormat {
  if (names.length === 0) {
    throw new FormatError('a flow-log format needs at least one field');
  }
  const seen = new Set<string>();
  const keys = new Map<string, string>();
  const fields = names.map((raw): FieldSpec => {
    const name = raw.replace(/_/g, '-');
    if (!FIELD_NAME.test(name)) {
      throw new FormatError(`"${raw}" is not a flow-log field name`);
    }
    if (seen.has(name)) {
      throw new FormatError(`field "${name}" appears twice in the format`);
    }
    seen.add(name);
    const field = CATALOGUE.get(name) ?? {
      name,
      key: toKey(name),
      type: 'string',
      version: 0,
      isKnown: false,
    };
    const clash = keys.get(field.key);
    if (clash !== undefined) {
      throw new FormatError(
        `fields "${clash}" and "${name}" cannot both appear in one format`
      );
    }
    keys.set(field.key, name);
    return field;
  });
  const hasEni = seen.has('interface-id');
  return {
    fields,
    // As the file writes it (Parquet-style names keep their underscores),
    // so that a repeated header line is recognised.
    header: names.join(' '),
    isTransitGateway:
      !hasEni && fields.some((field) => TGW_ONLY_FIELD.test(field.name)),
  };
}

/**
 * Reads the header line of an S3 flow-log file (`version account-id ...`).
 * Throws `FormatError` when the line is not a list of field names.
 */
function formatFromHeader(line: string): FlowLogFormat {
  return formatFromFieldNames(line.trim().split(' '));
}

/**
 * Reads a `${version} ${account-id} ...` format string, as given to
 * CreateFlowLogs. Throws `FormatError` naming the first bad token.
 * @example formatFromString('${interface-id} ${start} ${end} ${bytes}')
 */
function formatFromString(format: string): FlowLogFormat {
  const tokens = format.trim().split(/\s+/).filter(Boolean);
  const names = tokens.map((token) => {
    const match = /^\$\{([^}]+)\}$/.exec(token);
    if (!match?.[1]) {
      throw new FormatError(
        `format token "${token}" is not of the form \${field-name}`
      );
    }
    return match[1];
  });
  return formatFromFieldNames(names);
}

/** Named formats for the CLI: v2 (default), v5 (all fields to v5), v11 (all VPC fields). */
const NAMED_FORMATS: Readonly<Record<string, readonly string[]>> = {
  v2: [...CATALOGUE.values()].filter((f) => f.version === 2).map((f) => f.name),
  v5: [...CATALOGUE.values()]
    .filter((f) => f.version <= 5 && f.version !== 6)
    .map((f) => f.name),
  v11: [...CATALOGUE.values()]
    .filter((f) => f.version !== 6)
    .map((f) => f.name),
};

/**
 * Resolves a CLI/config format: `v2`, `v5`, `v11`, a `${...}` format string,
 * or a header line that names at least one known field. Throws
 * `FormatError` for anything else (a typo such as `v3` is not a header).
 */
function resolveFormat(spec: string): FlowLogFormat {
  if (Object.hasOwn(NAMED_FORMATS, spec)) {
    return formatFromFieldNames(NAMED_FORMATS[spec] ?? []);
  }
  if (spec.includes('${')) return formatFromString(spec);
  if (!isHeaderLine(spec)) {
    throw new FormatError(
      `"${spec}" is not v2, v5, v11, a \${...} format string or a header line of flow-log fields`
    );
  }
  return formatFromHeader(spec);
}

/** The default version 2 format. */
const DEFAULT_FORMAT: FlowLogFormat = formatFromString(DEFAULT_FORMAT_STRING);

/**
 * True when a line looks like a header: every token a field name and at least
 * one a field we know. Values never pass: they hold digits first, `-`, or dots.
 */
function isHeaderLine(line: string): boolean {
  const tokens = line.trim().split(' ');
  return (
    tokens.every((token) => FIELD_NAME.test(token.replace(/_/g, '-'))) &&
    tokens.some((token) => CATALOGUE.has(token.replace(/_/g, '-')))
  );
}

/**
 * The flow-log format of a columnar file's columns (Parquet: underscore
 * names), in order. Throws `FormatError` (naming `label`) when the columns
 * are not flow-log fields or lack the ones a rollup needs (`start`, `end`,
 * and `interface_id` or `resource_id` unless it is a Transit Gateway log).
 */
function formatFromColumnNames(
  names: readonly string[],
  label: string
): FlowLogFormat {
  let format: FlowLogFormat;
  try {
    format = formatFromFieldNames(names);
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    throw new FormatError(
      `${label}: not a flow-log Parquet file (${error.message})`,
      { cause: error }
    );
  }
  if (!format.fields.some((field) => field.isKnown)) {
    throw new FormatError(
      `${label}: not a flow-log Parquet file: no column is a flow-log field (columns: ${names.join(', ')})`
    );
  }
  const has = new Set(format.fields.map((field) => field.name));
  const missing = ['start', 'end']
    .filter((name) => !has.has(name))
    .map((name) => name.replace(/-/g, '_'));
  // A Transit Gateway log has no ENI column by design: its format says so
  // and the pipeline reports it as not per ENI rather than failing it.
  if (
    !has.has('interface-id') &&
    !has.has('resource-id') &&
    !format.isTransitGateway
  ) {
    missing.unshift('interface_id (or resource_id)');
  }
  if (missing.length > 0) {
    throw new FormatError(
      `${label}: not a flow-log Parquet file: no ${missing.join(', ')} column`
    );
  }
  return format;
}

export {
  DEFAULT_FORMAT,
  DEFAULT_FORMAT_STRING,
  FIELD_CATALOGUE,
  formatFromColumnNames,
  formatFromFieldNames,
  formatFromHeader,
  formatFromString,
  isHeaderLine,
  resolveFormat,
};
