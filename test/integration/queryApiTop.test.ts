/**
 * The top ENIs of a window at fleet shapes, against dynalite: inputs that
 * each touch more ENIs in a window than their rankings keep. The rows are
 * always the stored counters; which ENIs make the list is exact when the
 * rankings prove it, and the answer says `approximate` when they cannot.
 * Reads stay bounded however many ENIs the window holds.
 */
import type {
  BatchGetItemCommandInput,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyRollup } from '../../shared/aggregate/mergeRollups.js';
import { createDynamoRollupReader } from '../../shared/store/dynamoRollupReader.js';
import { createDynamoRollupStore } from '../../shared/store/dynamoRollupStore.js';
import type { RollupReader } from '../../shared/store/rollupStore.js';
import type { Rollup } from '../../shared/types.js';
import { storedRollups } from '../helpers/expectedRollups.js';
import { type IngestStack, startIngestStack } from '../helpers/ingestStack.js';

/** 2026-11-01T00:05:00Z, and windows after it. */
const WINDOW = 1793491500;
const W = 300;

const eni = (n: number): string => `eni-${n.toString(16).padStart(17, '0')}`;

/** Each ranked counter in its own order: the rankings' union differs from each list. */
const mixed = (value: number) => ({
  bytes: value,
  packets: Math.floor(value / 10),
  flows: 1 + (value % 7),
  rejectFlows: value % 3,
});

/** Every ranked counter in the order of `value`. */
const alike = (value: number) => ({
  bytes: value,
  packets: Math.floor(value / 10),
  flows: 1 + Math.floor(value / 1000),
  rejectFlows: Math.floor(value / 5000),
});

const rollupOf = (
  id: number,
  windowStart: number,
  value: number,
  derive = mixed
): Rollup => ({ ...emptyRollup(eni(id), windowStart), ...derive(value) });

