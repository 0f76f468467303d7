import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { readItems, startWorker, until, writeJsonl, type Worker } from './fixtures/harness.js';
import { startRecordingProxy } from './fixtures/recordingProxy.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).toReversed()) await cleanup();
});

async function setUp(sandboxOptions: Parameters<typeof startSandbox>[0], intercept?: Parameters<typeof startRecordingProxy>[1]) {
  const sandbox: Sandbox = await startSandbox({ auth: 'basic', ...sandboxOptions });
  cleanups.push(() => sandbox.close());
  const proxy = await startRecordingProxy(sandbox.url, intercept);
  cleanups.push(() => proxy.close());
  const dir = mkdtempSync(join(tmpdir(), 'mx-timers-'));
  return { sandbox, proxy, dir };
}

function track(worker: Worker): Worker {
  cleanups.push(() => worker.kill());
  return worker;
}

describe('durable timers survive SIGKILL', () => {
  it('a 10-s backoff killed at once and restarted 3 s later retries about 7 s after the restart', async () => {
    let refused = false;
    const { sandbox, proxy, dir } = await setUp({}, ({ method, path }) => {
      if (method !== 'POST' || path !== '/users' || refused) return null;
      refused = true;
      return { status: 503, headers: { 'retry-after': '10' }, body: '{"error":"Service Temporarily Unavailable."}' };
    });
    const config = {
      baseUrl: proxy.url, clientId: 'sandbox-client', apiKey: 'sandbox-key', auth: 'basic' as const,
      storePath: join(dir, 'job.sqlite'), jobId: 'timers', inputPath: join(dir, 'in.jsonl'), concurrency: 2, timeoutMs: 5_000,
      // Backoff jitter of at most 1 ms: the wait is the Retry-After, 10 s exactly.
      options: { baseDelayMs: 1, maxDelayMs: 1, maxAttempts: 3 },
    };
    writeJsonl(config.inputPath, [{ id: 'cust-1', members: [] }]);

    const first = track(startWorker(config));
    const stored = await until(() => readItems(config.storePath, 'timers').find((i) => i.dueAt !== null), 45_000, 'the backoff due time on disk');
    await first.kill();
    const refusedAt = proxy.log.find((r) => r.status === 503)?.t ?? 0;
    expect(stored.dueAt! - refusedAt).toBeGreaterThan(9_000);
    expect(stored.dueAt! - refusedAt).toBeLessThan(11_000);

    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const restartedAt = Date.now();
    const second = track(startWorker(config));
    expect(await second.exited).toBe(0);
    const creates = proxy.log.filter((r) => r.method === 'POST' && r.path === '/users');
    expect(creates).toHaveLength(2);
    const retryAfterRestart = creates[1]!.t - restartedAt;
    console.log(`backoff wait: retried ${retryAfterRestart} ms after the restart, ${creates[1]!.t - refusedAt} ms after the 503`);
    // Due 10 s after the 503, i.e. about 7 s after a restart 3 s later: not 10 s after it, not at once.
    expect(retryAfterRestart).toBeGreaterThan(5_500);
    expect(retryAfterRestart).toBeLessThan(9_000);
    expect(creates[1]!.t - refusedAt).toBeGreaterThan(9_500);
    expect((await sandbox.state()).users.map((u) => u.id)).toEqual(['cust-1']);
  }, 120_000);

  it('a 10-s polling wait killed and restarted 3 s later reads the status about 7 s after the restart', async () => {
    const { proxy, dir } = await setUp({ aggregationMs: 60_000 });
    const config = {
      baseUrl: proxy.url, clientId: 'sandbox-client', apiKey: 'sandbox-key', auth: 'basic' as const,
      storePath: join(dir, 'job.sqlite'), jobId: 'polls', inputPath: join(dir, 'in.jsonl'), concurrency: 2, timeoutMs: 5_000,
      options: { pollIntervalMs: 10_000, maxPollMs: 120_000 },
    };
    writeJsonl(config.inputPath, [
      { id: 'cust-1', members: [{ id: 'cust-1-m', institution_code: 'mxbank', credentials: { username: 'mxuser', password: 'password' } }] },
    ]);
    const isStatusRead = (r: { method: string; path: string }) => r.method === 'GET' && r.path.endsWith('/status');

    const first = track(startWorker(config));
    // Wait for the first status read, then for the wait that follows it to be on disk.
    const firstRead = await until(() => proxy.log.find(isStatusRead), 45_000, 'the first status read');
    await until(() => readItems(config.storePath, 'polls').find((i) => i.dueAt !== null && i.dueAt > firstRead.t), 45_000, 'the poll due time on disk');
    await first.kill();

    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const restartedAt = Date.now();
    const second = track(startWorker(config));
    const nextRead = await until(() => proxy.log.filter(isStatusRead)[1], 45_000, 'the next status read');
    const afterRestart = nextRead.t - restartedAt;
    console.log(`polling wait: read the status ${afterRestart} ms after the restart, ${nextRead.t - firstRead.t} ms after the last read`);
    expect(afterRestart).toBeGreaterThan(5_000);
    expect(afterRestart).toBeLessThan(9_000);
    expect(nextRead.t - firstRead.t).toBeGreaterThan(9_500);
    await second.kill();
  }, 120_000);
});
