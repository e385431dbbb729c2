import { DecodeError } from '../errors.js';
import { isJsonObject } from './jsonObject.js';

/** What a Lambda on-failure destination record says: which function, which event. */
interface FailedEvent {
  readonly functionArn: string;
  /** The original event, as the function received it. */
  readonly payload: unknown;
  readonly condition: string;
  readonly approximateInvokeCount: number;
}

/**
 * Reads the body of a message that Lambda sent to an on-failure
 * destination (an asynchronous invocation that failed after its retries):
 * the function and the original event, for replaying it. Throws
 * `DecodeError` for a body that is not such a record.
 * @example failedEventOf(message.Body)
 * @see https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
 */
function failedEventOf(body: string): FailedEvent {
  let record: unknown;
  try {
    record = JSON.parse(body);
  } catch (error) {
    throw new DecodeError('not JSON: not an on-failure destination record', {
      cause: error,
    });
  }
  const context = isJsonObject(record) ? record.requestContext : undefined;
  if (
    !isJsonObject(record) ||
    !isJsonObject(context) ||
    typeof context.functionArn !== 'string' ||
    !('requestPayload' in record)
  ) {
    throw new DecodeError(
      'not an on-failure destination record: expected requestContext.functionArn and requestPayload'
    );
  }
  return {
    // Destination records name the version invoked ($LATEST): call the
    // function itself, so the fixed code runs.
    functionArn: context.functionArn.replace(/:\$LATEST$/, ''),
    payload: record.requestPayload,
    condition: typeof context.condition === 'string' ? context.condition : '',
    approximateInvokeCount:
      typeof context.approximateInvokeCount === 'number'
        ? context.approximateInvokeCount
        : 0,
  };
}

export type { FailedEvent };
export { failedEventOf };
