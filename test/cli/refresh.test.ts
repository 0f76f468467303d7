/**
 * `mx-lifecycle refresh` against a sandbox that models MX's minimum interval between aggregations
 * (`minAggregationIntervalMs`). MX: "you cannot run a new aggregation within three hours of a
 * successful aggregation, whether foreground or background"
 * (https://docs.mx.com/aggregation/guides/introduction). Whether the sandbox counts its interval
 * from the last aggregation's start or from its last success, both runs below hold: what is
 * asserted is what the client decided and the sandbox's own count of aggregate requests.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { cli, customer, fastFlags, readJson, workdir, writeJsonl } from './harness.js';

const sandboxes: Sandbox[] = [];
afterAll(async () => {
  for (const sandbox of sandboxes.splice(0)) await sandbox.close();
});

const HOUR = 3_600_000;
const ids = Array.from({ length: 20 }, (_, i) => `day-n-${i}`);

async function onboarded(minAggregationIntervalMs: number) {
  const sandbox = await startSandbox({ aggregationMs: 100, minAggregationIntervalMs });
  sandboxes.push(sandbox);
  const env = { MX_BASE_URL: sandbox.url, MX_API_KEY: 'sandbox-key' };
  const dir = workdir();
  const input = writeJsonl(dir, 'cohort.jsonl', ids.map((id) => customer(id, ['password'])));
  const onboard = await cli(['onboard', input, ...fastFlags, '--job', 'cohort'], { cwd: dir, env, timeoutMs: 90_000 });
  expect(onboard.code, onboard.stderr).toBe(0);
  return { sandbox, env, dir };
}

interface RefreshJson {
  job: string;
  kind: string;
  exitCode: number;
  counts: Record<string, number>;
  members: { refreshed: number; skipped: number; needsAction: number; failed: number; nextRefreshAt: string | null };
  report: string;
}

interface ReportMember { id: string; outcome: string; reason: string | null; nextRefreshAt: string | null; successfullyAggregatedAt: string | null }

describe('mx-lifecycle refresh', () => {
  it('right after onboarding 20 customers, inside a 1-hour interval: every member skipped with its next time, no aggregate request', async () => {
    const { sandbox, env, dir } = await onboarded(HOUR);
    const before = sandbox.state().stats.aggregateRequests;
    const run = await cli(['refresh', '--job', 'cohort', ...fastFlags, '--min-aggregation-interval', '1h', '--json'], { cwd: dir, env, timeoutMs: 90_000 });
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as RefreshJson;
    expect(summary).toMatchObject({ kind: 'refresh', exitCode: 0, counts: { done: 20 }, members: { refreshed: 0, skipped: 20, needsAction: 0, failed: 0 } });
    expect(summary.job).toMatch(/^cohort\.refresh\.\d{8}T\d{6}Z$/);
    expect(sandbox.state().stats.aggregateRequests - before).toBe(0);

    // Each member's next time is its last success at MX plus the hour.
    const truth = new Map(sandbox.state().members.map((m) => [String(m.id), m.successfully_aggregated_at]));
    const report = readJson<{ kind: string; members: RefreshJson['members']; customers: { id: string; members: ReportMember[] }[] }>(join(dir, summary.report));
    expect(report.kind).toBe('refresh');
    const members = report.customers.flatMap((c) => c.members);
    expect(members).toHaveLength(20);
    for (const m of members) {
      const success = truth.get(m.id);
      expect(success, m.id).toBeTruthy();
      expect(m).toMatchObject({ outcome: 'skipped', reason: 'window', successfullyAggregatedAt: success, nextRefreshAt: new Date(Date.parse(String(success)) + HOUR).toISOString() });
    }
    expect(summary.members.nextRefreshAt).toBe(members.map((m) => m.nextRefreshAt).toSorted()[0]);
  }, 240_000);

  it('with a 1-s interval, 2 s after onboarding: every member refreshed, one aggregate request each', async () => {
    const { sandbox, env, dir } = await onboarded(1_000);
    const settledBy = Math.max(...sandbox.state().members.map((m) => Date.parse(String(m.successfully_aggregated_at))));
    // Waiting past the interval is the scenario itself, not a race: both sides read the same clock.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, settledBy + 2_000 - Date.now())));
    const before = sandbox.state().stats.aggregateRequests;
    const run = await cli(['refresh', '--job', 'cohort', ...fastFlags, '--min-aggregation-interval', '1s'], { cwd: dir, env, timeoutMs: 90_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/job cohort\.refresh\.\d{8}T\d{6}Z \(refresh\) finished/);
    expect(run.stdout).toMatch(/20 members: 20 refreshed, 0 skipped, 0 need action, 0 failed/);
    expect(sandbox.state().stats.aggregateRequests - before).toBe(20);
    for (const m of sandbox.state().members) expect(Date.parse(String(m.successfully_aggregated_at))).toBeGreaterThan(settledBy);
  }, 240_000);

  it('a second refresh is a new job; --customer limits it; an unknown customer or job is a clear error', async () => {
    const { env, dir } = await onboarded(HOUR);
    const first = await cli(['refresh', '--job', 'cohort', ...fastFlags, '--json'], { cwd: dir, env });
    const second = await cli(['refresh', '--job', 'cohort', ...fastFlags, '--customer', 'day-n-3', '--json'], { cwd: dir, env });
    expect([first.code, second.code], second.stderr).toEqual([0, 0]);
    const [a, b] = [JSON.parse(first.stdout) as RefreshJson, JSON.parse(second.stdout) as RefreshJson];
    expect(b.job).not.toBe(a.job);
    expect(b.counts.done).toBe(1);
    const unknown = await cli(['refresh', '--job', 'cohort', ...fastFlags, '--customer', 'nobody'], { cwd: dir, env });
    expect([unknown.code, unknown.stderr.trim()]).toEqual([64, 'mx-lifecycle refresh: --customer nobody is not in job cohort (see mx-lifecycle refresh --help)']);
    const missing = await cli(['refresh', '--job', 'nope', ...fastFlags], { cwd: dir, env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no job nope/);
    const ofRefresh = await cli(['refresh', '--job', a.job, '--store', 'sqlite:.mx-lifecycle/cohort.sqlite', ...fastFlags], { cwd: dir, env });
    expect([ofRefresh.code, ofRefresh.stderr]).toEqual([64, expect.stringMatching(/is a refresh job: refresh takes the onboarding job/)]);
  }, 240_000);

  it('never writes the API key to its output, report or store', async () => {
    const key = 'planted-refresh-key-7f3a9c';
    const sandbox = await startSandbox({ aggregationMs: 100, clients: [{ id: 'sandbox-client', key }] });
    sandboxes.push(sandbox);
    const env = { MX_BASE_URL: sandbox.url, MX_API_KEY: key };
    const dir = workdir();
    const input = writeJsonl(dir, 'cohort.jsonl', [customer('secret-1', ['password'])]);
    expect((await cli(['onboard', input, ...fastFlags, '--job', 'cohort'], { cwd: dir, env })).code).toBe(0);
    const run = await cli(['refresh', '--job', 'cohort', ...fastFlags, '--min-aggregation-interval', '0', '--api-key', key, '--json'], { cwd: dir, env });
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as RefreshJson;
    expect(summary.members.refreshed).toBe(1);
    for (const text of [run.stdout, run.stderr, readFileSync(join(dir, summary.report), 'utf8'), readFileSync(join(dir, '.mx-lifecycle/cohort.sqlite')).toString('latin1')]) {
      expect(text).not.toContain(key);
      expect(text).not.toContain(Buffer.from(`sandbox-client:${key}`).toString('base64'));
    }
  }, 240_000);
});
