/**
 * Exactly-once rollups when DynamoDB misbehaves: a crash after some item
 * writes, throttling the SDK retries, throttling that never stops, and
 * responses lost after the write landed. Faults are SDK middleware on a
 * real DynamoDB client talking to dynalite; totals are compared with
 * rollups computed independently from the raw lines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config.js';
import { StoreError } from '../../shared/errors.js';
import {
  type IngestDeps,
  ingestS3Object,
} from '../../shared/pipeline/ingestS3Object.js';
import {
  createS3Client,
  createS3ObjectSource,
} from '../../shared/source/s3ObjectSource.js';
import {
  createDynamoClient,
  createDynamoRollupStore,
} from '../../shared/store/dynamoRollupStore.js';
import {
  partitionKey,
  rankingPartitionKey,
  sortKey,
} from '../../shared/store/rollupLayout.js';
import type { S3ObjectRef } from '../../shared/types.js';
import { createIngestDeps } from '../../shared/wiring.js';
import { itemBytes } from '../helpers/applyUpdateItem.js';
import {
  detailProblems,
  type ExactRollup,
  exact,
  expectedRollups,
  scopeWritesOf,
  storedItems,
  storedRollups,
  topListProblems,
} from '../helpers/expectedRollups.js';
import {
  type FlowLogFile,
  flowLogFile,
  flowLogKey,
  generateFlowLogFile,
  interfaceIdsOf,
  upload,
} from '../helpers/flowLogObjects.js';
import { type IngestStack, startIngestStack } from '../helpers/ingestStack.js';
import {
  crashAfterUpdates,
  InjectedCrash,
  loseFirstResponses,
  throttleWrites,
} from '../helpers/sdkFaults.js';

describe('ingestS3Object with DynamoDB faults', () => {
  let env: IngestStack;
  /** The handlers' own wiring, without faults: the clean retry. */
  let cleanDeps: IngestDeps;

  beforeAll(async () => {
    env = await startIngestStack('s3ingest-faults');
    cleanDeps = createIngestDeps(loadConfig());
  });

  afterAll(async () => {
    await env.close();
  });

  /** Deps whose store writes through `dynamo` (faults attached to it). */
  const depsWith = (
    dynamo: ReturnType<typeof createDynamoClient>,
    concurrency = 16
  ): IngestDeps => ({
    source: createS3ObjectSource(createS3Client({ forcePathStyle: true })),
    store: createDynamoRollupStore(dynamo, {
      tableName: env.tableName,
      retentionDays: 30,
      concurrency,
    }),
    options: { windowMode: 'prorate', sampleLimit: 5 },
  });

  /** A generated file uploaded under a flow-log key, and its reference. */
  const uploaded = async (tag: string, seed: number) => {
    const file = generateFlowLogFile({ records: 6000, enis: 30, seed });
    const key = flowLogKey(tag);
    await upload(env.stack.s3, env.bucket, key, file.gzip);
    const ref: S3ObjectRef = { bucket: env.bucket, key };
    const expected = expectedRollups(file.fieldNames, file.lines);
    return { file, key, ref, expected };
  };

  const storedFor = async (file: FlowLogFile) =>
    (
      await storedRollups(
        env.stack.dynamo,
        env.tableName,
        interfaceIdsOf(file.fieldNames, file.lines)
      )
    ).map(exact);

  const itemKey = (rollup: ExactRollup) =>
    `${partitionKey(rollup.interfaceId)} ${sortKey(rollup.windowStart)}`;

  /** The counters items of a file's ENIs and the ranking items of their windows. */
  const itemsFor = (file: FlowLogFile) =>
    storedItems(
      env.stack.dynamo,
      env.tableName,
      interfaceIdsOf(file.fieldNames, file.lines)
    );

  /**
   * The ranking items of a file's windows, as `TOP#<window>` per
   * contribution id: a file of one object has one contribution, with one
   * ranking per window of its rollups.
   */
  const rankingsFor = async (file: FlowLogFile) => {
    const byId = new Map<string, string[]>();
    for (const item of (await itemsFor(file)).rankings) {
      const id = item.sk?.S ?? '';
      byId.set(id, [...(byId.get(id) ?? []), item.pk?.S ?? ''].sort());
    }
    return [...byId.values()];
  };

  /** `TOP#<window>` of each window of these rollups, in order. */
  const windowsOf = (expected: readonly ExactRollup[]) =>
    [...new Set(expected.map((rollup) => rollup.windowStart))]
      .sort((a, b) => a - b)
      .map(rankingPartitionKey);

  describe('a crash after some writes', () => {
    it.each([
      // Items holding the contribution after the crash: k plus [fewest, most].
      { when: 'before-send', concurrency: 1, fewest: 0, most: 0 },
      { when: 'after-write', concurrency: 1, fewest: 1, most: 1 },
      // The first k writes, some still in flight at the crash, all land.
      { when: 'before-send', concurrency: 8, fewest: 0, most: 0 },
      // Each write already sent when the first crash hits lands, then fails.
      { when: 'after-write', concurrency: 8, fewest: 1, most: 8 },
    ] as const)(
      'leaves whole items only and a retry adds exactly the rest ($when, concurrency $concurrency)',
      async ({ when, concurrency, fewest, most }) => {
        // Prepare
        const seed = 301 + concurrency + (when === 'after-write' ? 10 : 0);
        const { file, key, ref, expected } = await uploaded(
          `crash${seed}`,
          seed
        );
        const k = Math.floor(expected.length / 3);
        const dynamo = createDynamoClient(10);
        const counts = crashAfterUpdates(dynamo, k, when);

        // Act
        const crashing = ingestS3Object(ref, depsWith(dynamo, concurrency));
        const crash = await crashing.catch((error: unknown) => error);
        const afterCrash = await storedFor(file);
        const retry = await ingestS3Object(ref, cleanDeps);

        // Assess
        expect(crash).toBeInstanceOf(StoreError);
        await expect(crashing).rejects.toThrow(
          `s3://${env.bucket}/${key}: writing ENI#`
        );
        expect(crash instanceof Error && crash.cause).toBeInstanceOf(
          InjectedCrash
        );
        expect(afterCrash.length).toBeGreaterThanOrEqual(k + fewest);
        expect(afterCrash.length).toBeLessThanOrEqual(k + most);
        expect(counts.updates).toBeLessThanOrEqual(k + concurrency);
        // Each item that landed holds its whole counters, never a part.
        const byKey = new Map(expected.map((r) => [itemKey(r), r]));
        for (const rollup of afterCrash) {
          expect(rollup).toEqual(byKey.get(itemKey(rollup)));
        }
        expect(counts.crashes).toBeGreaterThanOrEqual(1);
        expect(retry).toMatchObject({
          outcome: 'ingested',
          rollupItems: expected.length,
          itemsAlreadyApplied: afterCrash.length,
          itemsWritten: expected.length - afterCrash.length,
        });
        expect(await storedFor(file)).toEqual(expected);
        expect(expected.length).toBeGreaterThan(60);
        // One ranking per window (the one contribution), written before
        // the crash and again by the retry; every item consistent.
        const items = await itemsFor(file);
        expect(detailProblems(items)).toEqual([]);
        expect(await rankingsFor(file)).toEqual([windowsOf(expected)]);
        expect(
          items.counters.filter((item) => item.n?.N === '1').length
        ).toBeGreaterThanOrEqual(30);
      }
    );
  });

  describe('throttling', () => {
    it('retries throttled writes in the SDK and writes every item once', async () => {
      // Prepare
      const { file, ref, expected } = await uploaded('throttled501', 501);
      // Counters: every third item is throttled once, every ninth twice.
      // Rankings: every one once, the first window's twice.
      const throttledOnce = new Set(
        expected.filter((_, i) => i % 3 === 0).map(itemKey)
      );
      const throttledTwice = new Set(
        expected.filter((_, i) => i % 9 === 0).map(itemKey)
      );
      const windows = windowsOf(expected);
      // The account's windows (updates, never throttled here) and its hours
      // and days (puts, each throttled once).
      const scopes = scopeWritesOf(expected);
      const dynamo = createDynamoClient(10);
      const counts = throttleWrites(dynamo, (write, attempt) =>
        write.command === 'UpdateItem'
          ? (attempt === 1 && throttledOnce.has(write.itemKey)) ||
            (attempt === 2 && throttledTwice.has(write.itemKey))
          : attempt === 1 ||
            (attempt === 2 && write.itemKey.startsWith(`${windows[0]} `))
      );

      // Act
      const summary = await ingestS3Object(ref, depsWith(dynamo));

      // Assess
      expect(await storedFor(file)).toEqual(expected);
      expect(detailProblems(await itemsFor(file))).toEqual([]);
      expect(await rankingsFor(file)).toEqual([windows]);
      expect(summary).toMatchObject({
        outcome: 'ingested',
        rollupItems: expected.length,
        itemsWritten: expected.length,
        itemsAlreadyApplied: 0,
        writeCalls: expected.length + windows.length + scopes.all,
      });
      // Counters.
      const throttles = throttledOnce.size + throttledTwice.size;
      expect(counts.throttled.UpdateItem).toBe(throttles);
      expect(counts.attempts.UpdateItem).toBe(
        expected.length + throttles + scopes.updates + scopes.lists
      );
      const byAttempts = (runs: readonly number[], n: number) =>
        runs.filter((attempts) => attempts === n).length;
      const updates = counts.succeededAfter.UpdateItem;
      expect([1, 2, 3].map((n) => byAttempts(updates, n))).toEqual([
        expected.length - throttledOnce.size + scopes.updates + scopes.lists,
        throttledOnce.size - throttledTwice.size,
        throttledTwice.size,
      ]);
      // Rankings: a throttled put is retried and lands once.
      expect(windows.length).toBeGreaterThanOrEqual(3);
      expect(counts.throttled.PutItem).toBe(
        windows.length + 1 + scopes.puts + scopes.rankings
      );
      expect(counts.attempts.PutItem).toBe(
        2 * (windows.length + scopes.puts + scopes.rankings) + 1
      );
      const puts = counts.succeededAfter.PutItem;
      expect([1, 2, 3].map((n) => byAttempts(puts, n))).toEqual([
        0,
        windows.length - 1 + scopes.puts + scopes.rankings,
        1,
      ]);
    });

    it('throws a StoreError naming the object when throttling never stops, and a clean retry writes every item once', async () => {
      // Prepare
      const { file, key, ref, expected } = await uploaded('throttled502', 502);
      const dynamo = createDynamoClient(3);
      const counts = throttleWrites(dynamo, () => true);

      // Act
      const ingesting = ingestS3Object(ref, depsWith(dynamo));
      const failure = await ingesting.catch((error: unknown) => error);
      const afterFailure = await storedFor(file);
      const retry = await ingestS3Object(ref, cleanDeps);

      // Assess
      expect(failure).toBeInstanceOf(StoreError);
      await expect(ingesting).rejects.toThrow(
        new RegExp(
          `^s3://${env.bucket}/${key}: writing TOP#\\S+ \\S+ failed: injected: throughput exceeded`
        )
      );
      const cause = failure instanceof Error ? failure.cause : undefined;
      expect(cause).toMatchObject({
        name: 'ProvisionedThroughputExceededException',
        $metadata: { attempts: 3 },
      });
      const attempts = counts.attempts.UpdateItem + counts.attempts.PutItem;
      expect(attempts % 3).toBe(0);
      expect(attempts).toBeGreaterThanOrEqual(3);
      expect(counts.succeededAfter).toEqual({ UpdateItem: [], PutItem: [] });
      expect(afterFailure).toEqual([]);
      expect(retry).toMatchObject({
        itemsWritten: expected.length,
        itemsAlreadyApplied: 0,
      });
      expect(await storedFor(file)).toEqual(expected);
      expect(detailProblems(await itemsFor(file))).toEqual([]);
    });
  });

  describe('lost responses', () => {
    it('counts a write the SDK resent after its response was lost once', async () => {
      // Prepare
      const { file, ref, expected } = await uploaded('lost503', 503);
      const lost = new Set(expected.filter((_, i) => i % 8 === 0).map(itemKey));
      const windows = windowsOf(expected);
      const scopes = scopeWritesOf(expected);
      const dynamo = createDynamoClient(10);
      // Every ranking put's first response is lost too.
      const counts = loseFirstResponses(
        dynamo,
        (write) => write.command === 'PutItem' || lost.has(write.itemKey)
      );

      // Act
      const summary = await ingestS3Object(ref, depsWith(dynamo));

      // Assess
      expect(await storedFor(file)).toEqual(expected);
      expect(counts.lost.UpdateItem).toBe(lost.size);
      expect(counts.attempts.UpdateItem).toBe(
        expected.length + lost.size + scopes.updates + scopes.lists
      );
      // The resent write finds its id already applied: counted as such.
      expect(summary).toMatchObject({
        rollupItems: expected.length,
        itemsWritten: expected.length - lost.size,
        itemsAlreadyApplied: lost.size,
        writeCalls: expected.length + windows.length + scopes.all,
      });
      // A resent ranking put lands on the same item: one per window; a
      // resent hour or day finds its version stored and is skipped.
      const allPuts = windows.length + scopes.puts + scopes.rankings;
      expect(counts.lost.PutItem).toBe(allPuts);
      expect(counts.attempts.PutItem).toBe(2 * allPuts);
      expect(await rankingsFor(file)).toEqual([windows]);
      expect(detailProblems(await itemsFor(file))).toEqual([]);
    });
  });

  describe('many contributions to one ENI-window', () => {
    it('issue #3: accepts hundreds of contributions to one ENI-window (top lists merged in the item)', async () => {
      // Prepare
      const fieldNames = [
        'version',
        'account-id',
        'interface-id',
        'srcaddr',
        'dstaddr',
        'srcport',
        'dstport',
        'protocol',
        'packets',
        'bytes',
        'start',
        'end',
        'action',
        'log-status',
      ];
      const eni = 'eni-0c0c0c0c0c0c0c0c0';
      const start = 1_793_491_200;
      // Files of one ENI-window, each with 25 talkers and 25 rejected
      // sources: full top lists, as a busy ENI's files have.
      // A counters item held every contribution's top lists before: it
      // reached DynamoDB's 400 KB item limit after about 126 files.
      const files = Array.from({ length: 250 }, (_, n) =>
        flowLogFile(
          fieldNames,
          Array.from({ length: 25 }, (_, i) => [
            `2 123456789012 ${eni} 2a05:d018:${n.toString(16)}:${i.toString(16)}::abcd:1234 2600:1f18:ab0:1::beef ${40000 + i} 443 6 ${10 + i} ${10000 + i * 100} ${start + 10} ${start + 50} ACCEPT OK`,
            `2 123456789012 ${eni} 198.51.${n}.${i} 10.0.0.9 ${40000 + i} 22 6 1 60 ${start + 10} ${start + 50} REJECT OK`,
          ]).flat()
        )
      );
      const refs: S3ObjectRef[] = [];
      for (const [n, file] of files.entries()) {
        const key = flowLogKey(`busy${n}`);
        await upload(env.stack.s3, env.bucket, key, file.gzip);
        refs.push({ bucket: env.bucket, key });
      }

      // Act
      let accepted = 0;
      let failure: unknown;
      for (const ref of refs) {
        try {
          await ingestS3Object(ref, cleanDeps);
          accepted++;
        } catch (error) {
          failure = error;
          break;
        }
      }

      // Assess
      expect({ accepted, failure }).toEqual({
        accepted: files.length,
        failure: undefined,
      });
      const stored = await storedRollups(
        env.stack.dynamo,
        env.tableName,
        new Set([eni])
      );
      const lines = files.flatMap((file) => file.lines);
      expect(stored.map(exact)).toEqual(expectedRollups(fieldNames, lines));
      expect(topListProblems(stored, fieldNames, lines)).toEqual([]);
      expect(stored[0]?.topTalkers).toHaveLength(20);
      expect(stored[0]?.topRejectedSources).toHaveLength(20);
      const items = await storedItems(
        env.stack.dynamo,
        env.tableName,
        new Set([eni])
      );
      expect(items.counters).toHaveLength(1);
      expect(items.counters[0]?.c?.SS).toHaveLength(files.length);
      // One ranking per file; the item keeps at most 4 top lists, so it
      // stays small: 250 ids of 22 characters and 4 full lists.
      expect(items.rankings).toHaveLength(files.length);
      expect(detailProblems(items)).toEqual([]);
      expect(itemBytes(items.counters[0] ?? {})).toBeLessThan(12_000);
    });
  });
});
