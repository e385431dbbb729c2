import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CatalogEntry,
  type CatalogRecord,
  type Ec2NetworkInterface,
  fingerprintOf,
  instanceIdsOf,
  nameOf,
  summaryOf,
  toCatalogEntry,
} from '../../../shared/catalog/catalogEntry.js';
import {
  allEnis,
  ENI,
  eniOf,
  INSTANCE_NAMES,
} from '../../helpers/ec2Fixtures.js';

const NO_NAMES: ReadonlyMap<string, string> = new Map();

/** The entry of a fixture ENI (with the fixture's instance names); fails when null. */
function entryOf(
  eni: Ec2NetworkInterface,
  instanceNames: ReadonlyMap<string, string> = INSTANCE_NAMES
): CatalogEntry {
  const entry = toCatalogEntry(eni, instanceNames);
  if (entry === null) throw new Error('expected a catalog entry');
  return entry;
}

/** A fixture ENI, copied, with these tags. */
const withTags = (
  interfaceId: string,
  tags: NonNullable<Ec2NetworkInterface['TagSet']>
): Ec2NetworkInterface => ({
  ...structuredClone(eniOf(interfaceId)),
  TagSet: tags,
});

/** A bare ENI with only this description. */
const described = (description: string): Ec2NetworkInterface => ({
  NetworkInterfaceId: 'eni-0123456789abcdef0',
  Description: description,
});

/** Unicode control characters (C0, DEL and C1). */
const CONTROL = /\p{Cc}/u;
/** A half of a surrogate pair without its other half. */
const LONE_SURROGATE =
  /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

