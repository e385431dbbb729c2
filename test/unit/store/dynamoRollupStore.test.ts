import { setTimeout as sleep } from 'node:timers/promises';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  type GetItemCommandInput,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  type PutItemCommandInput,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it, vi } from 'vitest';
import { StoreError } from '../../../shared/errors.js';
import {
  createDynamoClient,
  createDynamoRollupStore,
} from '../../../shared/store/dynamoRollupStore.js';
import { rollupsFromItems } from '../../../shared/store/rollupItem.js';
import {
  compactionFor,
  updateFor,
} from '../../../shared/store/rollupWrites.js';
import {
  MAX_INLINE_TOP_LISTS,
  topListAttribute,
} from '../../../shared/store/topListAttributes.js';
import type { Rollup } from '../../../shared/types.js';
import { ConditionFailed, MemoryTable } from '../../helpers/applyUpdateItem.js';
import {
  contributionOf,
  ID,
  type Item,
  LABEL,
  OPTIONS,
  rollupOf,
  WINDOW,
  withTops,
} from '../../helpers/storeFixtures.js';

const enis = (count: number, windowStart = WINDOW): Rollup[] =>
  Array.from({ length: count }, (_, index) =>
    rollupOf(`eni-${String(index).padStart(17, '0')}`, windowStart)
  );

/** The `pk sk` an UpdateItem, PutItem or GetItem input writes or reads. */
const keyOf = (
  input: UpdateItemCommandInput | PutItemCommandInput | GetItemCommandInput
): string => {
  const key = 'Item' in input ? input.Item : input.Key;
  return `${key?.pk?.S} ${key?.sk?.S}`;
};

/** The interface id of a counters key, or the ranking's partition. */
const eniOf = (input: UpdateItemCommandInput | PutItemCommandInput): string =>
  keyOf(input).split(' ')[0]?.replace('ENI#', '') ?? '';

const conditionFailed = (item?: Item) =>
  new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: { httpStatusCode: 400 },
    Item: item,
  });

/**
 * A client whose PutItem, UpdateItem and GetItem calls work on `table` the
 * way DynamoDB does: a failed condition is DynamoDB's exception, carrying
 * the item when asked (`returnsItem`; dynalite does not), and writes
 * report 1 capacity unit per KB of the larger of the item before and
 * after. `fault` may throw instead, before the request reaches the table.
 */
function tableClient(
  table: MemoryTable,
  fault: (
    command: 'PutItem' | 'UpdateItem',
    key: string,
    input: UpdateItemCommandInput | PutItemCommandInput
  ) => void = () => {},
  returnsItem = true
) {
  const client = new DynamoDBClient({});
  const mock = mockClient(client);
  const units = (...items: (Item | undefined)[]) => ({
    CapacityUnits: Math.max(
      1,
      ...items.map((item) =>
        Math.ceil(JSON.stringify(item ?? {}).length / 1024)
      )
    ),
  });
  mock.on(PutItemCommand).callsFake((input: PutItemCommandInput) => {
    fault('PutItem', keyOf(input), input);
    const old = table.get(input.Item);
    table.put(input);
    return { ConsumedCapacity: units(old, input.Item) };
  });
  mock.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) => {
    fault('UpdateItem', keyOf(input), input);
    const old = table.get(input.Key);
    try {
      table.update(input);
    } catch (error) {
      if (error instanceof ConditionFailed) {
        const wanted =
          returnsItem &&
          input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD';
        throw conditionFailed(wanted ? error.item : undefined);
      }
      throw error;
    }
    return { ConsumedCapacity: units(old, table.get(input.Key)) };
  });
  mock.on(GetItemCommand).callsFake((input: GetItemCommandInput) => ({
    Item: table.get(input.Key),
  }));
  return { client, mock };
}

/** The commands a mocked client was sent, in order, with the key they write. */
const sentOrder = (mock: ReturnType<typeof mockClient>) =>
  mock.calls().map((call) => {
    const command = call.args[0] as PutItemCommand | UpdateItemCommand;
    return `${command.constructor.name.replace('Command', '')} ${keyOf(command.input)}`;
  });

