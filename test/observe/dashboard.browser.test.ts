/**
 * The dashboard as a person sees it: a real `onboard --dashboard` child process against the
 * sandbox, its page opened in Debian's headless Chromium (driven by playwright-core). The page
 * must draw every state of the member machine, show counts per state that add up to the job's
 * customers and move as the job runs, show one customer's timeline, and make no request that
 * leaves 127.0.0.1. (dashboardView.browser.test.ts checks how it reads and writes the screenshots.)
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberMachine } from '../../machines/index.js';
import { chartOf } from '../../src/observe/statechart.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { cli, customer, fastFlags, workdir, writeJsonl } from '../cli/harness.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const CUSTOMERS = 24;

let sandbox: Sandbox;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)`);
  // Slow aggregation and a low rate, so the job lasts long enough to be watched moving.
  sandbox = await startSandbox({ auth: 'basic', aggregationMs: 1_500, rateLimit: 40, seed: 7 });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
});
afterAll(async () => {
  await browser?.close();
  await sandbox?.close();
});

/** What the page shows: per-state counts of one chart (leaf states only: a compound shows their sum), and the not-started figure. */
async function shownCounts(page: import('playwright-core').Page, machine: string): Promise<{ counts: Record<string, number>; notStarted: number; total: number }> {
  // Runs in the page (a string, so this file needs no DOM types).
  return page.evaluate(`(() => {
    const counts = {};
    for (const g of document.querySelectorAll('svg[data-machine="${machine}"] g.state:not(.compound)')) {
      const text = g.querySelector('.count')?.textContent ?? '';
      if (text) counts[g.dataset.state] = Number(text);
    }
    const summary = document.getElementById('summary');
    return { counts, notStarted: Number(summary.dataset.notStarted ?? 'NaN'), total: Number(summary.dataset.total ?? 'NaN') };
  })()`);
}

describe('the dashboard in a browser', () => {
  it('draws the machines, counts every customer, moves as the job runs, shows a timeline, and loads nothing from elsewhere', async () => {
    const dir = workdir();
    const rows = Array.from({ length: CUSTOMERS }, (_, i) => customer(`browse-${String(i + 1).padStart(2, '0')}`, [i === 3 ? 'denied' : 'password']));
    const input = writeJsonl(dir, 'browse.jsonl', rows);
    const run = cli(['onboard', input, '--base-url', sandbox.url, ...fastFlags, '--poll-interval-ms', '500', '--rate', '12', '--concurrency', '6', '--dashboard', '--json'], {
      cwd: dir, env: { MX_API_KEY: 'sandbox-key' }, timeoutMs: 170_000,
    });
    const line = await run.stderrLine(/dashboard: http/);
    const url = /dashboard: (http:\/\/\S+)/.exec(line)?.[1] ?? '';
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const page = await browser.newPage({ viewport: { width: 1500, height: 1100 } });
    // Liveness only: elkjs lays the charts out when the page first asks, slower on a busy machine.
    page.setDefaultTimeout(120_000);
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    try {
      await page.goto(url);
      await page.waitForSelector('body[data-ready="true"]');

      // Every state of the member machine is drawn, from the machine's own definition.
      const drawn = await page.$$eval('svg[data-machine="member"] g.state', (gs) => gs.map((g) => g.getAttribute('data-state')));
      expect(drawn.toSorted()).toEqual(chartOf(memberMachine).states.map((s) => s.path).toSorted());
      expect(await page.$$eval('svg[data-machine="member"] g.transition', (gs) => gs.length)).toBeGreaterThan(10);

      // The onboarding chart's counts (plus the customers not started) add up to the job, and move.
      const seen: string[] = [];
      let first: Awaited<ReturnType<typeof shownCounts>> | undefined;
      for (let i = 0; i < 40; i += 1) {
        const shown = await shownCounts(page, 'onboarding');
        const sum = Object.values(shown.counts).reduce((a, b) => a + b, 0) + shown.notStarted;
        if (shown.total === CUSTOMERS) {
          expect(sum).toBe(CUSTOMERS);
          first ??= shown;
          seen.push(JSON.stringify(shown.counts));
        }
        if (new Set(seen).size >= 3) break;
        await page.waitForTimeout(400);
      }
      expect(new Set(seen).size, `the counts never moved: ${seen.join(' ')}`).toBeGreaterThanOrEqual(3);
      const members = await shownCounts(page, 'member');
      expect(Object.keys(members.counts).length).toBeGreaterThan(0);

      // One customer's timeline: search for it, open it, read its transitions.
      await page.fill('#search', 'browse-02');
      await page.waitForSelector('#customer-list li[data-customer="browse-02"]');
      await page.click('#customer-list li[data-customer="browse-02"]');
      await page.waitForSelector('#timeline tbody tr');
      const timeline = await page.$$eval('#timeline tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
      expect(timeline[0]?.[1]).toBe('root');
      expect(timeline.some((row) => row[1] === 'member:browse-02-m0')).toBe(true);
      expect(timeline.some((row) => row[3] === 'creatingUser.running')).toBe(true);

      // The same customer's steps as the store keeps them: the user's create with its request.
      await page.waitForSelector('#history tbody tr');
      const history = await page.$$eval('#history tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
      expect(history.some((row) => row[1] === 'user' && /^POST \/users 20[01] [\d,]+ ms/.test(row[6] ?? ''))).toBe(true);
      expect(await page.textContent('#history-count')).toMatch(/^\d[\d,]* steps$/);
      expect(await page.content()).not.toContain('sandbox-key');

      // The needs-action list says why (mxbank's `denied` password: DENIED).
      await page.waitForSelector('#needs-action li[data-customer="browse-04"]', { timeout: 90_000 });
      expect(await page.textContent('#needs-action li[data-customer="browse-04"]')).toMatch(/browse-04-m0: needsAction DENIED/);
    } finally {
      await page.close();
    }
    const result = await run;
    expect(result.code, result.stderr).toBe(1);
    expect(requested.length).toBeGreaterThan(3);
    for (const address of requested) expect(address.startsWith(`${url}/`), address).toBe(true);
  }, 180_000);
});