describe('toCatalogEntry', () => {
  it('builds the whole entry of an instance ENI, named by its instance', () => {
    // Prepare
    const eni = eniOf(ENI.web);

    // Act
    const entry = toCatalogEntry(eni, INSTANCE_NAMES);

    // Assess
    expect(entry).toStrictEqual({
      interfaceId: ENI.web,
      name: 'web-01',
      interfaceType: 'interface',
      description: null,
      vpcId: 'vpc-0a1b2c3d4e5f60718',
      subnetId: 'subnet-0a1b2c3d4e5f60004',
      availabilityZone: 'us-east-1b',
      accountId: '123456789012',
      requesterId: null,
      requesterManaged: false,
      instanceId: 'i-0123456789abcdef1',
      instanceName: 'web-01',
      securityGroups: [{ id: 'sg-0c1d2e3f405162738', name: 'web-sg' }],
      privateAddresses: [
        '10.0.4.15',
        '2600:1f18:4a3b:2204:8e1d:5c7a:9b3f:1e15',
      ],
      publicAddresses: [],
      tags: {},
    });
  });

  it('names an ENI by its own Name tag before its instance Name tag', () => {
    // Prepare
    const eni = withTags(ENI.web, [{ Key: 'Name', Value: 'web-01-primary' }]);

    // Act
    const entry = entryOf(eni);

    // Assess
    expect(entry.name).toBe('web-01-primary');
    expect(entry.instanceName).toBe('web-01');
  });

  it('names an unattached ENI by its own Name tag and keeps its tags', () => {
    // Act
    const entry = entryOf(eniOf(ENI.floating));

    // Assess
    expect(entry.name).toBe('db-failover-vip');
    expect(entry.instanceId).toBeNull();
    expect(entry.description).toBe('Floating address for db failover');
    expect(entry.tags).toStrictEqual({
      Name: 'db-failover-vip',
      team: 'data-platform',
    });
  });

  it.each([
    [ENI.db, 'db-primary'],
    [ENI.nat, 'NAT gateway nat-0a1b2c3d4e5f60901'],
    [ENI.lambdaOrders, 'Lambda orders-worker'],
    [ENI.lambdaReports, 'Lambda report-builder'],
    [ENI.alb, 'ELB app/internal-api'],
    [ENI.vpcEndpoint, 'VPC endpoint vpce-0f9e8d7c6b5a40b01'],
    [ENI.eksNode, 'EKS pods on i-0123456789abcdef4'],
    [ENI.eksBranch, 'EKS pod (branch ENI)'],
    [ENI.rds, 'RDS'],
  ])('names fixture ENI %s %j', (interfaceId, name) => {
    // Act
    const entry = entryOf(eniOf(interfaceId));

    // Assess
    expect(entry.name).toBe(name);
  });

  it('gives no name to an ENI without description whose instance has no Name tag', () => {
    // Act
    const entry = entryOf(eniOf(ENI.untagged));

    // Assess
    expect(entry.name).toBeNull();
    expect(entry.description).toBeNull();
    expect(entry.instanceId).toBe('i-0123456789abcdef3');
    expect(entry.instanceName).toBeNull();
  });

  it('names an EKS node ENI by its description when the node instance is not listed', () => {
    // Act
    const entry = entryOf(eniOf(ENI.eksNode), NO_NAMES);

    // Assess
    expect(entry.instanceId).toBe('i-0123456789abcdef4');
    expect(entry.instanceName).toBeNull();
    expect(entry.name).toBe('EKS pods on i-0123456789abcdef4');
  });

  it('keeps an open InterfaceType the SDK enum lacks', () => {
    // Act
    const entry = entryOf(eniOf(ENI.nat));

    // Assess
    expect(entry.interfaceType).toBe('nat_gateway');
    expect(entry.requesterId).toBe('210987654321');
    expect(entry.requesterManaged).toBe(true);
    expect(entry.securityGroups).toStrictEqual([]);
  });

  it('collects private, secondary and IPv6 addresses, primary first', () => {
    // Act
    const node = entryOf(eniOf(ENI.eksNode));
    const web = entryOf(eniOf(ENI.web));

    // Assess
    expect(node.privateAddresses).toStrictEqual([
      '10.0.4.140',
      '10.0.4.141',
      '10.0.4.142',
    ]);
    expect(web.privateAddresses).toStrictEqual([
      '10.0.4.15',
      '2600:1f18:4a3b:2204:8e1d:5c7a:9b3f:1e15',
    ]);
  });

  it('collects public addresses once each, from the ENI and its private addresses', () => {
    // Prepare: the NAT gateway's EIP is on the ENI and its primary address
    const nat = eniOf(ENI.nat);
    const twoPublic: Ec2NetworkInterface = {
      NetworkInterfaceId: 'eni-0123456789abcdef0',
      PrivateIpAddress: '10.0.1.10',
      Association: { PublicIp: '198.51.100.7' },
      PrivateIpAddresses: [
        {
          PrivateIpAddress: '10.0.1.10',
          Association: { PublicIp: '198.51.100.7' },
        },
        {
          PrivateIpAddress: '10.0.1.11',
          Association: { PublicIp: '198.51.100.8' },
        },
        { PrivateIpAddress: '10.0.1.12' },
      ],
    };

    // Act
    const natEntry = entryOf(nat);
    const entry = entryOf(twoPublic);

    // Assess
    expect(natEntry.privateAddresses).toStrictEqual(['10.0.1.200']);
    expect(natEntry.publicAddresses).toStrictEqual(['203.0.113.25']);
    expect(entry.privateAddresses).toStrictEqual([
      '10.0.1.10',
      '10.0.1.11',
      '10.0.1.12',
    ]);
    expect(entry.publicAddresses).toStrictEqual([
      '198.51.100.7',
      '198.51.100.8',
    ]);
  });

  it('returns null for an ENI without an id', () => {
    // Prepare
    const { NetworkInterfaceId: _, ...eni } = structuredClone(eniOf(ENI.web));

    // Act
    const entry = toCatalogEntry(eni, INSTANCE_NAMES);

    // Assess
    expect(entry).toBeNull();
  });

  it('fills absent fields with null, false and empty lists', () => {
    // Act
    const entry = toCatalogEntry(
      { NetworkInterfaceId: 'eni-0123456789abcdef0' },
      NO_NAMES
    );

    // Assess
    expect(entry).toStrictEqual({
      interfaceId: 'eni-0123456789abcdef0',
      name: null,
      interfaceType: null,
      description: null,
      vpcId: null,
      subnetId: null,
      availabilityZone: null,
      accountId: null,
      requesterId: null,
      requesterManaged: false,
      instanceId: null,
      instanceName: null,
      securityGroups: [],
      privateAddresses: [],
      publicAddresses: [],
      tags: {},
    });
  });

  it('drops groups without an id and tags without a key', () => {
    // Prepare
    const eni: Ec2NetworkInterface = {
      NetworkInterfaceId: 'eni-0123456789abcdef0',
      Groups: [{ GroupId: 'sg-0123456789abcdef0' }, { GroupName: 'orphan' }],
      TagSet: [
        { Key: 'team', Value: 'edge' },
        { Value: 'no key' },
        { Key: 'k' },
      ],
    };

    // Act
    const entry = entryOf(eni, NO_NAMES);

    // Assess
    expect(entry.securityGroups).toStrictEqual([
      { id: 'sg-0123456789abcdef0', name: null },
    ]);
    expect(entry.tags).toStrictEqual({ k: '', team: 'edge' });
  });

  it('cleans control characters out of the instance Name tag', () => {
    // Prepare
    const names = new Map([['i-0123456789abcdef1', '\tweb\u0000\r\n01\u007f']]);

    // Act
    const entry = entryOf(eniOf(ENI.web), names);

    // Assess
    expect(entry.instanceName).toBe('web 01');
    expect(entry.name).toBe('web 01');
  });

  it('cuts an overlong instance Name tag to 64 characters', () => {
    // Prepare
    const names = new Map([['i-0123456789abcdef1', 'w'.repeat(200)]]);

    // Act
    const entry = entryOf(eniOf(ENI.web), names);

    // Assess
    expect(entry.instanceName).toBe(`${'w'.repeat(63)}…`);
    expect(entry.name).toHaveLength(64);
  });
});

