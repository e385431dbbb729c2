import { type MockInstance, vi } from 'vitest';
import type { ObjectSummary } from '../../shared/pipeline/ingestS3Object.js';

/** One structured log line of Powertools Logger (POWERTOOLS_DEV prints JSON to console). */
type LogEntry = Readonly<Record<string, unknown>> & {
  readonly level?: string;
  readonly message?: string;
};

/** An object summary as s3Ingest logs it ("Ingest complete."). */
type LoggedSummary = ObjectSummary & {
  readonly level: string;
  /** When it was logged, ISO-8601. */
  readonly timestamp: string;
};

const LEVELS = ['debug', 'info', 'warn', 'error', 'log', 'trace'] as const;

/**
 * Silences the console and keeps what the handler logs. With POWERTOOLS_DEV
 * the Logger writes through the global console, one JSON text per call.
 */
function captureHandlerLogs() {
  const entries: LogEntry[] = [];
  const spies: MockInstance[] = LEVELS.map((level) =>
    vi.spyOn(console, level).mockImplementation((first?: unknown) => {
      if (typeof first !== 'string') return;
      try {
        const parsed: unknown = JSON.parse(first);
        if (typeof parsed === 'object' && parsed !== null) {
          entries.push(parsed as LogEntry);
        }
      } catch {
        // Not a Powertools line: dropped with the rest of the noise.
      }
    })
  );
  return {
    entries,
    /** The "Ingest complete." summaries logged since the last `clear`. */
    summaries(): LoggedSummary[] {
      return entries.filter(
        (entry): entry is LogEntry & LoggedSummary =>
          entry.message === 'Ingest complete.'
      );
    },
    clear(): void {
      entries.length = 0;
    },
    restore(): void {
      for (const spy of spies) spy.mockRestore();
    },
  };
}

type HandlerLogs = ReturnType<typeof captureHandlerLogs>;

export type { HandlerLogs, LogEntry, LoggedSummary };
export { captureHandlerLogs };
