import { createHash } from 'node:crypto';

/**
 * The ENI catalog's facts about one network interface, as EC2 describes it
 * (`DescribeNetworkInterfaces`, plus the instance's Name tag from
 * `DescribeInstances`), and the name derived from them for people.
 * Pure: no I/O, no clock (`nowSeconds` is passed in).
 */

/** A tag as EC2 gives it. */
interface Ec2Tag {
  readonly Key?: string;
  readonly Value?: string;
}

/**
 * The fields of EC2's `NetworkInterface` that the catalog reads (a subset,
 * so the SDK's type fits). `InterfaceType` is an open string: the service
 * sends values the SDK's enum lacks (`nat_gateway`, `efs`).
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_NetworkInterface.html
 */
interface Ec2NetworkInterface {
  readonly NetworkInterfaceId?: string;
  readonly VpcId?: string;
  readonly SubnetId?: string;
  readonly AvailabilityZone?: string;
  readonly InterfaceType?: string;
  readonly Description?: string;
  readonly RequesterId?: string;
  readonly RequesterManaged?: boolean;
  readonly OwnerId?: string;
  readonly Attachment?: { readonly InstanceId?: string };
  readonly Groups?: readonly {
    readonly GroupId?: string;
    readonly GroupName?: string;
  }[];
  readonly PrivateIpAddress?: string;
  readonly PrivateIpAddresses?: readonly {
    readonly PrivateIpAddress?: string;
    readonly Association?: { readonly PublicIp?: string };
  }[];
  readonly Ipv6Addresses?: readonly { readonly Ipv6Address?: string }[];
  readonly Association?: { readonly PublicIp?: string };
  readonly TagSet?: readonly Ec2Tag[];
}

/** A security group of an ENI. */
interface SecurityGroupRef {
  readonly id: string;
  readonly name: string | null;
}

/** What the catalog knows about one ENI. */
interface CatalogEntry {
  readonly interfaceId: string;
  /** For people: a Name tag, the instance's Name tag, or the description made short. */
  readonly name: string | null;
  readonly interfaceType: string | null;
  readonly description: string | null;
  readonly vpcId: string | null;
  readonly subnetId: string | null;
  readonly availabilityZone: string | null;
  readonly accountId: string | null;
  readonly requesterId: string | null;
  readonly requesterManaged: boolean;
  readonly instanceId: string | null;
  readonly instanceName: string | null;
  readonly securityGroups: readonly SecurityGroupRef[];
  /** Private IPv4 and IPv6 addresses, primary first. */
  readonly privateAddresses: readonly string[];
  readonly publicAddresses: readonly string[];
  /** The ENI's own tags (not the instance's). */
  readonly tags: Readonly<Record<string, string>>;
}

/** A catalog entry as stored: when it was last seen, and gone since when. */
interface CatalogRecord extends CatalogEntry {
  readonly lastSeen: number;
  readonly deletedAt: number | null;
}

/** The short form the API attaches wherever it names an ENI. */
interface CatalogSummary {
  readonly name: string | null;
  readonly interfaceType: string | null;
  readonly description: string | null;
  readonly vpcId: string | null;
  readonly subnetId: string | null;
  readonly instanceId: string | null;
  readonly securityGroups: readonly SecurityGroupRef[];
  /** Present when EC2 no longer lists the ENI (epoch seconds). */
  readonly deletedAt?: number;
}

/** Longest name kept (descriptions may be up to 255 characters). */
const MAX_NAME_LENGTH = 64;
const UUID_TAIL =
  /-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Short forms of the descriptions AWS services write on the ENIs they
 * create (first match wins). Each returns null to fall through.
 */
