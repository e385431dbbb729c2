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
  const uploaded = async (tag: string, seed: number, records = 12_000) => {
    const file = generateFlowLogFile({ records, enis: records, seed });
    const key = flowLogKey(tag);
    await upload(env.stack.s3, env.bucket, key, file.gzip);
    const ref: S3ObjectRef = { bucket: env.bucket, key };
    return {
      file,
      ref,
      expected: expectedRollups(file.fieldNames, file.lines),
    };
  };

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
    const summary = await ingestS3Object(ref, createIngestDeps(loadConfig()));

    // Assess
    const died = crashes.filter(
      (error) => error instanceof Error && error.cause instanceof InjectedCrash
    );
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
});
