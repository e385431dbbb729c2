import { setTimeout as sleep } from 'node:timers/promises';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  type PutItemCommandInput,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../../shared/errors.js';
import {
  createDynamoRollupStore,
  detailFor,
  updateFor,
} from '../../../shared/store/dynamoRollupStore.js';
import { rollupsFromItems } from '../../../shared/store/rollupItem.js';
import type { Contribution } from '../../../shared/store/rollupStore.js';
import type { Rollup } from '../../../shared/types.js';
import { ConditionFailed, MemoryTable } from '../../helpers/applyUpdateItem.js';

/** 2026-11-01T00:05:00Z */
const WINDOW = 1793491500;
const OPTIONS = {
  tableName: 'flowlog-rollups-test-rollups',
  retentionDays: 30,
  concurrency: 4,
};
const LABEL =
  's3://flow-logs/AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/01/x.log.gz';

const rollupOf = (interfaceId: string, windowStart = WINDOW): Rollup => ({
  interfaceId,
  windowStart,
  flows: 3,
  packets: 30,
  bytes: 3000,
  acceptFlows: 2,
  acceptPackets: 20,
  acceptBytes: 2000,
  rejectFlows: 1,
  rejectPackets: 10,
  rejectBytes: 1000,
  nodataRecords: 0,
  skipdataRecords: 0,
});

const ID = 'M9Azh3Jg2LLmCVKILSxkmH';

const contributionOf = (rollups: Rollup[]): Contribution => ({
  id: ID,
  label: LABEL,
  rollups,
});

const enis = (count: number): Rollup[] =>
  Array.from({ length: count }, (_, index) =>
    rollupOf(`eni-${String(index).padStart(17, '0')}`)
  );

/** A rollup with top lists, as most rollups of traffic have. */
const withTops = (rollup: Rollup, index = 1): Rollup => ({
  ...rollup,
  topTalkers: [
    {
      peer: `10.0.${index}.5`,
      port: 443,
      protocol: 6,
      flows: 2,
      packets: 20,
      bytes: 2000,
    },
  ],
  topRejectedSources: [
    { address: `198.51.100.${index}`, flows: 1, packets: 10, bytes: 1000 },
  ],
});

/** The interface id an UpdateItem or PutItem input writes to. */
const eniOf = (input: UpdateItemCommandInput | PutItemCommandInput): string =>
  (('Key' in input ? input.Key : input.Item)?.pk?.S ?? '').replace('ENI#', '');

const conditionFailed = () =>
  new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: { httpStatusCode: 400 },
  });

/**
 * A client whose PutItem and UpdateItem calls write `table` the way
 * DynamoDB would (a failed condition is DynamoDB's exception); `fault` may
 * throw instead, before the write reaches the table.
 */
function tableClient(
  table: MemoryTable,
  fault: (command: 'PutItem' | 'UpdateItem', eni: string) => void = () => {}
) {
  const client = new DynamoDBClient({});
  const mock = mockClient(client);
  mock.on(PutItemCommand).callsFake((input: PutItemCommandInput) => {
    fault('PutItem', eniOf(input));
    table.put(input);
    return {};
  });
  mock.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) => {
    fault('UpdateItem', eniOf(input));
    try {
      table.update(input);
    } catch (error) {
      if (error instanceof ConditionFailed) throw conditionFailed();
      throw error;
    }
    return {};
  });
  return { client, mock };
}

/** The command names a mocked client was sent, in order, with their ENI. */
const sentOrder = (mock: ReturnType<typeof mockClient>) =>
  mock.calls().map((call) => {
    const command = call.args[0] as PutItemCommand | UpdateItemCommand;
    return `${command.constructor.name} ${eniOf(command.input)}`;
  });

