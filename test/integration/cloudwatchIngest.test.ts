/**
 * The real cloudwatchIngest handler against dynalite: the same records
 * give the same rollups through S3 (one .log.gz file, s3Ingest) and through
 * CloudWatch Logs (per-ENI log streams in batches), a redelivered batch
 * counts once, control messages and empty batches write nothing,
 * undecodable payloads fail naming the step, malformed messages are counted
 * bad records, and the sample event in events/ is ingested as it is.
 * Each configuration imports the handler afresh (it reads env at import)
 * and writes to a table of its own, so that nothing adds up across tests.
 */
import { gunzipSync } from 'node:zlib';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { encodeCloudWatchLogs } from '../../shared/decode/cloudwatchLogs.js';
import {
  batchSummaries,
  cloudWatchBatch,
  cloudWatchBatches,
  createTable,
  formatString,
  gzippedPayload,
  type HandlerEnv,
  importCloudWatchHandler,
  importS3Handler,
  loadCloudWatchSample,
} from '../helpers/cloudwatchBatches.js';
import {
  contributionCounts,
  detailProblems,
  exact,
  expectedRollups,
  scanItems,
  storedItems,
  storedRollups,
  topListProblems,
} from '../helpers/expectedRollups.js';
import {
  flowLogKey,
  generateFlowLogFile,
  interfaceIdsOf,
  upload,
} from '../helpers/flowLogObjects.js';
import {
  captureHandlerLogs,
  type HandlerLogs,
} from '../helpers/handlerLogs.js';
import { type IngestStack, startIngestStack } from '../helpers/ingestStack.js';
import {
  eventFor,
  loadSampleEvents,
  type SampleEvents,
} from '../helpers/s3Events.js';

/** The v2 default format's fields, as a v2 header line names them. */
const V2_FIELDS = [
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
] as const;

const LOG_GROUP = '/vpc/flow-logs';

