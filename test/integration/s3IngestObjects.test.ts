/**
 * What ingest does with each kind of object (ingestS3Object's contract),
 * through the handlers' own wiring against dynalite and s3rver: corrupt
 * and empty objects, bad lines, missing objects, keys that are not flow
 * logs, and Parquet files.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { lambdaContext } from '../../scripts/local/lambdaContext.js';
import { loadConfig } from '../../shared/config.js';
import { DecodeError, FormatError } from '../../shared/errors.js';
import {
  type IngestDeps,
  ingestS3Object,
  type ObjectSummary,
} from '../../shared/pipeline/ingestS3Object.js';
import type { S3ObjectRef } from '../../shared/types.js';
import { createIngestDeps } from '../../shared/wiring.js';
import {
  exact,
  expectedRollups,
  scanItems,
  storedRollups,
} from '../helpers/expectedRollups.js';
import {
  deleteObject,
  type FlowLogFile,
  flowLogFile,
  flowLogKey,
  generateFlowLogFile,
  interfaceIdsOf,
  parquetFlowLog,
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

type Handler = typeof import('../../functions/s3Ingest.js')['handler'];

describe('ingestS3Object', () => {
  let env: IngestStack;
  let deps: IngestDeps;
  let handler: Handler;
  let samples: SampleEvents;
  let logs: HandlerLogs;

  beforeAll(async () => {
    env = await startIngestStack('s3ingest-objects');
    deps = createIngestDeps(loadConfig());
    ({ handler } = await import('../../functions/s3Ingest.js'));
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

  const put = (key: string, body: Uint8Array) =>
    upload(env.stack.s3, env.bucket, key, body);

  const ref = (key: string): S3ObjectRef => ({ bucket: env.bucket, key });

  const label = (key: string) => `s3://${env.bucket}/${key}`;

  /** The whole table, as raw items: to see that nothing was written. */
  const tableSnapshot = async () =>
    (await scanItems(env.stack.dynamo, env.tableName)).map((item) =>
      JSON.stringify(item)
    );

  const storedFor = (file: FlowLogFile) =>
    storedRollups(
      env.stack.dynamo,
      env.tableName,
      interfaceIdsOf(file.fieldNames, file.lines)
    );

  /** The outcome and the counts of a summary that do not vary by run. */
  const countsOf = (summary: ObjectSummary) => ({
    outcome: summary.outcome,
    skipReason: summary.skipReason,
    records: summary.records,
    rollupItems: summary.rollupItems,
    itemsWritten: summary.itemsWritten,
    itemsAlreadyApplied: summary.itemsAlreadyApplied,
    writeCalls: summary.writeCalls,
  });

  describe('corrupt text objects', () => {
    it('throws naming the key for a truncated gzip, writes nothing, and ingests the object once it is whole', async () => {
      // Prepare
      const file = generateFlowLogFile({ records: 5000, enis: 6, seed: 601 });
      const key = flowLogKey('truncated601', { prefix: 'cut in+half' });
      await put(key, file.gzip.subarray(0, file.gzip.length >> 1));
      const before = await tableSnapshot();

      // Act
      const first = ingestS3Object(ref(key), deps);
      await first.catch(() => undefined);
      const retry = ingestS3Object(ref(key), deps);
      await retry.catch(() => undefined);
      const afterFailures = await tableSnapshot();
      await put(key, file.gzip);
      const whole = await ingestS3Object(ref(key), deps);
      const again = await ingestS3Object(ref(key), deps);

      // Assess
      for (const attempt of [first, retry]) {
        await expect(attempt).rejects.toThrow(DecodeError);
        await expect(attempt).rejects.toThrow(
          `${label(key)}: not valid gzip (unexpected end of file)`
        );
      }
      expect(afterFailures).toEqual(before);
      const expected = expectedRollups(file.fieldNames, file.lines);
      expect((await storedFor(file)).map(exact)).toEqual(expected);
      expect(countsOf(whole)).toMatchObject({
        outcome: 'ingested',
        records: file.lines.length,
        itemsWritten: expected.length,
        itemsAlreadyApplied: 0,
      });
      expect(countsOf(again)).toMatchObject({
        itemsWritten: 0,
        itemsAlreadyApplied: expected.length,
      });
    });

    it('issue #3: throws DecodeError for a .log.gz object that is not gzip', async () => {
      // Prepare
      // 64 KiB of fixed pseudo-random bytes (SHA-256 in counter mode).
      const bytes = new Uint8Array(
        Buffer.concat(
          Array.from({ length: 2048 }, (_, i) =>
            createHash('sha256').update(`block ${i}`).digest()
          )
        )
      );
      bytes[0] = 0x42; // never the gzip magic number 1f 8b
      const key = flowLogKey('notgzip602');
      await put(key, bytes);
      const before = await tableSnapshot();

      // Act
      const ingesting = ingestS3Object(ref(key), deps);
      const outcome = await ingesting.then(countsOf, (error: unknown) => error);

      // Assess
      expect(await tableSnapshot()).toEqual(before);
      expect(outcome).toBeInstanceOf(DecodeError);
      await expect(ingesting).rejects.toThrow(`${label(key)}: not gzip`);
    });
  });

  describe('objects without records', () => {
    it.each([
      ['an empty object', new Uint8Array(0)],
      ['an empty gzip', new Uint8Array(gzipSync(''))],
      [
        'a header line only',
        new Uint8Array(
          gzipSync(
            'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n'
          )
        ),
      ],
    ])('ingests %s as no records and no writes', async (name, body) => {
      // Prepare
      const key = flowLogKey(`empty${name.length}x${body.length}`);
      await put(key, body);
      const before = await tableSnapshot();

      // Act
      const summary = await ingestS3Object(ref(key), deps);

      // Assess
      expect(countsOf(summary)).toEqual({
        outcome: 'ingested',
        skipReason: undefined,
        records: 0,
        rollupItems: 0,
        itemsWritten: 0,
        itemsAlreadyApplied: 0,
        writeCalls: 0,
      });
      expect(summary).toMatchObject({
        lines: 0,
        badRecords: 0,
        newestWindowEnd: null,
      });
      expect(await tableSnapshot()).toEqual(before);
    });
  });

  describe('bad lines', () => {
    it('counts bad lines with samples and every good line exactly', async () => {
      // Prepare
      const file = generateFlowLogFile({ records: 4000, enis: 6, seed: 603 });
      const [good] = file.lines;
      if (good === undefined) throw new Error('no generated line');
      const fields = good.split(' ');
      const replaced = (index: number, value: string) =>
        fields.map((field, i) => (i === index ? value : field)).join(' ');
      const column = (name: string) => file.fieldNames.indexOf(name);
      const bad: readonly (readonly [line: string, reason: string])[] = [
        [fields.slice(0, 10).join(' '), 'field-count'],
        [replaced(column('bytes'), 'lots'), 'bad-integer'],
        [replaced(column('action'), 'ALLOW'), 'bad-action'],
        [replaced(column('log-status'), 'FAILED'), 'bad-log-status'],
        [replaced(column('end'), '1000'), 'end-before-start'],
        [replaced(column('interface-id'), '-'), 'missing-interface-id'],
        [`${fields.join(' ')} extra`, 'field-count'],
      ];
      // Bad lines every 500 records; line 1 is the header.
      const lines = [...file.lines];
      const badLineNumbers: number[] = [];
      bad.forEach(([line], i) => {
        lines.splice(i * 500 + i, 0, line);
        badLineNumbers.push(i * 500 + i + 2);
      });
      const mixed = flowLogFile(file.fieldNames, lines);
      const key = flowLogKey('badlines603');
      await put(key, mixed.gzip);

      // Act
      const summary = await ingestS3Object(ref(key), deps);

      // Assess
      const expected = expectedRollups(file.fieldNames, file.lines);
      expect((await storedFor(file)).map(exact)).toEqual(expected);
      expect(summary).toMatchObject({
        outcome: 'ingested',
        lines: lines.length,
        records: file.lines.length,
        badRecords: bad.length,
        badRecordsByReason: {
          'field-count': 2,
          'bad-integer': 1,
          'bad-action': 1,
          'bad-log-status': 1,
          'end-before-start': 1,
          'missing-interface-id': 1,
        },
        rollupItems: expected.length,
        itemsWritten: expected.length,
      });
      // BAD_RECORD_SAMPLES defaults to 5: the first five are kept.
      expect(
        summary.badRecordSamples?.map(({ lineNumber, reason }) => ({
          lineNumber,
          reason,
        }))
      ).toEqual(
        bad.slice(0, 5).map(([, reason], i) => ({
          lineNumber: badLineNumbers[i],
          reason,
        }))
      );
      for (const sample of summary.badRecordSamples ?? []) {
        expect(sample.message).toContain(`line ${sample.lineNumber}`);
      }
    });
  });

  describe('objects that are skipped', () => {
    it.each([
      ['a text key never uploaded', flowLogKey('never604')],
      [
        'a Parquet key never uploaded',
        flowLogKey('never605', { suffix: '.log.parquet' }),
      ],
    ])('skips %s as object-missing', async (_, key) => {
      // Prepare
      const before = await tableSnapshot();

      // Act
      const summary = await ingestS3Object(ref(key), deps);

      // Assess
      expect(countsOf(summary)).toMatchObject({
        outcome: 'skipped',
        skipReason: 'object-missing',
        rollupItems: 0,
        writeCalls: 0,
      });
      expect(await tableSnapshot()).toEqual(before);
    });

    it('skips an object deleted before its event is handled, logging an error and not throwing', async () => {
      // Prepare
      const file = generateFlowLogFile({ records: 2000, enis: 4, seed: 606 });
      const key = flowLogKey('deleted606');
      const object = await put(key, file.gzip);
      await deleteObject(env.stack.s3, env.bucket, key);
      const before = await tableSnapshot();

      // Act
      const result = await handler(
        eventFor(samples, 's3', [object]),
        lambdaContext('s3Ingest')
      );

      // Assess
      expect(result).toBeUndefined();
      expect(logs.summaries()).toEqual([
        expect.objectContaining({
          level: 'ERROR',
          key,
          outcome: 'skipped',
          skipReason: 'object-missing',
        }),
      ]);
      expect(await tableSnapshot()).toEqual(before);
    });

    it.each([
      'exports/2026/11/01/flows.log.gz',
      'AWSLogs/123456789012/elasticloadbalancing/us-east-1/2026/11/01/123456789012_elasticloadbalancing_us-east-1_app.lb_20261101T0010Z_10.0.0.1_x.log.gz',
      'AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/01/notes.txt',
    ])('skips %s as not-a-flow-log-key without reading it', async (key) => {
      // Prepare
      const file = generateFlowLogFile({ records: 1000, enis: 3, seed: 607 });
      await put(key, file.gzip);
      const before = await tableSnapshot();

      const reads: string[] = [];
      const counting: IngestDeps = {
        ...deps,
        source: {
          stream: (object) => {
            reads.push(object.key);
            return deps.source.stream(object);
          },
          randomAccess: (object) => {
            reads.push(object.key);
            return deps.source.randomAccess(object);
          },
        },
      };

      // Act
      const summary = await ingestS3Object(ref(key), counting);

      // Assess
      expect(countsOf(summary)).toMatchObject({
        outcome: 'skipped',
        skipReason: 'not-a-flow-log-key',
        rollupItems: 0,
      });
      expect(reads).toEqual([]);
      expect(summary.detail).toEqual(expect.any(String));
      expect(summary.records).toBeUndefined();
      expect(await tableSnapshot()).toEqual(before);
    });
  });

  describe('Parquet objects', () => {
    it.each([
      ['v2', 608],
      ['v5', 609],
    ] as const)(
      'stores the reference rollups of a %s Parquet file',
      async (format, seed) => {
        // Prepare
        const file = generateFlowLogFile({
          records: 3500,
          enis: 6,
          seed,
          format,
        });
        const key = flowLogKey(`parquet${seed}`, {
          prefix: 'parquet logs+1',
          suffix: '.log.parquet',
        });
        await put(key, parquetFlowLog(format, file.lines, 1000));

        // Act
        const summary = await ingestS3Object(ref(key), deps);
        const again = await ingestS3Object(ref(key), deps);

        // Assess
        const expected = expectedRollups(file.fieldNames, file.lines);
        expect((await storedFor(file)).map(exact)).toEqual(expected);
        expect(summary).toMatchObject({
          outcome: 'ingested',
          fileFormat: 'parquet',
          records: file.lines.length,
          badRecords: 0,
          rollupItems: expected.length,
          itemsWritten: expected.length,
        });
        expect(countsOf(again)).toMatchObject({
          itemsWritten: 0,
          itemsAlreadyApplied: expected.length,
        });
      }
    );

    it('throws a FormatError naming the key for a Parquet file of another schema', async () => {
      // Prepare
      const bytes = new Uint8Array(
        parquetWriteBuffer({
          columnData: [
            { name: 'customer', type: 'STRING', data: ['a', 'b'] },
            { name: 'amount', type: 'INT32', data: [1, 2] },
          ],
        })
      );
      const key = flowLogKey('schema610', { suffix: '.log.parquet' });
      await put(key, bytes);
      const before = await tableSnapshot();

      // Act
      const ingesting = ingestS3Object(ref(key), deps);

      // Assess
      await expect(ingesting).rejects.toThrow(FormatError);
      await expect(ingesting).rejects.toThrow(
        `${label(key)}: not a flow-log Parquet file`
      );
      expect(await tableSnapshot()).toEqual(before);
    });

    it('throws a DecodeError naming the key for gzip text under a Parquet key', async () => {
      // Prepare
      const file = generateFlowLogFile({ records: 500, enis: 2, seed: 611 });
      const key = flowLogKey('notparquet611', { suffix: '.log.parquet' });
      await put(key, file.gzip);
      const before = await tableSnapshot();

      // Act
      const ingesting = ingestS3Object(ref(key), deps);

      // Assess
      await expect(ingesting).rejects.toThrow(DecodeError);
      await expect(ingesting).rejects.toThrow(
        `${label(key)}: not a readable Parquet file`
      );
      expect(await tableSnapshot()).toEqual(before);
    });
  });
});
