/**
 * Stable links end to end, as curl would follow them: a real `onboard` process serving
 * `--links-port` beside a sandbox with MX's end-user pages, `mx-lifecycle links` writing the links,
 * and the end user's clicks. MX's documents followed: the Connect widget URL "expires after ten
 * minutes or upon first use" (docs.mx.com, request widget URL); `oauth_window_uri`s are one-time use
 * and `GET …/members/{member_guid}/oauth_window_uri` issues a new one (docs.mx.com OAuth guide).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { cli, fastFlags, workdir, writeJsonl } from '../cli/harness.js';

const SECRET = 'links-e2e-secret-0123456789-abcdefghijklmnop';
let sandbox: Sandbox;
let env: Record<string, string>;

beforeAll(async () => {
  sandbox = await startSandbox({ aggregationMs: 100, auth: 'basic' });
  env = { MX_BASE_URL: sandbox.url, MX_API_KEY: 'sandbox-key', MX_LINK_SECRET: SECRET };
});
afterAll(async () => {
  await sandbox.close();
});

/** GET without following redirects, as `curl -s -o /dev/null -w '%{http_code} %{redirect_url}'`. */
async function click(url: string): Promise<{ status: number; location: string | null; body: string }> {
  const res = await fetch(url, { redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location'), body: await res.text() };
}

async function submit(url: string, fields: Record<string, string>): Promise<number> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) });
  await res.text();
  return res.status;
}

