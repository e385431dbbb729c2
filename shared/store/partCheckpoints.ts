import {
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { messageOf, StoreError } from '../errors.js';

/**
 * One part of an input's lines as an earlier attempt recorded it: the line
 * it ends before (null: it runs to the end of the input), and whether its
 * rollups were applied.
 */
interface RecordedPart {
  readonly endLine: number | null;
  readonly isDone: boolean;
}

/**
 * Where the parts of an input too large for one part are recorded, so
 * that every attempt cuts it at the same lines, whatever its memory or
 * batch sizes: each part is a contribution of its own, applied once.
 */
interface PartCheckpoints {
  /** The parts recorded for a contribution id, in order ([] when none). */
  load(id: string): Promise<RecordedPart[]>;
  /**
   * Records the end of part `index` unless an end is recorded already;
   * resolves to the end recorded (this one, or the earlier one).
   */
  recordEnd(
    id: string,
    index: number,
    endLine: number | null
  ): Promise<number | null>;
  /** Marks part `index` as applied: a later attempt skips its lines. */
  markDone(id: string, index: number): Promise<void>;
}

interface DynamoPartCheckpointsOptions {
  readonly tableName: string;
  /** The checkpoint expires this many days after it was written. */
  readonly retentionDays: number;
  /** The clock, epoch seconds (tests pass their own). */
  readonly nowSeconds?: () => number;
}

/** `-1` stands for "to the end of the input" (DynamoDB numbers cannot be null). */
const TO_THE_END = -1;
const DAY_SECONDS = 86_400;

const checkpointKey = (id: string) => ({
  pk: { S: `PARTS#${id}` },
  sk: { S: 'PARTS' },
});

/**
 * Part checkpoints as one small item per input in the rollup table
 * (`pk = PARTS#<contribution id>`, `sk = PARTS`): `e<k>` holds the end
 * line of part k, `d<k>` is true once it was applied. An end is written
 * with `if_not_exists`, so the first attempt to cut a part wins and every
 * later one follows it. Read with strong consistency. Throws `StoreError`
 * naming the input when DynamoDB fails after the SDK's retries.
 * @example
 * const checkpoints = createDynamoPartCheckpoints(client, {
 *   tableName: 'flowlog-rollups-dev-rollups', retentionDays: 30,
 * });
 */
function createDynamoPartCheckpoints(
  client: DynamoDBClient,
  options: DynamoPartCheckpointsOptions
): PartCheckpoints {
  const now = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  const expiresAt = () => String(now() + options.retentionDays * DAY_SECONDS);
  const fail = (id: string, what: string, error: unknown) =>
    new StoreError(
      `${id}: ${what} the part checkpoint failed: ${messageOf(error)}`,
      {
        cause: error,
      }
    );
  return {
    async load(id) {
      let item: Record<string, { N?: string; BOOL?: boolean }> | undefined;
      try {
        const answer = await client.send(
          new GetItemCommand({
            TableName: options.tableName,
            Key: checkpointKey(id),
            ConsistentRead: true,
          })
        );
        item = answer.Item;
      } catch (error) {
        throw fail(id, 'reading', error);
      }
      const parts: RecordedPart[] = [];
      for (let index = 0; item?.[`e${index}`]?.N !== undefined; index++) {
        const end = Number(item[`e${index}`]?.N);
        parts.push({
          endLine: end === TO_THE_END ? null : end,
          isDone: item[`d${index}`]?.BOOL === true,
        });
      }
      return parts;
    },
    async recordEnd(id, index, endLine) {
      try {
        const answer = await client.send(
          new UpdateItemCommand({
            TableName: options.tableName,
            Key: checkpointKey(id),
            UpdateExpression:
              'SET #e = if_not_exists(#e, :e), expiresAt = if_not_exists(expiresAt, :x)',
            ExpressionAttributeNames: { '#e': `e${index}` },
            ExpressionAttributeValues: {
              ':e': { N: String(endLine ?? TO_THE_END) },
              ':x': { N: expiresAt() },
            },
            ReturnValues: 'ALL_NEW',
          })
        );
        const end = Number(answer.Attributes?.[`e${index}`]?.N ?? endLine);
        return end === TO_THE_END ? null : end;
      } catch (error) {
        throw fail(id, 'recording a part in', error);
      }
    },
    async markDone(id, index) {
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: options.tableName,
            Key: checkpointKey(id),
            UpdateExpression: 'SET #d = :d',
            ExpressionAttributeNames: { '#d': `d${index}` },
            ExpressionAttributeValues: { ':d': { BOOL: true } },
          })
        );
      } catch (error) {
        throw fail(id, 'marking a part done in', error);
      }
    },
  };
}

export type { DynamoPartCheckpointsOptions, PartCheckpoints, RecordedPart };
export { createDynamoPartCheckpoints };
