// Preloaded (`node --import`) into every benchmarked process: on exit it
// appends the process's own CPU time and peak RSS to $BENCH_USAGE_FILE.
import { appendFileSync } from 'node:fs';

process.on('exit', () => {
  const file = process.env.BENCH_USAGE_FILE;
  if (!file) return;
  const usage = process.resourceUsage();
  appendFileSync(
    file,
    `${JSON.stringify({
      cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
      maxRssMiB: usage.maxRSS / 1024,
    })}\n`
  );
});
