/**
 * The process that owns the test run's PostgreSQL and Redis. The global setup starts it in a process
 * group of its own, reads one JSON line from its stdout, and closes its stdin when the run ends. Its
 * stdin also closes when the test runner dies in any way (Ctrl-C, a crash, SIGKILL), so the servers it
 * started are stopped and their folders removed in every case, not only when teardown runs.
 *
 * Prints `{"pg": url, "redis": url, "notes": [...]}` when both answer, or `{"error": "one line"}`.
 */
import { rmSync } from 'node:fs';
import { chooseServices } from './choose.js';
import type { StartedService } from './redis.js';

const started: StartedService[] = [];
let stopping: Promise<void> | undefined;

function stopAll(): Promise<void> {
  // Emptied once stopped: the exit handler must not signal a pid the system may have handed on.
  stopping ??= Promise.allSettled(started.map((service) => service.stop())).then(() => void (started.length = 0));
  return stopping;
}

// The last resort when the process exits before stopAll finished: signal the servers, drop the folders.
process.on('exit', () => {
  for (const service of started) {
    try {
      process.kill(service.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    rmSync(service.dir, { recursive: true, force: true });
  }
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => void stopAll().then(() => process.exit(0)));
}
process.stdin.on('data', () => undefined);
process.stdin.on('close', () => void stopAll().then(() => process.exit(0)));

const choice = await chooseServices(process.env, (service) => started.push(service));
if (!('error' in choice)) {
  choice.started = [{ pid: process.pid }, ...started.map(({ pid, dir }) => ({ pid, dir }))];
}
process.stdout.write(`${JSON.stringify(choice)}\n`);
if ('error' in choice) await stopAll().then(() => process.exit(1));
