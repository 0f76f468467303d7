/**
 * `mx-lifecycle pause` and `resume` across real processes: a slow job (a sandbox with latency, a low
 * rate) paused from a second process sends nothing once its workers say paused (the sandbox's own
 * count stands still: paused workers send no request at all, so this cannot depend on timing), keeps
 * its pause through a restart of its workers (SIGTERM and SIGKILL), and after `resume` finishes
 * with every customer exactly once at MX: one user and one member each. On a real SQLite file and
 * on PostgreSQL with two workers.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { PG_URL } from '../support/services/urls.js';
import { cli, customer, workdir, writeJsonl, type CliRun } from './harness.js';

const PLANTED = 'Planted-pause-secret-5d1e';
const SLOW = ['--client-id', 'sandbox-client', '--poll-interval-ms', '2000', '--rate', '4', '--concurrency', '2', '--json'];
const CUSTOMERS = 10;

let sandbox: Sandbox;
let env: Record<string, string>;
beforeAll(async () => {
  // Every request takes 150 ms and each aggregation 30 s, its status read every 2 s at 4 requests/s:
  // the job is still busy when the pause comes, however slow the machine is to start the pause
  // command. The aggregations go on at MX during the pause, so the job ends soon after the resume.
  sandbox = await startSandbox({ aggregationMs: 30_000, latencyMs: 150, auth: 'basic' });
  env = { MX_BASE_URL: sandbox.url, MX_API_KEY: 'sandbox-key' };
});
afterAll(async () => {
  await sandbox.close();
});
const started: CliRun[] = [];
afterEach(async () => {
  for (const run of started.splice(0)) {
    run.kill('SIGKILL');
    await run.catch(() => undefined);
  }
});

const start = (args: string[], cwd: string): CliRun => {
  const run = cli(args, { cwd, env, timeoutMs: 240_000 });
  started.push(run);
  return run;
};
const requests = () => sandbox.state().stats.requests;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const until = async (check: () => boolean, what: string, ms = 60_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(50);
  }
};
const atMx = (prefix: string) => ({
  users: sandbox.state().users.filter((u) => u.id?.startsWith(`${prefix}-`)).map((u) => u.id ?? '').toSorted(),
  members: sandbox.state().members.filter((m) => m.id?.startsWith(`${prefix}-`)).map((m) => m.id ?? '').toSorted(),
});
const inputOf = (dir: string, prefix: string) =>
  writeJsonl(dir, 'customers.jsonl', Array.from({ length: CUSTOMERS }, (_, i) => customer(`${prefix}-${i + 1}`, [PLANTED])));
const expected = (prefix: string) => {
  const ids = Array.from({ length: CUSTOMERS }, (_, i) => `${prefix}-${i + 1}`);
  return { users: ids.toSorted(), members: ids.map((id) => `${id}-m0`).toSorted() };
};

/** The sandbox's count once every worker has said it is paused, and 3 s later: they must be equal. */
async function holdsStill(workers: CliRun[], job: string) {
  const ended = (worker: CliRun) => worker.then((r) => { throw new Error(`a worker ended while it should be paused (${String(r.code)}): ${r.stdout}\n${r.stderr}`); });
  await Promise.race([Promise.all(workers.map((worker) => worker.stderrLine(new RegExp(`job ${job} is paused`)))), ...workers.map(ended)]);
  const atPause = requests();
  await sleep(3_000);
  return { atPause, later: requests() };
}

