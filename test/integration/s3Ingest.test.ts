/**
 * The real s3Ingest handler against dynalite and s3rver: every event shape,
 * SQS partial batch responses, redelivery, concurrent objects, and events
 * whose objects fail. Stored rollups are compared, counter by counter, with
 * rollups computed independently from the raw lines (referenceRollup).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { lambdaContext } from '../../scripts/local/lambdaContext.js';
import { DecodeError } from '../../shared/errors.js';
import {
  contributionCounts,
  detailProblems,
  exact,
  expectedRollups,
  scanItems,
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
  generateWithCli,
  interfaceIdsOf,
  upload,
} from '../helpers/flowLogObjects.js';
import {
  captureHandlerLogs,
  type HandlerLogs,
} from '../helpers/handlerLogs.js';
import { type IngestStack, startIngestStack } from '../helpers/ingestStack.js';
import {
  type EventShape,
  eventFor,
  loadSampleEvents,
  type SampleEvents,
  s3Notification,
  sqsRecord,
} from '../helpers/s3Events.js';

type Handler = typeof import('../../functions/s3Ingest.js')['handler'];

describe('s3Ingest', () => {
  let env: IngestStack;
  let handler: Handler;
  let samples: SampleEvents;
  let logs: HandlerLogs;
  let directory: string;

  beforeAll(async () => {
    env = await startIngestStack('s3ingest-handler');
    // The handler reads its configuration and builds its clients at import.
    ({ handler } = await import('../../functions/s3Ingest.js'));
    samples = await loadSampleEvents();
    logs = captureHandlerLogs();
    directory = await mkdtemp(join(tmpdir(), 's3ingest-files-'));
  });

  afterAll(async () => {
    logs.restore();
    await env.close();
    await rm(directory, { recursive: true, force: true });
  });

  beforeEach(() => {
    logs.clear();
  });

  const invoke = (event: unknown) => handler(event, lambdaContext('s3Ingest'));

  /** The stored rollups of a file's ENIs, without top lists. */
  const storedFor = async (file: FlowLogFile) =>
    storedRollups(
      env.stack.dynamo,
      env.tableName,
      interfaceIdsOf(file.fieldNames, file.lines)
    );

  /** Lines of a file whose log-status is `status`. */
  const countStatus = (file: FlowLogFile, status: string): number => {
    const column = file.fieldNames.indexOf('log-status');
    return file.lines.filter((line) => line.split(' ')[column] === status)
      .length;
  };

  const itemCount = async () =>
    (await scanItems(env.stack.dynamo, env.tableName)).length;

  describe('event shapes', () => {
    it.each<{
      shape: EventShape;
      seed: number;
      format: 'v2' | 'v5';
      prefix?: string;
      layout?: 'hive-hourly';
    }>([
      { shape: 's3', seed: 101, format: 'v2', prefix: 'team logs/a+b' },
      { shape: 'sqs', seed: 102, format: 'v5', prefix: 'flow logs' },
      // Hive folders hold `=`, which notifications carry as %3D.
      {
        shape: 'sns-in-sqs',
        seed: 103,
        format: 'v2',
        prefix: 'x+y z',
        layout: 'hive-hourly',
      },
      // EventBridge keys: decoded like the others (see s3Notification.ts);
      // AWS does not document their encoding, so this key needs none.
      { shape: 'eventbridge', seed: 104, format: 'v5' },
    ])(
      'stores the reference rollups of a generated file notified by a $shape event',
      async ({ shape, seed, format, prefix, layout }) => {
        // Prepare
        const file = await generateWithCli(directory, {
          records: 6000,
          enis: 10,
          seed,
          format,
        });
        const key = flowLogKey(`shape${seed}`, { prefix, layout });
        const object = await upload(env.stack.s3, env.bucket, key, file.gzip);
        const event = eventFor(samples, shape, [object]);
        const expected = expectedRollups(file.fieldNames, file.lines);

        // Act
        const result = await invoke(event);

        // Assess
        const isSqs = shape === 'sqs' || shape === 'sns-in-sqs';
        expect(result).toEqual(isSqs ? { batchItemFailures: [] } : undefined);
        const stored = await storedFor(file);
        expect(stored.map(exact)).toEqual(expected);
        expect(topListProblems(stored, file.fieldNames, file.lines)).toEqual(
          []
        );
        expect(stored.some((rollup) => rollup.topTalkers?.length)).toBe(true);
        const skipdata = countStatus(file, 'SKIPDATA');
        expect(logs.summaries()).toEqual([
          expect.objectContaining({
            // SKIPDATA says the service lost records: logged as an error.
            level: 'ERROR',
            bucket: env.bucket,
            key,
            outcome: 'ingested',
            fileFormat: 'text',
            lines: file.lines.length,
            records: file.lines.length,
            nodataRecords: countStatus(file, 'NODATA'),
            skipdataRecords: skipdata,
            badRecords: 0,
            rollupItems: expected.length,
            itemsWritten: expected.length,
            itemsAlreadyApplied: 0,
          }),
        ]);
        expect(expected.length).toBeGreaterThan(10);
        expect(skipdata).toBeGreaterThan(0);
      }
    );

    it('reports only the message whose body is not JSON as a batch item failure', async () => {
      // Prepare
      const file = generateFlowLogFile({ records: 3000, enis: 6, seed: 111 });
      const key = flowLogKey('sqsgood111', { prefix: 'sqs batch+1' });
      const object = await upload(env.stack.s3, env.bucket, key, file.gzip);
      const [template] = samples.sqs.Records;
      if (template === undefined) throw new Error('no SQS sample record');
      const body = JSON.stringify(s3Notification(samples, [object]));
      const event = {
        Records: [
          sqsRecord(template, body, 'good-message'),
          sqsRecord(template, '{"Records": [ not JSON', 'bad-message'),
        ],
      };

      // Act
      const result = await invoke(event);

      // Assess
      expect(result).toEqual({
        batchItemFailures: [{ itemIdentifier: 'bad-message' }],
      });
      const stored = await storedFor(file);
      expect(stored.map(exact)).toEqual(
        expectedRollups(file.fieldNames, file.lines)
      );
      expect(logs.summaries()).toEqual([
        expect.objectContaining({ key, outcome: 'ingested' }),
      ]);
    });

    it('counts an object once when one batch carries its notification twice', async () => {
      // Prepare
      const file = generateFlowLogFile({ records: 3000, enis: 6, seed: 114 });
      const object = await upload(
        env.stack.s3,
        env.bucket,
        flowLogKey('twice114'),
        file.gzip
      );
      const [template] = samples.sqs.Records;
      if (template === undefined) throw new Error('no SQS sample record');
      const body = JSON.stringify(s3Notification(samples, [object]));
      const event = {
        Records: [
          sqsRecord(template, body, 'first-copy'),
          sqsRecord(template, body, 'second-copy'),
        ],
      };

      // Act
      const result = await invoke(event);

      // Assess
      expect(result).toEqual({ batchItemFailures: [] });
      const expected = expectedRollups(file.fieldNames, file.lines);
      expect((await storedFor(file)).map(exact)).toEqual(expected);
      const summaries = logs.summaries();
      expect(summaries).toHaveLength(2);
      expect(
        summaries.reduce((sum, summary) => sum + summary.itemsWritten, 0)
      ).toBe(expected.length);
      expect(
        summaries.reduce((sum, summary) => sum + summary.itemsAlreadyApplied, 0)
      ).toBe(expected.length);
    });

    it('reports the message of a corrupt object as a batch item failure and ingests the others', async () => {
      // Prepare
      const good = generateFlowLogFile({ records: 2000, enis: 5, seed: 112 });
      const bad = generateFlowLogFile({ records: 2000, enis: 5, seed: 113 });
      const goodObject = await upload(
        env.stack.s3,
        env.bucket,
        flowLogKey('sqsgood112'),
        good.gzip
      );
      const badKey = flowLogKey('sqsbad113');
      const badObject = await upload(
        env.stack.s3,
        env.bucket,
        badKey,
        bad.gzip.subarray(0, bad.gzip.length >> 1)
      );
      const [template] = samples.sqs.Records;
      if (template === undefined) throw new Error('no SQS sample record');
      const message = (object: typeof goodObject, id: string) =>
        sqsRecord(
          template,
          JSON.stringify(s3Notification(samples, [object])),
          id
        );
      const event = {
        Records: [
          message(badObject, 'corrupt-object'),
          message(goodObject, 'good-object'),
        ],
      };

      // Act
      const result = await invoke(event);

      // Assess
      expect(result).toEqual({
        batchItemFailures: [{ itemIdentifier: 'corrupt-object' }],
      });
      expect((await storedFor(good)).map(exact)).toEqual(
        expectedRollups(good.fieldNames, good.lines)
      );
      expect(await storedFor(bad)).toEqual([]);
    });
  });

  describe('redelivery', () => {
    it('applies an event delivered three times once', async () => {
      // Prepare
      const file = await generateWithCli(directory, {
        records: 5000,
        enis: 8,
        seed: 201,
      });
      const key = flowLogKey('redeliver201', { prefix: 'again and+again' });
      const object = await upload(env.stack.s3, env.bucket, key, file.gzip);
      const event = eventFor(samples, 's3', [object]);
      const expected = expectedRollups(file.fieldNames, file.lines);
      const enis = interfaceIdsOf(file.fieldNames, file.lines);
      await invoke(structuredClone(event));
      const afterFirst = await storedItems(
        env.stack.dynamo,
        env.tableName,
        enis
      );

      // Act
      for (let i = 0; i < 2; i++) await invoke(structuredClone(event));

      // Assess
      // Counters, top lists and ranking items: as the first delivery left them.
      expect(await storedItems(env.stack.dynamo, env.tableName, enis)).toEqual(
        afterFirst
      );
      const stored = await storedFor(file);
      expect(stored.map(exact)).toEqual(expected);
      expect(topListProblems(stored, file.fieldNames, file.lines)).toEqual([]);
      const n = expected.length;
      expect(
        logs.summaries().map((summary) => ({
          rollupItems: summary.rollupItems,
          itemsWritten: summary.itemsWritten,
          itemsAlreadyApplied: summary.itemsAlreadyApplied,
        }))
      ).toEqual([
        { rollupItems: n, itemsWritten: n, itemsAlreadyApplied: 0 },
        { rollupItems: n, itemsWritten: 0, itemsAlreadyApplied: n },
        { rollupItems: n, itemsWritten: 0, itemsAlreadyApplied: n },
      ]);
      const counts = await contributionCounts(
        env.stack.dynamo,
        env.tableName,
        enis
      );
      expect(counts).toEqual(expected.map(() => 1));
      // Each delivery puts the same rankings again (one per window) and
      // leaves the items as the first left them; every delivery's write
      // calls count them.
      const items = await storedItems(env.stack.dynamo, env.tableName, enis);
      expect(detailProblems(items)).toEqual([]);
      const windows = new Set(expected.map((rollup) => rollup.windowStart));
      expect(items.rankings).toHaveLength(windows.size);
      expect(new Set(items.rankings.map((item) => item.sk?.S)).size).toBe(1);
      const withTops = stored.filter(
        (rollup) =>
          rollup.topTalkers?.length || rollup.topRejectedSources?.length
      );
      expect(withTops.length).toBeGreaterThan(8);
      expect(items.counters.filter((item) => item.n?.N === '1')).toHaveLength(
        withTops.length
      );
      // The account's windows, hours and days: written again, all skipped.
      const scopes = scopeWritesOf(expected);
      expect(scopes.updates).toBeGreaterThan(0);
      expect(logs.summaries().map((summary) => summary.writeCalls)).toEqual(
        [0, 1, 2].map(() => n + windows.size + scopes.all)
      );
    });

    it('applies an object notified through S3, SNS-in-SQS and EventBridge once', async () => {
      // Prepare
      const file = generateFlowLogFile({ records: 4000, enis: 7, seed: 202 });
      const object = await upload(
        env.stack.s3,
        env.bucket,
        flowLogKey('routes202'),
        file.gzip
      );
      const shapes: EventShape[] = ['s3', 'sns-in-sqs', 'eventbridge'];

      // Act
      const results = [];
      for (const shape of shapes) {
        results.push(await invoke(eventFor(samples, shape, [object])));
      }

      // Assess
      expect(results).toEqual([
        undefined,
        { batchItemFailures: [] },
        undefined,
      ]);
      const expected = expectedRollups(file.fieldNames, file.lines);
      expect((await storedFor(file)).map(exact)).toEqual(expected);
      expect(
        logs.summaries().map((summary) => summary.itemsAlreadyApplied)
      ).toEqual([0, expected.length, expected.length]);
    });
  });

  describe('concurrency', () => {
    it('adds up two objects of the same ENI-windows ingested at once', async () => {
      // Prepare
      const whole = generateFlowLogFile({ records: 12000, enis: 5, seed: 401 });
      const parts = [0, 1].map((half) =>
        flowLogFile(
          whole.fieldNames,
          whole.lines.filter((_, i) => i % 2 === half)
        )
      );
      const objects = await Promise.all(
        parts.map((part, i) =>
          upload(
            env.stack.s3,
            env.bucket,
            flowLogKey(`concurrent401p${i}`),
            part.gzip
          )
        )
      );
      const keysOf = (lines: readonly string[]) =>
        expectedRollups(whole.fieldNames, lines).map(
          (rollup) => `${rollup.interfaceId} ${rollup.windowStart}`
        );
      const secondKeys = new Set(keysOf(parts[1]?.lines ?? []));
      const shared = keysOf(parts[0]?.lines ?? []).filter((key) =>
        secondKeys.has(key)
      );

      // Act
      await Promise.all(
        objects.map((object) => invoke(eventFor(samples, 's3', [object])))
      );

      // Assess
      const stored = await storedFor(whole);
      expect(stored.map(exact)).toEqual(
        expectedRollups(whole.fieldNames, whole.lines)
      );
      expect(topListProblems(stored, whole.fieldNames, whole.lines)).toEqual(
        []
      );
      const counts = await contributionCounts(
        env.stack.dynamo,
        env.tableName,
        interfaceIdsOf(whole.fieldNames, whole.lines)
      );
      expect(counts.filter((count) => count === 2)).toHaveLength(shared.length);
      expect(shared.length).toBeGreaterThan(5);
      // Each object's top lists sit in their own attribute, each object
      // has its rankings.
      expect(
        detailProblems(
          await storedItems(
            env.stack.dynamo,
            env.tableName,
            interfaceIdsOf(whole.fieldNames, whole.lines)
          )
        )
      ).toEqual([]);
      // Both ingests were in flight at the same time.
      const spans = logs.summaries().map((summary) => {
        const end = Date.parse(summary.timestamp);
        return { start: end - summary.durationMs, end };
      });
      expect(spans).toHaveLength(2);
      const [a, b] = spans;
      expect(a && b && a.start < b.end && b.start < a.end).toBe(true);
    });
  });

  describe('failing objects', () => {
    it('throws naming the key when the object of a direct event is corrupt', async () => {
      // Prepare
      const file = generateFlowLogFile({ records: 4000, enis: 5, seed: 701 });
      const key = flowLogKey('corrupt701', { prefix: 'bad files+1' });
      const object = await upload(
        env.stack.s3,
        env.bucket,
        key,
        file.gzip.subarray(0, file.gzip.length >> 1)
      );
      const before = await itemCount();

      // Act
      const invoking = invoke(eventFor(samples, 's3', [object]));

      // Assess
      await expect(invoking).rejects.toThrow(DecodeError);
      await expect(invoking).rejects.toThrow(`s3://${env.bucket}/${key}`);
      expect(await itemCount()).toBe(before);
    });

    it('ingests the good object of a two-object event, names the bad one, and counts the good one once on redelivery', async () => {
      // Prepare
      const good = generateFlowLogFile({ records: 4000, enis: 6, seed: 702 });
      const bad = generateFlowLogFile({ records: 4000, enis: 6, seed: 703 });
      const goodKey = flowLogKey('pairgood702');
      const badKey = flowLogKey('pairbad703');
      const objects = [
        await upload(
          env.stack.s3,
          env.bucket,
          badKey,
          bad.gzip.subarray(0, bad.gzip.length >> 1)
        ),
        await upload(env.stack.s3, env.bucket, goodKey, good.gzip),
      ];
      const event = eventFor(samples, 's3', objects);
      const expected = expectedRollups(good.fieldNames, good.lines);

      // Act
      const errors: unknown[] = [];
      for (let i = 0; i < 2; i++) {
        await invoke(structuredClone(event)).catch((error: unknown) =>
          errors.push(error)
        );
      }

      // Assess
      expect(errors).toHaveLength(2);
      for (const error of errors) {
        expect(error).toBeInstanceOf(DecodeError);
        const message = error instanceof Error ? error.message : '';
        expect(message).toContain(`s3://${env.bucket}/${badKey}`);
        expect(message).not.toContain(goodKey);
      }
      expect((await storedFor(good)).map(exact)).toEqual(expected);
      expect(await storedFor(bad)).toEqual([]);
      expect(
        logs.summaries().map((summary) => ({
          key: summary.key,
          itemsWritten: summary.itemsWritten,
          itemsAlreadyApplied: summary.itemsAlreadyApplied,
        }))
      ).toEqual([
        { key: goodKey, itemsWritten: expected.length, itemsAlreadyApplied: 0 },
        { key: goodKey, itemsWritten: 0, itemsAlreadyApplied: expected.length },
      ]);
    });
  });
});