describe('nameOf', () => {
  it('replaces runs of control characters with one space and trims', () => {
    // Prepare
    const eni = withTags(ENI.floating, [
      { Key: 'Name', Value: '\u0007db\u0000\u0001\tfailover\u001b[31m\n' },
    ]);

    // Act
    const name = nameOf(eni, null);

    // Assess
    expect(name).toBe('db failover [31m');
  });

  it('falls through to the instance name when the Name tag is empty or only control characters', () => {
    // Prepare
    const empty = withTags(ENI.web, [{ Key: 'Name', Value: '' }]);
    const controls = withTags(ENI.web, [{ Key: 'Name', Value: '\r\n\t ' }]);
    const noValue = withTags(ENI.web, [{ Key: 'Name' }]);

    // Act
    const names = [empty, controls, noValue].map((eni) =>
      nameOf(eni, 'web-01')
    );

    // Assess
    expect(names).toStrictEqual(['web-01', 'web-01', 'web-01']);
  });

  it('cuts an overlong Name tag to 63 characters and an ellipsis', () => {
    // Prepare
    const eni = withTags(ENI.floating, [
      { Key: 'Name', Value: 'n'.repeat(256) },
    ]);

    // Act
    const name = nameOf(eni, null);

    // Assess
    expect(name).toBe(`${'n'.repeat(63)}…`);
  });

  it('keeps a Name tag of exactly 64 characters whole', () => {
    // Prepare
    const value = `${'a'.repeat(60)}-end`;
    const eni = withTags(ENI.floating, [{ Key: 'Name', Value: value }]);

    // Act
    const name = nameOf(eni, null);

    // Assess
    expect(name).toBe(value);
  });

  it('cuts an overlong description that no service pattern matches', () => {
    // Prepare
    const eni = described(`Custom ${'d'.repeat(248)}`);

    // Act
    const name = nameOf(eni, null);

    // Assess
    expect(name).toBe(`Custom ${'d'.repeat(56)}…`);
  });

  it.each([
    ['ELB my-classic-lb', 'ELB my-classic-lb'],
    ['ELB net/edge-nlb/0f1e2d3c4b5a6978', 'ELB net/edge-nlb'],
    ['ELB gwy/inspection/0f1e2d3c4b5a6978', 'ELB gwy/inspection'],
    ['VPC Endpoint Interface: vpce-0123abcd', 'VPC endpoint vpce-0123abcd'],
    ['AWS Lambda VPC ENI: legacy-fn', 'Lambda legacy-fn'],
    ['AWS Lambda VPC ENI-no-uuid-tail', 'Lambda no-uuid-tail'],
    ['aws-k8s-trunk-eni', 'EKS trunk'],
    ['Amazon EKS prod-eks', 'EKS control plane prod-eks'],
    [
      'Network Interface for Transit Gateway Attachment tgw-attach-0a1b2c3d',
      'Transit gateway tgw-attach-0a1b2c3d',
    ],
    ['EFS mount target for fs-0a1b2c3d (fsmt-0e1f2a3b)', 'EFS fs-0a1b2c3d'],
    [
      'arn:aws:ecs:us-east-1:123456789012:attachment/6f0c2d1e-8a4b-4c3d-9e2f-1a7b5c9d0e34',
      'ECS task',
    ],
    ['  RDSNetworkInterface  ', 'RDS'],
    ['Floating address for db failover', 'Floating address for db failover'],
    ['', null],
    ['   ', null],
  ])('names description %j as %j', (description, expected) => {
    // Act
    const name = nameOf(described(description), null);

    // Assess
    expect(name).toBe(expected);
  });

  it('returns null without tags, instance name or description', () => {
    // Act
    const name = nameOf({ NetworkInterfaceId: 'eni-0123456789abcdef0' }, null);

    // Assess
    expect(name).toBeNull();
  });

  it('replaces C1 control characters (U+0080..U+009F) too', () => {
    // Prepare: U+009B is the 8-bit CSI, U+0085 the NEL line break
    const eni = withTags(ENI.floating, [
      { Key: 'Name', Value: 'db\u009b31mfailover\u0085vip' },
    ]);

    // Act
    const name = nameOf(eni, null);

    // Assess
    expect(name).toBe('db 31mfailover vip');
  });

  it('cuts an overlong name without splitting a surrogate pair', () => {
    // Prepare: 100 astral characters are 200 UTF-16 code units
    const eni = withTags(ENI.floating, [
      { Key: 'Name', Value: '\u{1F680}'.repeat(100) },
    ]);

    // Act
    const name = nameOf(eni, null) ?? '';

    // Assess: 63 whole characters and the ellipsis
    expect(name).not.toMatch(LONE_SURROGATE);
    expect(name).toBe(`${'\u{1F680}'.repeat(63)}…`);
  });

  it('never throws and never returns control characters, lone surrogates or more than 64 characters', () => {
    // Prepare: descriptions biased towards the service patterns
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 80 }),
      fc.string({ unit: 'binary', minLength: 60, maxLength: 300 })
    );
    const description = fc.oneof(
      text,
      fc
        .tuple(
          fc.constantFrom(
            'Interface for NAT Gateway nat-0',
            'AWS Lambda VPC ENI-',
            'AWS Lambda VPC ENI: ',
            'ELB app/',
            'ELB ',
            'VPC Endpoint Interface vpce-0',
            'aws-K8S-i-0',
            'Amazon EKS ',
            'EFS mount target for fs-0',
            'arn:aws:ecs:us-east-1:123456789012:attachment/'
          ),
          text
        )
        .map(([prefix, rest]) => prefix + rest)
    );
    const tag = fc.record(
      {
        Key: fc.oneof(fc.constant('Name'), fc.string()),
        Value: text,
      },
      { requiredKeys: [] }
    );
    const eni = fc.record(
      {
        NetworkInterfaceId: fc.constant('eni-0123456789abcdef0'),
        Description: description,
        TagSet: fc.array(tag, { maxLength: 4 }),
      },
      { requiredKeys: ['NetworkInterfaceId'] }
    );

    // Act + Assess
    fc.assert(
      fc.property(eni, (generated) => {
        const name = nameOf(generated, null);
        expect(name === null || typeof name === 'string').toBe(true);
        if (name !== null) {
          expect(name).not.toMatch(CONTROL);
          expect(name).not.toMatch(LONE_SURROGATE);
          expect(Array.from(name).length).toBeLessThanOrEqual(64);
          expect(name).toBe(name.trim());
          expect(name).not.toBe('');
        }
      })
    );
  });

  it('gives entries names free of control characters whatever the instance Name tag', () => {
    // Prepare
    const instanceName = fc.option(fc.string({ unit: 'binary' }), {
      nil: undefined,
    });

    // Act + Assess
    fc.assert(
      fc.property(instanceName, (value) => {
        const names = new Map(
          value === undefined ? [] : [['i-0123456789abcdef1', value]]
        );
        const entry = entryOf(eniOf(ENI.web), names);
        for (const name of [entry.name, entry.instanceName]) {
          if (name !== null) expect(name).not.toMatch(CONTROL);
        }
      })
    );
  });
});

