import { readFileSync } from 'node:fs';
import type {
  DescribeInstancesCommandOutput,
  DescribeNetworkInterfacesCommandOutput,
} from '@aws-sdk/client-ec2';
import type { Ec2NetworkInterface } from '../../shared/catalog/catalogEntry.js';

/**
 * The EC2 describe outputs of test/fixtures/ec2/, in the SDK v3 output
 * shapes: two DescribeNetworkInterfaces pages (instances, NAT gateway,
 * Lambda, ALB, EKS, VPC endpoint, RDS, a floating ENI) and the
 * DescribeInstances answer for their instances (one without tags; the EKS
 * node is absent). The JSON keeps dates as strings and InterfaceType
 * values the SDK enum lacks (`nat_gateway`): the catalog reads neither
 * dates nor the enum. Each call parses the files afresh.
 */
const FIXTURES = new URL('../fixtures/ec2/', import.meta.url);

const read = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as T;

/** DescribeNetworkInterfaces page 1 (with a NextToken) and page 2 (the last). */
const eniPages = (): [
  DescribeNetworkInterfacesCommandOutput,
  DescribeNetworkInterfacesCommandOutput,
] => [
  read('describe-network-interfaces-page1.json'),
  read('describe-network-interfaces-page2.json'),
];

/** The DescribeInstances answer for every instance the pages name. */
const instancesOutput = (): DescribeInstancesCommandOutput =>
  read('describe-instances.json');

/** Every ENI of both pages, in page order. */
const allEnis = (): Ec2NetworkInterface[] =>
  eniPages().flatMap((page) => page.NetworkInterfaces ?? []);

/** The ENI of the fixture pages with this id; throws when there is none. */
function eniOf(interfaceId: string): Ec2NetworkInterface {
  const eni = allEnis().find((item) => item.NetworkInterfaceId === interfaceId);
  if (eni === undefined) throw new Error(`no fixture ENI ${interfaceId}`);
  return eni;
}

/**
 * The ids of the fixture ENIs, by what they are (the names the catalog
 * should give them are in the tests).
 */
const ENI = {
  /** Primary ENI of instance i-0123456789abcdef1 (Name web-01), with IPv6. */
  web: 'eni-0a1b2c3d4e5f60101',
  /** Primary ENI of instance i-0123456789abcdef2 (Name db-primary). */
  db: 'eni-0a1b2c3d4e5f60102',
  alb: 'eni-0a1b2c3d4e5f60103',
  /** NAT gateway ENI with an Elastic IP (203.0.113.25). */
  nat: 'eni-0a1b2c3d4e5f60104',
  lambdaOrders: 'eni-0a1b2c3d4e5f60105',
  eksBranch: 'eni-0a1b2c3d4e5f60106',
  /** VPC CNI ENI of EKS node i-0123456789abcdef4 (not in DescribeInstances), three addresses. */
  eksNode: 'eni-0a1b2c3d4e5f60107',
  lambdaReports: 'eni-0f9e8d7c6b5a40201',
  vpcEndpoint: 'eni-0f9e8d7c6b5a40202',
  /** Primary ENI of instance i-0123456789abcdef3, which has no tags. */
  untagged: 'eni-0f9e8d7c6b5a40203',
  /** Unattached ENI with its own Name tag (db-failover-vip). */
  floating: 'eni-0a1b2c3d4e5f60108',
  rds: 'eni-0a1b2c3d4e5f60109',
} as const;

/** The instances' Name tags, as DescribeInstances gives them. */
const INSTANCE_NAMES: ReadonlyMap<string, string> = new Map([
  ['i-0123456789abcdef1', 'web-01'],
  ['i-0123456789abcdef2', 'db-primary'],
]);

export { allEnis, ENI, eniOf, eniPages, INSTANCE_NAMES, instancesOutput };