async function waitFor<T>(what: string, probe: () => Promise<T | null> | T | null, ms = 60_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > until) throw new Error(`${what} not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function readAll(dir: string): string {
  let text = '';
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const path = join(dir, name);
    if (statSync(path).isFile()) text += readFileSync(path, 'latin1');
  }
  return text;
}

describe('stable links', () => {
  it('lead each end user to their own MX page; altered links get 404, spent MX URLs 410, and a deny then a second click ends done with one member', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'links.jsonl', [
      { id: 'lk-oauth', email: 'lk-oauth@example.com', members: [{ id: 'lk-oauth-bank', institution_code: 'oauthbank', connect: 'oauth' }] },
      { id: 'lk-widget', email: 'lk-widget@example.com', members: [{ id: 'lk-widget-bank', connect: 'widget' }] },
    ]);
    const job = cli(['onboard', input, ...fastFlags, '--links-port', '0', '--end-user-poll', '1s', '--end-user-wait', '10m'], { cwd: dir, env, timeoutMs: 240_000 });
    const serving = await job.stderrLine(/links: serving on http:\/\/127\.0\.0\.1:\d+/);
    const base = /serving on (http:\/\/127\.0\.0\.1:\d+)/.exec(serving)?.[1] ?? '';
    expect(serving).toContain(`written with ${base}`);

    // Both connections wait for their end users; the links file names each, with no MX URL.
    const rows = await waitFor('two waiting connections', async () => {
      const out = await cli(['links', '--job', 'links', '--public-url', base, '--format', 'jsonl', '--output', join(dir, 'links.jsonl.out')], { cwd: dir, env, timeoutMs: 60_000 });
      expect(out.code, out.stderr).toBe(0);
      const lines = readFileSync(join(dir, 'links.jsonl.out'), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, string>);
      return lines.length === 2 ? lines : null;
    });
    expect((statSync(join(dir, 'links.jsonl.out')).mode & 0o777).toString(8)).toBe('600');
    const linkOf = (customer: string) => rows.find((r) => r.customer === customer)?.link ?? '';
    expect(rows.map((r) => [r.customer, r.connection, r.state]).toSorted()).toEqual([
      ['lk-oauth', 'lk-oauth-bank', 'awaitingEndUser'],
      ['lk-widget', 'lk-widget-bank', 'awaitingEndUser'],
    ]);
    for (const row of rows) {
      expect(row.link?.startsWith(`${base}/c/`)).toBe(true);
      expect(row.link).not.toContain(row.customer);
    }

    // An altered link: a plain 404 with nothing from MX.
    const oauthLink = linkOf('lk-oauth');
    const altered = `${oauthLink.slice(0, -4)}${oauthLink.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    const refused = await click(altered);
    expect(refused.status).toBe(404);
    expect(refused.location).toBeNull();
    expect(refused.body).not.toContain(sandbox.url);

    // The OAuth customer's link leads to that member's OAuth page on the sandbox, and no other.
    const first = await click(oauthLink);
    expect(first.status).toBe(302);
    expect(first.location?.startsWith(`${sandbox.url}/widgets/oauth/`)).toBe(true);
    const oauthMember = sandbox.state().members.find((m) => m.id === 'lk-oauth-bank');
    expect(oauthMember).toBeDefined();
    // The end user denies; the spent MX URL is 410 at the sandbox.
    expect(await submit(first.location ?? '', { outcome: 'denied' })).toBeLessThan(400);
    expect((await click(first.location ?? '')).status).toBe(410);
    // A second click of the same stable link mints a fresh window; this time they authorise.
    const second = await waitFor('a fresh OAuth window', async () => {
      const again = await click(oauthLink);
      return again.status === 302 ? again : null;
    });
    expect(second.location).not.toBe(first.location);
    expect(await submit(second.location ?? '', { outcome: 'authorized' })).toBeLessThan(400);

    // The widget customer's link opens a Connect widget for that user; they connect at MX Bank.
    const widget = await click(linkOf('lk-widget'));
    expect(widget.status).toBe(302);
    expect(widget.location?.startsWith(`${sandbox.url}/widgets/connect/`)).toBe(true);
    expect(await submit(widget.location ?? '', { institution_code: 'mxbank', username: 'mxuser', password: 'password' })).toBeLessThan(400);

    const result = await job;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/2 customers: 2 done, 0 need action, 0 failed/);
    // Exactly one member per connected connection at MX.
    const users = sandbox.state().users.filter((u) => u.id === 'lk-oauth' || u.id === 'lk-widget');
    const members = sandbox.state().members.filter((m) => users.some((u) => u.guid === m.user_guid));
    expect(members).toHaveLength(2);
    expect(members.every((m) => m.connection_status === 'CONNECTED')).toBe(true);
    // A link of a finished connection: 410, nothing minted.
    const after = await fetch(oauthLink, { redirect: 'manual' }).catch(() => null);
    expect(after).toBeNull(); // the job has ended, and its link server with it

    // No MX URL and no link secret rests in the store, the report or the files written.
    const rested = readAll(dir) + result.stdout + result.stderr;
    for (const url of [first.location, second.location, widget.location]) expect(rested).not.toContain(url ?? 'never');
    expect(rested).not.toContain('/widgets/oauth/');
    expect(rested).not.toContain('/widgets/connect/');
    expect(rested).not.toContain(SECRET);
    expect(result.stderr).toMatch(/links: \d+ opened/);
  }, 300_000);

  it('refuses --links-port without MX_LINK_SECRET, and with one under 32 bytes, in one line (exit 64)', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'nosecret.jsonl', [{ id: 'ns-1', members: [{ id: 'ns-1-bank', institution_code: 'oauthbank', connect: 'oauth' }] }]);
    const { MX_LINK_SECRET: _, ...without } = env;
    const missing = await cli(['onboard', input, ...fastFlags, '--links-port', '0'], { cwd: dir, env: without });
    expect(missing.code).toBe(64);
    expect(missing.stderr).toMatch(/MX_LINK_SECRET is not set/);
    const short = await cli(['onboard', input, ...fastFlags, '--links-port', '0'], { cwd: dir, env: { ...without, MX_LINK_SECRET: 'short' } });
    expect(short.code).toBe(64);
    expect(short.stderr).toMatch(/MX_LINK_SECRET is too short/);
    expect(short.stderr).not.toContain('    at ');
    const links = await cli(['links', '--job', 'nosecret', '--public-url', 'https://connect.example.com'], { cwd: dir, env: without });
    expect([links.code, links.stderr.trim().split('\n')]).toEqual([links.code, [expect.stringMatching(/no job nosecret|MX_LINK_SECRET is not set/)]]);
    expect(links.code === 64 || links.code === 1).toBe(true);
    expect(sandbox.state().users.some((u) => u.id === 'ns-1')).toBe(false);
  });
});
