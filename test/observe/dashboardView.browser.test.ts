/**
 * The dashboard as a person reads it at 1,400 × 1,000, in Debian's headless Chromium (driven by
 * playwright-core), over a real `mx-lifecycle demo --dashboard` child process: no two edge labels
 * of any machine overlap, no label spills out of its box or its chart, no number is printed with
 * more than three decimals, nothing is wider than its section or the window, the charts have axes
 * with units, and the page keeps serving after the demo's job is over until Ctrl-C ends it.
 *
 * It writes the README's screenshots once the page holds data (a few seconds of rates and
 * customers finished): into MX_SCREENSHOT_DIR when set (`MX_SCREENSHOT_DIR=docs` refreshes
 * docs/dashboard.png and docs/dashboard-timeline.png), else into the test's own folder.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, workdir } from '../cli/harness.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const VIEWPORT = { width: 1400, height: 1000 };

let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
});
afterAll(async () => {
  await browser?.close();
});

interface Box { x: number; y: number; width: number; height: number }
interface LabelCheck { machine: string; labels: Array<{ text: string; box: Box; ink: Box }>; states: Array<{ path: string; box: Box; ink: Box }>; view: Box }

/** The shown machine's edge labels (their boxes and the ink of their text) and state names, in the chart's own units. */
function labelsOfShownMachine(page: Page): Promise<LabelCheck> {
  // Runs in the page (a string, so this file needs no DOM types).
  return page.evaluate(`(() => {
    const shown = document.querySelector('#charts .machine:not([hidden])');
    const svg = shown.querySelector('svg');
    const box = (r) => ({ x: Number(r.getAttribute('x')), y: Number(r.getAttribute('y')), width: Number(r.getAttribute('width')), height: Number(r.getAttribute('height')) });
    const ink = (t) => { const b = t.getBBox(); return { x: b.x, y: b.y, width: b.width, height: b.height }; };
    const labels = [...svg.querySelectorAll('g.edge-label')].map((g) => ({ text: g.querySelector('text').textContent, box: box(g.querySelector('rect')), ink: ink(g.querySelector('text')) }));
    const states = [...svg.querySelectorAll('g.state')].map((g) => ({ path: g.dataset.state, box: box(g.querySelector('rect')), ink: ink(g.querySelector('text.name')) }));
    const [x, y, width, height] = svg.getAttribute('viewBox').split(' ').map(Number);
    return { machine: shown.dataset.machine, labels, states, view: { x, y, width, height } };
  })()`);
}

const inside = (inner: Box, outer: Box, slack = 0.5): boolean =>
  inner.x >= outer.x - slack && inner.y >= outer.y - slack &&
  inner.x + inner.width <= outer.x + outer.width + slack && inner.y + inner.height <= outer.y + outer.height + slack;
const overlap = (a: Box, b: Box): boolean => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** Every number printed on the page (HTML text and SVG text) with four decimals or more. */
function longDecimals(page: Page): Promise<string[]> {
  return page.evaluate(`(() => {
    const text = document.body.innerText + ' ' + [...document.querySelectorAll('svg text')].map((t) => t.textContent).join(' ');
    return text.match(/\\d\\.\\d{4,}/g) ?? [];
  })()`);
}

/** Sections whose content is wider than they are, and whether the page is wider than the window. */
function overflows(page: Page): Promise<{ sections: string[]; pageWidth: number }> {
  return page.evaluate(`(() => ({
    sections: [...document.querySelectorAll('main > section:not([hidden])')].filter((s) => s.scrollWidth > s.clientWidth + 1).map((s) => s.id),
    pageWidth: document.documentElement.scrollWidth,
  }))()`);
}

/** Waits until `expression` (evaluated in the page) is true; the page's policy forbids waitForFunction's eval. */
async function until(page: Page, expression: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > deadline) throw new Error(`the page never met: ${expression}`);
    await page.waitForTimeout(250);
  }
}

