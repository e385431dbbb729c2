/**
 * The real eniCatalog handler against dynalite (the rollup table created
 * from serverless.yml, with its sparse `catalog` index), with EC2 stubbed
 * by aws-sdk-client-mock on the EC2Client class (so the handler's own
 * client answers from test/fixtures/ec2/). Each test imports the handler
 * afresh on a table of its own, runs refreshes, and reads the catalog back
 * with the store the query API uses.
 */
import {
  type AttributeValue,
  GetItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeInstancesCommand,
  type DescribeInstancesCommandInput,
  type DescribeInstancesCommandOutput,
  DescribeNetworkInterfacesCommand,
  type DescribeNetworkInterfacesCommandOutput,
  EC2Client,
  EC2ServiceException,
} from '@aws-sdk/client-ec2';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import {
  afterAll,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  vi,
} from 'vitest';
import { lambdaContext } from '../../scripts/local/lambdaContext.js';
import { ensureRollupTable } from '../../scripts/local/localStack.js';
import type { CatalogRefreshSummary } from '../../shared/pipeline/refreshCatalog.js';
import {
  CATALOG_INDEX,
  CATALOG_SHARDS,
  createDynamoCatalogStore,
} from '../../shared/store/catalogStore.js';
import { ENI, eniPages, instancesOutput } from '../helpers/ec2Fixtures.js';
import {
  captureHandlerLogs,
  type HandlerLogs,
} from '../helpers/handlerLogs.js';
import { type IngestStack, startIngestStack } from '../helpers/ingestStack.js';

type Ec2Mock = AwsClientStub<EC2Client>;
type Page = DescribeNetworkInterfacesCommandOutput;
type Item = Record<string, AttributeValue>;

const RETENTION_DAYS = 30;
const DAY = 86_400;

/** Every address of the fixture ENIs: 8 on each page. */
const FIXTURE_ADDRESSES = 16;
const FIXTURE_ENIS = 12;
/** Instances attached to fixture ENIs (one unnamed, one not listed). */
const FIXTURE_INSTANCES = 4;

