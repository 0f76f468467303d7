/**
 * `mx-lifecycle dashboard --job NAME`: the dashboard of a job that is not running, read from its
 * store; and the watching flags' bad values, answered in one line with exit 64.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { cli, customer, fastFlags, workdir, writeJsonl } from './harness.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ aggregationMs: 100, auth: 'basic' });
});
afterAll(async () => {
  await sandbox.close();
});

describe('mx-lifecycle dashboard', () => {
  it('serves a finished job from its store on 127.0.0.1, refuses a foreign origin, and stops on SIGTERM', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'shown.jsonl', [customer('shown-1', ['password']), customer('shown-2', ['denied']), customer('shown-3', ['password'])]);
    const onboarded = await cli(['onboard', input, '--base-url', sandbox.url, ...fastFlags], { cwd: dir, env: { MX_API_KEY: 'sandbox-key' } });
    expect(onboarded.code, onboarded.stderr).toBe(1);

    const run = cli(['dashboard', '--job', 'shown'], { cwd: dir });
    const url = /dashboard: (http:\/\/\S+)/.exec(await run.stderrLine(/dashboard: http/))?.[1] ?? '';
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const state = (await (await fetch(`${url}/api/state`)).json()) as { running: boolean; counts: { total: number; items: Record<string, number>; machines: Record<string, Record<string, number>> }; needsAction: { id: string; reason: string }[] };
    expect(state.running).toBe(false);
    expect(state.counts.total).toBe(3);
    expect(state.counts.items).toMatchObject({ done: 2, needsAction: 1 });
    expect(state.counts.machines.onboarding).toEqual({ done: 2, needsAction: 1 });
    expect(state.counts.machines.member).toEqual({ connected: 2, needsAction: 1 });
    expect(state.needsAction).toEqual([{ id: 'shown-2', reason: 'shown-2-m0: needsAction DENIED' }]);
    // A finished customer is not held by the watch: its page is read from the store.
    const shown = (await (await fetch(`${url}/api/items/shown-2`)).json()) as { state: string; reason: string; machines: Record<string, unknown> };
    expect(shown).toMatchObject({ state: 'needsAction', reason: 'shown-2-m0: needsAction DENIED' });
    expect(shown.machines['member:shown-2-m0']).toEqual({ machine: 'member', states: ['needsAction'] });
    expect((await fetch(`${url}/api/items/nobody`)).status).toBe(404);
    // Its history, from the store: the steps with their requests, as `mx-lifecycle history --json` lists them.
    const history = (await (await fetch(`${url}/api/history/shown-2`)).json()) as { customer: string; steps: { actor: string; connectionStatus?: string; requests?: { path: string }[] }[] };
    expect(history.customer).toBe('shown-2');
    expect(history.steps.some((s) => s.actor === 'shown-2-m0' && s.connectionStatus === 'DENIED')).toBe(true);
    expect(history.steps.flatMap((s) => s.requests ?? []).map((r) => r.path)).toContain('/users/{user_guid}/members');
    expect(JSON.stringify(history)).not.toContain('sandbox-key');
    expect((await fetch(`${url}/api/state`, { headers: { Origin: 'https://evil.example' } })).status).toBe(403);
    expect(await (await fetch(`${url}/metrics`)).text()).toMatch(/mx_lifecycle_items\{state="done"\} 2/);
    run.kill('SIGTERM');
    const result = await run;
    expect(result.code, result.stderr).toBe(0);
  }, 60_000);

  it('says so in one line when the job has no store', async () => {
    const result = await cli(['dashboard', '--job', 'nowhere'], { cwd: workdir() });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('mx-lifecycle dashboard: there is no store at .mx-lifecycle/nowhere.sqlite for job nowhere (pass --store URL, or run onboard first)\n');
  });

  it.each([
    [['onboard', 'x.jsonl', '--log-format', 'xml'], "--log-format must be text or json, not 'xml'"],
    [['onboard', 'x.jsonl', '--log-level', 'loud'], '--log-level must be one of fatal, error, warn, info, debug, trace, silent'],
    [['onboard', 'x.jsonl', '--dashboard-host', '0.0.0.0'], '--dashboard-host needs --dashboard'],
    [['demo', '--dashboard=99999'], "--dashboard must be a port from 0 to 65535, not '99999'"],
    [['dashboard'], '--job NAME is missing'],
  ])('answers %j in one line with exit 64', async (args, message) => {
    const result = await cli(args, { cwd: workdir(), env: { MX_BASE_URL: sandbox.url, MX_CLIENT_ID: 'c', MX_API_KEY: 'k' } });
    expect(result.code).toBe(64);
    expect(result.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(result.stderr).toContain(message);
  });
});
