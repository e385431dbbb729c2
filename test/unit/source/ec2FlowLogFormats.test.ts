import {
  DescribeFlowLogsCommand,
  EC2Client,
  EC2ServiceException,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../../shared/errors.js';
import {
  createEc2Client,
  createEc2FlowLogFormatLookup,
} from '../../../shared/source/ec2FlowLogFormats.js';

const LOG_GROUP = '/vpc/flow-logs';
const OTHER_LOG_GROUP = '/vpc/flow-logs-staging';
const V2_FORMAT =
  '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}';
const CUSTOM_FORMAT =
  '${interface-id} ${srcaddr} ${dstaddr} ${packets} ${bytes} ${start} ${end} ${action} ${flow-direction}';

/** A flow log as DescribeFlowLogs lists it, publishing to `logGroup`. */
const flowLog = (id: string, logFormat: string, logGroup = LOG_GROUP) => ({
  FlowLogId: `fl-${id}`,
  LogGroupName: logGroup,
  LogDestinationType: 'cloud-watch-logs' as const,
  ResourceId: 'vpc-0a1b2c3d4e5f60718',
  LogFormat: logFormat,
});

/** EC2's throttling error, as the SDK throws it once its retries are spent. */
const throttled = () =>
  new EC2ServiceException({
    name: 'RequestLimitExceeded',
    $fault: 'client',
    message: 'Request limit exceeded.',
    $metadata: { httpStatusCode: 503 },
  });

/** The rejection of `promise`; fails the test when it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (reason: unknown) => reason
  );
}

const setup = () => {
  const client = new EC2Client({});
  const mock = mockClient(client);
  return { mock, lookup: createEc2FlowLogFormatLookup(client) };
};

describe('createEc2FlowLogFormatLookup', () => {
  it('asks DescribeFlowLogs for the flow logs of the log group by log-group-name', async () => {
    // Prepare
    const { mock, lookup } = setup();
    mock.on(DescribeFlowLogsCommand).resolves({
      FlowLogs: [flowLog('0123456789abcdef0', CUSTOM_FORMAT)],
    });

    // Act
    const format = await lookup.formatStringOf(LOG_GROUP);

    // Assess
    expect(format).toBe(CUSTOM_FORMAT);
    const calls = mock.commandCalls(DescribeFlowLogsCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      Filter: [{ Name: 'log-group-name', Values: [LOG_GROUP] }],
    });
  });

  it('follows NextToken through every page', async () => {
    // Prepare: the first page lists no flow log with a format
    const { mock, lookup } = setup();
    mock
      .on(DescribeFlowLogsCommand)
      .resolvesOnce({ FlowLogs: [], NextToken: 'page-2' })
      .resolvesOnce({
        FlowLogs: [{ FlowLogId: 'fl-0123456789abcdef1' }],
        NextToken: 'page-3',
      })
      .resolvesOnce({ FlowLogs: [flowLog('0123456789abcdef0', V2_FORMAT)] });

    // Act
    const format = await lookup.formatStringOf(LOG_GROUP);

    // Assess
    expect(format).toBe(V2_FORMAT);
    const tokens = mock
      .commandCalls(DescribeFlowLogsCommand)
      .map((call) => call.args[0].input.NextToken);
    expect(tokens).toStrictEqual([undefined, 'page-2', 'page-3']);
  });

  it('throws FormatError naming the log group when no flow log publishes to it', async () => {
    // Prepare
    const { mock, lookup } = setup();
    mock.on(DescribeFlowLogsCommand).resolves({ FlowLogs: [] });

    // Act
    const error = await rejectionOf(lookup.formatStringOf(LOG_GROUP));

    // Assess
    expect(error).toBeInstanceOf(FormatError);
    expect(error).toHaveProperty(
      'message',
      `FLOW_LOG_FORMAT=auto: no flow log publishes to log group ${LOG_GROUP} (ec2:DescribeFlowLogs found none); set FLOW_LOG_FORMATS for it`
    );
  });

  it('throws FormatError naming the log group when no FlowLogs list comes back', async () => {
    // Prepare
    const { mock, lookup } = setup();
    mock.on(DescribeFlowLogsCommand).resolves({});

    // Act
    const error = await rejectionOf(lookup.formatStringOf(LOG_GROUP));

    // Assess
    expect(error).toBeInstanceOf(FormatError);
    expect(error).toHaveProperty(
      'message',
      expect.stringContaining(`log group ${LOG_GROUP}`)
    );
  });

  it('throws FormatError naming the log group when two flow logs have different formats', async () => {
    // Prepare
    const { mock, lookup } = setup();
    mock.on(DescribeFlowLogsCommand).resolves({
      FlowLogs: [
        flowLog('0123456789abcdef0', V2_FORMAT),
        flowLog('0123456789abcdef1', CUSTOM_FORMAT),
      ],
    });

    // Act
    const error = await rejectionOf(lookup.formatStringOf(LOG_GROUP));

    // Assess
    expect(error).toBeInstanceOf(FormatError);
    expect(error).toHaveProperty(
      'message',
      `FLOW_LOG_FORMAT=auto: 2 flow logs with different formats publish to log group ${LOG_GROUP}; set FLOW_LOG_FORMATS for it`
    );
  });

  it('throws FormatError when a later page holds a different format', async () => {
    // Prepare
    const { mock, lookup } = setup();
    mock
      .on(DescribeFlowLogsCommand)
      .resolvesOnce({
        FlowLogs: [flowLog('0123456789abcdef0', V2_FORMAT)],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        FlowLogs: [flowLog('0123456789abcdef1', CUSTOM_FORMAT)],
      });

    // Act
    const error = await rejectionOf(lookup.formatStringOf(LOG_GROUP));

    // Assess
    expect(error).toBeInstanceOf(FormatError);
    expect(error).toHaveProperty(
      'message',
      expect.stringContaining('2 flow logs with different formats')
    );
  });

  it('returns the format when several flow logs share it', async () => {
    // Prepare
    const { mock, lookup } = setup();
    mock.on(DescribeFlowLogsCommand).resolves({
      FlowLogs: [
        flowLog('0123456789abcdef0', CUSTOM_FORMAT),
        flowLog('0123456789abcdef1', CUSTOM_FORMAT),
      ],
    });

    // Act
    const format = await lookup.formatStringOf(LOG_GROUP);

    // Assess
    expect(format).toBe(CUSTOM_FORMAT);
  });

  it('asks once per log group and answers later lookups from its cache', async () => {
    // Prepare
    const { mock, lookup } = setup();
    mock
      .on(DescribeFlowLogsCommand, {
        Filter: [{ Name: 'log-group-name', Values: [LOG_GROUP] }],
      })
      .resolves({ FlowLogs: [flowLog('0123456789abcdef0', CUSTOM_FORMAT)] })
      .on(DescribeFlowLogsCommand, {
        Filter: [{ Name: 'log-group-name', Values: [OTHER_LOG_GROUP] }],
      })
      .resolves({
        FlowLogs: [flowLog('0123456789abcdef1', V2_FORMAT, OTHER_LOG_GROUP)],
      });

    // Act
    const formats = [
      await lookup.formatStringOf(LOG_GROUP),
      await lookup.formatStringOf(LOG_GROUP),
      await lookup.formatStringOf(OTHER_LOG_GROUP),
      await lookup.formatStringOf(OTHER_LOG_GROUP),
    ];

    // Assess
    expect(formats).toStrictEqual([
      CUSTOM_FORMAT,
      CUSTOM_FORMAT,
      V2_FORMAT,
      V2_FORMAT,
    ]);
    const asked = mock
      .commandCalls(DescribeFlowLogsCommand)
      .map((call) => call.args[0].input.Filter?.[0]?.Values?.[0]);
    expect(asked).toStrictEqual([LOG_GROUP, OTHER_LOG_GROUP]);
  });

  it('shares one DescribeFlowLogs call between concurrent lookups', async () => {
    // Prepare
    const { mock, lookup } = setup();
    mock.on(DescribeFlowLogsCommand).resolves({
      FlowLogs: [flowLog('0123456789abcdef0', CUSTOM_FORMAT)],
    });

    // Act
    const formats = await Promise.all([
      lookup.formatStringOf(LOG_GROUP),
      lookup.formatStringOf(LOG_GROUP),
      lookup.formatStringOf(LOG_GROUP),
    ]);

    // Assess
    expect(formats).toStrictEqual([
      CUSTOM_FORMAT,
      CUSTOM_FORMAT,
      CUSTOM_FORMAT,
    ]);
    expect(mock.commandCalls(DescribeFlowLogsCommand)).toHaveLength(1);
  });

  it('lets throttling propagate and asks again on the next lookup', async () => {
    // Prepare
    const { mock, lookup } = setup();
    const fault = throttled();
    mock
      .on(DescribeFlowLogsCommand)
      .rejectsOnce(fault)
      .resolves({ FlowLogs: [flowLog('0123456789abcdef0', CUSTOM_FORMAT)] });

    // Act
    const error = await rejectionOf(lookup.formatStringOf(LOG_GROUP));
    const format = await lookup.formatStringOf(LOG_GROUP);

    // Assess
    expect(error).toBe(fault);
    expect(error).toHaveProperty('name', 'RequestLimitExceeded');
    expect(format).toBe(CUSTOM_FORMAT);
    expect(mock.commandCalls(DescribeFlowLogsCommand)).toHaveLength(2);
  });

  it('rejects every concurrent lookup of a throttled call', async () => {
    // Prepare
    const { mock, lookup } = setup();
    const fault = throttled();
    mock.on(DescribeFlowLogsCommand).rejects(fault);

    // Act
    const outcomes = await Promise.allSettled([
      lookup.formatStringOf(LOG_GROUP),
      lookup.formatStringOf(LOG_GROUP),
    ]);

    // Assess
    expect(outcomes).toStrictEqual([
      { status: 'rejected', reason: fault },
      { status: 'rejected', reason: fault },
    ]);
    expect(mock.commandCalls(DescribeFlowLogsCommand)).toHaveLength(1);
  });

  it('asks again after a log group had no flow log', async () => {
    // Prepare: the flow log is created between two batches
    const { mock, lookup } = setup();
    mock
      .on(DescribeFlowLogsCommand)
      .resolvesOnce({ FlowLogs: [] })
      .resolves({ FlowLogs: [flowLog('0123456789abcdef0', CUSTOM_FORMAT)] });

    // Act
    const error = await rejectionOf(lookup.formatStringOf(LOG_GROUP));
    const format = await lookup.formatStringOf(LOG_GROUP);

    // Assess
    expect(error).toBeInstanceOf(FormatError);
    expect(format).toBe(CUSTOM_FORMAT);
    expect(mock.commandCalls(DescribeFlowLogsCommand)).toHaveLength(2);
  });
});

describe('createEc2Client', () => {
  it('builds an EC2 client', () => {
    // Act
    const client = createEc2Client();

    // Assess
    expect(client).toBeInstanceOf(EC2Client);
  });
});
