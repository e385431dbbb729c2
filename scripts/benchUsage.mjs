// Preloaded (`node --import`) into every benchmarked process: on exit it
// writes the process's own CPU time and peak RSS as JSON to file descriptor 3,
// which `scripts/bench.ts` opens as a pipe.
import { writeSync } from 'node:fs';

process.on('exit', () => {
  const usage = process.resourceUsage();
  try {
    writeSync(
      3,
      `${JSON.stringify({
        cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
        maxRssMiB: usage.maxRSS / 1024,
      })}\n`
    );
  } catch {
    // Not run by the bench: there is no descriptor 3 to report to.
  }
});