/** The attribute names and values of an expression, resolved. */
function clauses(input: UpdateItemCommandInput) {
  const names = input.ExpressionAttributeNames ?? {};
  const values = input.ExpressionAttributeValues ?? {};
  const [setPart = '', addPart = ''] = (input.UpdateExpression ?? '')
    .replace(/^SET /, '')
    .split(' ADD ');
  const sets = new Map<string, string>();
  for (const clause of setPart.split(/, (?![^(]*\))/)) {
    const [name = '', expression = ''] = clause.split(' = ');
    sets.set(
      names[name] ?? name,
      expression.replace(/[#:]\w+/g, (token) =>
        token.startsWith('#')
          ? (names[token] ?? token)
          : JSON.stringify(values[token])
      )
    );
  }
  const adds = new Map<string, AttributeValue | undefined>();
  for (const clause of addPart.split(', ')) {
    const [name = '', value = ''] = clause.split(' ');
    adds.set(names[name] ?? name, values[value]);
  }
  return { sets, adds };
}

describe('updateFor', () => {
  const full: Rollup = {
    ...rollupOf('eni-0a1b2c3d4e5f67890'),
    tcpBytes: 2500,
    synOnlyFlows: 0,
    accountId: '123456789012',
    vpcId: 'vpc-0abc',
    topTalkers: [
      {
        peer: '10.0.1.5',
        port: 443,
        protocol: 6,
        flows: 1,
        packets: 10,
        bytes: 900,
      },
    ],
  };

  it('keys the item by ENI and window', () => {
    // Act
    const input = updateFor(full, 'c1', OPTIONS);

    // Assess
    expect(input.TableName).toBe(OPTIONS.tableName);
    expect(input.Key).toEqual({
      pk: { S: 'ENI#eni-0a1b2c3d4e5f67890' },
      sk: { S: 'W#2026-11-01T00:05:00Z' },
    });
  });

  it('applies only when the contribution id is not in the set yet', () => {
    // Act
    const input = updateFor(full, 'c1', OPTIONS);

    // Assess
    expect(input.ConditionExpression).toBe('NOT contains(#c, :c)');
    expect(input.ExpressionAttributeNames?.['#c']).toBe('contributions');
    expect(input.ExpressionAttributeValues?.[':c']).toEqual({ S: 'c1' });
  });

  it('adds every counter present and the contribution id', () => {
    // Act
    const { adds } = clauses(updateFor(full, 'c1', OPTIONS));

    // Assess
    expect(Object.fromEntries(adds)).toStrictEqual({
      flows: { N: '3' },
      packets: { N: '30' },
      bytes: { N: '3000' },
      acceptFlows: { N: '2' },
      acceptPackets: { N: '20' },
      acceptBytes: { N: '2000' },
      rejectFlows: { N: '1' },
      rejectPackets: { N: '10' },
      rejectBytes: { N: '1000' },
      nodataRecords: { N: '0' },
      skipdataRecords: { N: '0' },
      tcpBytes: { N: '2500' },
      synOnlyFlows: { N: '0' },
      contributions: { SS: ['c1'] },
    });
  });

  it('leaves out the optional counters and ids a rollup does not have', () => {
    // Act
    const input = updateFor(full, 'c1', OPTIONS);

    // Assess
    const named = Object.values(input.ExpressionAttributeNames ?? {});
    for (const absent of [
      'ingressPackets',
      'ingressBytes',
      'egressPackets',
      'egressBytes',
      'udpBytes',
      'icmpBytes',
      'otherBytes',
      'subnetId',
      'instanceId',
    ]) {
      expect(named).not.toContain(absent);
    }
    expect(JSON.stringify(input)).not.toContain('undefined');
  });

  it('sets the keys, the expiry and the ids once, and no top lists', () => {
    // Act
    const input = updateFor(full, 'c1', OPTIONS);

    // Assess
    expect(Object.fromEntries(clauses(input).sets)).toStrictEqual({
      interfaceId: '{"S":"eni-0a1b2c3d4e5f67890"}',
      windowStart: `{"N":"${WINDOW}"}`,
      expiresAt: `{"N":"${WINDOW + 30 * 86_400}"}`,
      accountId: 'if_not_exists(accountId, {"S":"123456789012"})',
      vpcId: 'if_not_exists(vpcId, {"S":"vpc-0abc"})',
    });
    // The top lists go to the detail item (detailFor).
    expect(JSON.stringify(input)).not.toContain('10.0.1.5');
    expect(Object.values(input.ExpressionAttributeNames ?? {})).not.toContain(
      'topLists'
    );
  });

  it('expires the item retentionDays after its window starts', () => {
    // Act
    const { sets } = clauses(
      updateFor(full, 'c1', { ...OPTIONS, retentionDays: 1 })
    );

    // Assess
    expect(sets.get('expiresAt')).toBe(`{"N":"${WINDOW + 86_400}"}`);
  });

  it('binds every name and value the expressions use, and no other', () => {
    // Act
    const input = updateFor(full, 'c1', OPTIONS);

    // Assess
    const expressions = `${input.UpdateExpression} ${input.ConditionExpression}`;
    const used = new Set(expressions.match(/[#:]\w+/g));
    const bound = [
      ...Object.keys(input.ExpressionAttributeNames ?? {}),
      ...Object.keys(input.ExpressionAttributeValues ?? {}),
    ];
    expect(new Set(bound)).toEqual(used);
  });
});

describe('detailFor', () => {
  const topped: Rollup = {
    ...rollupOf('eni-0a1b2c3d4e5f67890'),
    accountId: '123456789012',
    topTalkers: [
      {
        peer: '10.0.1.5',
        port: 443,
        protocol: 6,
        flows: 1,
        packets: 10,
        bytes: 900,
      },
    ],
    topRejectedSources: [
      { address: '198.51.100.7', flows: 1, packets: 1, bytes: 40 },
    ],
  };

  it('keys the detail by ENI, window and contribution id, apart from the counters item', () => {
    // Act
    const input = detailFor(topped, 'c1', OPTIONS);

    // Assess
    expect(input?.TableName).toBe(OPTIONS.tableName);
    expect(input?.Item?.pk).toEqual({ S: 'ENI#eni-0a1b2c3d4e5f67890' });
    expect(input?.Item?.sk).toEqual({ S: 'T#2026-11-01T00:05:00Z#c1' });
    expect(input?.Item?.sk).not.toEqual(
      updateFor(topped, 'c1', OPTIONS).Key?.sk
    );
    expect(detailFor(topped, 'c2', OPTIONS)?.Item?.sk).toEqual({
      S: 'T#2026-11-01T00:05:00Z#c2',
    });
  });

  it('holds the ids of the window, the contribution id, the top lists as compact JSON and the expiry', () => {
    // Act
    const input = detailFor(topped, 'c1', OPTIONS);

    // Assess
    expect(input?.Item).toStrictEqual({
      pk: { S: 'ENI#eni-0a1b2c3d4e5f67890' },
      sk: { S: 'T#2026-11-01T00:05:00Z#c1' },
      interfaceId: { S: 'eni-0a1b2c3d4e5f67890' },
      windowStart: { N: String(WINDOW) },
      contributionId: { S: 'c1' },
      topLists: {
        S: '{"t":[{"peer":"10.0.1.5","port":443,"protocol":6,"flows":1,"packets":10,"bytes":900}],"r":[{"address":"198.51.100.7","flows":1,"packets":1,"bytes":40}]}',
      },
      expiresAt: { N: String(WINDOW + 30 * 86_400) },
    });
  });

  it('is an unconditional put: writing it again stores the same item', () => {
    // Act
    const input = detailFor(topped, 'c1', OPTIONS);

    // Assess
    expect(input).not.toHaveProperty('ConditionExpression');
    expect(detailFor(topped, 'c1', OPTIONS)).toStrictEqual(input);
  });

  it('has no counters, so the detail stays out of the byWindow index', () => {
    // Act
    const item = detailFor(topped, 'c1', OPTIONS)?.Item ?? {};

    // Assess
    for (const counter of ['bytes', 'flows', 'packets', 'contributions']) {
      expect(item).not.toHaveProperty(counter);
    }
  });

  it('expires the detail retentionDays after its window starts, as the counters', () => {
    // Act
    const input = detailFor(topped, 'c1', { ...OPTIONS, retentionDays: 1 });

    // Assess
    expect(input?.Item?.expiresAt).toEqual({ N: String(WINDOW + 86_400) });
    expect(
      clauses(
        updateFor(topped, 'c1', { ...OPTIONS, retentionDays: 1 })
      ).sets.get('expiresAt')
    ).toBe(JSON.stringify(input?.Item?.expiresAt));
  });

  it('stores the one top list a rollup has', () => {
    // Prepare
    const { topTalkers: _, ...rejectedOnly } = topped;

    // Act
    const input = detailFor(rejectedOnly, 'c1', OPTIONS);

    // Assess
    expect(input?.Item?.topLists).toEqual({
      S: '{"r":[{"address":"198.51.100.7","flows":1,"packets":1,"bytes":40}]}',
    });
  });

  it.each([
    ['without top lists', rollupOf('eni-0a1b2c3d4e5f67890')],
    [
      'with empty top lists',
      {
        ...rollupOf('eni-0a1b2c3d4e5f67890'),
        topTalkers: [],
        topRejectedSources: [],
      },
    ],
  ])('returns null for a rollup %s', (_, rollup) => {
    // Act
    const input = detailFor(rollup, 'c1', OPTIONS);

    // Assess
    expect(input).toBeNull();
  });
});

describe('createDynamoRollupStore', () => {
  it('sends one updateFor input per rollup without top lists, no put, and counts the writes', async () => {
    // Prepare
    const client = new DynamoDBClient({});
    const mock = mockClient(client);
    mock.on(UpdateItemCommand).resolves({});
    const rollups = enis(3);
    const store = createDynamoRollupStore(client, OPTIONS);

    // Act
    const result = await store.applyContribution(contributionOf(rollups));

    // Assess
    expect(result).toEqual({
      itemsWritten: 3,
      itemsAlreadyApplied: 0,
      writeCalls: 3,
    });
    const sent = mock
      .commandCalls(UpdateItemCommand)
      .map((call) => call.args[0].input);
    expect(sent).toEqual(
      rollups.map((rollup) => updateFor(rollup, ID, OPTIONS))
    );
    expect(mock.commandCalls(PutItemCommand)).toHaveLength(0);
  });

  it('puts the detailFor item of a rollup with top lists before its updateFor, and counts both writes', async () => {
    // Prepare
    const client = new DynamoDBClient({});
    const mock = mockClient(client);
    mock.on(PutItemCommand).resolves({});
    mock.on(UpdateItemCommand).resolves({});
    // Top lists on the first and third rollups only.
    const rollups = enis(4).map((rollup, index) =>
      index % 2 === 0 ? withTops(rollup, index) : rollup
    );
    const store = createDynamoRollupStore(client, {
      ...OPTIONS,
      concurrency: 1,
    });

    // Act
    const result = await store.applyContribution(contributionOf(rollups));

    // Assess
    expect(result).toEqual({
      itemsWritten: 4,
      itemsAlreadyApplied: 0,
      writeCalls: 6,
    });
    const [a, b, c, d] = rollups.map((rollup) => rollup.interfaceId);
    expect(sentOrder(mock)).toEqual([
      `PutItemCommand ${a}`,
      `UpdateItemCommand ${a}`,
      `UpdateItemCommand ${b}`,
      `PutItemCommand ${c}`,
      `UpdateItemCommand ${c}`,
      `UpdateItemCommand ${d}`,
    ]);
    expect(
      mock.commandCalls(PutItemCommand).map((call) => call.args[0].input)
    ).toEqual(
      [rollups[0], rollups[2]].map((rollup) =>
        detailFor(rollup as Rollup, ID, OPTIONS)
      )
    );
    expect(
      mock.commandCalls(UpdateItemCommand).map((call) => call.args[0].input)
    ).toEqual(rollups.map((rollup) => updateFor(rollup, ID, OPTIONS)));
  });

  it('puts each detail before the update of its own item with writes in parallel', async () => {
    // Prepare
    const client = new DynamoDBClient({});
    const mock = mockClient(client);
    mock.on(PutItemCommand).callsFake(async () => {
      await sleep(1);
      return {};
    });
    mock.on(UpdateItemCommand).resolves({});
    const rollups = enis(12).map((rollup, index) => withTops(rollup, index));
    const store = createDynamoRollupStore(client, OPTIONS);

    // Act
    const result = await store.applyContribution(contributionOf(rollups));

    // Assess
    expect(result).toEqual({
      itemsWritten: 12,
      itemsAlreadyApplied: 0,
      writeCalls: 24,
    });
    const order = sentOrder(mock);
    for (const { interfaceId } of rollups) {
      const put = order.indexOf(`PutItemCommand ${interfaceId}`);
      const update = order.indexOf(`UpdateItemCommand ${interfaceId}`);
      expect(put).toBeGreaterThanOrEqual(0);
      expect(update).toBeGreaterThan(put);
    }
  });

  it('sends nothing for a contribution without rollups', async () => {
    // Prepare
    const client = new DynamoDBClient({});
    const mock = mockClient(client);
    mock.on(UpdateItemCommand).resolves({});
    const store = createDynamoRollupStore(client, OPTIONS);

    // Act
    const result = await store.applyContribution(contributionOf([]));

    // Assess
    expect(result).toEqual({
      itemsWritten: 0,
      itemsAlreadyApplied: 0,
      writeCalls: 0,
    });
    expect(mock.calls()).toHaveLength(0);
  });

  it('counts a failed condition as already applied, not as an error', async () => {
    // Prepare
    const client = new DynamoDBClient({});
    const mock = mockClient(client);
    const rollups = enis(3);
    mock.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) => {
      if (eniOf(input) === rollups[1]?.interfaceId) throw conditionFailed();
      return {};
    });
    const store = createDynamoRollupStore(client, OPTIONS);

    // Act
    const result = await store.applyContribution(contributionOf(rollups));

    // Assess
    expect(result).toEqual({
      itemsWritten: 2,
      itemsAlreadyApplied: 1,
      writeCalls: 3,
    });
  });

  it('re-puts the details on a redelivery, counts it as already applied, and leaves the table as it was', async () => {
    // Prepare
    const table = new MemoryTable();
    const { client, mock } = tableClient(table);
    const rollups = enis(3).map((rollup, index) => withTops(rollup, index));
    const store = createDynamoRollupStore(client, OPTIONS);
    const first = await store.applyContribution(contributionOf(rollups));
    const afterFirst = table.items();

    // Act
    const again = await store.applyContribution(contributionOf(rollups));

    // Assess
    expect(first).toEqual({
      itemsWritten: 3,
      itemsAlreadyApplied: 0,
      writeCalls: 6,
    });
    expect(again).toEqual({
      itemsWritten: 0,
      itemsAlreadyApplied: 3,
      writeCalls: 6,
    });
    const puts = mock
      .commandCalls(PutItemCommand)
      .map((call) => call.args[0].input);
    expect(puts).toHaveLength(6);
    expect(puts.slice(3)).toEqual(puts.slice(0, 3));
    expect(table.items()).toEqual(afterFirst);
    expect(afterFirst).toHaveLength(6);
    expect(rollupsFromItems(table.items())).toStrictEqual(rollups);
  });

  it('after a crash between the detail put and the counters update, a retry leaves one detail per item and the counters applied once', async () => {
    // Prepare
    const table = new MemoryTable();
    const rollups = enis(3).map((rollup, index) => withTops(rollup, index));
    const crashAt = rollups[1]?.interfaceId;
    let isCrashing = true;
    const { client } = tableClient(table, (command, eni) => {
      if (isCrashing && command === 'UpdateItem' && eni === crashAt) {
        throw new Error('process crashed');
      }
    });
    const store = createDynamoRollupStore(client, {
      ...OPTIONS,
      concurrency: 1,
    });
    const crash = await store
      .applyContribution(contributionOf(rollups))
      .catch((error: unknown) => error);
    const afterCrash = table.items();
    isCrashing = false;

    // Act
    const retry = await store.applyContribution(contributionOf(rollups));

    // Assess
    expect(crash).toBeInstanceOf(StoreError);
    expect(crash).toHaveProperty(
      'message',
      `${LABEL}: writing ENI#${crashAt} W#2026-11-01T00:05:00Z failed: process crashed`
    );
    // The crashed item's detail landed, its counters did not: read back,
    // the detail without counters is no rollup.
    expect(afterCrash.map((item) => item.sk?.S?.slice(0, 2))).toEqual([
      'T#',
      'W#',
      'T#',
    ]);
    expect(rollupsFromItems(afterCrash)).toStrictEqual(rollups.slice(0, 1));
    expect(retry).toEqual({
      itemsWritten: 2,
      itemsAlreadyApplied: 1,
      writeCalls: 6,
    });
    const items = table.items();
    for (const { interfaceId } of rollups) {
      const own = items.filter((item) => item.interfaceId?.S === interfaceId);
      expect(own.map((item) => item.sk?.S)).toEqual([
        `T#2026-11-01T00:05:00Z#${ID}`,
        'W#2026-11-01T00:05:00Z',
      ]);
      expect(own[1]?.contributions).toEqual({ SS: [ID] });
    }
    expect(rollupsFromItems(items)).toStrictEqual(rollups);
  });

  it('throws StoreError and sends no counters update when the detail put fails', async () => {
    // Prepare
    const client = new DynamoDBClient({});
    const mock = mockClient(client);
    const throttled = new ProvisionedThroughputExceededException({
      message: 'The level of configured provisioned throughput was exceeded',
      $metadata: { httpStatusCode: 400, attempts: 10 },
    });
    mock.on(PutItemCommand).rejects(throttled);
    mock.on(UpdateItemCommand).resolves({});
    const store = createDynamoRollupStore(client, {
      ...OPTIONS,
      concurrency: 1,
    });

    // Act
    const apply = store.applyContribution(
      contributionOf([withTops(rollupOf('eni-0a1b2c3d4e5f67890'))])
    );

    // Assess
    const error = await apply.then(
      () => undefined,
      (reason: unknown) => reason
    );
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toHaveProperty(
      'message',
      `${LABEL}: writing ENI#eni-0a1b2c3d4e5f67890 W#2026-11-01T00:05:00Z failed: The level of configured provisioned throughput was exceeded`
    );
    expect(error).toHaveProperty('cause', throttled);
    expect(mock.commandCalls(PutItemCommand)).toHaveLength(1);
    expect(mock.commandCalls(UpdateItemCommand)).toHaveLength(0);
  });

  it('throws StoreError naming the input and the item when throttling persists', async () => {
    // Prepare
    const client = new DynamoDBClient({});
    const mock = mockClient(client);
    const throttled = new ProvisionedThroughputExceededException({
      message: 'The level of configured provisioned throughput was exceeded',
      $metadata: { httpStatusCode: 400, attempts: 10 },
    });
    mock.on(UpdateItemCommand).rejects(throttled);
    const store = createDynamoRollupStore(client, {
      ...OPTIONS,
      concurrency: 1,
    });

    // Act
    const apply = store.applyContribution(
      contributionOf([rollupOf('eni-0a1b2c3d4e5f67890'), ...enis(3)])
    );

    // Assess
    const error = await apply.then(
      () => undefined,
      (reason: unknown) => reason
    );
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toHaveProperty(
      'message',
      `${LABEL}: writing ENI#eni-0a1b2c3d4e5f67890 W#2026-11-01T00:05:00Z failed: The level of configured provisioned throughput was exceeded`
    );
    expect(error).toHaveProperty('cause', throttled);
    expect(mock.commandCalls(UpdateItemCommand)).toHaveLength(1);
  });

  it('starts no further writes after a failure', async () => {
    // Prepare
    const client = new DynamoDBClient({});
    const mock = mockClient(client);
    const rollups = enis(10);
    mock
      .on(UpdateItemCommand)
      .callsFake(async (input: UpdateItemCommandInput) => {
        if (eniOf(input) === rollups[0]?.interfaceId) {
          throw new ProvisionedThroughputExceededException({
            message: 'throttled',
            $metadata: {},
          });
        }
        await sleep(20);
        return {};
      });
    const store = createDynamoRollupStore(client, {
      ...OPTIONS,
      concurrency: 3,
    });

    // Act
    const apply = store.applyContribution(contributionOf(rollups));

    // Assess
    await expect(apply).rejects.toThrow(StoreError);
    await sleep(50);
    expect(
      mock
        .commandCalls(UpdateItemCommand)
        .map((call) => eniOf(call.args[0].input))
    ).toEqual(rollups.slice(0, 3).map((rollup) => rollup.interfaceId));
  });

  it.each([
    { concurrency: 4, items: 40 },
    { concurrency: 1, items: 5 },
    { concurrency: 16, items: 3 },
  ])(
    'keeps at most $concurrency writes in flight ($items items)',
    async ({ concurrency, items }) => {
      // Prepare
      const client = new DynamoDBClient({});
      const mock = mockClient(client);
      let inFlight = 0;
      let most = 0;
      const write = async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        await sleep(2);
        inFlight--;
        return {};
      };
      mock.on(PutItemCommand).callsFake(write);
      mock.on(UpdateItemCommand).callsFake(write);
      const store = createDynamoRollupStore(client, {
        ...OPTIONS,
        concurrency,
      });
      // Every other item has top lists: a detail put, then its update.
      const rollups = enis(items).map((rollup, index) =>
        index % 2 === 0 ? withTops(rollup, index) : rollup
      );

      // Act
      const result = await store.applyContribution(contributionOf(rollups));

      // Assess
      expect(result.itemsWritten).toBe(items);
      expect(result.writeCalls).toBe(items + Math.ceil(items / 2));
      expect(mock.commandCalls(PutItemCommand)).toHaveLength(
        Math.ceil(items / 2)
      );
      expect(most).toBe(Math.min(concurrency, items));
      expect(inFlight).toBe(0);
    }
  );
});
