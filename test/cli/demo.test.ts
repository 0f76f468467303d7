import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_SANDBOX, demoConnection } from '../../src/cli/commands/demo.js';
import { clientOf } from '../../src/cli/job/clientOf.js';
import { MXBANK_USERNAME, startSandbox } from '../../src/sandbox/index.js';
import { cli, readJson, REPO, workdir } from './harness.js';

describe('mx-lifecycle demo', () => {
  it('onboards the demo customers against an in-process sandbox and exits 0 with a summary, a store and a report', { timeout: 180_000 }, async () => {
    const dir = workdir();
    const started = Date.now();
    // A liveness bound only: the demo takes about 15 s on a quiet machine.
    const run = await cli(['demo', '--json'], { cwd: dir, timeoutMs: 170_000 });
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
    // The sandbox's own count: one user per customer, and its 50/s bucket (a burst of 50) refused none
    // of the client's 45/s. Its count of arrivals in a second is printed, not asserted: a loaded
    // machine delivers requests that left apart together, and that says nothing about the client.
    const truth = /the sandbox saw (\d+) requests \(at most (\d+) in one second\), \d+ injected faults, (\d+) 429s.* it holds (\d+) users/.exec(run.stderr);
    expect(truth, run.stderr).not.toBeNull();
    expect(Number(truth?.[3])).toBe(0);
    expect(Number(truth?.[4])).toBe(customers);
    console.log(`demo: ${seconds} s; ${truth?.[0] ?? ''}`);
  });

  // MX Platform answers 405 to an answer for a member that is not (or no longer) challenged
  // (docs.mx.com/api-reference/platform-api/overview/errors: 405, a constraint of the endpoint not
  // met). That concerns one member; read as a systemic status it halted the whole demo.
  it("reads the sandbox's 405 for an answer nobody asked for as that member's conflict, not a halt", async () => {
    const sandbox = await startSandbox({ ...DEMO_SANDBOX, faults: 0, host: '127.0.0.1', port: 0 });
    const client = clientOf(demoConnection(sandbox.url));
    try {
      const user = await client.createUser({ id: 'demo-405' });
      const userGuid = user._unsafeUnwrap().guid;
      const credentials = [{ guid: 'CRD-username', value: MXBANK_USERNAME }, { guid: 'CRD-password', value: 'password' }];
      const member = (await client.createMember({ userGuid, id: 'demo-405-m', institutionCode: 'mxbank', credentials }))._unsafeUnwrap();
      const answered = await client.resumeAggregation(userGuid, member.guid, [{ guid: 'CRD-none', value: 'x' }]);
      expect(answered.isErr() && answered.error).toMatchObject({ kind: 'conflict', status: 405, scope: 'item' });
    } finally {
      await client.close();
      await sandbox.close();
    }
  });
});
