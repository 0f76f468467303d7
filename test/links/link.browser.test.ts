/**
 * A stable link opened in Debian's headless Chromium (driven by playwright-core), as an end user
 * opens the one a fintech e-mailed: the link served by a running `onboard --links-port` answers
 * 302, the browser follows it to the sandbox's Connect widget, the end user fills it in, and the
 * job records the customer done. The widget URL "expires after ten minutes or upon first use"
 * (docs.mx.com, request widget URL), so the link mints it at the click, never before.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { sleep } from '../sandbox/helpers.js';
import { cli, fastFlags, workdir, writeJsonl } from '../cli/harness.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const SECRET = 'browser-link-secret-0123456789-abcdefghijklmnop';
const PASSWORD = 'Browser-Typed-Pw-5521';

let sandbox: Sandbox;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)`);
  sandbox = await startSandbox({ aggregationMs: 300, auth: 'basic' });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
});
afterAll(async () => {
  await browser?.close();
  await sandbox?.close();
});

describe('a stable link in a browser', () => {
  it('leads to the widget, which the end user completes, and the job records the customer done', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'browser.jsonl', [{ id: 'br-1', email: 'br-1@example.com', members: [{ id: 'br-1-bank', connect: 'widget' }] }]);
    const env = { MX_BASE_URL: sandbox.url, MX_API_KEY: 'sandbox-key', MX_LINK_SECRET: SECRET };
    const job = cli(['onboard', input, ...fastFlags, '--links-port', '0', '--end-user-poll', '1s', '--end-user-wait', '5m'], { cwd: dir, env, timeoutMs: 180_000 });
    const base = /serving on (http:\/\/127\.0\.0\.1:\d+)/.exec(await job.stderrLine(/links: serving on http:\/\/127\.0\.0\.1:\d+/))?.[1] ?? '';

    // The link, as `mx-lifecycle links` writes it once the connection waits.
    const out = join(dir, 'links.jsonl.out');
    let link = '';
    for (const until = Date.now() + 60_000; link === ''; await sleep(500)) {
      const run = await cli(['links', '--job', 'browser', '--public-url', base, '--format', 'jsonl', '--output', out], { cwd: dir, env, timeoutMs: 60_000 });
      expect(run.code, run.stderr).toBe(0);
      const row = readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, string>)[0];
      if (row?.state === 'awaitingEndUser') link = row.link ?? '';
      else if (Date.now() > until) throw new Error('the connection never waited for its end user');
    }

    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    const response = await page.goto(link);
    // The browser followed the link's 302 to the sandbox's widget page.
    expect(response?.request().redirectedFrom()?.url()).toBe(link);
    expect(page.url().startsWith(`${sandbox.url}/widgets/connect/`)).toBe(true);
    expect(await page.textContent('h1')).toBe('Connect your account');
    await page.selectOption('select[name="institution_code"]', 'mxbank');
    await page.fill('input[name="username"]', 'mxuser');
    await page.fill('input[name="password"]', PASSWORD);
    await page.click('button[type="submit"]');
    await page.waitForSelector('text=Your accounts are being connected.');
    const widgetUrl = page.url();
    await page.close();

    const result = await job;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/1 customers?: 1 done, 0 need action, 0 failed/);
    const exported = await cli(['export', '--job', 'browser', '--format', 'jsonl'], { cwd: dir, env, timeoutMs: 60_000 });
    expect(JSON.parse(exported.stdout.trim())).toMatchObject({ customer_id: 'br-1', outcome: 'connected', connect: 'widget', connection_status: 'CONNECTED' });
    const members = sandbox.state().members.filter((m) => sandbox.state().users.find((u) => u.id === 'br-1')?.guid === m.user_guid);
    expect(members.map((m) => [m.id, m.connection_status])).toEqual([['br-1-bank', 'CONNECTED']]);
    expect(problems).toEqual([]);
    // The store (with its WAL), the report, the links file, and the output.
    const files = (readdirSync(dir, { recursive: true }) as string[]).map((n) => join(dir, n)).filter((p) => statSync(p).isFile());
    expect(files.some((p) => p.endsWith('.sqlite'))).toBe(true);
    const rested = files.map((p) => readFileSync(p, 'latin1')).join('') + result.stdout + result.stderr;
    expect(rested).not.toContain(PASSWORD);
    expect(rested).not.toContain(widgetUrl);
  }, 240_000);
});
