import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type LocalStack,
  startLocalStack,
} from '../../scripts/local/localStack.js';

/** The stand-ins of one test file, its bucket, and how to stop them. */
interface IngestStack {
  readonly stack: LocalStack;
  readonly bucket: string;
  readonly tableName: string;
  close(): Promise<void>;
}

/**
 * Starts dynalite and s3rver on free ports (data in a fresh temporary
 * folder, table and bucket named after `name`) and points `process.env` at
 * them, with Powertools quiet enough for tests: set it before importing a
 * handler, which reads its configuration at import.
 */
async function startIngestStack(name: string): Promise<IngestStack> {
  const dataDirectory = await mkdtemp(join(tmpdir(), `${name}-`));
  const bucket = `${name}-flowlogs`;
  const tableName = `${name}-rollups`;
  const stack = await startLocalStack({
    dynamoPort: 0,
    s3Port: 0,
    dataDirectory,
    persist: false,
    tableName,
    buckets: [bucket],
  });
  Object.assign(process.env, stack.env, {
    POWERTOOLS_SERVICE_NAME: 'flowlog-rollups',
    POWERTOOLS_DEV: 'true',
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  return {
    stack,
    bucket,
    tableName,
    async close() {
      await stack.close();
      await rm(dataDirectory, { recursive: true, force: true });
    },
  };
}

export type { IngestStack };
export { startIngestStack };
