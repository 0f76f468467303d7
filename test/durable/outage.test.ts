/**
 * The outage pause is durable: it lives in the job's halt record, not in a timer (XState does not
 * persist delayed events, statelyai/xstate#5331), so a run started after a crash waits out what is
 * left of it, and the budget counts from the outage's first pause, not from the restart.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMxClient } from '../../src/api/index.js';
import { nextPause, type PausedHalt } from '../../src/durable/outage.js';
import { createRuntime } from '../../src/durable/runtime.js';
import { createSqliteStore } from '../../src/durable/store/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ aggregationMs: 20 });
});
afterAll(async () => {
  await sandbox.close();
});

const unavailable = { kind: 'unavailable', status: 503, retryable: true, scope: 'job', dialect: 'http' } as const;

describe('pauses', () => {
  it('grow from 2 s to 60 s and never run past the budget', () => {
    const lengths: number[] = [];
    let pause = nextPause(null, 0, 300_000);
    while (pause) {
      lengths.push(pause.until - (lengths.reduce((a, b) => a + b, 0)));
      pause = nextPause(pause, pause.until, 300_000);
    }
    expect(lengths.slice(0, 7)).toEqual([2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
    expect(lengths.reduce((a, b) => a + b, 0)).toBe(300_000);
    expect(nextPause(null, 0, 0)).toBeNull();
  });
});

async function runAfterRestart(halt: PausedHalt) {
  const store = createSqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'mx-outage-')), 'job.sqlite') });
  const client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key' });
  const runtime = createRuntime({ store, client, outageBudgetMs: 60_000 });
  await runtime.submit('restart', [{ id: `restart-${halt.outage.until}`, members: [] }]);
  // What a process killed in the middle of a pause leaves behind.
  await store.setHalt('restart', halt);
  let firstRequestAt = 0;
  client.events.on('request', () => (firstRequestAt ||= Date.now()));
  const result = await runtime.run('restart');
  const job = await store.getJob('restart');
  await runtime.close();
  await client.close();
  await store.close();
  return { result, firstRequestAt, job };
}

describe('a restart in the middle of a pause', () => {
  it('waits out what is left of the recorded pause before the first request', async () => {
    const until = Date.now() + 1_500;
    const { result, firstRequestAt, job } = await runAfterRestart({ ...unavailable, outage: { since: Date.now() - 5_000, until, pauses: 2, budgetMs: 60_000 } });
    expect(result.counts.done).toBe(1);
    expect(firstRequestAt).toBeGreaterThanOrEqual(until);
    process.stdout.write(`restart: first request ${firstRequestAt - until} ms after the recorded pause ended\n`);
    // MX answered again: the outage is over, and the record with it.
    expect(job?.halt).toBeNull();
  });

  it('does not start the budget again: an outage past its budget is not waited for', async () => {
    const until = Date.now() + 10_000;
    const started = Date.now();
    const { result, firstRequestAt } = await runAfterRestart({ ...unavailable, outage: { since: Date.now() - 61_000, until, pauses: 9, budgetMs: 60_000 } });
    expect(result.counts.done).toBe(1);
    expect(firstRequestAt - started).toBeLessThan(5_000);
  });
});
