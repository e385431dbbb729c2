/**
 * Bad usage of `flowlogs` (exit 2, with the usage text), and the readers of
 * option values that raise it.
 */
import { FormatError } from '../../shared/errors.js';
import { resolveFormat } from '../../shared/parse/flowLogFormat.js';
import type { FlowLogFormat } from '../../shared/types.js';

class UsageError extends Error {}

/**
 * Resolves --format, and runs `check` on it; a FormatError from either is
 * bad usage (exit 2).
 */
function formatOption(
  value: string | undefined,
  check: (format: FlowLogFormat) => void = () => {}
): FlowLogFormat | undefined {
  if (value === undefined) return undefined;
  try {
    const format = resolveFormat(value);
    check(format);
    return format;
  } catch (error) {
    if (error instanceof FormatError) {
      throw new UsageError(`--format: ${error.message}`);
    }
    throw error;
  }
}

function integerOption(
  name: string,
  value: string | undefined,
  fallback?: number
): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required`);
    return fallback;
  }
  const number = Number(value);
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(number)) {
    throw new UsageError(
      `--${name} must be a non-negative integer, got "${value}"`
    );
  }
  return number;
}

export { formatOption, integerOption, UsageError };
