/**
 * The link server as an attacker meets it: a real node:http server on loopback, tokens altered,
 * expired, replayed, guessed and from another job, paths and Host headers that try to make it an
 * open redirect, a flood, and an MX that refuses the mint.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { errAsync, okAsync } from 'neverthrow';
import { afterEach, describe, expect, it } from 'vitest';
import { makeApiError } from '../../src/errors/index.js';
import {
  createLinkKeys, mxRedirectPolicy, sealLinkToken, startLinkServer,
  type LinkBackend, type LinkEvent, type LinkKeys, type LinkRef, type LinkServer, type LinkTarget,
} from '../../src/links/index.js';

const made = createLinkKeys('link-secret-for-the-handler-tests-0123456789');
if ('code' in made) throw new Error(made.message);
const keys: LinkKeys = made;
const JOB = 'march';

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; body: string }

function get(server: LinkServer, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A fintech's table of connections, and an MX whose mints it logs. */
function table(initial: Record<string, LinkTarget>) {
  const rows = new Map(Object.entries(initial));
  const mints: { ref: LinkRef; url: string }[] = [];
  const opened: LinkRef[] = [];
  let failing = false;
  let offHost = false;
  const backend: LinkBackend = {
    find: async (ref) => rows.get(ref.customerId) ?? null,
    mint: (ref) => {
      if (failing) return errAsync(makeApiError('unavailable', { status: 503, message: 'The platform is being updated.' }));
      const url = offHost ? 'https://evil.example/phish' : `https://int-widgets.moneydesktop.com/md/connect/${randomBytes(24).toString('hex')}`;
      mints.push({ ref, url });
      return okAsync({ url });
    },
    opened: async (ref) => {
      opened.push(ref);
    },
  };
  return {
    backend, rows, mints, opened,
    fail: (on: boolean) => (failing = on),
    mintOffHost: (on: boolean) => (offHost = on),
  };
}

const link = (customerId: string, expiresAt = Date.now() + 3_600_000, jobId = JOB) =>
  `/c/${sealLinkToken(keys, { jobId, customerId, connectionId: 'bank' }, expiresAt)}`;

let server: LinkServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(t: ReturnType<typeof table>, events: LinkEvent[] = [], extra: { mintsPerMinute?: number; maxMintsInFlight?: number } = {}) {
  server = await startLinkServer({
    port: 0, keys, backend: t.backend, servesJob: (id) => id === JOB,
    redirects: mxRedirectPolicy('https://int-api.mx.com'), onEvent: (e) => events.push(e), ...extra,
  });
  return server;
}

function expectPlainPage(answer: Answer, status: number) {
  expect(answer.status).toBe(status);
  expect(answer.headers.location).toBeUndefined();
  expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
  expect(answer.headers['cache-control']).toBe('no-store');
  expect(answer.body).not.toMatch(/moneydesktop|mx\.com|<script/i);
}

