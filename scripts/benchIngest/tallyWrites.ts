/**
 * What the table's writes consumed: dynalite's answers to write requests,
 * tallied, and the contributions each counters item holds.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type AttributeValue,
  type DynamoDBClient,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';

const WRITE_TARGETS = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
]);

interface WriteTally {
  requests: number;
  capacityUnits: number;
  conditionFailures: number;
  /** Writes that asked for no capacity report (the ingest's part checkpoints). */
  unreported: number;
}

/** Contribution ids held by each counters item of a table (`pk sk` -> count). */
async function contributionsByItem(
  client: DynamoDBClient,
  tableName: string
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: tableName,
        ProjectionExpression: 'pk, sk, c',
        ExclusiveStartKey: startKey,
      })
    );
    for (const item of page.Items ?? []) {
      if (!item.pk?.S?.startsWith('ENI#')) continue;
      counts.set(`${item.pk.S} ${item.sk?.S}`, item.c?.SS?.length ?? 0);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return counts;
}

/**
 * Sums what dynalite answers to write requests: requests, the
 * `ConsumedCapacity` of each, and the writes whose condition failed.
 */
function tallyWrites(
  request: IncomingMessage,
  response: ServerResponse,
  tally: WriteTally
): void {
  const target = String(request.headers['x-amz-target'] ?? '')
    .split('.')
    .pop();
  if (!WRITE_TARGETS.has(target ?? '')) return;
  const end = response.end.bind(response) as (...args: unknown[]) => unknown;
  response.end = ((...args: unknown[]) => {
    const [body] = args;
    tally.requests++;
    if (typeof body === 'string' && body.length > 0) {
      const answer = JSON.parse(body) as {
        __type?: string;
        ConsumedCapacity?: { CapacityUnits?: number };
      };
      if (answer.__type?.endsWith('ConditionalCheckFailedException')) {
        tally.conditionFailures++;
      } else if (answer.ConsumedCapacity?.CapacityUnits === undefined) {
        tally.unreported++;
      } else {
        tally.capacityUnits += answer.ConsumedCapacity.CapacityUnits;
      }
    }
    return end(...args);
  }) as typeof response.end;
}

export { contributionsByItem, tallyWrites, type WriteTally };
