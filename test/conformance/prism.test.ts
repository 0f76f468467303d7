/**
 * Stoplight Prism, a validating proxy, in front of the sandbox for each API version with that
 * version's OpenAPI file: every 2xx body of the lifecycle's endpoints must have no violation.
 * A negative control proves the proxy flags a wrong body, so a pass is not a proxy that checks nothing.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { basic, sleep } from '../sandbox/helpers.js';
import { startPrism, violationsOf, type Prism } from './prism.js';
import { specFile, type SpecVersion } from './specDir.js';

const ACCEPT: Record<SpecVersion, string> = { v20250224: 'application/json', v20111101: 'application/vnd.mx.api.v1+json' };
const login = (password: string) => [{ guid: 'CRD-username', value: 'mxuser' }, { guid: 'CRD-password', value: password }];

interface Seen { method: string; path: string; status: number; violations: Array<{ location: string[]; message: string }> }

describe.each(['v20250224', 'v20111101'] as const)('Prism with %s', (version) => {
  let sandbox: Sandbox;
  let prism: Prism;
  const seen: Seen[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox({ aggregationMs: 50 });
    prism = await startPrism(specFile(version), sandbox.url);
  });
  afterAll(async () => {
    await prism?.close();
    await sandbox?.close();
  });

  const call = async (method: string, path: string, body?: unknown): Promise<any> => {
    const headers: Record<string, string> = { authorization: basic(), accept: ACCEPT[version], 'accept-version': version };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${prism.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    seen.push({ method, path, status: response.status, violations: violationsOf(response.headers) });
    return text === '' ? undefined : JSON.parse(text);
  };

  it('finds no violation in any 2xx body of the lifecycle', async () => {
    const user = (await call('POST', '/users', { user: { id: `prism-${version}` } })).user.guid as string;
    await call('GET', `/users/${user}`);
    await call('PUT', `/users/${user}`, { user: { email: 'p@example.com', metadata: '{}' } });
    await call('GET', '/users?records_per_page=10');
    await call('GET', `/users?id=prism-${version}`);
    await call('GET', '/institutions/mxbank/credentials');
    const member = (await call('POST', `/users/${user}/members`, { member: { id: `pm-${version}`, institution_code: 'mxbank', credentials: login('challenge') } })).member.guid as string;
    await call('GET', `/users/${user}/members`);
    await call('GET', `/users/${user}/members/${member}`);
    let status = await call('GET', `/users/${user}/members/${member}/status`);
    for (let i = 0; i < 100 && status.member.connection_status !== 'CHALLENGED'; i++) {
      await sleep(20);
      status = await call('GET', `/users/${user}/members/${member}/status`);
    }
    const challenges = await call('GET', `/users/${user}/members/${member}/challenges`);
    await call('PUT', `/users/${user}/members/${member}/resume`, { member: { challenges: [{ guid: challenges.challenges[0].guid, value: 'correct' }] } });
    await call('PUT', `/users/${user}/members/${member}`, { member: { credentials: login('password') } });
    await call('POST', `/users/${user}/members/${member}/aggregate`);
    const oauth = (await call('POST', `/users/${user}/members`, { member: { institution_code: 'oauthbank', is_oauth: true, credentials: [] } })).member.guid as string;
    await call('GET', `/users/${user}/members/${oauth}/oauth_window_uri`);
    await call('GET', '/institutions');
    await call('GET', '/institutions/oauthbank');
    await call('POST', `/users/${user}/widget_urls`, { widget_url: { widget_type: 'connect_widget', current_member_guid: member } });
    await call('DELETE', `/users/${user}/members/${member}`);
    await call('DELETE', `/users/${user}`);

    const successes = seen.filter((s) => s.status >= 200 && s.status < 300);
    expect(successes.map((s) => s.status)).toHaveLength(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(21);
    expect(successes.filter((s) => s.violations.length > 0)).toEqual([]);
  });
});

describe('negative control', () => {
  let upstream: Server;
  let prism: Prism;
  beforeAll(async () => {
    // Answers every request with a user whose guid is a number and which has a field MX never sends.
    upstream = createServer((_, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ user: { guid: 5, email: 'x@example.com', is_disabled: 'no' } }));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    prism = await startPrism(specFile('v20250224'), `http://127.0.0.1:${(upstream.address() as { port: number }).port}`);
  });
  afterAll(async () => {
    await prism?.close();
    await new Promise((resolve) => upstream?.close(resolve));
  });

  it('flags a body of the wrong shape', async () => {
    const response = await fetch(`${prism.url}/users/USR-1`, {
      headers: { authorization: basic(), accept: 'application/json', 'accept-version': 'v20250224' },
    });
    await response.text();
    const violations = violationsOf(response.headers).map((v) => v.location.join('.'));
    expect(violations).toEqual(expect.arrayContaining(['response.body.user.guid', 'response.body.user.is_disabled']));
  });
});