const DESCRIPTION_NAMES: readonly [
  RegExp,
  (match: RegExpExecArray) => string,
][] = [
  [/^Interface for NAT Gateway (nat-[0-9a-f]+)/, (m) => `NAT gateway ${m[1]}`],
  [
    /^AWS Lambda VPC ENI[-:]\s*(.+)$/,
    (m) => `Lambda ${(m[1] as string).replace(UUID_TAIL, '')}`,
  ],
  [/^ELB ((?:app|net|gwy)\/[^/]+)\//, (m) => `ELB ${m[1]}`],
  [/^ELB ([^/\s]+)$/, (m) => `ELB ${m[1]}`],
  [
    /^VPC Endpoint Interface:?\s*(vpce-[0-9a-f]+)/,
    (m) => `VPC endpoint ${m[1]}`,
  ],
  [/^aws-K8S-(i-[0-9a-f]+)/, (m) => `EKS pods on ${m[1]}`],
  [/^aws-k8s-branch-eni/, () => 'EKS pod (branch ENI)'],
  [/^aws-k8s-trunk-eni/, () => 'EKS trunk'],
  [/^Amazon EKS (\S+)/, (m) => `EKS control plane ${m[1]}`],
  [
    /^Network Interface for Transit Gateway Attachment (tgw-attach-[0-9a-f]+)/,
    (m) => `Transit gateway ${m[1]}`,
  ],
  [/^EFS mount target for (fs-[0-9a-f]+)/, (m) => `EFS ${m[1]}`],
  [/^RDSNetworkInterface$/, () => 'RDS'],
  [/^arn:aws[\w-]*:ecs:[^:]*:\d*:attachment\//, () => 'ECS task'],
];

/**
 * A label's control characters (C0, DEL and C1) become spaces; a long one
 * is cut at a code point, never inside a surrogate pair.
 */
function cleanText(text: string | undefined): string | null {
  if (text === undefined) return null;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  if (clean === '') return null;
  const points = Array.from(clean);
  return points.length > MAX_NAME_LENGTH
    ? `${points.slice(0, MAX_NAME_LENGTH - 1).join('')}…`
    : clean;
}

/** The value of the `Name` tag, if any. */
const nameTag = (tags: readonly Ec2Tag[] | undefined): string | undefined =>
  tags?.find((tag) => tag.Key === 'Name')?.Value;

/**
 * The name people see: the ENI's Name tag, else its instance's Name tag,
 * else a short form of the description a service wrote ("NAT gateway
 * nat-…", "Lambda orders", "ELB app/web-prod"), else the description
 * itself, else null. Control characters never reach it.
 */
function nameOf(
  eni: Ec2NetworkInterface,
  instanceName: string | null
): string | null {
  const own = cleanText(nameTag(eni.TagSet));
  if (own !== null) return own;
  if (instanceName !== null) return instanceName;
  const description = eni.Description?.trim() ?? '';
  for (const [pattern, name] of DESCRIPTION_NAMES) {
    const match = pattern.exec(description);
    if (match) return cleanText(name(match));
  }
  return cleanText(description);
}

const present = (values: readonly (string | undefined)[]): string[] => [
  ...new Set(values.filter((value): value is string => !!value)),
];

/**
 * The catalog entry of one described ENI. `instanceNames` maps instance
 * ids to their Name tags (an instance without one is absent). Returns
 * null for an ENI without an id (nothing to key it by).
 */
function toCatalogEntry(
  eni: Ec2NetworkInterface,
  instanceNames: ReadonlyMap<string, string>
): CatalogEntry | null {
  const interfaceId = eni.NetworkInterfaceId;
  if (!interfaceId) return null;
  const instanceId = eni.Attachment?.InstanceId ?? null;
  const instanceName =
    instanceId === null ? null : cleanText(instanceNames.get(instanceId));
  // Sorted by key: the fingerprint must not depend on EC2's order.
  const tags: Record<string, string> = {};
  const sorted = (eni.TagSet ?? [])
    .filter((tag) => tag.Key !== undefined)
    .sort((a, b) => ((a.Key as string) < (b.Key as string) ? -1 : 1));
  for (const { Key, Value } of sorted) tags[Key as string] = Value ?? '';
  return {
    interfaceId,
    name: nameOf(eni, instanceName),
    interfaceType: eni.InterfaceType ?? null,
    description: eni.Description ? eni.Description : null,
    vpcId: eni.VpcId ?? null,
    subnetId: eni.SubnetId ?? null,
    availabilityZone: eni.AvailabilityZone ?? null,
    accountId: eni.OwnerId ?? null,
    requesterId: eni.RequesterId ?? null,
    requesterManaged: eni.RequesterManaged ?? false,
    instanceId,
    instanceName,
    securityGroups: (eni.Groups ?? [])
      .filter((group) => group.GroupId)
      .map((group) => ({
        id: group.GroupId as string,
        name: group.GroupName ?? null,
      })),
    privateAddresses: present([
      eni.PrivateIpAddress,
      ...(eni.PrivateIpAddresses ?? []).map((a) => a.PrivateIpAddress),
      ...(eni.Ipv6Addresses ?? []).map((a) => a.Ipv6Address),
    ]),
    publicAddresses: present([
      eni.Association?.PublicIp,
      ...(eni.PrivateIpAddresses ?? []).map((a) => a.Association?.PublicIp),
    ]),
    tags,
  };
}

/** The instance ids the entries of `enis` need Name tags for. */
const instanceIdsOf = (enis: readonly Ec2NetworkInterface[]): string[] =>
  present(enis.map((eni) => eni.Attachment?.InstanceId));

/**
 * A fingerprint of an entry's facts (the entry's JSON, whose key order
 * toCatalogEntry fixes, hashed): the refresh writes an entry only when its
 * fingerprint changed.
 */
const fingerprintOf = (entry: CatalogEntry): string =>
  createHash('sha256')
    .update(JSON.stringify(entry))
    .digest('base64url')
    .slice(0, 16);

/** The short form of a record that API responses carry. */
function summaryOf(record: CatalogRecord): CatalogSummary {
  return {
    name: record.name,
    interfaceType: record.interfaceType,
    description: record.description,
    vpcId: record.vpcId,
    subnetId: record.subnetId,
    instanceId: record.instanceId,
    securityGroups: record.securityGroups,
    ...(record.deletedAt === null ? {} : { deletedAt: record.deletedAt }),
  };
}

export type {
  CatalogEntry,
  CatalogRecord,
  CatalogSummary,
  Ec2NetworkInterface,
  SecurityGroupRef,
};
export { fingerprintOf, instanceIdsOf, nameOf, summaryOf, toCatalogEntry };