describe('createDynamoRollupStore', () => {
  it('puts the rankings first, then one update per rollup, and sums the capacity reported', async () => {
    // Prepare
    const table = new MemoryTable();
    const { client, mock } = tableClient(table);
    const rollups = [...enis(2), ...enis(1, WINDOW + 300)];
    const store = createDynamoRollupStore(client, {
      ...OPTIONS,
      concurrency: 1,
    });

    // Act
    const result = await store.applyContribution(contributionOf(rollups));

    // Assess
    expect(result).toEqual({
      itemsWritten: 3,
      itemsAlreadyApplied: 0,
      writeCalls: 5,
      writeCapacityUnits: 5,
    });
    expect(sentOrder(mock)).toEqual([
      `PutItem TOP#2026-11-01T00:05:00Z ${ID}`,
      `PutItem TOP#2026-11-01T00:10:00Z ${ID}`,
      ...rollups.map(
        (rollup) =>
          `UpdateItem ENI#${rollup.interfaceId} W#${rollup.windowStart === WINDOW ? '2026-11-01T00:05:00Z' : '2026-11-01T00:10:00Z'}`
      ),
    ]);
    expect(
      mock.commandCalls(UpdateItemCommand).map((call) => call.args[0].input)
    ).toEqual(rollups.map((rollup) => updateFor(rollup, ID, OPTIONS)));
  });

  it('sends nothing for a contribution without rollups', async () => {
    // Prepare
    const client = new DynamoDBClient({});
    const mock = mockClient(client);
    const store = createDynamoRollupStore(client, OPTIONS);

    // Act
    const result = await store.applyContribution(contributionOf([]));

    // Assess
    expect(result).toEqual({
      itemsWritten: 0,
      itemsAlreadyApplied: 0,
      writeCalls: 0,
      writeCapacityUnits: 0,
    });
    expect(mock.calls()).toHaveLength(0);
  });

  it('counts a failed condition of a rollup without top lists as already applied, and reads nothing', async () => {
    // Prepare
    const client = new DynamoDBClient({});
    const mock = mockClient(client);
    const rollups = enis(3);
    mock.on(PutItemCommand).resolves({});
    mock.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) => {
      if (eniOf(input) === rollups[1]?.interfaceId) throw conditionFailed();
      return {};
    });
    const store = createDynamoRollupStore(client, OPTIONS);

    // Act
    const result = await store.applyContribution(contributionOf(rollups));

    // Assess
    expect(result).toMatchObject({
      itemsWritten: 2,
      itemsAlreadyApplied: 1,
      writeCalls: 4,
    });
    expect(mock.commandCalls(GetItemCommand)).toHaveLength(0);
  });

  it.each([
    {
      how: 'with the item in the failure (DynamoDB)',
      returnsItem: true,
      reads: 0,
    },
    { how: 'reading the item back (dynalite)', returnsItem: false, reads: 3 },
  ])(
    'leaves counters, top lists and ranking items unchanged on a redelivery, $how',
    async ({ returnsItem, reads }) => {
      // Prepare
      const table = new MemoryTable();
      const { client, mock } = tableClient(table, undefined, returnsItem);
      const rollups = [
        ...enis(2).map((rollup, index) => withTops(rollup, index)),
        withTops(rollupOf('eni-0000000000000000f', WINDOW + 300)),
      ];
      const store = createDynamoRollupStore(client, OPTIONS);
      const first = await store.applyContribution(contributionOf(rollups));
      const afterFirst = table.items();

      // Act
      const again = await store.applyContribution(contributionOf(rollups));

      // Assess
      expect(first).toMatchObject({
        itemsWritten: 3,
        itemsAlreadyApplied: 0,
        writeCalls: 5,
      });
      expect(again).toMatchObject({
        itemsWritten: 0,
        itemsAlreadyApplied: 3,
        writeCalls: 5,
      });
      expect(table.items()).toEqual(afterFirst);
      expect(afterFirst.map((item) => item.pk?.S?.slice(0, 4))).toEqual([
        'ENI#',
        'ENI#',
        'ENI#',
        'TOP#',
        'TOP#',
      ]);
      expect(rollupsFromItems(table.items())).toStrictEqual(rollups);
      expect(mock.commandCalls(GetItemCommand)).toHaveLength(reads);
    }
  );

  it('merges the top lists of an item that holds the most, then applies the contribution once', async () => {
    // Prepare
    const table = new MemoryTable();
    const { client, mock } = tableClient(table, undefined, false);
    const store = createDynamoRollupStore(client, OPTIONS);
    const ids = Array.from({ length: 10 }, (_, i) => `${i}-contribution`);

    // Act
    const results = [];
    for (const [i, id] of ids.entries()) {
      results.push(
        await store.applyContribution(
          contributionOf([withTops(rollupOf('eni-0a1b2c3d4e5f67890'), i)], id)
        )
      );
    }

    // Assess
    const [item] = table.items();
    expect(item?.c?.SS).toEqual(ids);
    expect(Number(item?.n?.N)).toBeLessThanOrEqual(MAX_INLINE_TOP_LISTS);
    const lists = Object.keys(item ?? {})
      .filter((name) => name.startsWith('t'))
      .sort();
    expect(lists).toEqual(['t', ...ids.slice(7).map(topListAttribute)]);
    // The 5th found 4 lists, merged them into 1 and added its own; the
    // 8th found 4 again.
    expect(results.map((result) => result.writeCalls)).toEqual([
      2, 2, 2, 2, 4, 2, 2, 4, 2, 2,
    ]);
    expect(results.every((result) => result.itemsWritten === 1)).toBe(true);
    expect(mock.commandCalls(GetItemCommand)).toHaveLength(2);
    const [rollup] = rollupsFromItems(table.items());
    expect(rollup?.flows).toBe(30);
    expect(rollup?.topTalkers?.map((talker) => talker.peer).sort()).toEqual(
      ids.map((_, i) => `10.0.${i}.5`).sort()
    );
  });

  it('reads the item again when another writer merged its top lists first', async () => {
    // Prepare
    const table = new MemoryTable();
    let races = 0;
    const { client, mock } = tableClient(table, (command, _, input) => {
      // Another writer's merge lands just before this one's.
      if (
        command === 'UpdateItem' &&
        'UpdateExpression' in input &&
        input.UpdateExpression?.includes('REMOVE') &&
        races++ === 0
      ) {
        const item = table.get(input.Key);
        const theirs = item && compactionFor(item, OPTIONS);
        if (theirs) table.update(theirs);
      }
    });
    const store = createDynamoRollupStore(client, OPTIONS);
    const eni = 'eni-0a1b2c3d4e5f67890';
    for (let i = 0; i < MAX_INLINE_TOP_LISTS; i++) {
      await store.applyContribution(
        contributionOf([withTops(rollupOf(eni), i)], `${i}-c`)
      );
    }
    mock.resetHistory();

    // Act
    const result = await store.applyContribution(
      contributionOf([withTops(rollupOf(eni), 9)], 'last')
    );

    // Assess
    expect(races).toBe(1);
    expect(result).toMatchObject({
      itemsWritten: 1,
      itemsAlreadyApplied: 0,
      // ranking put, failed update, failed merge, update
      writeCalls: 4,
    });
    expect(mock.commandCalls(UpdateItemCommand)).toHaveLength(3);
    const [item] = table.items();
    expect(item?.c?.SS).toEqual(['0-c', '1-c', '2-c', '3-c', 'last']);
    expect(item?.n).toEqual({ N: '2' });
    const [rollup] = rollupsFromItems(table.items());
    expect(rollup?.flows).toBe(15);
    expect(rollup?.topTalkers).toHaveLength(5);
  });

  it('throws StoreError naming the item when its top lists stay full', async () => {
    // Prepare
    const client = new DynamoDBClient({});
    const mock = mockClient(client);
    const full: Item = {
      pk: { S: 'ENI#eni-0a1b2c3d4e5f67890' },
      sk: { S: 'W#2026-11-01T00:05:00Z' },
      c: { SS: ['other'] },
      n: { N: String(MAX_INLINE_TOP_LISTS) },
    };
    mock.on(PutItemCommand).resolves({});
    mock.on(UpdateItemCommand).rejects(conditionFailed(full));
    const store = createDynamoRollupStore(client, OPTIONS);

    // Act
    const apply = store.applyContribution(
      contributionOf([withTops(rollupOf('eni-0a1b2c3d4e5f67890'))])
    );

    // Assess
    await expect(apply).rejects.toThrow(StoreError);
    await expect(apply).rejects.toThrow(
      `${LABEL}: writing ENI#eni-0a1b2c3d4e5f67890 W#2026-11-01T00:05:00Z failed: its top lists stayed full after 5 attempts`
    );
  });

  it('after a crash between the ranking puts and the counters, a retry applies the counters once and the same rankings', async () => {
    // Prepare
    const table = new MemoryTable();
    const rollups = enis(3).map((rollup, index) => withTops(rollup, index));
    const crashAt = `ENI#${rollups[1]?.interfaceId} W#2026-11-01T00:05:00Z`;
    let isCrashing = true;
    const { client } = tableClient(table, (command, key) => {
      if (isCrashing && command === 'UpdateItem' && key === crashAt) {
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
    const rankingsAfterCrash = table
      .items()
      .filter((item) => item.pk?.S?.startsWith('TOP#'));
    isCrashing = false;

    // Act
    const retry = await store.applyContribution(contributionOf(rollups));

    // Assess
    expect(crash).toBeInstanceOf(StoreError);
    expect(crash).toHaveProperty(
      'message',
      `${LABEL}: writing ${crashAt} failed: process crashed`
    );
    expect(rankingsAfterCrash).toHaveLength(1);
    expect(retry).toMatchObject({
      itemsWritten: 2,
      itemsAlreadyApplied: 1,
      writeCalls: 4,
    });
    const items = table.items();
    expect(items.filter((item) => item.pk?.S?.startsWith('TOP#'))).toEqual(
      rankingsAfterCrash
    );
    expect(items.map((item) => item.c?.SS)).toEqual([
      [ID],
      [ID],
      [ID],
      undefined,
    ]);
    expect(rollupsFromItems(items)).toStrictEqual(rollups);
  });

  it('throws StoreError naming the ranking and sends no counters update when a ranking put fails', async () => {
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
    const error = await store
      .applyContribution(
        contributionOf([withTops(rollupOf('eni-0a1b2c3d4e5f67890'))])
      )
      .then(
        () => undefined,
        (reason: unknown) => reason
      );

    // Assess
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toHaveProperty(
      'message',
      `${LABEL}: writing TOP#2026-11-01T00:05:00Z ${ID} failed: The level of configured provisioned throughput was exceeded`
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
    mock.on(PutItemCommand).resolves({});
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
    mock.on(PutItemCommand).resolves({});
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
    { concurrency: 4, items: 40, windows: 8 },
    { concurrency: 1, items: 5, windows: 1 },
    { concurrency: 16, items: 3, windows: 3 },
  ])(
    'keeps at most $concurrency writes in flight ($items items, $windows windows)',
    async ({ concurrency, items, windows }) => {
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
        return { ConsumedCapacity: { CapacityUnits: 1 } };
      };
      mock.on(PutItemCommand).callsFake(write);
      mock.on(UpdateItemCommand).callsFake(write);
      const store = createDynamoRollupStore(client, {
        ...OPTIONS,
        concurrency,
      });
      const rollups = enis(items).map((rollup, index) => ({
        ...withTops(rollup, index),
        windowStart: WINDOW + 300 * (index % windows),
      }));

      // Act
      const result = await store.applyContribution(contributionOf(rollups));

      // Assess
      expect(result).toEqual({
        itemsWritten: items,
        itemsAlreadyApplied: 0,
        writeCalls: items + windows,
        writeCapacityUnits: items + windows,
      });
      expect(mock.commandCalls(PutItemCommand)).toHaveLength(windows);
      expect(most).toBe(Math.min(concurrency, Math.max(items, windows)));
      expect(inFlight).toBe(0);
    }
  );
});

describe('createDynamoClient', () => {
  it('resolves the middleware of a command once, not on every send', async () => {
    // Prepare: middleware added before the first send (as the Tracer and
    // the fault tests add theirs) answers without a request.
    const client = createDynamoClient(3);
    let seen = 0;
    client.middlewareStack.add(
      () => async () => {
        seen++;
        return { output: {} as never, response: {} };
      },
      { step: 'initialize' }
    );
    const resolved = vi.spyOn(UpdateItemCommand.prototype, 'resolveMiddleware');
    const update = (id: string) =>
      new UpdateItemCommand({
        TableName: 'flowlog-rollups-test',
        Key: { pk: { S: `ENI#${id}` }, sk: { S: 'W#2026-11-01T00:00:00Z' } },
      });

    // Act
    for (const id of ['eni-1', 'eni-2', 'eni-3']) await client.send(update(id));

    // Assess
    expect(seen).toBe(3);
    expect(resolved).toHaveBeenCalledTimes(1);
    resolved.mockRestore();
  });
});
