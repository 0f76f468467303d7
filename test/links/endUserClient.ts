/**
 * A scripted end user for stable links: clicks a link as a browser would (no redirect followed, so
 * the test sees the 302), then posts the MX page's forms as `curl -d field=value URL` does. What each
 * end user does is a script: authorise or deny an OAuth window, connect in the widget (through an
 * MFA challenge if the password asks for one), or connect with a wrong password and re-link.
 */
import { sleep } from '../sandbox/helpers.js';

export type Script =
  | { kind: 'oauth'; plan: 'complete' | 'denyThenComplete' }
  | { kind: 'widget'; plan: 'complete' | 'mfa' | 'denyThenComplete'; password: string };

interface Click {
  status: number;
  location: string | null;
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const LIVENESS_MS = 120_000;

async function click(link: string): Promise<Click> {
  const res = await fetch(link, { redirect: 'manual' });
  await res.text();
  return { status: res.status, location: res.headers.get('location') };
}

async function page(url: string, fields?: Record<string, string>): Promise<{ status: number; html: string }> {
  const res = await fetch(url, fields ? { method: 'POST', headers: FORM, body: new URLSearchParams(fields) } : {});
  return { status: res.status, html: await res.text() };
}

/** Clicks until the link answers 302 and `accept` takes the page it leads to; a 410 or 503 means "not yet". */
async function open(link: string, accept: (html: string) => boolean = () => true): Promise<string> {
  const until = Date.now() + LIVENESS_MS;
  for (;;) {
    const answer = await click(link);
    if (answer.status === 302 && answer.location) {
      if (accept((await page(answer.location)).html)) return answer.location;
    } else if (answer.status !== 410 && answer.status !== 503 && answer.status !== 429) {
      throw new Error(`the link answered ${answer.status}`);
    }
    if (Date.now() > until) throw new Error('the link never led to the page wanted');
    await sleep(answer.status === 429 ? 10_000 : 1_000);
  }
}

async function post(url: string, fields: Record<string, string>): Promise<string> {
  const answer = await page(url, fields);
  if (answer.status >= 400) throw new Error(`the page answered ${answer.status}`);
  return answer.html;
}

/** Answers the widget's TEXT challenge once it is shown: 409 until the bank has raised it. */
async function answerChallenge(url: string, answer: string): Promise<void> {
  const until = Date.now() + LIVENESS_MS;
  for (;;) {
    const reply = await page(url, { answer });
    if (reply.status < 400) return;
    if (reply.status !== 409 || Date.now() > until) throw new Error(`the challenge page answered ${reply.status}`);
    await sleep(300);
  }
}

/** Plays one end user through their stable link. */
export async function playEndUser(link: string, script: Script): Promise<void> {
  if (script.kind === 'oauth') {
    if (script.plan === 'denyThenComplete') await post(await open(link), { outcome: 'denied' });
    await post(await open(link), { outcome: 'authorized' });
    return;
  }
  const credentials = { institution_code: 'mxbank', username: 'mxuser' };
  if (script.plan === 'denyThenComplete') {
    // MX Bank's `denied` password ends the aggregation DENIED; the job hands the connection back.
    await post(await open(link), { ...credentials, password: 'denied' });
    // Only the widget opened on that member (a re-link) is used, so no second member is made.
    const relink = await open(link, (html) => html.includes('Reconnect your account'));
    await post(relink, { username: 'mxuser', password: script.password });
    return;
  }
  const url = await open(link);
  if (script.plan === 'mfa') {
    await post(url, { ...credentials, password: 'challenge' });
    await answerChallenge(url, 'correct');
    return;
  }
  await post(url, { ...credentials, password: script.password });
}
