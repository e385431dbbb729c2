/**
 * The local stand-in for EC2's describe calls (there is no EC2 emulator):
 * the sample's ENIs, as DescribeNetworkInterfaces would list them in a
 * realistic VPC: instances with Name tags (one without any), a load
 * balancer, a NAT gateway, Lambda and EKS pod interfaces and a VPC
 * endpoint, in two VPCs and four subnets. `npm start` feeds it to the
 * real catalog refresh. Ids and addresses are the generator's, so the
 * sample's records find their ENIs; the database instance also holds
 * 10.0.3.21 and 10.0.6.42, busy peers in the sample (the second one of
 * the busiest ENI), so talkers get a name.
 */
import type { Ec2NetworkInterface } from '../../shared/catalog/catalogEntry.js';
import {
  enisOfSample,
  type GeneratedEni,
} from '../../shared/generate/generateFlowLogLines.js';
import type { CatalogSource } from '../../shared/source/ec2Catalog.js';

const ACCOUNT = '123456789012';
const VPCS = ['vpc-0a1b2c3d4e5f60718', 'vpc-0f9e8d7c6b5a40718'] as const;
const SUBNETS = [
  ['subnet-0a1b2c3d4e5f60001', 'us-east-1a', VPCS[0]],
  ['subnet-0a1b2c3d4e5f60002', 'us-east-1b', VPCS[0]],
  ['subnet-0a1b2c3d4e5f60003', 'us-east-1a', VPCS[0]],
  ['subnet-0f9e8d7c6b5a40004', 'us-east-1c', VPCS[1]],
] as const;

/** What each sample ENI is, in order; the pattern repeats past twelve. */
interface Role {
  readonly type: string;
  readonly description: string;
  readonly instanceName?: string | null;
  readonly ownName?: string;
  readonly groups: readonly (readonly [string, string])[];
  readonly subnet: number;
  readonly extraAddresses?: readonly string[];
  readonly publicIp?: string;
}

const WEB = ['sg-0a1b2c3d4e5f60101', 'web-sg'] as const;
const DB = ['sg-0a1b2c3d4e5f60102', 'db-sg'] as const;
const APP = ['sg-0a1b2c3d4e5f60103', 'app-sg'] as const;
const EKS = ['sg-0a1b2c3d4e5f60104', 'eks-cluster-sg-prod'] as const;

const ROLES: readonly Role[] = [
  {
    type: 'interface',
    description: '',
    instanceName: 'web-1',
    groups: [WEB],
    subnet: 0,
  },
  {
    type: 'interface',
    description: '',
    instanceName: 'db-primary',
    groups: [DB],
    subnet: 2,
    extraAddresses: ['10.0.3.21', '10.0.6.42'],
  },
  {
    type: 'interface',
    description: 'ELB app/web-prod/50dc6c495c0c9188',
    groups: [WEB],
    subnet: 0,
  },
  {
    type: 'nat_gateway',
    description: 'Interface for NAT Gateway nat-0a1b2c3d4e5f60901',
    groups: [],
    subnet: 1,
    publicIp: '203.0.113.25',
  },
  {
    type: 'lambda',
    description:
      'AWS Lambda VPC ENI-orders-6f0c2d1e-8a4b-4c3d-9e2f-1a7b5c9d0e34',
    groups: [APP],
    subnet: 2,
  },
  {
    type: 'interface',
    description: 'aws-K8S-i-0123456789abcdef4',
    instanceName: 'eks-node-a',
    groups: [EKS],
    subnet: 3,
  },
  {
    type: 'vpc_endpoint',
    description: 'VPC Endpoint Interface vpce-0f9e8d7c6b5a40b01',
    groups: [APP],
    subnet: 3,
  },
  {
    type: 'interface',
    description: '',
    instanceName: null,
    groups: [APP],
    subnet: 1,
  },
  {
    type: 'branch',
    description: 'aws-k8s-branch-eni',
    groups: [EKS],
    subnet: 3,
  },
  {
    type: 'lambda',
    description:
      'AWS Lambda VPC ENI-report-builder-0b7e4f2a-3c1d-4e5f-8a9b-c0d1e2f3a4b5',
    groups: [APP],
    subnet: 2,
  },
  {
    type: 'interface',
    description: '',
    instanceName: 'bastion',
    groups: [WEB],
    subnet: 0,
  },
  {
    type: 'interface',
    description: 'Floating address for db failover',
    ownName: 'db-failover-vip',
    groups: [DB],
    subnet: 2,
  },
];

/** One sample ENI as EC2 describes it. */
function describe(eni: GeneratedEni, index: number): Ec2NetworkInterface {
  const role = ROLES[index % ROLES.length] as Role;
  const [subnetId, zone, vpcId] = SUBNETS[
    role.subnet
  ] as (typeof SUBNETS)[number];
  const hasInstance = role.instanceName !== undefined && eni.instance !== '-';
  return {
    NetworkInterfaceId: eni.id,
    VpcId: vpcId,
    SubnetId: subnetId,
    AvailabilityZone: zone,
    InterfaceType: role.type,
    Description: role.description,
    OwnerId: ACCOUNT,
    RequesterManaged:
      role.type === 'nat_gateway' || role.type === 'vpc_endpoint',
    ...(hasInstance ? { Attachment: { InstanceId: eni.instance } } : {}),
    Groups: role.groups.map(([GroupId, GroupName]) => ({ GroupId, GroupName })),
    PrivateIpAddress: eni.ipv4,
    PrivateIpAddresses: [eni.ipv4, ...(role.extraAddresses ?? [])].map(
      (address, k) => ({
        PrivateIpAddress: address,
        ...(k === 0 && role.publicIp
          ? { Association: { PublicIp: role.publicIp } }
          : {}),
      })
    ),
    Ipv6Addresses: [{ Ipv6Address: eni.ipv6 }],
    ...(role.publicIp ? { Association: { PublicIp: role.publicIp } } : {}),
    TagSet: role.ownName ? [{ Key: 'Name', Value: role.ownName }] : [],
  };
}

/** The catalog source of the sample's `count` ENIs (generator `seed`). */
function sampleCatalogSource(seed: number, count: number): CatalogSource {
  const enis = enisOfSample(seed, count);
  const described = enis.map(describe);
  const names = new Map<string, string>();
  enis.forEach((eni, index) => {
    const name = (ROLES[index % ROLES.length] as Role).instanceName;
    if (name && eni.instance !== '-') names.set(eni.instance, name);
  });
  return {
    async *networkInterfaces() {
      yield described;
    },
    instanceNames: async (ids) =>
      new Map([...names].filter(([id]) => ids.includes(id))),
  };
}

/** The sample's main VPC (eight of its twelve ENIs). */
const SAMPLE_VPC = VPCS[0];

export { SAMPLE_VPC, sampleCatalogSource };
