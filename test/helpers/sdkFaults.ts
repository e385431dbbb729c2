import {
  type DynamoDBClient,
  ProvisionedThroughputExceededException,
  type PutItemCommandInput,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';

/**
 * Faults injected into a DynamoDB client's own middleware stack, so that
 * the store, the SDK's retry strategy and the stand-in all run for real.
 * `finalizeRequest` with priority `low` runs inside the retry middleware
 * (finalizeRequest, high): once per attempt, and its errors are classified
 * and retried (or not) by the SDK exactly as a response's would be.
 */
const INSIDE_RETRIES = {
  step: 'finalizeRequest',
  priority: 'low',
} as const;

const isUpdateItem = (context: { commandName?: string }): boolean =>
  context.commandName === 'UpdateItemCommand';

/**
 * One write of the store: an UpdateItem of a counters item, or the
 * PutItem of a window's ranking item. `itemKey` is `pk sk` of the item
 * written (`ENI#… W#…` or `TOP#<window> <contribution id>`).
 */
interface Write {
  readonly command: 'UpdateItem' | 'PutItem';
  readonly itemKey: string;
}

/** The write a command is, or null when it is no write of the store. */
function writeOf(
  context: { commandName?: string },
  input: unknown
): Write | null {
  if (context.commandName === 'UpdateItemCommand') {
    const { Key } = input as UpdateItemCommandInput;
    return { command: 'UpdateItem', itemKey: `${Key?.pk?.S} ${Key?.sk?.S}` };
  }
  if (context.commandName === 'PutItemCommand') {
    const { Item } = input as PutItemCommandInput;
    return { command: 'PutItem', itemKey: `${Item?.pk?.S} ${Item?.sk?.S}` };
  }
  return null;
}

/** A crash of the process, as far as the SDK can tell: not retryable. */
class InjectedCrash extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InjectedCrash';
  }
}

/**
 * Lets the first `k` UpdateItem calls through and fails every later one
 * with a non-retryable error: `before-send` before it leaves (the counters
 * are not written; the ranking PutItems sent before them have landed),
 * `after-write` once DynamoDB has applied it (the response is lost).
 * PutItem calls pass. Returns live counts.
 */
function crashAfterUpdates(
  client: DynamoDBClient,
  k: number,
  when: 'before-send' | 'after-write'
) {
  const counts = { updates: 0, crashes: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!isUpdateItem(context)) return next(args);
      counts.updates++;
      if (counts.updates <= k) return next(args);
      if (when === 'after-write') await next(args);
      counts.crashes++;
      throw new InjectedCrash(`injected crash at UpdateItem ${counts.updates}`);
    },
    { ...INSIDE_RETRIES, name: 'injectCrash' }
  );
  return counts;
}

/**
 * Answers the write attempts (UpdateItem and PutItem) for which
 * `shouldThrottle(write, attempt)` holds with DynamoDB's
 * ProvisionedThroughputExceededException (attempt counts from 1 per item
 * written); other attempts reach the table. Also records, per command,
 * `$metadata.attempts` of every write that succeeded, as the SDK's retry
 * middleware reports it.
 */
function throttleWrites(
  client: DynamoDBClient,
  shouldThrottle: (write: Write, attempt: number) => boolean
) {
  const counts = {
    attempts: { UpdateItem: 0, PutItem: 0 },
    throttled: { UpdateItem: 0, PutItem: 0 },
    /** `$metadata.attempts` of each write that succeeded. */
    succeededAfter: { UpdateItem: [] as number[], PutItem: [] as number[] },
  };
  const attemptsByItem = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const write = writeOf(context, args.input);
      if (write === null) return next(args);
      counts.attempts[write.command]++;
      const attempt = (attemptsByItem.get(write.itemKey) ?? 0) + 1;
      attemptsByItem.set(write.itemKey, attempt);
      if (shouldThrottle(write, attempt)) {
        counts.throttled[write.command]++;
        throw new ProvisionedThroughputExceededException({
          message: `injected: throughput exceeded (${write.itemKey}, attempt ${attempt})`,
          $metadata: { httpStatusCode: 400 },
        });
      }
      return next(args);
    },
    { ...INSIDE_RETRIES, name: 'injectThrottling' }
  );
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const write = writeOf(context, args.input);
      if (write !== null) {
        const { output } = result as { output: { $metadata: object } };
        const { attempts } = output.$metadata as { attempts?: number };
        counts.succeededAfter[write.command].push(attempts ?? 0);
      }
      return result;
    },
    { step: 'initialize', name: 'recordAttempts' }
  );
  return counts;
}

/**
 * Applies the first attempt of each write (UpdateItem or PutItem) for
 * which `shouldLose` holds, then answers it with a retryable TimeoutError,
 * as if the response were lost on the way back: the SDK sends it again.
 */
function loseFirstResponses(
  client: DynamoDBClient,
  shouldLose: (write: Write) => boolean
) {
  const counts = {
    attempts: { UpdateItem: 0, PutItem: 0 },
    lost: { UpdateItem: 0, PutItem: 0 },
  };
  const seen = new Set<string>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const write = writeOf(context, args.input);
      if (write === null) return next(args);
      counts.attempts[write.command]++;
      const isFirst = !seen.has(write.itemKey);
      seen.add(write.itemKey);
      const result = await next(args);
      if (isFirst && shouldLose(write)) {
        counts.lost[write.command]++;
        const error = new Error(`injected: response lost for ${write.itemKey}`);
        error.name = 'TimeoutError';
        throw error;
      }
      return result;
    },
    { ...INSIDE_RETRIES, name: 'injectLostResponse' }
  );
  return counts;
}

export type { Write };
export { crashAfterUpdates, InjectedCrash, loseFirstResponses, throttleWrites };
