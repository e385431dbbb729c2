/**
 * How the real cloudwatchIngest handler learns the format of a log group:
 * FLOW_LOG_FORMATS without interface-id (the ENI comes from the log
 * stream's name), and FLOW_LOG_FORMAT=auto (ec2:DescribeFlowLogs, mocked
 * with aws-sdk-client-mock: the one thing dynalite cannot stand in for).
 * Rollups are written to dynalite and compared with rollups computed
 * independently from the raw lines.
 */
import { DescribeFlowLogsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
} from 'vitest';
import {
  batchSummaries,
  cloudWatchBatch,
  cloudWatchBatches,
  createTable,
  formatString,
  type HandlerEnv,
  importCloudWatchHandler,
} from '../helpers/cloudwatchBatches.js';
import {
  exact,
  expectedRollups,
  scanItems,
  storedRollups,
  topListProblems,
} from '../helpers/expectedRollups.js';
import {
  generateFlowLogFile,
  interfaceIdsOf,
} from '../helpers/flowLogObjects.js';
import {
  captureHandlerLogs,
  type HandlerLogs,
} from '../helpers/handlerLogs.js';
import { type IngestStack, startIngestStack } from '../helpers/ingestStack.js';

describe('cloudwatchIngest formats', () => {
  let env: IngestStack;
  let logs: HandlerLogs;
  let tables = 0;

  beforeAll(async () => {
    env = await startIngestStack('cwformats');
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
  const handlerWithTable = async (name: string, settings: HandlerEnv) => {
    tables++;
    const tableName = await createTable(env, `${name}-${tables}`);
    const imported = await importCloudWatchHandler({
      ...settings,
      ROLLUP_TABLE: tableName,
    });
    return { ...imported, tableName };
  };

  const itemsIn = async (tableName: string) =>
    (await scanItems(env.stack.dynamo, tableName)).length;

  describe('a format without interface-id (FLOW_LOG_FORMATS)', () => {
    const LOG_GROUP = '/vpc/no-interface-id';

    /** v2 lines, and the same lines without their interface-id column. */
    const withoutInterfaceId = (seed: number) => {
      const file = generateFlowLogFile({ records: 2400, enis: 4, seed });
      const column = file.fieldNames.indexOf('interface-id');
      const drop = <T>(values: readonly T[]) =>
        values.filter((_, i) => i !== column);
      return {
        file,
        fieldNames: drop(file.fieldNames),
        lines: file.lines.map((line) => drop(line.split(' ')).join(' ')),
        interfaceIds: file.lines.map((line) => line.split(' ')[column] ?? ''),
      };
    };

    const handlerFor = (fieldNames: readonly string[]) =>
      handlerWithTable('no-eni', {
        FLOW_LOG_FORMATS: JSON.stringify({
          [LOG_GROUP]: formatString(fieldNames),
        }),
      });

    it('takes the ENI of each batch from its log stream name', async () => {
      // Prepare
      const { file, fieldNames, lines, interfaceIds } = withoutInterfaceId(701);
      expect(fieldNames).not.toContain('interface-id');
      const batches = cloudWatchBatches(
        fieldNames,
        lines,
        { logGroup: LOG_GROUP, batchSize: 100, idSeed: 701 },
        interfaceIds
      );
      const cw = await handlerFor(fieldNames);

      // Act
      for (const batch of batches) await cw.invoke(batch.event);

      // Assess
      const enis = interfaceIdsOf(file.fieldNames, file.lines);
      const stored = await storedRollups(env.stack.dynamo, cw.tableName, enis);
      expect(stored.map(exact)).toEqual(
        expectedRollups(file.fieldNames, file.lines)
      );
      expect(topListProblems(stored, file.fieldNames, file.lines)).toEqual([]);
      expect(await itemsIn(cw.tableName)).toBeGreaterThan(stored.length - 1);
      const summaries = batchSummaries(logs.entries);
      expect(summaries).toHaveLength(batches.length);
      expect(
        summaries.reduce((sum, summary) => sum + (summary.records ?? 0), 0)
      ).toBe(lines.length);
      expect(enis.size).toBe(4);
    });

    it.each(['accept', 'reject'])(
      'takes the ENI from a stream named <eni>-%s',
      async (suffix) => {
        // Prepare
        const { file, fieldNames, lines, interfaceIds } =
          withoutInterfaceId(702);
        const eni = interfaceIds[0] ?? '';
        const mine = lines.filter((_, i) => interfaceIds[i] === eni);
        const batch = cloudWatchBatch(fieldNames, mine, `${eni}-${suffix}`, {
          logGroup: LOG_GROUP,
          idSeed: 702,
        });
        const cw = await handlerFor(fieldNames);

        // Act
        await cw.invoke(batch.event);

        // Assess
        const stored = await storedRollups(
          env.stack.dynamo,
          cw.tableName,
          new Set([eni])
        );
        const original = file.lines.filter((_, i) => interfaceIds[i] === eni);
        expect(stored.map(exact)).toEqual(
          expectedRollups(file.fieldNames, original)
        );
      }
    );

    it('rejects a batch whose stream is not named after an ENI with a FormatError naming the stream', async () => {
      // Prepare
      const { fieldNames, lines } = withoutInterfaceId(703);
      const batch = cloudWatchBatch(
        fieldNames,
        lines.slice(0, 20),
        'my-instance-logs',
        { logGroup: LOG_GROUP, idSeed: 703 }
      );
      const cw = await handlerFor(fieldNames);

      // Act
      const invoking = cw.invoke(batch.event);

      // Assess
      await expect(invoking).rejects.toBeInstanceOf(cw.errors.FormatError);
      await expect(invoking).rejects.toThrow(
        `cloudwatch:${LOG_GROUP}/my-instance-logs: the format has no interface-id and log stream "my-instance-logs" is not named <eni-id>-all|accept|reject`
      );
      expect(await itemsIn(cw.tableName)).toBe(0);
      expect(batchSummaries(logs.entries)).toEqual([]);
    });
  });

  describe('unusable configuration', () => {
    it('fails the import (cold start) with a ConfigError naming each bad variable', async () => {
      // Prepare
      const settings: HandlerEnv = {
        ROLLUP_TABLE: 'never-written',
        FLOW_LOG_FORMAT: '${version} ${interface-id} ${bytes}',
        FLOW_LOG_FORMATS: JSON.stringify({
          '/vpc/typo': '${version} ${interface-id} ${start} ${end} ${bytez}',
        }),
      };

      // Act
      const importing = importCloudWatchHandler(settings);

      // Assess
      await expect(importing).rejects.toMatchObject({ name: 'ConfigError' });
      await expect(importing).rejects.toThrow(
        'FLOW_LOG_FORMATS["/vpc/typo"]: unknown field ${bytez}'
      );
      await expect(importing).rejects.toThrow(
        'FLOW_LOG_FORMAT: no ${start} or ${end}, which rollups need'
      );
    });
  });

  describe('FLOW_LOG_FORMAT=auto', () => {
    const ec2 = mockClient(EC2Client);
    const AUTO: HandlerEnv = { FLOW_LOG_FORMAT: 'auto' };

    afterEach(() => {
      ec2.reset();
    });

    afterAll(() => {
      ec2.restore();
    });

    /** A v5 file's lines in batches of one log group, and its format string. */
    const v5Batches = (logGroup: string, seed: number, batchSize = 150) => {
      const file = generateFlowLogFile({
        records: 1500,
        enis: 3,
        seed,
        format: 'v5',
      });
      const batches = cloudWatchBatches(file.fieldNames, file.lines, {
        logGroup,
        batchSize,
        idSeed: seed,
      });
      return { file, batches, logFormat: formatString(file.fieldNames) };
    };

    const throttling = (name: string) =>
      Object.assign(new Error(`Rate exceeded (injected ${name})`), {
        name,
        $metadata: { httpStatusCode: 503 },
      });

    it('ingests batches in the format DescribeFlowLogs gives for their log group, asking once', async () => {
      // Prepare
      const logGroup = '/vpc/auto-v5';
      const { file, batches, logFormat } = v5Batches(logGroup, 801);
      ec2.on(DescribeFlowLogsCommand).resolves({
        FlowLogs: [
          {
            FlowLogId: 'fl-0123456789abcdef0',
            LogGroupName: logGroup,
            LogFormat: logFormat,
          },
        ],
      });
      const cw = await handlerWithTable('auto', AUTO);

      const [firstThree, rest] = [batches.slice(0, 3), batches.slice(3)];

      // Act
      // Three batches at once share the one call in flight.
      await Promise.all(firstThree.map((batch) => cw.invoke(batch.event)));
      for (const batch of rest) await cw.invoke(batch.event);

      // Assess
      const calls = ec2.commandCalls(DescribeFlowLogsCommand);
      expect(calls).toHaveLength(1);
      expect(calls[0]?.args[0].input.Filter).toEqual([
        { Name: 'log-group-name', Values: [logGroup] },
      ]);
      expect(batches.length).toBeGreaterThan(3);
      const enis = interfaceIdsOf(file.fieldNames, file.lines);
      const stored = await storedRollups(env.stack.dynamo, cw.tableName, enis);
      const expected = expectedRollups(file.fieldNames, file.lines);
      expect(stored.map(exact)).toEqual(expected);
      expect(expected.some((r) => r.synOnlyFlows !== undefined)).toBe(true);
      expect(
        batchSummaries(logs.entries).every((s) => s.badRecords === 0)
      ).toBe(true);
    });

    it('uses FLOW_LOG_FORMATS for a log group it names without asking EC2', async () => {
      // Prepare
      const logGroup = '/vpc/configured';
      const { file, batches, logFormat } = v5Batches(logGroup, 802, 500);
      const cw = await handlerWithTable('auto-configured', {
        ...AUTO,
        FLOW_LOG_FORMATS: JSON.stringify({ [logGroup]: logFormat }),
      });

      // Act
      for (const batch of batches) await cw.invoke(batch.event);

      // Assess
      expect(ec2.commandCalls(DescribeFlowLogsCommand)).toHaveLength(0);
      const enis = interfaceIdsOf(file.fieldNames, file.lines);
      const stored = await storedRollups(env.stack.dynamo, cw.tableName, enis);
      expect(stored.map(exact)).toEqual(
        expectedRollups(file.fieldNames, file.lines)
      );
    });

    it('rejects a batch of a log group no flow log publishes to with a FormatError naming the log group, and asks again next time', async () => {
      // Prepare
      const logGroup = '/vpc/nobody-publishes-here';
      const { batches } = v5Batches(logGroup, 803, 500);
      const [batch] = batches;
      if (batch === undefined) throw new Error('no batch generated');
      ec2.on(DescribeFlowLogsCommand).resolves({ FlowLogs: [] });
      const cw = await handlerWithTable('auto-none', AUTO);

      // Act
      const first = cw.invoke(batch.event);
      await first.catch(() => undefined);
      const second = cw.invoke(structuredClone(batch.event));
      await second.catch(() => undefined);

      // Assess
      for (const invoking of [first, second]) {
        await expect(invoking).rejects.toBeInstanceOf(cw.errors.FormatError);
        await expect(invoking).rejects.toThrow(
          `no flow log publishes to log group ${logGroup}`
        );
        await expect(invoking).rejects.toThrow('FLOW_LOG_FORMATS');
      }
      expect(ec2.commandCalls(DescribeFlowLogsCommand)).toHaveLength(2);
      expect(await itemsIn(cw.tableName)).toBe(0);
      expect(batchSummaries(logs.entries)).toEqual([]);
    });

    it('rejects a batch of a log group whose flow logs disagree on the format with a FormatError', async () => {
      // Prepare
      const logGroup = '/vpc/two-formats';
      const { batches, logFormat } = v5Batches(logGroup, 804, 500);
      const [batch] = batches;
      if (batch === undefined) throw new Error('no batch generated');
      ec2.on(DescribeFlowLogsCommand).resolves({
        FlowLogs: [
          { FlowLogId: 'fl-1', LogGroupName: logGroup, LogFormat: logFormat },
          {
            FlowLogId: 'fl-2',
            LogGroupName: logGroup,
            LogFormat:
              '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}',
          },
        ],
      });
      const cw = await handlerWithTable('auto-two', AUTO);

      // Act
      const invoking = cw.invoke(batch.event);

      // Assess
      await expect(invoking).rejects.toBeInstanceOf(cw.errors.FormatError);
      await expect(invoking).rejects.toThrow(
        `2 flow logs with different formats publish to log group ${logGroup}`
      );
      expect(await itemsIn(cw.tableName)).toBe(0);
    });

    it.each(['RequestLimitExceeded', 'Throttling'])(
      'rejects a batch while DescribeFlowLogs is throttled (%s) and ingests it once the throttling stops',
      async (name) => {
        // Prepare
        const logGroup = `/vpc/throttled-${name}`;
        const { file, batches, logFormat } = v5Batches(logGroup, 805, 500);
        const [first, second] = batches;
        if (first === undefined || second === undefined) {
          throw new Error('fewer than two batches generated');
        }
        // aws-sdk-client-mock replaces `send`, so the SDK's retries never
        // run: each rejection is one failed call as the handler sees it
        // after its retries (AWS_MAX_ATTEMPTS=1 says the same).
        ec2
          .on(DescribeFlowLogsCommand)
          .rejectsOnce(throttling(name))
          .rejectsOnce(throttling(name))
          .resolves({
            FlowLogs: [{ LogGroupName: logGroup, LogFormat: logFormat }],
          });
        const cw = await handlerWithTable('auto-throttled', {
          ...AUTO,
          AWS_MAX_ATTEMPTS: '1',
        });

        // Act
        const throttled: Promise<void>[] = [];
        for (let i = 0; i < 2; i++) {
          const invoking = cw.invoke(structuredClone(first.event));
          throttled.push(invoking);
          await invoking.catch(() => undefined);
        }
        const itemsWhileThrottled = await itemsIn(cw.tableName);
        await cw.invoke(structuredClone(first.event));
        await cw.invoke(second.event);

        // Assess
        for (const invoking of throttled) {
          await expect(invoking).rejects.toThrow('Rate exceeded');
          await expect(invoking).rejects.toThrow(logGroup);
        }
        expect(itemsWhileThrottled).toBe(0);
        // One call per throttled batch, one that succeeds, none after: the
        // answer is cached, the failures were not.
        expect(ec2.commandCalls(DescribeFlowLogsCommand)).toHaveLength(3);
        const lines = [...first.lines, ...second.lines];
        const enis = interfaceIdsOf(file.fieldNames, lines);
        const stored = await storedRollups(
          env.stack.dynamo,
          cw.tableName,
          enis
        );
        expect(stored.map(exact)).toEqual(
          expectedRollups(file.fieldNames, lines)
        );
        expect(batchSummaries(logs.entries)).toHaveLength(2);
      }
    );

    it('review finding: a throttled DescribeFlowLogs rejects with the log group named, not as an undecodable payload', async () => {
      // Prepare
      const logGroup = '/vpc/throttled-kind';
      const { batches, logFormat } = v5Batches(logGroup, 806, 500);
      const [batch] = batches;
      if (batch === undefined) throw new Error('no batch generated');
      ec2
        .on(DescribeFlowLogsCommand)
        .rejectsOnce(throttling('RequestLimitExceeded'))
        .resolves({
          FlowLogs: [{ LogGroupName: logGroup, LogFormat: logFormat }],
        });
      const cw = await handlerWithTable('auto-kind', AUTO);

      // Act
      const error = await cw.invoke(batch.event).then(
        () => null,
        (reason: unknown) => reason
      );

      // Assess
      // A well-formed batch that only met EC2 throttling must not be
      // reported (and alarmed on) as undecodable; the error names the
      // input so operators can find it.
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(cw.errors.DecodeError);
      expect((error as Error).message).toContain(logGroup);
    });
  });
});