describe('the link server', () => {
  it('redirects a waiting connection to a freshly minted MX URL on every click, and records the opening once', async () => {
    const t = table({ alice: { kind: 'widget', waiting: true, userGuid: 'USR-1' } });
    const s = await serve(t);
    const path = link('alice');
    const first = await get(s, path);
    const second = await get(s, path);
    expect(first.status).toBe(302);
    expect(first.headers.location).toBe(t.mints[0]?.url);
    expect(second.headers.location).toBe(t.mints[1]?.url);
    expect(first.headers.location).not.toBe(second.headers.location);
    expect(first.headers['cache-control']).toBe('no-store');
    expect(first.headers['referrer-policy']).toBe('no-referrer');
    expect(t.mints.map((m) => m.ref.customerId)).toEqual(['alice', 'alice']);
    expect(t.opened).toHaveLength(1);
  });

  it('answers an altered, guessed, cut or padded token with a plain 404 and mints nothing', async () => {
    const t = table({ alice: { kind: 'widget', waiting: true, userGuid: 'USR-1' } });
    const s = await serve(t);
    const good = link('alice').slice(3);
    const altered = `${good.slice(0, 40)}${good[40] === 'A' ? 'B' : 'A'}${good.slice(41)}`;
    for (const path of [`/c/${altered}`, `/c/${randomBytes(90).toString('base64url')}`, `/c/${good.slice(0, -1)}`, `/c/${good}A`, '/c/', '/c/%00']) {
      expectPlainPage(await get(s, path), 404);
    }
    expect(t.mints).toHaveLength(0);
  });

  it('answers an expired token with 410, a token of another job with 404, and an unknown customer with 404', async () => {
    const t = table({ alice: { kind: 'widget', waiting: true, userGuid: 'USR-1' } });
    const s = await serve(t);
    expectPlainPage(await get(s, link('alice', Date.now() - 1_000)), 410);
    expectPlainPage(await get(s, link('alice', Date.now() + 60_000, 'april')), 404);
    expectPlainPage(await get(s, link('mallory')), 404);
    expect(t.mints).toHaveLength(0);
  });

  it('answers a replayed link of a connection that is done with 410, minting nothing', async () => {
    const t = table({ alice: { kind: 'oauth', waiting: true, userGuid: 'USR-1', memberGuid: 'MBR-1' } });
    const s = await serve(t);
    const path = link('alice');
    expect((await get(s, path)).status).toBe(302);
    t.rows.set('alice', { kind: 'oauth', waiting: false, userGuid: 'USR-1', memberGuid: 'MBR-1' });
    const replay = await get(s, path);
    expectPlainPage(replay, 410);
    expect(replay.body).toContain('Nothing left to do');
    expect(t.mints).toHaveLength(1);
  });

  it('cannot be made an open redirect: Host, query, extra path segments and encoded slashes change nothing', async () => {
    const t = table({ alice: { kind: 'widget', waiting: true, userGuid: 'USR-1' } });
    const s = await serve(t);
    const path = link('alice');
    const viaHost = await get(s, path, { Host: 'evil.example', 'X-Forwarded-Host': 'evil.example' });
    expect(viaHost.status).toBe(302);
    expect(viaHost.headers.location).toMatch(/^https:\/\/int-widgets\.moneydesktop\.com\/md\/connect\//);
    const viaQuery = await get(s, `${path}?next=https://evil.example/&redirect=//evil.example`);
    expect(viaQuery.headers.location).toMatch(/^https:\/\/int-widgets\.moneydesktop\.com\//);
    for (const bad of ['//evil.example/', '/c//evil.example', `${path}/https:/evil.example`, '/c/..%2f..%2fevil', '/%2F%2Fevil.example', 'http://evil.example/c/x']) {
      expectPlainPage(await get(s, bad), 404);
    }
    // A backend whose mint answers with a URL off MX's hosts is not followed.
    t.mintOffHost(true);
    const off = await get(s, path);
    expectPlainPage(off, 503);
    expect(off.body).not.toContain('evil');
  });

  it('refuses other methods with 405 and never reads a body', async () => {
    const t = table({ alice: { kind: 'widget', waiting: true, userGuid: 'USR-1' } });
    const s = await serve(t);
    for (const method of ['POST', 'PUT', 'DELETE', 'HEAD']) {
      const answer = await get(s, link('alice'), {}, method);
      expect(answer.status).toBe(405);
      expect(answer.headers.allow).toBe('GET');
    }
    expect(t.mints).toHaveLength(0);
  });

  it('tells the end user to try again shortly when MX refuses the mint, and the connection keeps waiting', async () => {
    const t = table({ alice: { kind: 'oauth', waiting: true, userGuid: 'USR-1', memberGuid: 'MBR-1' } });
    const events: LinkEvent[] = [];
    const s = await serve(t, events);
    t.fail(true);
    const answer = await get(s, link('alice'));
    expectPlainPage(answer, 503);
    expect(answer.headers['retry-after']).toBe('30');
    expect(answer.body).toContain('still waiting for you');
    expect(events.map((e) => e.type)).toEqual(['link.mintFailed']);
    t.fail(false);
    expect((await get(s, link('alice'))).status).toBe(302);
  });

  it('turns a flood of clicks on one link into at most mintsPerMinute mints, and a flood of forged tokens into none', async () => {
    const t = table({ alice: { kind: 'widget', waiting: true, userGuid: 'USR-1' } });
    const s = await serve(t, [], { mintsPerMinute: 4 });
    const path = link('alice');
    const answers = await Promise.all(Array.from({ length: 120 }, () => get(s, path)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((x) => x === 302)).toHaveLength(4);
    expect(statuses.filter((x) => x !== 302).every((x) => x === 429 || x === 503)).toBe(true);
    expect(answers.find((a) => a.status === 429)?.headers['retry-after']).toBe('60');
    expect(t.mints).toHaveLength(4);
    const forged = await Promise.all(Array.from({ length: 120 }, () => get(s, `/c/${randomBytes(80).toString('base64url')}`)));
    expect(forged.every((a) => a.status === 404)).toBe(true);
    expect(t.mints).toHaveLength(4);
  });

  it('writes no token, MX URL or customer credential into its events', async () => {
    const t = table({ alice: { kind: 'widget', waiting: true, userGuid: 'USR-1' } });
    const events: LinkEvent[] = [];
    const s = await serve(t, events);
    const path = link('alice');
    await get(s, path);
    await get(s, `${path.slice(0, -3)}xyz`);
    t.fail(true);
    await get(s, path);
    const text = JSON.stringify(events);
    expect(events.length).toBe(3);
    expect(text).not.toContain(path.slice(3));
    for (const m of t.mints) expect(text).not.toContain(m.url);
    expect(text).not.toContain('moneydesktop');
  });
});
