/**
 * 200 customers through stable links, end to end: a real sandbox, a real `onboard` process serving
 * `--links-port`, `mx-lifecycle links` writing the links, and scripted end users clicking them.
 * 40 connect with credentials, 100 through OAuth at `oauthbank`, 60 only in the Connect widget. Of
 * the 160 end users, 80 % complete (some widget ones through MX Bank's TEXT challenge), 10 % never
 * click and 10 % deny (OAuth `denied`; MX Bank's `denied` password in the widget) and then re-link.
 * MX's documents followed: widget URLs "expire after ten minutes or upon first use" (docs.mx.com,
 * request widget URL), `oauth_window_uri`s are one-time (docs.mx.com OAuth guide), and a re-link is
 * the widget opened with `current_member_guid` (docs.mx.com Connect widget, update credentials).
 */
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { sleep } from '../sandbox/helpers.js';
import { cli, fastFlags, workdir } from '../cli/harness.js';
import { playEndUser, type Script } from './endUserClient.js';

const SECRET = `two-hundred-${randomBytes(24).toString('hex')}`;
const JOB = 'two-hundred';
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ aggregationMs: 200, auth: 'basic' });
});
afterAll(async () => {
  await sandbox.close();
});

type Plan = 'credentials' | 'complete' | 'mfa' | 'denyThenComplete' | 'neverClick';
interface Customer {
  id: string;
  kind: 'credentials' | 'oauth' | 'widget';
  plan: Plan;
  password: string;
}

/** Unique per customer, so a leak names its source; MX Bank connects with any password not in its table. */
const planted = (id: string) => `Pw-${id}-${randomBytes(6).toString('hex')}`;

function customers(): Customer[] {
  const out: Customer[] = [];
  for (let i = 0; i < 40; i += 1) out.push({ id: `cred-${i}`, kind: 'credentials', plan: 'credentials', password: planted(`cred-${i}`) });
  // Of each ten end users: eight complete, one never clicks, one denies and then re-links.
  const planOf = (i: number, mfa: boolean): Plan => (i % 10 === 8 ? 'neverClick' : i % 10 === 9 ? 'denyThenComplete' : mfa && i % 10 < 3 ? 'mfa' : 'complete');
  for (let i = 0; i < 100; i += 1) out.push({ id: `oauth-${i}`, kind: 'oauth', plan: planOf(i, false), password: '' });
  for (let i = 0; i < 60; i += 1) out.push({ id: `widget-${i}`, kind: 'widget', plan: planOf(i, true), password: planted(`widget-${i}`) });
  return out;
}

function inputLine(c: Customer): Record<string, unknown> {
  const member: Record<string, unknown> = { id: `${c.id}-bank` };
  if (c.kind === 'credentials') Object.assign(member, { institution_code: 'mxbank', credentials: { username: 'mxuser', password: c.password } });
  if (c.kind === 'oauth') Object.assign(member, { institution_code: 'oauthbank', connect: 'oauth' });
  if (c.kind === 'widget') member.connect = 'widget';
  return { id: c.id, email: `${c.id}@example.com`, members: [member] };
}

/** Every file the job and the commands wrote (all but the input, which holds the planted passwords). */
function readAll(dir: string, input: string): string {
  let text = '';
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const path = join(dir, name);
    if (name !== input && statSync(path).isFile()) text += readFileSync(path, 'latin1');
  }
  return text;
}

const jsonl = (path: string): Record<string, string>[] =>
  readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, string>);