describe('pause and resume from another process', () => {
  it('SQLite: nothing is sent while paused, the pause outlives SIGTERM and SIGKILL of the worker, and resume finishes each customer once', async () => {
    const dir = workdir();
    const prefix = `ps-${randomUUID().slice(0, 6)}`;
    const input = inputOf(dir, prefix);
    const flags = [...SLOW, '--job', 'slow'];
    const first = start(['onboard', input, ...flags], dir);
    await until(() => atMx(prefix).users.length >= 1, 'the first user created');

    const pause = await cli(['pause', '--job', 'slow'], { cwd: dir });
    expect(pause.code, pause.stderr).toBe(0);
    expect(pause.stdout).toMatch(/^mx-lifecycle pause: job slow paused: its workers finish the requests in flight and take no new step until mx-lifecycle resume --job slow\n$/);
    const held = await holdsStill([first], 'slow');
    expect(held.later).toBe(held.atPause);
    // The progress written off a terminal says so too; a second pause, and status, from other processes.
    const [progress, again, status, statusJson] = await Promise.all([
      first.stderrLine(/"type":"progress".*"pause":\{"state":"paused"/),
      cli(['pause', '--job', 'slow'], { cwd: dir }),
      cli(['status', '--job', 'slow'], { cwd: dir }),
      cli(['status', '--job', 'slow', '--json'], { cwd: dir }),
    ]);
    expect(progress).toMatch(/"pausedSeconds":\d+/);
    expect(again.stdout).toMatch(/job slow was already paused \(since \d{4}-\d\d-\d\dT/);
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/\n {2}paused since \d{4}-\d\d-\d\dT[^:]+:\d\d:\d\d\.\d{3}Z: its workers take no new step until mx-lifecycle resume --job slow\n/);
    expect((JSON.parse(statusJson.stdout) as { pausedAt: string | null }).pausedAt).toMatch(/^\d{4}-/);

    // A paused worker still ends on the first SIGTERM, its customers written, as interrupted.
    first.kill('SIGTERM');
    const stopped = await first;
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).not.toMatch(/did not stop within/);
    expect(requests()).toBe(held.atPause);

    // A worker started on the paused job waits, saying so, and sends nothing; then SIGKILL and again.
    const second = start(['onboard', input, ...flags], dir);
    const restarted = await holdsStill([second], 'slow');
    expect(restarted).toEqual({ atPause: held.atPause, later: held.atPause });
    second.kill('SIGKILL');
    await second.catch(() => undefined);
    const third = start(['onboard', input, ...flags], dir);
    expect(await holdsStill([third], 'slow')).toEqual({ atPause: held.atPause, later: held.atPause });

    const resume = await cli(['resume', '--job', 'slow'], { cwd: dir });
    expect(resume.code, resume.stderr).toBe(0);
    expect(resume.stdout).toMatch(/^mx-lifecycle resume: job slow resumed after \d+ s paused: its workers go on within seconds\n$/);
    const finished = await third;
    expect(finished.stderr).toMatch(/job slow resumed: going on/);
    expect(finished.code, finished.stderr).toBe(0);
    expect((JSON.parse(finished.stdout) as { counts: Record<string, number> }).counts).toMatchObject({ done: CUSTOMERS, pending: 0, active: 0 });
    expect(atMx(prefix)).toEqual(expected(prefix));
    const notPaused = await cli(['resume', '--job', 'slow'], { cwd: dir });
    expect(notPaused.stdout).toMatch(/job slow was not paused; nothing changed/);

    // The new outputs (pause, resume, status, the paused workers' lines) and the store never hold the password.
    for (const text of [pause.stdout, pause.stderr, again.stdout, status.stdout, resume.stdout, stopped.stdout, stopped.stderr, finished.stderr, finished.stdout]) {
      expect(text).not.toContain(PLANTED);
    }
    expect(readFileSync(join(dir, '.mx-lifecycle/slow.sqlite')).includes(PLANTED)).toBe(false);
    console.log(`pause (SQLite): the sandbox's count stood at ${held.atPause} through the pause, two restarts and 9 s; ${requests()} once finished`);
  }, 240_000);

  it('PostgreSQL: two workers pause, a killed one is replaced by one that stays paused, and after resume each customer is at MX once', async () => {
    const dir = workdir();
    const prefix = `pp-${randomUUID().slice(0, 6)}`;
    const input = inputOf(dir, prefix);
    const store = `${PG_URL}?schema=mx_pause_${randomUUID().slice(0, 8)}`;
    const flags = [...SLOW, '--job', 'pgslow', '--store', store, '--lease-ms', '3000'];
    const a = start(['onboard', input, ...flags], dir);
    // The second worker joins a job that has its customers (two started at the same instant can
    // race: the later one may find the job before its rows and say it already finished).
    await until(() => atMx(prefix).users.length >= 1, 'the first user created');
    const b = start(['onboard', input, ...flags], dir);
    await until(() => atMx(prefix).users.length >= 2, 'more users created');

    const pause = await cli(['pause', '--job', 'pgslow', '--store', store], { cwd: dir });
    expect(pause.code, pause.stderr).toBe(0);
    expect(pause.stdout).toMatch(/until mx-lifecycle resume --job pgslow --store postgres:/);
    const held = await holdsStill([a, b], 'pgslow');
    expect(held.later).toBe(held.atPause);

    a.kill('SIGKILL');
    await a.catch(() => undefined);
    const c = start(['onboard', input, ...flags], dir);
    // Past the dead worker's 3-s leases: its customers are free to claim, and no one may claim them.
    expect(await holdsStill([c], 'pgslow')).toEqual({ atPause: held.atPause, later: held.atPause });
    await sleep(1_000);
    expect(requests()).toBe(held.atPause);

    const resume = await cli(['resume', '--job', 'pgslow', '--store', store], { cwd: dir });
    expect(resume.code, resume.stderr).toBe(0);
    const [doneB, doneC] = await Promise.all([b, c]);
    for (const done of [doneB, doneC]) {
      expect(done.code, done.stderr).toBe(0);
      expect(done.stderr).not.toContain(PLANTED);
    }
    expect(atMx(prefix)).toEqual(expected(prefix));
    console.log(`pause (PostgreSQL): the sandbox's count stood at ${held.atPause} through the pause and a worker's replacement; ${requests()} once finished`);
  }, 240_000);
});
