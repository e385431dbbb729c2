import { Readable } from 'node:stream';
import {
  DescribeInstancesCommand,
  type DescribeInstancesCommandInput,
  type DescribeInstancesCommandOutput,
  DescribeNetworkInterfacesCommand,
  type DescribeNetworkInterfacesCommandInput,
  EC2Client,
  EC2ServiceException,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import type { Ec2NetworkInterface } from '../../../shared/catalog/catalogEntry.js';
import {
  type CatalogSource,
  createEc2CatalogSource,
  createEc2Client,
  INSTANCE_BATCH,
} from '../../../shared/source/ec2Catalog.js';
import {
  ENI,
  eniPages,
  INSTANCE_NAMES,
  instancesOutput,
} from '../../helpers/ec2Fixtures.js';

/** EC2's throttling error, as the SDK throws it once its retries are spent. */
const throttled = () =>
  new EC2ServiceException({
    name: 'RequestLimitExceeded',
    $fault: 'client',
    message: 'Request limit exceeded.',
    $metadata: { httpStatusCode: 503 },
  });

/** The rejection of `promise`; fails the test when it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (reason: unknown) => reason
  );
}

/** Every page the source yields, in order. */
async function pagesOf(
  source: CatalogSource
): Promise<(readonly Ec2NetworkInterface[])[]> {
  const pages: (readonly Ec2NetworkInterface[])[] = [];
  for await (const page of source.networkInterfaces()) pages.push(page);
  return pages;
}

const setup = () => {
  const client = new EC2Client({
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  const mock = mockClient(client);
  return { mock, source: createEc2CatalogSource(client) };
};

/** `count` instance ids, i-00000000000000000 onwards. */
const instanceIds = (count: number): string[] =>
  Array.from(
    { length: count },
    (_, k) => `i-${k.toString(16).padStart(17, '0')}`
  );

/** A DescribeInstances answer naming each of these instances `name-<id>`. */
const namedInstances = (ids: readonly string[]) => ({
  Reservations: ids.map((id) => ({
    Instances: [
      { InstanceId: id, Tags: [{ Key: 'Name', Value: `name-${id}` }] },
    ],
  })),
});

describe('createEc2CatalogSource', () => {
  describe('networkInterfaces', () => {
    it('follows NextToken through every page and yields each page', async () => {
      // Prepare: the fixture's two pages, with a third between them
      const { mock, source } = setup();
      const [first, last] = eniPages();
      const middle = {
        NetworkInterfaces: [],
        NextToken: 'fixture-page-3',
      };
      const answers = [first, middle, last];
      const inputs: DescribeNetworkInterfacesCommandInput[] = [];
      mock.on(DescribeNetworkInterfacesCommand).callsFake((input) => {
        inputs.push({ ...input });
        return answers[inputs.length - 1];
      });

      // Act
      const pages = await pagesOf(source);

      // Assess
      expect(pages).toStrictEqual([
        first.NetworkInterfaces,
        [],
        last.NetworkInterfaces,
      ]);
      expect(inputs).toStrictEqual([
        {
          MaxResults: 1000,
          NextToken: undefined,
          IncludeManagedResources: true,
        },
        {
          MaxResults: 1000,
          NextToken: 'eyJ2IjoiMiIsImMiOiJmaXh0dXJlLXBhZ2UtMiJ9',
          IncludeManagedResources: true,
        },
        {
          MaxResults: 1000,
          NextToken: 'fixture-page-3',
          IncludeManagedResources: true,
        },
      ]);
      const tokens = mock
        .commandCalls(DescribeNetworkInterfacesCommand)
        .map((call) => call.args[0].input.NextToken);
      expect(tokens).toStrictEqual([
        undefined,
        'eyJ2IjoiMiIsImMiOiJmaXh0dXJlLXBhZ2UtMiJ9',
        'fixture-page-3',
      ]);
    });

    it('yields an empty page when EC2 sends no NetworkInterfaces list', async () => {
      // Prepare
      const { mock, source } = setup();
      mock.on(DescribeNetworkInterfacesCommand).resolves({});

      // Act
      const pages = await pagesOf(source);

      // Assess
      expect(pages).toStrictEqual([[]]);
      expect(mock.commandCalls(DescribeNetworkInterfacesCommand)).toHaveLength(
        1
      );
    });

    it('lets throttling on a later page propagate after the earlier pages', async () => {
      // Prepare
      const { mock, source } = setup();
      const [first] = eniPages();
      const fault = throttled();
      mock
        .on(DescribeNetworkInterfacesCommand)
        .resolvesOnce(first)
        .rejectsOnce(fault);
      const pages: (readonly Ec2NetworkInterface[])[] = [];

      // Act
      const error = await rejectionOf(
        (async () => {
          for await (const page of source.networkInterfaces()) pages.push(page);
        })()
      );

      // Assess
      expect(error).toBe(fault);
      expect(pages).toStrictEqual([first.NetworkInterfaces]);
      expect(mock.commandCalls(DescribeNetworkInterfacesCommand)).toHaveLength(
        2
      );
    });
  });

  describe('instanceNames', () => {
    it('asks DescribeInstances by instance-id filter, including managed resources', async () => {
      // Prepare
      const { mock, source } = setup();
      mock.on(DescribeInstancesCommand).resolves(instancesOutput());
      const ids = [
        'i-0123456789abcdef1',
        'i-0123456789abcdef2',
        'i-0123456789abcdef4',
        'i-0123456789abcdef3',
      ];

      // Act
      await source.instanceNames(ids);

      // Assess
      const calls = mock.commandCalls(DescribeInstancesCommand);
      expect(calls).toHaveLength(1);
      expect(calls[0]?.args[0].input).toStrictEqual({
        Filters: [{ Name: 'instance-id', Values: ids }],
        NextToken: undefined,
        IncludeManagedResources: true,
      });
    });

    it('returns the Name tags and skips instances without one', async () => {
      // Prepare: i-…def3 has no tags, i-…def4 (an EKS node) is not listed
      const { mock, source } = setup();
      const output = structuredClone(instancesOutput());
      output.Reservations?.push({
        Instances: [
          { InstanceId: 'i-0123456789abcdef5', Tags: [] },
          {
            InstanceId: 'i-0123456789abcdef6',
            Tags: [{ Key: 'env', Value: 'prod' }],
          },
          {
            InstanceId: 'i-0123456789abcdef7',
            Tags: [{ Key: 'Name', Value: '' }],
          },
          { Tags: [{ Key: 'Name', Value: 'no id' }] },
        ],
      });
      output.Reservations?.push({});
      mock.on(DescribeInstancesCommand).resolves(output);

      // Act
      const names = await source.instanceNames([
        'i-0123456789abcdef1',
        'i-0123456789abcdef2',
        'i-0123456789abcdef3',
        'i-0123456789abcdef4',
        'i-0123456789abcdef5',
        'i-0123456789abcdef6',
        'i-0123456789abcdef7',
      ]);

      // Assess
      expect(names).toStrictEqual(new Map(INSTANCE_NAMES));
    });

    it('asks 450 instances in 3 calls of at most 200 filter values', async () => {
      // Prepare
      const { mock, source } = setup();
      const ids = instanceIds(450);
      const batches: string[][] = [];
      mock.on(DescribeInstancesCommand).callsFake((input) => {
        const values = (input as DescribeInstancesCommandInput).Filters?.[0]
          ?.Values;
        batches.push([...(values ?? [])]);
        return namedInstances(values ?? []);
      });

      // Act
      const names = await source.instanceNames(ids);

      // Assess
      expect(INSTANCE_BATCH).toBe(200);
      expect(batches.map((batch) => batch.length)).toStrictEqual([
        200, 200, 50,
      ]);
      expect(batches.flat()).toStrictEqual(ids);
      expect(names.size).toBe(450);
      expect(names.get('i-000000000000001c1')).toBe('name-i-000000000000001c1');
      for (const call of mock.commandCalls(DescribeInstancesCommand)) {
        expect(call.args[0].input.Filters?.[0]?.Name).toBe('instance-id');
        expect(call.args[0].input.IncludeManagedResources).toBe(true);
        expect(call.args[0].input).not.toHaveProperty('InstanceIds');
      }
    });

    it('follows NextToken within a batch before the next batch', async () => {
      // Prepare
      const { mock, source } = setup();
      const ids = instanceIds(201);
      const inputs: DescribeInstancesCommandInput[] = [];
      const answers: Partial<DescribeInstancesCommandOutput>[] = [
        { ...namedInstances(ids.slice(0, 100)), NextToken: 'batch-1-page-2' },
        namedInstances(ids.slice(100, 200)),
        namedInstances(ids.slice(200)),
      ];
      mock.on(DescribeInstancesCommand).callsFake((input) => {
        inputs.push(structuredClone(input as DescribeInstancesCommandInput));
        return answers[inputs.length - 1];
      });

      // Act
      const names = await source.instanceNames(ids);

      // Assess
      expect(names.size).toBe(201);
      expect(
        inputs.map((input) => [
          input.NextToken,
          input.Filters?.[0]?.Values?.length,
          input.Filters?.[0]?.Values?.[0],
        ])
      ).toStrictEqual([
        [undefined, 200, ids[0]],
        ['batch-1-page-2', 200, ids[0]],
        [undefined, 1, ids[200]],
      ]);
    });

    it('asks nothing for no instances', async () => {
      // Prepare
      const { mock, source } = setup();

      // Act
      const names = await source.instanceNames([]);

      // Assess
      expect(names).toStrictEqual(new Map());
      expect(mock.calls()).toHaveLength(0);
    });

    it('lets throttling propagate', async () => {
      // Prepare
      const { mock, source } = setup();
      const fault = throttled();
      mock.on(DescribeInstancesCommand).rejects(fault);

      // Act
      const error = await rejectionOf(
        source.instanceNames(['i-0123456789abcdef1'])
      );

      // Assess
      expect(error).toBe(fault);
    });
  });

  describe('with the SDK retry strategy', () => {
    const THROTTLED_XML =
      '<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>x</RequestID></Response>';
    const PAGE_XML = `<?xml version="1.0" encoding="UTF-8"?>
<DescribeNetworkInterfacesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>7c2a1e0b-4f3d-4a5b-9c8d-1e2f3a4b5c63</requestId>
  <networkInterfaceSet>
    <item>
      <networkInterfaceId>${ENI.db}</networkInterfaceId>
      <subnetId>subnet-0a1b2c3d4e5f60003</subnetId>
      <vpcId>vpc-0a1b2c3d4e5f60718</vpcId>
      <availabilityZone>us-east-1a</availabilityZone>
      <description/>
      <ownerId>123456789012</ownerId>
      <requesterManaged>false</requesterManaged>
      <status>in-use</status>
      <privateIpAddress>10.0.3.21</privateIpAddress>
      <groupSet>
        <item><groupId>sg-0c1d2e3f405162739</groupId><groupName>db-sg</groupName></item>
      </groupSet>
      <attachment>
        <attachmentId>eni-attach-0a1b2c3d4e5f60102</attachmentId>
        <instanceId>i-0123456789abcdef2</instanceId>
        <status>attached</status>
      </attachment>
      <tagSet/>
      <privateIpAddressesSet>
        <item><privateIpAddress>10.0.3.21</privateIpAddress><primary>true</primary></item>
      </privateIpAddressesSet>
      <interfaceType>interface</interfaceType>
    </item>
  </networkInterfaceSet>
</DescribeNetworkInterfacesResponse>`;

    /** A request handler answering with these (status, XML body) in turn. */
    const fakeEc2 = (answers: readonly [number, string][]) => {
      const bodies: string[] = [];
      const requestHandler = {
        async handle(request: { body?: unknown }) {
          const answer = answers[bodies.length];
          bodies.push(String(request.body));
          if (answer === undefined) throw new Error('unexpected request');
          const [statusCode, xml] = answer;
          return {
            response: {
              statusCode,
              headers: { 'content-type': 'text/xml;charset=UTF-8' },
              body: Readable.from([Buffer.from(xml)]),
            },
          };
        },
      };
      return { bodies, requestHandler };
    };

    const realClient = (
      maxAttempts: number,
      requestHandler: ReturnType<typeof fakeEc2>['requestHandler']
    ) =>
      new EC2Client({
        region: 'us-east-1',
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
        maxAttempts,
        requestHandler,
      });

    it('yields the page after the SDK retried two RequestLimitExceeded answers', async () => {
      // Prepare
      const { bodies, requestHandler } = fakeEc2([
        [503, THROTTLED_XML],
        [503, THROTTLED_XML],
        [200, PAGE_XML],
      ]);
      const source = createEc2CatalogSource(realClient(3, requestHandler));

      // Act
      const pages = await pagesOf(source);

      // Assess
      expect(bodies).toHaveLength(3);
      for (const body of bodies) {
        const form = new URLSearchParams(body);
        expect(form.get('Action')).toBe('DescribeNetworkInterfaces');
        expect(form.get('MaxResults')).toBe('1000');
        expect(form.get('IncludeManagedResources')).toBe('true');
        expect(form.has('NextToken')).toBe(false);
      }
      expect(pages).toHaveLength(1);
      expect(pages[0]).toHaveLength(1);
      expect(pages[0]?.[0]).toMatchObject({
        NetworkInterfaceId: ENI.db,
        VpcId: 'vpc-0a1b2c3d4e5f60718',
        SubnetId: 'subnet-0a1b2c3d4e5f60003',
        PrivateIpAddress: '10.0.3.21',
        InterfaceType: 'interface',
        Attachment: { InstanceId: 'i-0123456789abcdef2' },
        Groups: [{ GroupId: 'sg-0c1d2e3f405162739', GroupName: 'db-sg' }],
      });
    });

    it('throws RequestLimitExceeded once the attempts are spent', async () => {
      // Prepare: two attempts, one short retry delay
      const { bodies, requestHandler } = fakeEc2([
        [503, THROTTLED_XML],
        [503, THROTTLED_XML],
      ]);
      const source = createEc2CatalogSource(realClient(2, requestHandler));

      // Act
      const error = await rejectionOf(pagesOf(source));

      // Assess
      expect(bodies).toHaveLength(2);
      expect(error).toBeInstanceOf(EC2ServiceException);
      expect(error).toHaveProperty('name', 'RequestLimitExceeded');
      expect(error).toHaveProperty('$metadata.attempts', 2);
    });
  });
});

describe('createEc2Client', () => {
  it('builds an EC2 client with 8 attempts by default', async () => {
    // Act
    const client = createEc2Client();

    // Assess
    expect(client).toBeInstanceOf(EC2Client);
    expect(await client.config.maxAttempts()).toBe(8);
  });

  it('builds an EC2 client with the given attempts', async () => {
    // Act
    const client = createEc2Client(3);

    // Assess
    expect(await client.config.maxAttempts()).toBe(3);
  });
});
