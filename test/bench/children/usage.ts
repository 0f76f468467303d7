/**
 * Preloaded (`node --import`) into every measured child: as the process exits it writes its own
 * CPU time and peak resident set to BENCH_USAGE_FILE, figures a parent cannot read once the child
 * is reaped. Both sides of a comparison carry it, so its cost cancels out.
 *
 * With BENCH_MEMORY_DIR=folder, the child also appends `process.memoryUsage()` every 10 s to
 * `memory-<pid>.jsonl` there: what of its resident set is V8's heap (used and held), buffers
 * outside it, and the rest (native allocations), to tell which of them grows.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const file = process.env.BENCH_USAGE_FILE;
if (file) {
  process.once('exit', () => {
    const cpu = process.cpuUsage();
    writeFileSync(file, JSON.stringify({ cpuSeconds: (cpu.user + cpu.system) / 1e6, maxRssKb: process.resourceUsage().maxRSS }));
  });
}

const memoryDir = process.env.BENCH_MEMORY_DIR;
if (memoryDir) {
  const log = join(memoryDir, `memory-${process.pid}.jsonl`);
  const mb = (bytes: number): number => Math.round(bytes / 2 ** 20);
  setInterval(() => {
    const m = process.memoryUsage();
    const line = { atS: Math.round(performance.now() / 1000), rss: mb(m.rss), heapTotal: mb(m.heapTotal), heapUsed: mb(m.heapUsed), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers) };
    appendFileSync(log, `${JSON.stringify(line)}\n`);
  }, 10_000).unref();
}
