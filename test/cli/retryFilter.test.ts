/**
 * `mx-lifecycle retry --kind/--status/--since --dry-run`: it lists exactly the customers that
 * stopped on what the filter names, and changes nothing. The sandbox injects seeded 503s (MX's
 * "The MX Platform is being updated", docs.mx.com/api-reference/platform-api/overview/errors) and
 * 500s; a proxy on loopback between the job and the sandbox writes down, for every customer, the
 * status of the last response MX gave it: the ground truth the listing is checked against.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/durable/store/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { cli, customer, workdir, writeJsonl } from './harness.js';

const KEY = 'sk-planted-filter-0b7d';
const CLIENT = 'filter-client';

let sandbox: Sandbox;
let proxy: Server;
let env: Record<string, string>;
/** The status of the last response each customer got. */
const lastStatus = new Map<string, number>();
let current: string | null = null;

/** Whose request this is: the user named in the path (guid or id), the id a user create sends, or the one running now. */
function customerOf(path: string, body: string): string | null {
  if (path.split('?')[0] === '/users') {
    try {
      return (JSON.parse(body) as { user?: { id?: string } }).user?.id ?? null;
    } catch {
      return null;
    }
  }
  const segment = /^\/users\/([^/?]+)/.exec(path)?.[1];
  const user = segment === undefined ? undefined : sandbox.state().users.find((u) => u.guid === segment || u.id === segment);
  return user?.id ?? null;
}

beforeAll(async () => {
  sandbox = await startSandbox({
    aggregationMs: 0, auth: 'basic', clients: [{ id: CLIENT, key: KEY }],
    faults: 0.12, faultKinds: ['maintenance', 'server_error'], seed: 27,
  });
  proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      // One customer at a time (--max-concurrency 1): a request that names none (an institution's
      // credential fields) is the current customer's.
      current = customerOf(path, body) ?? current;
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string' && name !== 'host' && name !== 'content-length') headers[name] = value;
      fetch(`${sandbox.url}${path}`, { method: req.method ?? 'GET', headers, ...(body === '' ? {} : { body }) }).then(async (answer) => {
        const text = await answer.text();
        if (current !== null) lastStatus.set(current, answer.status);
        res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
        res.end(text);
      }, () => {
        res.writeHead(502);
        res.end();
      });
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  env = { MX_BASE_URL: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, MX_API_KEY: KEY };
});
afterAll(async () => {
  await new Promise((resolve) => proxy.close(resolve));
  await sandbox.close();
});

const idsWith = (status: number) => [...lastStatus].filter(([, s]) => s === status).map(([id]) => id).toSorted();

describe('mx-lifecycle retry filters', () => {
  it('--kind unavailable --dry-run lists exactly the customers that stopped on a 503, and changes nothing', async () => {
    const dir = workdir();
    const customers = Array.from({ length: 16 }, (_, i) => customer(`rf-${String(i).padStart(2, '0')}`, i % 5 === 4 ? ['BAD_REQUEST'] : ['password']));
    const input = writeJsonl(dir, 'filtered.jsonl', customers);
    // One customer at a time, no retries, and an outage halts at once: a 503 stops its customer
    // (halted) and the job; a 500 fails its customer and the job goes on.
    const flags = ['--client-id', CLIENT, '--poll-interval-ms', '50', '--concurrency', '1', '--max-concurrency', '1', '--max-attempts', '0', '--outage-budget', '0', '--json'];
    const onboard = await cli(['onboard', input, ...flags], { cwd: dir, env, timeoutMs: 60_000 });
    expect(onboard.code, onboard.stderr).toBe(2);
    const on503 = idsWith(503);
    const on500 = idsWith(500);
    // The seed gives both (the requests are made one at a time, so the faults land the same way every run).
    expect(on503.length).toBeGreaterThan(0);
    expect(on500.length).toBeGreaterThan(0);

    const listed = async (...args: string[]) => {
      const run = await cli(['retry', '--job', 'filtered', ...args, '--dry-run', '--json'], { cwd: dir });
      expect(run.code, run.stderr).toBe(0);
      return (JSON.parse(run.stdout) as { wouldReopen: { id: string; kinds: string[] }[] }).wouldReopen.map((r) => r.id).toSorted();
    };
    const store = createSqliteStore({ path: join(dir, '.mx-lifecycle/filtered.sqlite') });
    const before = await store.counts('filtered');
    expect(await listed('--kind', 'unavailable')).toEqual(on503);
    expect(await listed('--kind', 'server_error', '--since', '1h')).toEqual(on500);
    // A 503 halts rather than fails: --failed with --kind unavailable chooses none.
    expect(await listed('--failed', '--kind', 'unavailable')).toEqual([]);
    // Nothing changed: the store reads as before.
    expect(await store.counts('filtered')).toEqual(before);
    await store.close();

    const text = await cli(['retry', '--job', 'filtered', '--kind', 'unavailable', '--dry-run'], { cwd: dir });
    expect(text.stdout).toContain(`would re-open ${on503.length} customer`);
    const typo = await cli(['retry', '--job', 'filtered', '--kind', 'unavailabel', '--dry-run'], { cwd: dir });
    expect(typo.code).toBe(64);
    expect(typo.stderr).toMatch(/did you mean unavailable\?/);
  }, 120_000);
});
