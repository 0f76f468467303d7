/**
 * `mx-lifecycle check INPUT`: a dry run against the sandbox. It only reads (the sandbox's ground
 * truth is the same after it) and leaves no store behind; bad rows, unknown institutions and
 * credentials that do not fit an institution's fields are reported by line, a bad key or URL is
 * onboard's one halt line.
 */
import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { cli, customer, workdir, writeJsonl } from './harness.js';

const KEY = 'sk-planted-check-0c7e21';
const CLIENT = 'check-client';
const PASSWORD = 'Planted-Check-Pass-5d1a';

let sandbox: Sandbox;
let env: Record<string, string>;
const flags = ['--client-id', CLIENT];
beforeAll(async () => {
  sandbox = await startSandbox({ aggregationMs: 100, auth: 'basic', clients: [{ id: CLIENT, key: KEY }] });
  env = { MX_BASE_URL: sandbox.url, MX_API_KEY: KEY };
});
afterAll(async () => {
  await sandbox.close();
});

const groundTruth = () => JSON.stringify({ users: sandbox.state().users, members: sandbox.state().members });

describe('mx-lifecycle check', () => {
  it('counts customers, connections and requests of a clean input, writing nothing to MX and no store', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'clean.jsonl', [customer('c-1', [PASSWORD, PASSWORD]), customer('c-2', [PASSWORD]), customer('c-3', ['challenge'])]);
    const before = groundTruth();
    const requests = sandbox.state().stats.requests;
    const result = await cli(['check', input, ...flags, '--rate', '5'], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(0);
    // 3 customers + 2 × 4 connections + 1 institution's fields = 12 requests, 2.4 s at 5 requests/s.
    expect(result.stdout).toMatch(/3 customers, 4 connections; at least 12 requests .*; about 3 s at 5 requests\/s/);
    expect(result.stderr).toBe('');
    expect(groundTruth()).toBe(before);
    // One read of a user that does not exist (the key, the URL, the version), one per institution.
    expect(sandbox.state().stats.requests - requests).toBe(2);
    expect(existsSync(join(dir, '.mx-lifecycle'))).toBe(false);
    expect(readdirSync(dir)).toEqual(['clean.jsonl']);
    for (const text of [result.stdout, result.stderr]) {
      expect(text).not.toContain(KEY);
      expect(text).not.toContain(PASSWORD);
    }
  }, 30_000);

  it('reports bad rows, unknown institutions and credentials that do not fit by line (exit 1)', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'bad.jsonl', [
      customer('b-1', [PASSWORD]),
      '{"id": "b-2", "members": [',
      { id: 'b-3', members: [{ id: 'b-3-m0', institution_code: 'nobank', credentials: { username: 'mxuser', password: PASSWORD } }] },
      { id: 'b-4', members: [{ id: 'b-4-m0', institution_code: 'mxbank', credentials: { username: 'mxuser' } }] },
      { id: 'b-5', members: [{ id: 'b-5-m0', institution_code: 'mxbank', credentials: { username: 'mxuser', password: PASSWORD, otp_seed: PASSWORD } }] },
    ]);
    const before = groundTruth();
    const result = await cli(['check', input, ...flags], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/bad\.jsonl line 2: \(line\) is not valid JSON/);
    expect(lines[1]).toMatch(/line 3: members\[0\]\.institution_code "nobank" is not an institution MX knows/);
    expect(lines[2]).toMatch(/line 4: members\[0\]\.credentials lacks .*password/i);
    expect(lines[3]).toMatch(/line 5: members\[0\]\.credentials names otp_seed, which mxbank does not ask for/);
    expect(result.stdout).toMatch(/1 customer, 1 connection, 4 bad rows \(a run skips them\); at least 4 requests/);
    expect(groundTruth()).toBe(before);
    expect(readdirSync(dir)).toEqual(['bad.jsonl']);
    for (const text of [result.stdout, result.stderr]) expect(text).not.toContain(PASSWORD);
  }, 30_000);

  it('a refused key or a wrong base URL is onboard\'s one halt line and exit 2', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'sys.jsonl', [customer('s-1', [PASSWORD])]);
    const wrongKey = 'sk-planted-wrong-9f3b77';
    const refused = await cli(['check', input, ...flags], { cwd: dir, env: { ...env, MX_API_KEY: wrongKey } });
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^mx-lifecycle check: MX refused the API key \(401 unauthorized/)]);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).not.toContain(wrongKey);
    // A host that is not MX answers every path with a bare 404, as MX does for a URL it does not serve.
    const notMx = createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((resolve) => notMx.listen(0, '127.0.0.1', resolve));
    const notMxUrl = `http://127.0.0.1:${(notMx.address() as AddressInfo).port}/platform`;
    const wrongUrl = await cli(['check', input, ...flags, '--base-url', notMxUrl], { cwd: dir, env });
    await new Promise((resolve) => notMx.close(resolve));
    expect(wrongUrl.code, wrongUrl.stderr).toBe(2);
    expect(wrongUrl.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^mx-lifecycle check: .*MX has no such URL\. Check the base URL's path "\/platform"/)]);
    expect(wrongUrl.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(dir)).toEqual(['sys.jsonl']);
  }, 30_000);
});