describe('GET /windows/{windowStart}/top at fleet shapes', () => {
  let env: IngestStack;
  let reader: RollupReader;
  /** Keys asked for by each BatchGetItem the reader sent. */
  const batchKeys: number[] = [];

  const apply = async (
    windowStart: number,
    contributions: readonly (readonly (readonly [
      id: number,
      value: number,
    ])[])[],
    derive = mixed
  ) => {
    const store = createDynamoRollupStore(env.stack.dynamo, {
      tableName: env.tableName,
      retentionDays: 30,
      concurrency: 16,
    });
    for (const [n, values] of contributions.entries()) {
      await store.applyContribution({
        id: `w${windowStart}c${n}`,
        label: `contribution ${n}`,
        rollups: values.map(([id, value]) =>
          rollupOf(id, windowStart, value, derive)
        ),
      });
    }
  };

  /** Every stored rollup of a window (the truth the answers are held to). */
  const truthOf = async (windowStart: number, ids: readonly number[]) =>
    (
      await storedRollups(
        env.stack.dynamo,
        env.tableName,
        new Set(ids.map(eni))
      )
    ).filter((rollup) => rollup.windowStart === windowStart);

  beforeAll(async () => {
    env = await startIngestStack('query-top');
    const client: DynamoDBClient = env.stack.dynamo;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'BatchGetItemCommand') {
          const input = (args.input as BatchGetItemCommandInput).RequestItems;
          batchKeys.push(
            Object.values(input ?? {}).reduce(
              (sum, request) => sum + (request.Keys?.length ?? 0),
              0
            )
          );
        }
        return next(args);
      },
      { step: 'initialize', name: 'countBatchKeys' }
    );
    reader = createDynamoRollupReader(client, env.tableName);
  }, 60_000);

  afterAll(async () => {
    await env.close();
  });

  it('proves the membership exact when the inputs agree on their busiest ENIs, and reads about limit counters', async () => {
    // Prepare: three inputs of 250 ENIs each; ENIs 0-49 are busy in all.
    const windowStart = WINDOW;
    const ids = Array.from({ length: 250 }, (_, i) => i);
    await apply(
      windowStart,
      [0, 1, 2].map((c) =>
        ids.map(
          (id) =>
            [
              id,
              id < 50
                ? 1_000_000 - id * 1000 - c
                : 1000 + ((id * 37 + c) % 500),
            ] as const
        )
      )
    );
    const truth = await truthOf(windowStart, ids);
    batchKeys.length = 0;

    // Act
    const top = await reader.rankWindow(windowStart, 'bytes', 10);

    // Assess
    expect(top.isMembershipExact).toBe(true);
    expect(top.rollups).toEqual(
      [...truth].sort((a, b) => b.bytes - a.bytes).slice(0, 10)
    );
    expect(batchKeys).toEqual([10]);
  });

  it.each(['bytes', 'packets', 'flows', 'rejectFlows'] as const)(
    'gives the stored counters of each ENI, busiest first by %s, and no exact answer misses a busier ENI',
    async (by) => {
      // Prepare: four inputs of 300 ENIs from a fleet of 600.
      const windowStart = WINDOW + W;
      const fleet = Array.from({ length: 600 }, (_, i) => i);
      if ((await truthOf(windowStart, fleet)).length === 0) {
        await apply(
          windowStart,
          [0, 1, 2, 3].map((c) =>
            fleet
              .filter((id) => (id + c) % 2 === 0)
              .map(
                (id) => [id, ((id * 7919 + c * 104_729) % 100_000) + 1] as const
              )
          )
        );
      }
      const truth = await truthOf(windowStart, fleet);
      batchKeys.length = 0;

      // Act
      const top = await reader.rankWindow(windowStart, by, 25);

      // Assess
      const byId = new Map(truth.map((rollup) => [rollup.interfaceId, rollup]));
      for (const rollup of top.rollups) {
        expect(rollup).toEqual(byId.get(rollup.interfaceId));
      }
      const values = top.rollups.map((rollup) => rollup[by]);
      expect(values).toEqual([...values].sort((a, b) => b - a));
      expect(top.rollups).toHaveLength(25);
      const given = new Set(top.rollups.map((rollup) => rollup.interfaceId));
      const last = values.at(-1) ?? 0;
      const missed = truth.filter(
        (rollup) => !given.has(rollup.interfaceId) && rollup[by] > last
      );
      if (top.isMembershipExact) expect(missed).toEqual([]);
      expect(
        batchKeys.reduce((sum, keys) => sum + keys, 0)
      ).toBeLessThanOrEqual(300);
      expect(Math.max(...batchKeys)).toBeLessThanOrEqual(100);
    }
  );

  it('says approximate when an ENI below every ranking cut may outrank the answer', async () => {
    // Prepare: three inputs, each with its own 100 ENIs at 10,000 bytes
    // and a 101st ENI just below them on every counter: the hidden ENI,
    // 9,000 in each.
    const windowStart = WINDOW + 2 * W;
    const hidden = 999;
    const groups = [0, 1, 2].map((c) =>
      Array.from({ length: 100 }, (_, i) => 1000 + c * 100 + i)
    );
    await apply(
      windowStart,
      groups.map((group) => [
        ...group.map((id) => [id, 10_000] as const),
        [hidden, 9000] as const,
      ]),
      alike
    );
    const truth = await truthOf(windowStart, [...groups.flat(), hidden]);
    batchKeys.length = 0;

    // Act
    const top = await reader.rankWindow(windowStart, 'bytes', 5);

    // Assess
    expect(
      truth.find((rollup) => rollup.interfaceId === eni(hidden))?.bytes
    ).toBe(27_000);
    expect(top.isMembershipExact).toBe(false);
    expect(top.rollups.map((rollup) => rollup.interfaceId)).not.toContain(
      eni(hidden)
    );
    expect(top.rollups.every((rollup) => rollup.bytes === 10_000)).toBe(true);
    expect(batchKeys.reduce((sum, keys) => sum + keys, 0)).toBe(300);
  });

  it('is exact and reads every ENI of a window whose inputs each saw at most 100', async () => {
    // Prepare
    const windowStart = WINDOW + 3 * W;
    const ids = Array.from({ length: 80 }, (_, i) => 5000 + i);
    await apply(windowStart, [
      ids.map((id) => [id, id % 13] as const),
      ids.slice(40).map((id) => [id, 100 + (id % 5)] as const),
    ]);
    const truth = await truthOf(windowStart, ids);

    // Act
    const top = await reader.rankWindow(windowStart, 'rejectFlows', 100);

    // Assess
    expect(top.isMembershipExact).toBe(true);
    expect(top.rollups).toHaveLength(80);
    expect(new Set(top.rollups.map((rollup) => rollup.interfaceId))).toEqual(
      new Set(truth.map((rollup) => rollup.interfaceId))
    );
  });

  it('returns nothing, exactly, for a window without rankings', async () => {
    // Act
    const top = await reader.rankWindow(WINDOW + 100 * W, 'flows', 10);

    // Assess
    expect(top).toEqual({ rollups: [], isMembershipExact: true });
  });
});
