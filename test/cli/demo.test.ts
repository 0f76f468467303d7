import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, readJson, REPO, workdir } from './harness.js';

describe('mx-lifecycle demo', () => {
  it('onboards the demo customers against an in-process sandbox and exits 0 with a summary, a store and a report', async () => {
    const dir = workdir();
    const started = Date.now();
    const run = await cli(['demo', '--json'], { cwd: dir, timeoutMs: 55_000 });
    const seconds = (Date.now() - started) / 1000;
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as {
      job: string; result: string; exitCode: number; total: number; counts: { done: number; needsAction: number; pending: number; active: number; halted: number }; report: string; store: string;
      needsAction: { id: string; reason: string }[];
    };
    const customers = readFileSync(join(REPO, 'examples/data/customers.jsonl'), 'utf8').trim().split('\n').length;
    expect(customers).toBeGreaterThanOrEqual(50);
    expect(summary).toMatchObject({ result: 'finished', exitCode: 0, total: customers });
    expect(summary.job).toMatch(/^demo-\d{8}-\d{6}-[a-z0-9]{4}$/);
    // Mixed outcomes, as the demo data's passwords pick them: most connect, some need the customer.
    expect(summary.counts.done).toBeGreaterThan(customers / 2);
    expect(summary.counts.needsAction).toBeGreaterThan(0);
    expect(summary.counts.pending + summary.counts.active + summary.counts.halted).toBe(0);
    expect(summary.needsAction.map((i) => i.reason).join('\n')).toMatch(/DENIED|LOCKED|PREVENTED/);
    expect(existsSync(join(dir, summary.report))).toBe(true);
    expect(existsSync(join(dir, summary.store.replace(/^sqlite:/, '')))).toBe(true);
    const report = readJson<{ summary: { customers: number } }>(join(dir, summary.report));
    expect(report.summary.customers).toBe(customers);
    // The sandbox's own count: one user per customer, and the client stayed under the sandbox's 50/s.
    const truth = /the sandbox saw (\d+) requests \(at most (\d+) in one second\).* it holds (\d+) users/.exec(run.stderr);
    expect(truth, run.stderr).not.toBeNull();
    expect(Number(truth?.[2])).toBeLessThanOrEqual(50);
    expect(Number(truth?.[3])).toBe(customers);
    expect(seconds).toBeLessThan(55);
  });
});
