import { DescribeFlowLogsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { FormatError } from '../errors.js';

/** Looks up the format string of the flow log that writes to a log group. */
interface FlowLogFormatLookup {
  formatStringOf(logGroup: string): Promise<string>;
}

/**
 * Asks `ec2:DescribeFlowLogs` (filter `log-group-name`) for the `LogFormat`
 * of the flow log that publishes to a log group, once per log group per
 * container: answers are cached, failures are not (the next batch asks
 * again). Throws `FormatError` naming the log group when no flow log
 * publishes to it or several do with different formats; SDK errors (e.g.
 * throttling after the SDK's retries) propagate, failing the batch so
 * that it is retried.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeFlowLogs.html
 */
function createEc2FlowLogFormatLookup(client: EC2Client): FlowLogFormatLookup {
  const cache = new Map<string, Promise<string>>();

  async function describe(logGroup: string): Promise<string> {
    const formats = new Set<string>();
    let nextToken: string | undefined;
    do {
      const page = await client.send(
        new DescribeFlowLogsCommand({
          Filter: [{ Name: 'log-group-name', Values: [logGroup] }],
          NextToken: nextToken,
        })
      );
      for (const flowLog of page.FlowLogs ?? []) {
        if (flowLog.LogFormat) formats.add(flowLog.LogFormat);
      }
      nextToken = page.NextToken;
    } while (nextToken);
    const [format, ...others] = formats;
    if (format === undefined) {
      throw new FormatError(
        `FLOW_LOG_FORMAT=auto: no flow log publishes to log group ${logGroup} (ec2:DescribeFlowLogs found none); set FLOW_LOG_FORMATS for it`
      );
    }
    if (others.length > 0) {
      throw new FormatError(
        `FLOW_LOG_FORMAT=auto: ${formats.size} flow logs with different formats publish to log group ${logGroup}; set FLOW_LOG_FORMATS for it`
      );
    }
    return format;
  }

  function formatStringOf(logGroup: string): Promise<string> {
    const known = cache.get(logGroup);
    if (known) return known;
    const asked = describe(logGroup);
    cache.set(logGroup, asked);
    asked.catch(() => cache.delete(logGroup));
    return asked;
  }

  return { formatStringOf };
}

/** The EC2 client of the handlers (the SDK's own endpoint and credentials). */
function createEc2Client(): EC2Client {
  return new EC2Client({});
}

export type { FlowLogFormatLookup };
export { createEc2Client, createEc2FlowLogFormatLookup };