describe('fingerprintOf', () => {
  it('is equal when EC2 lists the same tags in another order', () => {
    // Prepare
    const eni = eniOf(ENI.eksBranch);
    const reordered = withTags(
      ENI.eksBranch,
      [...(eni.TagSet ?? [])].reverse()
    );

    // Act
    const fingerprints = [eni, reordered].map((item) =>
      fingerprintOf(entryOf(item))
    );

    // Assess
    expect(fingerprints[0]).toBe(fingerprints[1]);
  });

  it('is the same for the same ENI and 16 characters long', () => {
    // Act
    const first = fingerprintOf(entryOf(eniOf(ENI.nat)));
    const second = fingerprintOf(entryOf(eniOf(ENI.nat)));

    // Assess
    expect(first).toBe(second);
    expect(first).toMatch(/^[\w-]{16}$/);
  });

  it('differs when the Name tag, a security group, an address or the instance name changes', () => {
    // Prepare
    const base = eniOf(ENI.floating);
    const renamed = withTags(ENI.floating, [
      { Key: 'Name', Value: 'db-failover-vip-2' },
      { Key: 'team', Value: 'data-platform' },
    ]);
    const regrouped: Ec2NetworkInterface = {
      ...structuredClone(base),
      Groups: [{ GroupId: 'sg-0c1d2e3f40516273f', GroupName: 'db-sg-2' }],
    };
    const readdressed: Ec2NetworkInterface = {
      ...structuredClone(base),
      PrivateIpAddresses: [
        { PrivateIpAddress: '10.0.3.50' },
        { PrivateIpAddress: '10.0.3.51' },
      ],
    };
    const web = eniOf(ENI.web);
    const renamedInstance = new Map([['i-0123456789abcdef1', 'web-02']]);

    // Act
    const fingerprint = fingerprintOf(entryOf(base));
    const changed = [renamed, regrouped, readdressed].map((eni) =>
      fingerprintOf(entryOf(eni))
    );
    const webBefore = fingerprintOf(entryOf(web));
    const webAfter = fingerprintOf(entryOf(web, renamedInstance));

    // Assess
    for (const other of changed) expect(other).not.toBe(fingerprint);
    expect(new Set(changed).size).toBe(3);
    expect(webAfter).not.toBe(webBefore);
  });
});

