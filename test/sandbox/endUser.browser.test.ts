/**
 * The end-user pages in Debian's headless Chromium (driven by playwright-core), as an end user
 * completes them: the Connect widget's form, its self-reloading wait and its MFA challenge on the
 * same URL, and an OAuth consent. The pages have no script and a Content-Security-Policy; the
 * browser must meet no violation and load nothing but the page itself.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { apiOf } from './endUserHelpers.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

let sandbox: Sandbox;
let browser: Browser;
let api: ReturnType<typeof apiOf>;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)`);
  sandbox = await startSandbox({ aggregationMs: 300 });
  api = apiOf(sandbox);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
});
afterAll(async () => {
  await browser?.close();
  await sandbox?.close();
});

describe('end-user pages in a browser', () => {
  it('an end user connects through the widget with MFA, then authorises an OAuth member', async () => {
    const user = await api.user('browser-user');
    const widget = await api.widget(user);
    const page = await browser.newPage();
    const problems: string[] = [];
    const requested: string[] = [];
    page.on('console', (m) => problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('request', (r) => requested.push(r.url()));

    await page.goto(widget);
    await page.selectOption('select[name="institution_code"]', 'mxbank');
    await page.fill('input[name="username"]', 'mxuser');
    await page.fill('input[name="password"]', 'challenge');
    await page.click('button[type="submit"]');
    // The waiting page reloads itself until the aggregation reaches its challenge.
    await page.waitForSelector('input[name="answer"]', { timeout: 20_000 });
    expect(await page.textContent('main')).toContain('What city were you born in?');
    await page.fill('input[name="answer"]', 'correct');
    await page.click('button[type="submit"]');
    await page.waitForSelector('text=Thank you');
    const guid = sandbox.state().members.find((m) => m.user_guid === user)!.guid;
    expect((await api.settled(user, guid)).connection_status).toBe('CONNECTED');
    await page.goto(widget);
    expect(await page.textContent('h1')).toBe('This link has expired');

    const { guid: oauth, uri } = await api.oauthMember(user, 'browser-oauth');
    await page.goto(uri);
    await page.click('button[value="authorized"]');
    await page.waitForSelector('text=Authorized');
    expect((await api.settled(user, oauth)).connection_status).toBe('CONNECTED');

    // The one console line is Chromium reporting the 410 of the spent widget URL.
    expect(problems).toEqual([expect.stringContaining('status of 410')]);
    expect(requested.every((url) => url === widget || url === uri)).toBe(true);
    await page.close();
  });
});
