import { readFileSync } from 'node:fs';

/**
 * The CPU seconds the calling thread has run, from Linux's
 * /proc/thread-self/schedstat (nanoseconds on a CPU, its first field);
 * undefined where there is none (another OS, or a kernel without it).
 * Node.js 20 has no per-thread CPU clock of its own, and process.cpuUsage
 * adds up every thread (the inflate worker's too).
 */
function threadCpuSeconds(): number | undefined {
  try {
    const text = readFileSync('/proc/thread-self/schedstat', 'latin1');
    const nanoseconds = Number(text.split(' ')[0]);
    return Number.isFinite(nanoseconds) ? nanoseconds / 1e9 : undefined;
  } catch {
    return undefined;
  }
}

export { threadCpuSeconds };