/** The size a PNG says it is (its IHDR chunk). */
function pngSize(path: string): { width: number; height: number } {
  const bytes = readFileSync(path);
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('the dashboard a person reads', () => {
  it('lays out every machine without overlapping or clipped labels, prints numbers for people, fits the window, and serves until Ctrl-C', async () => {
    const dir = workdir();
    const shots = process.env.MX_SCREENSHOT_DIR ?? dir;
    mkdirSync(shots, { recursive: true });
    const run = cli(['demo', '--dashboard', '--json'], { cwd: dir, timeoutMs: 170_000 });
    const url = /dashboard: (http:\/\/\S+)/.exec(await run.stderrLine(/dashboard: http/))?.[1] ?? '';
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const page = await browser.newPage({ viewport: VIEWPORT });
    // Liveness only: elkjs lays the charts out when the page first asks, slower on a busy machine.
    page.setDefaultTimeout(120_000);
    try {
      await page.goto(url);
      await page.waitForSelector('body[data-ready="true"]');
      // Data first: some seconds of rates and some customers finished, as the screenshot shows them.
      await until(page, `(() => {
        const s = window.dashboardState();
        return s !== null && s.rates.length >= 5 && s.counts.items.done + s.counts.items.needsAction + s.counts.items.failed >= 10;
      })()`, 120_000);
      await page.screenshot({ path: join(shots, 'dashboard.png') });
      expect(pngSize(join(shots, 'dashboard.png'))).toEqual(VIEWPORT);

      // The rate charts have a y axis in a unit and an x axis in seconds; the line says its figures plainly.
      for (const chart of ['rate-chart', 'queue-chart']) {
        const texts = await page.$$eval(`#${chart} text`, (ts) => ts.map((t) => t.textContent ?? ''));
        expect(texts, chart).toContain('seconds ago');
        expect(texts, chart).toContain('now');
        expect(texts.some((t) => t === 'requests/s' || t === 'requests'), chart).toBe(true);
      }
      expect(await page.textContent('#rate-figures')).toMatch(/^[\d,.]+ requests\/s \(limit ([\d,.]+ requests\/s|still being learnt)\) · /);

      // Each machine in its tab, at 100 %: labels in their boxes, boxes apart and inside the chart.
      const tabs = await page.$$eval('#tabs button', (bs) => bs.map((b) => b.getAttribute('data-tab') ?? ''));
      expect(tabs).toEqual(['onboarding', 'user', 'member', 'offboarding']);
      for (const tab of tabs) {
        await page.click(`#tabs button[data-tab="${tab}"]`);
        const check = await labelsOfShownMachine(page);
        expect(check.machine).toBe(tab);
        expect(check.labels.length, tab).toBeGreaterThan(5);
        for (const label of check.labels) {
          expect(inside(label.ink, label.box), `${tab}: "${label.text}" spills out of its box`).toBe(true);
          expect(inside(label.box, check.view), `${tab}: "${label.text}" is cut by the chart's edge`).toBe(true);
        }
        for (const state of check.states) expect(inside(state.ink, state.box), `${tab}: state ${state.path}'s name spills out`).toBe(true);
        for (let i = 0; i < check.labels.length; i += 1) {
          for (let j = i + 1; j < check.labels.length; j += 1) {
            const [a, b] = [check.labels[i]!, check.labels[j]!];
            expect(overlap(a.box, b.box), `${tab}: "${a.text}" overlaps "${b.text}"`).toBe(false);
          }
        }
        // Drawn at 1:1 by default, so 10-px labels stay 10 px: legible, panned rather than shrunk.
        expect(await page.$eval('#charts .machine:not([hidden]) svg', (svg) => Number(svg.getAttribute('width')) / Number(svg.getAttribute('data-width')))).toBe(1);
      }

      // The demo's job ends; the page keeps serving what it showed.
      await run.stderrLine(/the job is over; the dashboard still serves/);
      const after = (await (await fetch(`${url}/api/state`)).json()) as { counts: { total: number; items: { done: number; needsAction: number; failed: number; cancelled: number } } };
      const c = after.counts;
      expect(c.items.done + c.items.needsAction + c.items.failed + c.items.cancelled).toBe(c.total);
      await until(page, `document.getElementById('summary').textContent.includes(', 0 in progress')`, 30_000);

      // One customer's timeline, full width, not cut off on the right.
      const someone = (await page.$$eval('#needs-action li, #failed li, #customer-list li', (lis) => lis.map((li) => li.getAttribute('data-customer'))))[0] ?? '';
      await page.click(`li[data-customer="${someone}"]`);
      await page.waitForSelector('#timeline tbody tr');
      expect(await page.$$eval('#timeline tbody tr', (trs) => trs.length)).toBeGreaterThan(3);
      await page.locator('#timeline').scrollIntoViewIfNeeded();
      await page.locator('#timeline').screenshot({ path: join(shots, 'dashboard-timeline.png') });
      const fit = await overflows(page);
      expect(fit.sections).toEqual([]);
      expect(fit.pageWidth).toBeLessThanOrEqual(VIEWPORT.width);
      expect(await longDecimals(page)).toEqual([]);
    } finally {
      await page.close();
    }
    // Ctrl-C ends the serving demo at once, with the job's own exit code.
    run.kill('SIGINT');
    const result = await run;
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}')).toMatchObject({ command: 'demo', result: 'finished' });
  }, 180_000);
});