describe('instanceIdsOf', () => {
  it('lists each attached instance once, in listing order', () => {
    // Prepare
    const enis = allEnis();

    // Act
    const ids = instanceIdsOf([...enis, ...enis]);

    // Assess
    expect(ids).toStrictEqual([
      'i-0123456789abcdef1',
      'i-0123456789abcdef2',
      'i-0123456789abcdef4',
      'i-0123456789abcdef3',
    ]);
  });

  it('returns no ids for ENIs without instances', () => {
    // Act
    const ids = instanceIdsOf([eniOf(ENI.nat), eniOf(ENI.floating)]);

    // Assess
    expect(ids).toStrictEqual([]);
  });
});

describe('summaryOf', () => {
  const record = (deletedAt: number | null): CatalogRecord => ({
    ...entryOf(eniOf(ENI.db)),
    lastSeen: 1_794_000_000,
    deletedAt,
  });

  it('carries the short form of a live ENI without deletedAt', () => {
    // Act
    const summary = summaryOf(record(null));

    // Assess
    expect(summary).toStrictEqual({
      name: 'db-primary',
      interfaceType: 'interface',
      description: null,
      vpcId: 'vpc-0a1b2c3d4e5f60718',
      subnetId: 'subnet-0a1b2c3d4e5f60003',
      instanceId: 'i-0123456789abcdef2',
      securityGroups: [{ id: 'sg-0c1d2e3f405162739', name: 'db-sg' }],
    });
  });

  it('carries deletedAt of an ENI EC2 no longer lists', () => {
    // Act
    const summary = summaryOf(record(1_794_000_900));

    // Assess
    expect(summary.deletedAt).toBe(1_794_000_900);
    expect(summary.name).toBe('db-primary');
  });
});
