/**
 * Preloaded (`node --import`) into every measured child: as the process exits it writes its own
 * CPU time and peak resident set to BENCH_USAGE_FILE, figures a parent cannot read once the child
 * is reaped. Both sides of a comparison carry it, so its cost cancels out.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_USAGE_FILE;
if (file) {
  process.once('exit', () => {
    const cpu = process.cpuUsage();
    writeFileSync(file, JSON.stringify({ cpuSeconds: (cpu.user + cpu.system) / 1e6, maxRssKb: process.resourceUsage().maxRSS }));
  });
}
