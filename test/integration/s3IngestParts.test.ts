/**
 * Objects too large for one part: ingested in parts whose cuts are kept in
 * DynamoDB, exactly once when the process dies at any write and the retry
 * runs with another part budget, and resumed after running out of time.
 * Real store, checkpoints and scanner against dynalite and s3rver; totals
 * are compared with rollups computed independently from the raw lines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, MIN_PART_ITEMS } from '../../shared/config.js';
import { OutOfTimeError } from '../../shared/errors.js';
import {
  type IngestDeps,
  ingestS3Object,
} from '../../shared/pipeline/ingestS3Object.js';
import { SMALL_INPUT_ITEMS } from '../../shared/pipeline/scanInParts.js';
import {
  createS3Client,
  createS3ObjectSource,
} from '../../shared/source/s3ObjectSource.js';
import {
  createDynamoClient,
  createDynamoRollupStore,
} from '../../shared/store/dynamoRollupStore.js';
import { createDynamoPartCheckpoints } from '../../shared/store/partCheckpoints.js';
import type { S3ObjectRef } from '../../shared/types.js';
import { createIngestDeps } from '../../shared/wiring.js';
import {
  exact,
  expectedRollups,
  storedRollups,
} from '../helpers/expectedRollups.js';
import {
  type FlowLogFile,
  flowLogKey,
  generateFlowLogFile,
  interfaceIdsOf,
  parquetFlowLog,
  upload,
} from '../helpers/flowLogObjects.js';
import { type IngestStack, startIngestStack } from '../helpers/ingestStack.js';
import { crashAfterUpdates, InjectedCrash } from '../helpers/sdkFaults.js';

describe('ingestS3Object in parts', () => {
  let env: IngestStack;

  beforeAll(async () => {
    env = await startIngestStack('s3ingest-parts');
  }, 60_000);

  afterAll(async () => {
    await env.close();
  });

  /** The handlers' wiring, with this part budget and clock, writing through `dynamo`. */
  const depsWith = (
    maxPartItems: number,
    dynamo = createDynamoClient(3),
    remainingMs?: () => number,
    itemWriteMs?: number
  ): IngestDeps => ({
    source: createS3ObjectSource(createS3Client({ forcePathStyle: true })),
    store: createDynamoRollupStore(dynamo, {
      tableName: env.tableName,
      retentionDays: 30,
      concurrency: 16,
    }),
    options: { windowMode: 'prorate', sampleLimit: 5 },
    checkpoints: createDynamoPartCheckpoints(dynamo, {
      tableName: env.tableName,
      retentionDays: 30,
    }),
    maxPartItems,
    remainingMs,
    itemWriteMs,
  });

  /**
   * A fleet-shaped object (many ENIs, few records each) of its own ENIs
   * (the seed names them), uploaded, and its rollups computed from its lines.
   */
  const uploaded = async (
    tag: string,
    seed: number,
    records = 12_000,
    suffix: '.log.gz' | '.log.parquet' = '.log.gz'
  ) => {
    const file = generateFlowLogFile({ records, enis: records, seed });
    const key = flowLogKey(tag, { suffix });
    const body =
      suffix === '.log.gz' ? file.gzip : parquetFlowLog('v2', file.lines, 2000);
    await upload(env.stack.s3, env.bucket, key, body);
    const ref: S3ObjectRef = { bucket: env.bucket, key };
    return {
      file,
      ref,
      expected: expectedRollups(file.fieldNames, file.lines),
    };
  };

  /**
   * Ingests `ref` once per attempt, each dying after `crashAfter`
   * UpdateItems (counters and checkpoints alike, once the write landed)
   * with its own part budget; returns what each attempt threw.
   */
  const crashingAttempts = async (
    ref: S3ObjectRef,
    attempts: readonly { crashAfter: number; maxPartItems: number }[]
  ): Promise<unknown[]> => {
    const crashes: unknown[] = [];
    for (const { crashAfter, maxPartItems } of attempts) {
      const dynamo = createDynamoClient(3);
      crashAfterUpdates(dynamo, crashAfter, 'after-write');
      crashes.push(
        await ingestS3Object(ref, depsWith(maxPartItems, dynamo)).catch(
          (error: unknown) => error
        )
      );
    }
    return crashes;
  };

  /**
   * Two attempts that die (after 1,500 UpdateItems with parts of 1,025
   * items, after 2,500 with parts of 3,000), a clean one, and a redelivery.
   */
  const crashedTwiceThenDone = async (ref: S3ObjectRef) => {
    const crashes = await crashingAttempts(ref, [
      { crashAfter: 1500, maxPartItems: SMALL_INPUT_ITEMS + 1 },
      { crashAfter: 2500, maxPartItems: 3000 },
    ]);
    const summary = await ingestS3Object(ref, depsWith(SMALL_INPUT_ITEMS + 1));
    const again = await ingestS3Object(ref, depsWith(SMALL_INPUT_ITEMS + 1));
    return { crashes, summary, again };
  };

  const isInjectedCrash = (error: unknown): boolean =>
    error instanceof Error && error.cause instanceof InjectedCrash;

  const stored = async (file: FlowLogFile) =>
    (
      await storedRollups(
        env.stack.dynamo,
        env.tableName,
        interfaceIdsOf(file.fieldNames, file.lines)
      )
    ).map(exact);

  it('cuts an object of more items than a part holds, and the parts add up exactly', async () => {
    // Prepare
    const { file, ref, expected } = await uploaded('partsclean', 21);

    // Act
    const summary = await ingestS3Object(ref, depsWith(SMALL_INPUT_ITEMS + 1));
    const again = await ingestS3Object(ref, depsWith(SMALL_INPUT_ITEMS + 1));

    // Assess
    expect(expected.length).toBeGreaterThan(2 * SMALL_INPUT_ITEMS);
    expect(summary.parts).toBeGreaterThan(2);
    expect(summary.records).toBe(12_000);
    expect(await stored(file)).toEqual(expected);
    // The redelivery finds every part done: nothing scanned, nothing written.
    expect(again.partsSkipped).toBe(summary.parts);
    expect(again.writeCalls).toBe(0);
    expect(await stored(file)).toEqual(expected);
  }, 120_000);

  it('gives exact totals when killed at write after write and retried with other budgets', async () => {
    // Prepare
    const { file, ref, expected } = await uploaded('partscrashes', 22);
    // Each attempt dies after some UpdateItems (counters and checkpoints
    // alike, once the write landed) with a different part budget.
    const attempts = [
      { crashAfter: 1500, maxPartItems: SMALL_INPUT_ITEMS + 1 },
      { crashAfter: 1, maxPartItems: 3000 },
      { crashAfter: 2500, maxPartItems: 1500 },
      { crashAfter: 1200, maxPartItems: 100_000 },
    ];

    // Act
    const crashes = await crashingAttempts(ref, attempts);
    const summary = await ingestS3Object(ref, createIngestDeps(loadConfig()));

    // Assess
    const died = crashes.filter(isInjectedCrash);
    expect(died.length).toBeGreaterThanOrEqual(3);
    expect(summary.partsSkipped).toBeGreaterThan(0);
    expect(await stored(file)).toEqual(expected);
  }, 300_000);

  it('stops before a part it has no time for, and the retry resumes after the parts applied', async () => {
    // Prepare
    const { file, ref, expected } = await uploaded('partstime', 23);
    // 5 s left whenever it looks: the first part always runs.
    const clock = () => 5000;

    // Act
    const error = await ingestS3Object(
      ref,
      depsWith(SMALL_INPUT_ITEMS + 1, createDynamoClient(3), clock)
    ).catch((caught: unknown) => caught);
    const summary = await ingestS3Object(ref, depsWith(SMALL_INPUT_ITEMS + 1));

    // Assess
    expect(error).toBeInstanceOf(OutOfTimeError);
    expect((error as Error).message).toMatch(
      /s3:\/\/.*partstime.*: 1 parts applied, 5 s left: the redelivery resumes at part 1\. .*raise the function's timeout/
    );
    expect(summary.partsSkipped).toBe(1);
    expect(await stored(file)).toEqual(expected);
  }, 120_000);

  it('cuts parts that its writes end in time, with no item cap: half the time left at the start', async () => {
    // Prepare: more items than the smallest part; 600 s left and 60 ms an
    // item give parts of 5,000 items, so MIN_PART_ITEMS (8,192) holds.
    // No item cap and no memory limit: only the time can cut.
    const { file, ref, expected } = await uploaded('partsbytime', 24, 30_000);
    const deps = depsWith(
      Number.POSITIVE_INFINITY,
      createDynamoClient(3),
      () => 600_000,
      60
    );

    // Act
    const summary = await ingestS3Object(ref, deps);

    // Assess
    expect(expected.length).toBeGreaterThan(MIN_PART_ITEMS);
    expect(expected.length).toBeLessThan(3 * MIN_PART_ITEMS);
    expect(summary.parts).toBeGreaterThanOrEqual(2);
    expect(summary.parts).toBeLessThanOrEqual(3);
    expect(await stored(file)).toEqual(expected);
  }, 120_000);
  it('cuts a Parquet object as it cuts text, and a crash at any write, retried with other budgets, still counts every row once', async () => {
    // Prepare
    const { file, ref, expected } = await uploaded(
      'partsparquet',
      25,
      12_000,
      '.log.parquet'
    );

    // Act
    const { crashes, summary, again } = await crashedTwiceThenDone(ref);

    // Assess
    const died = crashes.filter(isInjectedCrash);
    expect(died.length).toBe(2);
    expect(summary.fileFormat).toBe('parquet');
    expect(summary.parts).toBeGreaterThan(2);
    expect(summary.partsSkipped).toBeGreaterThan(0);
    expect(await stored(file)).toEqual(expected);
    expect(again.partsSkipped).toBe(again.parts);
    expect(again.writeCalls).toBe(0);
  }, 300_000);

  it('reads a Parquet object the text cannot carry through the typed path in parts, and a crash at any write, retried with other budgets, still counts every row once', async () => {
    // Prepare: an ENI id with a space in an early OK row: the text cannot
    // carry it, so the typed path reads every row, cut into parts.
    const file = generateFlowLogFile({
      records: 12_000,
      enis: 12_000,
      seed: 27,
    });
    const row = file.lines.findIndex((line) => line.endsWith(' OK'));
    const key = flowLogKey('partstyped', { suffix: '.log.parquet' });
    const body = parquetFlowLog('v2', file.lines, 2000, {
      row,
      field: 'interface-id',
      value: 'eni spaced',
    });
    await upload(env.stack.s3, env.bucket, key, body);
    const ref: S3ObjectRef = { bucket: env.bucket, key };
    const rest = file.lines.filter((_, at) => at !== row);

    // Act
    const { crashes, summary, again } = await crashedTwiceThenDone(ref);

    // Assess
    expect(crashes.filter(isInjectedCrash)).toHaveLength(2);
    expect(summary.fileFormat).toBe('parquet');
    expect(summary.parts).toBeGreaterThan(2);
    expect(summary.partsSkipped).toBeGreaterThan(0);
    const storedRest = await storedRollups(
      env.stack.dynamo,
      env.tableName,
      interfaceIdsOf(file.fieldNames, rest)
    );
    expect(storedRest.map(exact)).toEqual(
      expectedRollups(file.fieldNames, rest)
    );
    const spaced = await storedRollups(
      env.stack.dynamo,
      env.tableName,
      new Set(['eni spaced'])
    );
    expect(spaced.reduce((flows, rollup) => flows + rollup.flows, 0)).toBe(1);
    expect(again.partsSkipped).toBe(again.parts);
    expect(again.writeCalls).toBe(0);
  }, 300_000);

  it('places the ENIs of a v2 Parquet object from the catalog, as it places text', async () => {
    // Prepare: the store is the real one; the ingest is watched for the
    // placements it hands over with each part.
    const { file, ref } = await uploaded(
      'partsplaced',
      26,
      3000,
      '.log.parquet'
    );
    const deps = depsWith(SMALL_INPUT_ITEMS + 1);
    const placed = new Map<string, string | null | undefined>();
    const watched: IngestDeps = {
      ...deps,
      placements: {
        placementsOf: async (interfaceIds) =>
          new Map(
            interfaceIds.map((id) => [
              id,
              {
                accountId: null,
                vpcId: 'vpc-0a1b2c3d4e5f60718',
                subnetId: null,
              },
            ])
          ),
      },
      store: {
        ...deps.store,
        applyContribution: (contribution) => {
          for (const [id, place] of contribution.placements ?? []) {
            placed.set(id, place.vpcId);
          }
          return deps.store.applyContribution(contribution);
        },
      },
    };

    // Act
    const summary = await ingestS3Object(ref, watched);

    // Assess
    expect(summary.fileFormat).toBe('parquet');
    expect(summary.rollupItems).toBeGreaterThan(0);
    expect(
      [...placed.values()].every((v) => v === 'vpc-0a1b2c3d4e5f60718')
    ).toBe(true);
    expect(new Set(placed.keys())).toEqual(
      interfaceIdsOf(file.fieldNames, file.lines)
    );
  }, 120_000);
});
