import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { threadCpuSeconds } from '../../../../scripts/cli/threadCpu.js';

/** Runs on the calling thread for `ms` milliseconds of wall time. */
const spin = (ms: number) => {
  const until = performance.now() + ms;
  let x = 0;
  while (performance.now() < until) x++;
  return x;
};

const hasThreadCpu = existsSync('/proc/thread-self/schedstat');

describe('threadCpu', () => {
  it.runIf(hasThreadCpu)(
    "counts the calling thread's work, not another thread's",
    async () => {
      // Prepare
      const before = threadCpuSeconds() ?? Number.NaN;

      // Act
      spin(150);
      const afterSpin = threadCpuSeconds() ?? Number.NaN;
      // Another thread spins while this one waits.
      const worker = new Worker(
        'const until = performance.now() + 300; while (performance.now() < until);',
        { eval: true }
      );
      await new Promise((resolve) => worker.once('exit', resolve));
      await sleep(10);
      const afterWait = threadCpuSeconds() ?? Number.NaN;

      // Assess
      expect(afterSpin - before).toBeGreaterThan(0.1);
      expect(afterSpin - before).toBeLessThan(1);
      expect(afterWait - afterSpin).toBeLessThan(0.15);
    }
  );
});