describe('cloudwatchIngest', () => {
  let env: IngestStack;
  let samples: SampleEvents;
  let logs: HandlerLogs;

  beforeAll(async () => {
    env = await startIngestStack('cwingest');
    samples = await loadSampleEvents();
    logs = captureHandlerLogs();
  });

  afterAll(async () => {
    logs.restore();
    await env.close();
  });

  beforeEach(() => {
    logs.clear();
  });

  /** A fresh table and the handler imported to write to it. */
  let tables = 0;
  const handlerWithTable = async (name: string, settings: HandlerEnv = {}) => {
    tables++;
    const tableName = await createTable(env, `${name}-${tables}`);
    const imported = await importCloudWatchHandler({
      ...settings,
      ROLLUP_TABLE: tableName,
    });
    return { ...imported, tableName };
  };

  /** Counts the requests dynalite receives from now until `stop`. */
  const countDynamoRequests = () => {
    let count = 0;
    const listener = () => {
      count++;
    };
    env.stack.dynamoServer.on('request', listener);
    return {
      stop(): number {
        env.stack.dynamoServer.off('request', listener);
        return count;
      },
    };
  };

  const sortedItems = async (tableName: string) =>
    (await scanItems(env.stack.dynamo, tableName)).sort(byKey);

  const byKey = (
    a: Record<string, AttributeValue>,
    b: Record<string, AttributeValue>
  ): number => {
    const keyOf = (item: Record<string, AttributeValue>) =>
      `${item.pk?.S} ${item.sk?.S}`;
    return keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0;
  };

  describe('the same records through S3 and through CloudWatch Logs', () => {
    it.each<{
      format: 'v2' | 'v5';
      seed: number;
      configuredBy: 'default' | 'FLOW_LOG_FORMAT' | 'FLOW_LOG_FORMATS';
    }>([
      { format: 'v2', seed: 301, configuredBy: 'default' },
      { format: 'v5', seed: 302, configuredBy: 'FLOW_LOG_FORMAT' },
      { format: 'v5', seed: 303, configuredBy: 'FLOW_LOG_FORMATS' },
    ])(
      'stores identical rollups for a $format file and its per-ENI batches (format by $configuredBy)',
      async ({ format, seed, configuredBy }) => {
        // Prepare
        const { fieldNames, lines, gzip } = generateFlowLogFile({
          records: 4000,
          enis: 8,
          seed,
          format,
        });
        const s3Table = await createTable(env, `s3-${seed}`);
        const s3 = await importS3Handler({ ROLLUP_TABLE: s3Table });
        const key = flowLogKey(`parity${seed}`);
        const object = await upload(env.stack.s3, env.bucket, key, gzip);
        await s3.invoke(eventFor(samples, 's3', [object]));
        const spec = formatString(fieldNames);
        const settings: HandlerEnv =
          configuredBy === 'FLOW_LOG_FORMAT'
            ? { FLOW_LOG_FORMAT: spec }
            : configuredBy === 'FLOW_LOG_FORMATS'
              ? { FLOW_LOG_FORMATS: JSON.stringify({ [LOG_GROUP]: spec }) }
              : {};
        const cw = await handlerWithTable(`cw-${seed}`, settings);
        const batches = cloudWatchBatches(fieldNames, lines, {
          logGroup: LOG_GROUP,
          batchSize: 100,
          idSeed: seed,
        });
        const enis = interfaceIdsOf(fieldNames, lines);
        logs.clear();

        // Act
        for (const batch of batches) await cw.invoke(batch.event);

        // Assess
        const viaS3 = await storedRollups(env.stack.dynamo, s3Table, enis);
        const viaCloudWatch = await storedRollups(
          env.stack.dynamo,
          cw.tableName,
          enis
        );
        const expected = expectedRollups(fieldNames, lines);
        expect(viaS3.map(exact)).toEqual(expected);
        expect(viaCloudWatch.map(exact)).toEqual(viaS3.map(exact));
        expect(topListProblems(viaCloudWatch, fieldNames, lines)).toEqual([]);
        expect(viaCloudWatch.some((r) => r.topTalkers?.length)).toBe(true);
        const items = await storedItems(env.stack.dynamo, cw.tableName, enis);
        expect(detailProblems(items)).toEqual([]);
        expect(items.counters).toHaveLength(expected.length);
        const summaries = batchSummaries(logs.entries);
        expect(summaries).toHaveLength(batches.length);
        expect(summaries.map((summary) => summary.logStream)).toEqual(
          batches.map((batch) => batch.logStream)
        );
        expect(
          summaries.every(
            (summary) =>
              summary.outcome === 'ingested' &&
              summary.logGroup === LOG_GROUP &&
              summary.badRecords === 0
          )
        ).toBe(true);
        const total = (pick: (s: (typeof summaries)[number]) => number) =>
          summaries.reduce((sum, summary) => sum + pick(summary), 0);
        expect(total((s) => s.logEvents)).toBe(lines.length);
        expect(total((s) => s.records ?? 0)).toBe(lines.length);
        expect(total((s) => s.itemsAlreadyApplied)).toBe(0);
        expect(batches.length).toBeGreaterThan(2 * enis.size);
        if (format === 'v5') {
          expect(expected.some((r) => r.egressBytes !== undefined)).toBe(true);
        }
      }
    );
  });

  describe('redelivery', () => {
    it('applies a batch delivered three times once', async () => {
      // Prepare
      const file = generateFlowLogFile({ records: 1200, enis: 3, seed: 401 });
      const [batch] = cloudWatchBatches(file.fieldNames, file.lines, {
        logGroup: LOG_GROUP,
        batchSize: 250,
        idSeed: 401,
      });
      if (batch === undefined) throw new Error('no batch generated');
      const cw = await handlerWithTable('redelivery');
      const expected = expectedRollups(file.fieldNames, batch.lines);
      const enis = interfaceIdsOf(file.fieldNames, batch.lines);

      // Act
      for (let i = 0; i < 3; i++) await cw.invoke(structuredClone(batch.event));

      // Assess
      const stored = await storedRollups(env.stack.dynamo, cw.tableName, enis);
      expect(stored.map(exact)).toEqual(expected);
      expect(topListProblems(stored, file.fieldNames, batch.lines)).toEqual([]);
      const n = expected.length;
      const events = batch.lines.length;
      expect(n).toBeGreaterThan(1);
      expect(events).toBeGreaterThan(100);
      expect(
        batchSummaries(logs.entries).map((summary) => ({
          logEvents: summary.logEvents,
          rollupItems: summary.rollupItems,
          itemsWritten: summary.itemsWritten,
          itemsAlreadyApplied: summary.itemsAlreadyApplied,
        }))
      ).toEqual([
        {
          logEvents: events,
          rollupItems: n,
          itemsWritten: n,
          itemsAlreadyApplied: 0,
        },
        {
          logEvents: events,
          rollupItems: n,
          itemsWritten: 0,
          itemsAlreadyApplied: n,
        },
        {
          logEvents: events,
          rollupItems: n,
          itemsWritten: 0,
          itemsAlreadyApplied: n,
        },
      ]);
      expect(
        await contributionCounts(env.stack.dynamo, cw.tableName, enis)
      ).toEqual(expected.map(() => 1));
    });

    it('counts two batches of the same stream with different log events as two contributions', async () => {
      // Prepare
      const file = generateFlowLogFile({ records: 1200, enis: 2, seed: 402 });
      const [first, second] = cloudWatchBatches(file.fieldNames, file.lines, {
        logGroup: LOG_GROUP,
        batchSize: 200,
        idSeed: 402,
      });
      if (first === undefined || second === undefined) {
        throw new Error('fewer than two batches generated');
      }
      expect(second.logStream).toBe(first.logStream);
      const cw = await handlerWithTable('two-batches');
      const lines = [...first.lines, ...second.lines];
      const enis = interfaceIdsOf(file.fieldNames, lines);

      // Act
      await cw.invoke(first.event);
      await cw.invoke(second.event);
      await cw.invoke(structuredClone(first.event));

      // Assess
      const stored = await storedRollups(env.stack.dynamo, cw.tableName, enis);
      expect(stored.map(exact)).toEqual(
        expectedRollups(file.fieldNames, lines)
      );
      expect(
        batchSummaries(logs.entries).map((s) => s.itemsWritten > 0)
      ).toEqual([true, true, false]);
    });
  });

  describe('batches with nothing to ingest', () => {
    /** A table holding one ingested batch, so that "unchanged" means something. */
    const populatedTable = async (name: string) => {
      const cw = await handlerWithTable(name);
      const file = generateFlowLogFile({ records: 300, enis: 2, seed: 501 });
      const batch = cloudWatchBatch(
        file.fieldNames,
        file.lines.slice(0, 50),
        'eni-0123456789abcdef0-all',
        { logGroup: LOG_GROUP }
      );
      await cw.invoke(batch.event);
      logs.clear();
      return cw;
    };

    it('skips a CONTROL_MESSAGE without touching DynamoDB', async () => {
      // Prepare
      const cw = await populatedTable('control');
      // As CloudWatch Logs sends it when it checks the destination.
      const control = gzippedPayload(
        JSON.stringify({
          messageType: 'CONTROL_MESSAGE',
          owner: 'CloudwatchLogs',
          logGroup: '',
          logStream: '',
          subscriptionFilters: [],
          logEvents: [
            {
              id: '',
              timestamp: 1_793_491_200_000,
              message:
                'CWL CONTROL MESSAGE: Checking health of destination Lambda function.',
            },
          ],
        })
      );
      const before = await sortedItems(cw.tableName);
      const requests = countDynamoRequests();

      // Act
      const result = await cw.invoke(control);

      // Assess
      expect(requests.stop()).toBe(0);
      expect(result).toBeUndefined();
      expect(await sortedItems(cw.tableName)).toEqual(before);
      expect(before.length).toBeGreaterThan(0);
      expect(batchSummaries(logs.entries)).toEqual([
        expect.objectContaining({
          outcome: 'skipped',
          skipReason: 'control-message',
          logEvents: 0,
          rollupItems: 0,
          itemsWritten: 0,
          writeCalls: 0,
        }),
      ]);
    });

    it('skips a batch without log events without touching DynamoDB', async () => {
      // Prepare
      const cw = await populatedTable('empty');
      const empty = encodeCloudWatchLogs({
        owner: '123456789012',
        logGroup: LOG_GROUP,
        logStream: 'eni-0123456789abcdef0-all',
        subscriptionFilters: ['flowlog-rollups'],
        logEvents: [],
      });
      const before = await sortedItems(cw.tableName);
      const requests = countDynamoRequests();

      // Act
      await cw.invoke(empty);

      // Assess
      expect(requests.stop()).toBe(0);
      expect(await sortedItems(cw.tableName)).toEqual(before);
      expect(batchSummaries(logs.entries)).toEqual([
        expect.objectContaining({
          outcome: 'skipped',
          skipReason: 'empty-batch',
          logGroup: LOG_GROUP,
          logStream: 'eni-0123456789abcdef0-all',
          logEvents: 0,
          itemsWritten: 0,
          writeCalls: 0,
        }),
      ]);
    });
  });

  describe('bad input', () => {
    const payload = {
      messageType: 'DATA_MESSAGE',
      owner: '123456789012',
      logGroup: LOG_GROUP,
      logStream: 'eni-0123456789abcdef0-all',
      subscriptionFilters: ['flowlog-rollups'],
    };
    const goodEvent = {
      id: '37934912000000000000000000000000000000000000000000000000',
      timestamp: 1_793_491_200_000,
      message:
        '2 123456789012 eni-0123456789abcdef0 10.0.0.1 10.0.0.2 443 49152 6 10 840 1793491200 1793491260 ACCEPT OK',
    };

    it.each<{ what: string; event: () => unknown; message: string }>([
      {
        what: 'an event that is no awslogs event',
        event: () => ({ Records: [] }),
        message: 'not a CloudWatch Logs subscription event',
      },
      {
        what: 'invalid base64',
        event: () => ({ awslogs: { data: 'H4sI not base64 at all!' } }),
        message: 'awslogs.data is not valid base64',
      },
      {
        what: 'base64 of JSON that is not gzip',
        event: () => ({
          awslogs: {
            data: Buffer.from(
              JSON.stringify({ ...payload, logEvents: [goodEvent] })
            ).toString('base64'),
          },
        }),
        message: 'awslogs.data is not gzip',
      },
      {
        what: 'gzip that is not JSON',
        event: () => gzippedPayload('{"messageType": "DATA_MESSAGE", "log'),
        message: 'awslogs.data does not hold JSON',
      },
      {
        what: 'JSON without logEvents',
        event: () => gzippedPayload(JSON.stringify(payload)),
        message: 'awslogs.data: logEvents must be an array, got undefined',
      },
      {
        what: 'a log event whose id is a number',
        event: () =>
          gzippedPayload(
            JSON.stringify({
              ...payload,
              logEvents: [goodEvent, { ...goodEvent, id: 12345 }],
            })
          ),
        message: 'awslogs.data: logEvents[1].id must be a string of digits',
      },
    ])(
      'rejects $what with a DecodeError and writes nothing',
      async ({ event, message }) => {
        // Prepare
        const cw = await handlerWithTable('bad');
        const requests = countDynamoRequests();

        // Act
        const invoking = cw.invoke(event());

        // Assess
        await expect(invoking).rejects.toThrow(message);
        await expect(invoking).rejects.toBeInstanceOf(cw.errors.DecodeError);
        expect(requests.stop()).toBe(0);
        expect(await scanItems(env.stack.dynamo, cw.tableName)).toEqual([]);
        expect(batchSummaries(logs.entries)).toEqual([]);
      }
    );

    it('counts malformed messages as bad records by reason and the good ones exactly', async () => {
      // Prepare
      const file = generateFlowLogFile({ records: 600, enis: 1, seed: 601 });
      const good = file.lines.filter((line) => line.endsWith(' OK'));
      const column = (name: string) => file.fieldNames.indexOf(name);
      const withField = (line: string, name: string, value: string) => {
        const values = line.split(' ');
        values[column(name)] = value;
        return values.join(' ');
      };
      const [a = '', b = '', c = '', d = '', e = ''] = good;
      const bad = [
        'this is not a flow log record',
        withField(a, 'action', 'MAYBE'),
        withField(b, 'bytes', '12kB'),
        withField(c, 'end', String(Number(c.split(' ')[column('start')]) - 5)),
        withField(d, 'interface-id', '-'),
        `${e} trailing-field`,
      ];
      // Bad messages at positions 3, 10, 20, ... of the batch.
      const messages = [...good];
      const positions = bad.map((_, i) => (i === 0 ? 2 : i * 10 - 1));
      for (const [i, line] of bad.entries()) {
        messages.splice(positions[i] ?? 0, 0, line);
      }
      const eni = good[0]?.split(' ')[column('interface-id')] ?? '';
      const batch = cloudWatchBatch(file.fieldNames, messages, `${eni}-all`, {
        logGroup: LOG_GROUP,
        idSeed: 601,
      });
      const cw = await handlerWithTable('malformed');

      // Act
      await cw.invoke(batch.event);

      // Assess
      const stored = await storedRollups(
        env.stack.dynamo,
        cw.tableName,
        new Set([eni])
      );
      expect(stored.map(exact)).toEqual(expectedRollups(file.fieldNames, good));
      const [summary] = batchSummaries(logs.entries);
      expect(summary).toMatchObject({
        outcome: 'ingested',
        logEvents: messages.length,
        lines: messages.length,
        records: good.length,
        badRecords: bad.length,
        badRecordsByReason: {
          'field-count': 2,
          'bad-action': 1,
          'bad-integer': 1,
          'end-before-start': 1,
          'missing-interface-id': 1,
        },
      });
      const samplesSeen = summary?.badRecordSamples ?? [];
      // BAD_RECORD_SAMPLES defaults to 5: the first five, by log event position.
      expect(samplesSeen.map((s) => [s.lineNumber, s.reason])).toEqual([
        [3, 'field-count'],
        [10, 'bad-action'],
        [20, 'bad-integer'],
        [30, 'end-before-start'],
        [40, 'missing-interface-id'],
      ]);
      expect(samplesSeen[1]?.message).toContain('MAYBE');
      expect(samplesSeen[2]?.message).toContain('bytes');
    });
  });

  describe('the sample event', () => {
    it('ingests events/cloudwatch-logs-subscription.json as it is: 50 v2 records', async () => {
      // Prepare
      const sample = await loadCloudWatchSample();
      const decoded = JSON.parse(
        gunzipSync(Buffer.from(sample.awslogs.data, 'base64')).toString('utf8')
      ) as { logEvents: { message: string }[] };
      const lines = decoded.logEvents.map((logEvent) => logEvent.message);
      const cw = await handlerWithTable('sample');

      // Act
      await cw.invoke(structuredClone(sample));

      // Assess
      const enis = interfaceIdsOf(V2_FIELDS, lines);
      const stored = await storedRollups(env.stack.dynamo, cw.tableName, enis);
      expect(stored.map(exact)).toEqual(expectedRollups(V2_FIELDS, lines));
      expect(topListProblems(stored, V2_FIELDS, lines)).toEqual([]);
      expect(enis.size).toBe(1);
      expect(batchSummaries(logs.entries)).toEqual([
        expect.objectContaining({
          outcome: 'ingested',
          logGroup: LOG_GROUP,
          logStream: `${[...enis][0]}-all`,
          logEvents: 50,
          lines: 50,
          records: 50,
          badRecords: 0,
          itemsWritten: stored.length,
        }),
      ]);
    });
  });
});