describe('200 customers through stable links', () => {
  it('end with exactly the scripted outcomes, one member per connected connection, and no secret or MX URL at rest', async () => {
    const dir = workdir();
    const all = customers();
    writeFileSync(join(dir, `${JOB}.jsonl`), `${all.map((c) => JSON.stringify(inputLine(c))).join('\n')}\n`);
    const env = { MX_BASE_URL: sandbox.url, MX_API_KEY: 'sandbox-key', MX_LINK_SECRET: SECRET };
    // The challenged widget members wait for their end user's answer (--mfa-wait) rather than end at once.
    const job = cli(['onboard', `${JOB}.jsonl`, ...fastFlags, '--rate', '200', '--concurrency', '24', '--links-port', '0',
      '--end-user-wait', '60s', '--end-user-poll', '2s', '--mfa-wait', '2m'], { cwd: dir, env, timeoutMs: 270_000 });
    const serving = await job.stderrLine(/links: serving on http:\/\/127\.0\.0\.1:\d+/);
    const base = /serving on (http:\/\/127\.0\.0\.1:\d+)/.exec(serving)?.[1] ?? '';

    // The links of all 160 end-user connections, once each waits.
    const linksFile = join(dir, 'links.out.jsonl');
    let rows: Record<string, string>[] = [];
    for (const until = Date.now() + 120_000; ; await sleep(1_000)) {
      const out = await cli(['links', '--job', JOB, '--public-url', base, '--format', 'jsonl', '--output', linksFile], { cwd: dir, env, timeoutMs: 60_000 });
      expect(out.code, out.stderr).toBe(0);
      rows = jsonl(linksFile);
      if (rows.length === 160 && rows.every((r) => r.state === 'awaitingEndUser')) break;
      if (Date.now() > until) throw new Error(`links: ${rows.length} rows`);
    }
    const linkOf = new Map(rows.map((r) => [r.customer, r.link ?? '']));

    // The end users, eight at a time, each through their own link.
    const limit = pLimit(8);
    const playing = Date.now();
    await Promise.all(all.filter((c) => c.kind !== 'credentials' && c.plan !== 'neverClick').map((c) => limit(() => {
      const script: Script = c.kind === 'oauth'
        ? { kind: 'oauth', plan: c.plan === 'denyThenComplete' ? 'denyThenComplete' : 'complete' }
        : { kind: 'widget', plan: c.plan as 'complete' | 'mfa' | 'denyThenComplete', password: c.password };
      return playEndUser(linkOf.get(c.id) ?? '', script);
    })));
    // A figure for whoever reads the run; nothing is asserted on time.
    console.log(`144 end users played in ${((Date.now() - playing) / 1000).toFixed(1)} s (the never-clicking wait is 60 s)`);

    const result = await job;
    expect(result.code).toBe(1); // some customers need action: the ones who never clicked
    expect(result.stdout).toMatch(/200 customers: 184 done, 16 need action, 0 failed/);

    // Each customer's outcome, from the store through `export`.
    const exported = join(dir, 'export.jsonl');
    const exp = await cli(['export', '--job', JOB, '--format', 'jsonl', '--output', exported], { cwd: dir, env, timeoutMs: 60_000 });
    expect(exp.code, exp.stderr).toBe(0);
    const byCustomer = new Map(jsonl(exported).map((r) => [r.customer_id, r]));
    expect(byCustomer.size).toBe(200);
    for (const c of all) {
      const row = byCustomer.get(c.id);
      const want = c.plan === 'neverClick' ? { outcome: 'needsAction', reason: 'endUserAbandoned' } : { outcome: 'connected' };
      expect({ id: c.id, outcome: row?.outcome, ...(want.reason ? { reason: row?.reason } : {}), connect: row?.connect })
        .toEqual({ id: c.id, ...want, connect: c.kind });
      // Per connection: every end user was sent a link; those who never clicked never opened it.
      const endUser = c.kind !== 'credentials';
      expect({ id: c.id, invited: row?.invited, opened: row?.opened }).toEqual({
        id: c.id, invited: endUser ? 'yes' : '', opened: endUser && c.plan !== 'neverClick' ? 'yes' : '',
      });
    }

    // The end-user counts: 160 invited, 144 connected, 16 abandoned, none waiting.
    const status = await cli(['status', '--job', JOB, '--json'], { cwd: dir, env, timeoutMs: 60_000 });
    expect(JSON.parse(status.stdout).endUser).toMatchObject({ invited: 160, connected: 144, abandoned: 16, waiting: 0 });

    // Exactly one member per connected connection at MX, and none for the end users who never clicked.
    const state = sandbox.state();
    const guidOf = new Map(state.users.map((u) => [u.guid, u.id]));
    const membersOf = new Map<string, { connection_status: string | null }[]>();
    for (const m of state.members) {
      const owner = guidOf.get(m.user_guid) ?? '';
      membersOf.set(owner, [...(membersOf.get(owner) ?? []), m]);
    }
    for (const c of all) {
      const members = membersOf.get(c.id) ?? [];
      if (c.plan === 'neverClick') expect({ id: c.id, connected: members.filter((m) => m.connection_status === 'CONNECTED').length }).toEqual({ id: c.id, connected: 0 });
      else expect({ id: c.id, statuses: members.map((m) => m.connection_status) }).toEqual({ id: c.id, statuses: ['CONNECTED'] });
    }

    // No password, link secret or MX page URL in the store, the report, the exports, the links file or the output.
    const rested = readAll(dir, `${JOB}.jsonl`) + result.stdout + result.stderr;
    for (const c of all) if (c.password) expect(rested.includes(c.password), c.id).toBe(false);
    expect(rested).not.toContain(SECRET);
    expect(rested).not.toContain('/widgets/');
    expect(readdirSync(join(dir, '.mx-lifecycle')).some((f) => f.endsWith('.report.json'))).toBe(true);
  }, 300_000);
});
