import { setTimeout as sleep } from 'node:timers/promises';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../../shared/errors.js';
import {
  createDynamoRollupStore,
  updateFor,
} from '../../../shared/store/dynamoRollupStore.js';
import type { Contribution } from '../../../shared/store/rollupStore.js';
import type { Rollup } from '../../../shared/types.js';

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

const contributionOf = (rollups: Rollup[]): Contribution => ({
  id: 'M9Azh3Jg2LLmCVKILSxkmH',
  label: LABEL,
  rollups,
});

const enis = (count: number): Rollup[] =>
  Array.from({ length: count }, (_, index) =>
    rollupOf(`eni-${String(index).padStart(17, '0')}`)
  );

/** The interface id an UpdateItem input writes to. */
const eniOf = (input: UpdateItemCommandInput): string =>
  input.Key?.pk?.S?.replace('ENI#', '') ?? '';

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

  it('sets the keys, the expiry, the ids once and the top lists', () => {
    // Act
    const { sets } = clauses(updateFor(full, 'c1', OPTIONS));

    // Assess
    expect(Object.fromEntries(sets)).toStrictEqual({
      interfaceId: '{"S":"eni-0a1b2c3d4e5f67890"}',
      windowStart: `{"N":"${WINDOW}"}`,
      expiresAt: `{"N":"${WINDOW + 30 * 86_400}"}`,
      accountId: 'if_not_exists(accountId, {"S":"123456789012"})',
      vpcId: 'if_not_exists(vpcId, {"S":"vpc-0abc"})',
      'top#c1': JSON.stringify({ S: JSON.stringify({ t: full.topTalkers }) }),
    });
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

describe('createDynamoRollupStore', () => {
  it('sends one updateFor input per rollup and counts the writes', async () => {
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
      rollups.map((rollup) =>
        updateFor(rollup, 'M9Azh3Jg2LLmCVKILSxkmH', OPTIONS)
      )
    );
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
    expect(mock.commandCalls(UpdateItemCommand)).toHaveLength(0);
  });

  it('counts a failed condition as already applied, not as an error', async () => {
    // Prepare
    const client = new DynamoDBClient({});
    const mock = mockClient(client);
    const rollups = enis(3);
    mock.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) => {
      if (eniOf(input) === rollups[1]?.interfaceId) {
        throw new ConditionalCheckFailedException({
          message: 'The conditional request failed',
          $metadata: { httpStatusCode: 400 },
        });
      }
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
      mock.on(UpdateItemCommand).callsFake(async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        await sleep(2);
        inFlight--;
        return {};
      });
      const store = createDynamoRollupStore(client, {
        ...OPTIONS,
        concurrency,
      });

      // Act
      const result = await store.applyContribution(contributionOf(enis(items)));

      // Assess
      expect(result.itemsWritten).toBe(items);
      expect(most).toBe(Math.min(concurrency, items));
      expect(inFlight).toBe(0);
    }
  );
});