const ALL_IDS = Object.values(ENI);

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** EC2's throttling error, as the SDK throws it once its retries are spent. */
const throttled = () =>
  new EC2ServiceException({
    name: 'RequestLimitExceeded',
    $fault: 'client',
    message: 'Request limit exceeded.',
    $metadata: { httpStatusCode: 503, attempts: 8 },
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

/** The fixture pages with an ENI's Name tag set (or added). */
function withName(pages: Page[], interfaceId: string, name: string): Page[] {
  const copy = structuredClone(pages);
  for (const eni of copy.flatMap((page) => page.NetworkInterfaces ?? [])) {
    if (eni.NetworkInterfaceId !== interfaceId) continue;
    const others = (eni.TagSet ?? []).filter((tag) => tag.Key !== 'Name');
    eni.TagSet = [{ Key: 'Name', Value: name }, ...others];
  }
  return copy;
}

/** The fixture pages without these ENIs. */
function without(pages: Page[], ...interfaceIds: string[]): Page[] {
  return structuredClone(pages).map((page) => ({
    ...page,
    NetworkInterfaces: (page.NetworkInterfaces ?? []).filter(
      (eni) => !interfaceIds.includes(eni.NetworkInterfaceId ?? '')
    ),
  }));
}

/**
 * EC2 as the stub answers it: DescribeNetworkInterfaces gives `pages` in
 * turn (by NextToken) on every refresh; DescribeInstances gives the
 * instances of `instances` that its instance-id filter names.
 */
function serveEc2(
  ec2: Ec2Mock,
  pages: readonly Page[],
  instances: DescribeInstancesCommandOutput = instancesOutput()
): void {
  const tokens = pages.map((page) => page.NextToken);
  ec2.on(DescribeNetworkInterfacesCommand).callsFake((input) => {
    const { NextToken } = input as { NextToken?: string };
    const at = NextToken === undefined ? 0 : tokens.indexOf(NextToken) + 1;
    const page = pages[at];
    if (page === undefined) throw new Error(`unknown NextToken ${NextToken}`);
    return page;
  });
  ec2.on(DescribeInstancesCommand).callsFake((input) => {
    const wanted = new Set(
      (input as DescribeInstancesCommandInput).Filters?.[0]?.Values ?? []
    );
    return {
      Reservations: (instances.Reservations ?? [])
        .map((reservation) => ({
          ...reservation,
          Instances: (reservation.Instances ?? []).filter((instance) =>
            wanted.has(instance.InstanceId ?? '')
          ),
        }))
        .filter((reservation) => reservation.Instances.length > 0),
    };
  });
}

describe('eniCatalog', () => {
  let env: IngestStack;
  let ec2: Ec2Mock;
  let logs: HandlerLogs;
  let tables = 0;

  beforeAll(async () => {
    env = await startIngestStack('eni-catalog');
    // Every EC2Client, the handler's included, answers from the stub.
    ec2 = mockClient(EC2Client);
    logs = captureHandlerLogs();
  });

  afterAll(async () => {
    logs.restore();
    ec2.restore();
    await env.close();
  });

  beforeEach(() => {
    ec2.reset();
    logs.clear();
  });

  /**
   * The handler imported afresh on a new table (it reads ROLLUP_TABLE and
   * builds its clients at import), and the catalog store on that table.
   */
  async function freshCatalog() {
    tables++;
    const tableName = `${env.tableName}-${tables}`;
    await ensureRollupTable(env.stack.dynamo, tableName);
    process.env.ROLLUP_TABLE = tableName;
    vi.resetModules();
    const { handler } = await import('../../functions/eniCatalog.js');
    const store = createDynamoCatalogStore(env.stack.dynamo, {
      tableName,
      retentionDays: RETENTION_DAYS,
      concurrency: 4,
    });
    const refresh = async () =>
      (await handler({}, lambdaContext('eniCatalog'))) as CatalogRefreshSummary;

    /** Every catalog item of the table, through the catalog index, by pk. */
    async function indexed(): Promise<Map<string, Item>> {
      const items = new Map<string, Item>();
      for (let shard = 0; shard < CATALOG_SHARDS; shard++) {
        let start: Item | undefined;
        do {
          const page = await env.stack.dynamo.send(
            new QueryCommand({
              TableName: tableName,
              IndexName: CATALOG_INDEX,
              KeyConditionExpression: 'cs = :cs',
              ExpressionAttributeValues: { ':cs': { S: `CATALOG#${shard}` } },
              ExclusiveStartKey: start,
            })
          );
          for (const item of page.Items ?? []) {
            items.set(item.pk?.S ?? '', item);
          }
          start = page.LastEvaluatedKey;
        } while (start !== undefined);
      }
      return items;
    }

    /** The whole stored item of a catalog pk (ENI#… or ADDR#…). */
    async function itemOf(pk: string): Promise<Item | undefined> {
      const { Item } = await env.stack.dynamo.send(
        new GetItemCommand({
          TableName: tableName,
          Key: { pk: { S: pk }, sk: { S: 'CATALOG' } },
          ConsistentRead: true,
        })
      );
      return Item;
    }

    return { refresh, store, indexed, itemOf };
  }

  it('writes every ENI of both pages with its name, VPC, subnet and security groups', async () => {
    // Prepare
    const { refresh, store } = await freshCatalog();
    serveEc2(ec2, eniPages());
    const before = nowSeconds();

    // Act
    const summary = await refresh();

    // Assess
    const after = nowSeconds();
    expect(summary).toStrictEqual({
      enis: FIXTURE_ENIS,
      written: FIXTURE_ENIS,
      unchanged: 0,
      deleted: 0,
      addressesWritten: FIXTURE_ADDRESSES,
      addressesRemoved: 0,
      instances: FIXTURE_INSTANCES,
    });
    const records = await store.entriesOf(ALL_IDS);
    expect(new Set(records.keys())).toStrictEqual(new Set(ALL_IDS));
    const names = Object.fromEntries(
      ALL_IDS.map((id) => [id, records.get(id)?.name])
    );
    expect(names).toStrictEqual({
      [ENI.web]: 'web-01',
      [ENI.db]: 'db-primary',
      [ENI.alb]: 'ELB app/internal-api',
      [ENI.nat]: 'NAT gateway nat-0a1b2c3d4e5f60901',
      [ENI.lambdaOrders]: 'Lambda orders-worker',
      [ENI.eksBranch]: 'EKS pod (branch ENI)',
      [ENI.eksNode]: 'EKS pods on i-0123456789abcdef4',
      [ENI.lambdaReports]: 'Lambda report-builder',
      [ENI.vpcEndpoint]: 'VPC endpoint vpce-0f9e8d7c6b5a40b01',
      [ENI.untagged]: null,
      [ENI.floating]: 'db-failover-vip',
      [ENI.rds]: 'RDS',
    });
    const db = records.get(ENI.db);
    expect(db).toMatchObject({
      interfaceId: ENI.db,
      vpcId: 'vpc-0a1b2c3d4e5f60718',
      subnetId: 'subnet-0a1b2c3d4e5f60003',
      instanceId: 'i-0123456789abcdef2',
      instanceName: 'db-primary',
      securityGroups: [{ id: 'sg-0c1d2e3f405162739', name: 'db-sg' }],
      privateAddresses: ['10.0.3.21'],
      deletedAt: null,
    });
    expect(db?.lastSeen).toBeGreaterThanOrEqual(before);
    expect(db?.lastSeen).toBeLessThanOrEqual(after);
    expect(records.get(ENI.lambdaReports)).toMatchObject({
      vpcId: 'vpc-0f9e8d7c6b5a43210',
      subnetId: 'subnet-0f9e8d7c6b5a40002',
      interfaceType: 'lambda',
    });
    const owners = await store.ownersOf([
      '10.0.3.21',
      '10.0.4.141',
      '203.0.113.25',
      '2600:1f18:4a3b:2204:8e1d:5c7a:9b3f:1e15',
      '10.1.2.40',
      '10.9.9.9',
    ]);
    expect(Object.fromEntries(owners)).toStrictEqual({
      '10.0.3.21': { interfaceId: ENI.db, name: 'db-primary' },
      '10.0.4.141': {
        interfaceId: ENI.eksNode,
        name: 'EKS pods on i-0123456789abcdef4',
      },
      '203.0.113.25': {
        interfaceId: ENI.nat,
        name: 'NAT gateway nat-0a1b2c3d4e5f60901',
      },
      '2600:1f18:4a3b:2204:8e1d:5c7a:9b3f:1e15': {
        interfaceId: ENI.web,
        name: 'web-01',
      },
      '10.1.2.40': { interfaceId: ENI.untagged, name: null },
    });
  });

  it('asks EC2 for every page and the instances of the ENIs', async () => {
    // Prepare
    const { refresh } = await freshCatalog();
    serveEc2(ec2, eniPages());

    // Act
    await refresh();

    // Assess
    const tokens = ec2
      .commandCalls(DescribeNetworkInterfacesCommand)
      .map((call) => call.args[0].input.NextToken);
    expect(tokens).toStrictEqual([undefined, eniPages()[0].NextToken]);
    const asked = ec2
      .commandCalls(DescribeInstancesCommand)
      .flatMap((call) => call.args[0].input.Filters?.[0]?.Values ?? []);
    expect(asked).toStrictEqual([
      'i-0123456789abcdef1',
      'i-0123456789abcdef2',
      'i-0123456789abcdef4',
      'i-0123456789abcdef3',
    ]);
    expect(logs.entries).toContainEqual(
      expect.objectContaining({
        level: 'INFO',
        message: 'Catalog refreshed.',
        enis: FIXTURE_ENIS,
      })
    );
  });

  it('writes nothing when nothing changed', async () => {
    // Prepare
    const { refresh, indexed } = await freshCatalog();
    serveEc2(ec2, eniPages());
    await refresh();
    const stored = await indexed();

    // Act
    const summary = await refresh();

    // Assess
    expect(summary).toStrictEqual({
      enis: FIXTURE_ENIS,
      written: 0,
      unchanged: FIXTURE_ENIS,
      deleted: 0,
      addressesWritten: 0,
      addressesRemoved: 0,
      instances: FIXTURE_INSTANCES,
    });
    expect(await indexed()).toStrictEqual(stored);
  });

  it('writes an ENI whose Name tag changed, and its addresses with the new name', async () => {
    // Prepare
    const { refresh, store } = await freshCatalog();
    serveEc2(ec2, eniPages());
    await refresh();
    ec2.reset();
    serveEc2(ec2, withName(eniPages(), ENI.floating, 'db-vip-blue'));

    // Act
    const summary = await refresh();

    // Assess
    expect(summary).toStrictEqual({
      enis: FIXTURE_ENIS,
      written: 1,
      unchanged: FIXTURE_ENIS - 1,
      deleted: 0,
      addressesWritten: 1,
      addressesRemoved: 0,
      instances: FIXTURE_INSTANCES,
    });
    const records = await store.entriesOf([ENI.floating]);
    expect(records.get(ENI.floating)).toMatchObject({
      name: 'db-vip-blue',
      tags: { Name: 'db-vip-blue', team: 'data-platform' },
      deletedAt: null,
    });
    const owners = await store.ownersOf(['10.0.3.50']);
    expect(owners.get('10.0.3.50')).toStrictEqual({
      interfaceId: ENI.floating,
      name: 'db-vip-blue',
    });
  });

  it('marks an ENI EC2 no longer lists deleted once, keeps it readable and removes its addresses', async () => {
    // Prepare
    const { refresh, store, itemOf } = await freshCatalog();
    serveEc2(ec2, eniPages());
    await refresh();
    ec2.reset();
    serveEc2(ec2, without(eniPages(), ENI.lambdaOrders));
    const before = nowSeconds();

    // Act
    const first = await refresh();
    const after = nowSeconds();
    const second = await refresh();

    // Assess
    expect(first).toStrictEqual({
      enis: FIXTURE_ENIS - 1,
      written: 0,
      unchanged: FIXTURE_ENIS - 1,
      deleted: 1,
      addressesWritten: 0,
      addressesRemoved: 1,
      instances: FIXTURE_INSTANCES,
    });
    expect(second).toStrictEqual({ ...first, deleted: 0, addressesRemoved: 0 });
    const record = (await store.entriesOf([ENI.lambdaOrders])).get(
      ENI.lambdaOrders
    );
    expect(record).toMatchObject({
      interfaceId: ENI.lambdaOrders,
      name: 'Lambda orders-worker',
      interfaceType: 'lambda',
    });
    const deletedAt = record?.deletedAt ?? 0;
    expect(deletedAt).toBeGreaterThanOrEqual(before);
    expect(deletedAt).toBeLessThanOrEqual(after);
    const item = await itemOf(`ENI#${ENI.lambdaOrders}`);
    expect(item?.expiresAt?.N).toBe(String(deletedAt + RETENTION_DAYS * DAY));
    expect(await store.ownersOf(['10.0.3.77'])).toStrictEqual(new Map());
    expect(await itemOf('ADDR#10.0.3.77')).toBeUndefined();
    const live = await store.entriesOf([ENI.lambdaReports]);
    expect(live.get(ENI.lambdaReports)?.deletedAt).toBeNull();
  });

  it('brings an ENI back to life when EC2 lists it again', async () => {
    // Prepare
    const { refresh, store, itemOf } = await freshCatalog();
    serveEc2(ec2, eniPages());
    await refresh();
    ec2.reset();
    serveEc2(ec2, without(eniPages(), ENI.nat));
    await refresh();
    ec2.reset();
    serveEc2(ec2, eniPages());

    // Act
    const summary = await refresh();

    // Assess
    expect(summary).toMatchObject({ written: 1, deleted: 0 });
    expect(summary.addressesWritten).toBe(2);
    const record = (await store.entriesOf([ENI.nat])).get(ENI.nat);
    expect(record?.deletedAt).toBeNull();
    expect((await itemOf(`ENI#${ENI.nat}`))?.expiresAt).toBeUndefined();
    const owners = await store.ownersOf(['203.0.113.25', '10.0.1.200']);
    expect(owners.size).toBe(2);
  });

  it('writes unchanged entries and addresses again after a day, to confirm them', async () => {
    // Prepare
    const { refresh, store } = await freshCatalog();
    serveEc2(ec2, eniPages());
    await refresh();
    const dayLater = Date.now() + DAY * 1000;
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(dayLater);

    // Act
    const summary = await refresh().finally(() => vi.useRealTimers());

    // Assess
    expect(summary).toStrictEqual({
      enis: FIXTURE_ENIS,
      written: FIXTURE_ENIS,
      unchanged: 0,
      deleted: 0,
      addressesWritten: FIXTURE_ADDRESSES,
      addressesRemoved: 0,
      instances: FIXTURE_INSTANCES,
    });
    const record = (await store.entriesOf([ENI.rds])).get(ENI.rds);
    expect(record?.lastSeen).toBe(Math.floor(dayLater / 1000));
  });

  it('gives an address two ENIs list to the smaller ENI id', async () => {
    // Prepare: the web ENI (…60101) and the ALB ENI (…60103) both list
    // 10.0.4.120, the ALB's; the web ENI also lists the Lambda's 10.0.3.77
    const { refresh, store } = await freshCatalog();
    const pages = structuredClone(eniPages());
    const web = pages[0].NetworkInterfaces?.find(
      (eni) => eni.NetworkInterfaceId === ENI.web
    );
    web?.PrivateIpAddresses?.push(
      { PrivateIpAddress: '10.0.4.120' },
      { PrivateIpAddress: '10.0.3.77' }
    );
    serveEc2(ec2, pages);

    // Act
    const summary = await refresh();

    // Assess
    expect(summary.addressesWritten).toBe(FIXTURE_ADDRESSES);
    const owners = await store.ownersOf(['10.0.4.120', '10.0.3.77']);
    expect(Object.fromEntries(owners)).toStrictEqual({
      '10.0.4.120': { interfaceId: ENI.web, name: 'web-01' },
      '10.0.3.77': { interfaceId: ENI.web, name: 'web-01' },
    });
  });

  it('throws on throttling of page 2 and marks nothing deleted; a later refresh succeeds', async () => {
    // Prepare
    const { refresh, store, indexed } = await freshCatalog();
    serveEc2(ec2, eniPages());
    await refresh();
    const stored = await indexed();
    ec2.reset();
    const [first] = eniPages();
    const fault = throttled();
    ec2
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce(first)
      .rejectsOnce(fault);
    ec2.on(DescribeInstancesCommand).resolves(instancesOutput());

    // Act
    const error = await rejectionOf(refresh());
    const unchanged = await indexed();
    ec2.reset();
    serveEc2(ec2, eniPages());
    const later = await refresh();

    // Assess
    expect(error).toHaveProperty('name', 'RequestLimitExceeded');
    expect(unchanged).toStrictEqual(stored);
    for (const item of unchanged.values()) expect(item.del).toBeUndefined();
    const records = await store.entriesOf(ALL_IDS);
    expect(records.size).toBe(FIXTURE_ENIS);
    for (const record of records.values()) expect(record.deletedAt).toBeNull();
    expect(later).toMatchObject({
      enis: FIXTURE_ENIS,
      written: 0,
      deleted: 0,
      addressesRemoved: 0,
    });
  });

  it('names ENIs of instances without tags or without a Name tag from the description, or not at all', async () => {
    // Prepare: the Name tags of web-01 and db-primary go too
    const { refresh, store } = await freshCatalog();
    const instances = structuredClone(instancesOutput());
    for (const reservation of instances.Reservations ?? []) {
      for (const instance of reservation.Instances ?? []) {
        if (instance.InstanceId === 'i-0123456789abcdef1') {
          delete instance.Tags;
        }
        if (instance.InstanceId === 'i-0123456789abcdef2') {
          instance.Tags = [{ Key: 'env', Value: 'prod' }];
        }
      }
    }
    const pages = structuredClone(eniPages());
    const web = pages[0].NetworkInterfaces?.find(
      (eni) => eni.NetworkInterfaceId === ENI.web
    );
    if (web) web.Description = 'Primary network interface';
    serveEc2(ec2, pages, instances);

    // Act
    const summary = await refresh();

    // Assess
    expect(summary).toMatchObject({
      enis: FIXTURE_ENIS,
      written: FIXTURE_ENIS,
      instances: FIXTURE_INSTANCES,
    });
    const records = await store.entriesOf([ENI.web, ENI.db, ENI.untagged]);
    expect(records.get(ENI.web)).toMatchObject({
      name: 'Primary network interface',
      instanceId: 'i-0123456789abcdef1',
      instanceName: null,
    });
    expect(records.get(ENI.db)).toMatchObject({
      name: null,
      instanceId: 'i-0123456789abcdef2',
      instanceName: null,
    });
    expect(records.get(ENI.untagged)).toMatchObject({
      name: null,
      instanceName: null,
    });
    const owners = await store.ownersOf(['10.0.4.15', '10.0.3.21']);
    expect(owners.get('10.0.4.15')?.name).toBe('Primary network interface');
    expect(owners.get('10.0.3.21')).toStrictEqual({
      interfaceId: ENI.db,
      name: null,
    });
  });
});
