/**
 * /metrics against the sandbox's ground truth for the same run: a job onboarded through the
 * library with the metrics registry attached, with injected faults, a tight rate limit (429s) and
 * short-lived tokens (refreshes); then the registry's text, read by a Prometheus text parser,
 * must count what the sandbox counted.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMxClient } from '../../src/api/index.js';
import { createRuntime } from '../../src/durable/runtime.js';
import { createSqliteStore } from '../../src/durable/store/index.js';
import { createJobWatch } from '../../src/observe/jobWatch.js';
import { createLifecycleMetrics, endpointOf } from '../../src/observe/metrics.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import type { CustomerInput } from '../../src/input/types.js';

type Family = { name: string; type: string; metrics: Array<{ labels?: Record<string, string>; value?: string; count?: string; buckets?: Record<string, string> }> };

const customer = (id: string, password: string): CustomerInput => ({
  id, members: [{ id: `${id}-m0`, institution_code: 'mxbank', credentials: { username: 'mxuser', password } }],
});

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ auth: 'token', tokenTtlSeconds: 2, aggregationMs: 200, rateLimit: 15, faults: 0.08, seed: 11, slowMs: 300 });
});
afterAll(async () => {
  await sandbox.close();
});

const sum = (family: Family | undefined, where: (labels: Record<string, string>) => boolean = () => true) =>
  (family?.metrics ?? []).filter((m) => where(m.labels ?? {})).reduce((total, m) => total + Number(m.value ?? m.count ?? 0), 0);

describe('/metrics', () => {
  it('parses as Prometheus text and counts what the sandbox saw', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mx-metrics-'));
    const store = createSqliteStore({ path: join(dir, 'job.sqlite') });
    // No --rate: the client learns the limit from the sandbox's 429s.
    const client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key', auth: 'token', timeoutMs: 2_000 });
    const metrics = createLifecycleMetrics();
    const watch = createJobWatch('onboarding');
    metrics.observeClient(client);
    metrics.observeWatch(watch);
    const runtime = createRuntime({ store, client, concurrency: 12, inspect: (e) => watch.inspect(e), options: { pollIntervalMs: 100, baseDelayMs: 50, maxDelayMs: 400 } });
    runtime.events.on('item.transition', (e) => watch.itemState(e.itemId, e.state));
    runtime.events.on('item.final', (e) => watch.itemFinal(e.itemId, e.state, e.outcome));
    sandbox.reset();
    const before = sandbox.state().stats;
    await runtime.submit('metered', Array.from({ length: 20 }, (_, i) => customer(`meter-${i}`, i % 5 === 0 ? 'denied' : 'password')));
    watch.seed(await store.listItems('metered'));
    const result = await runtime.run('metered');
    await runtime.close();
    // A token fetch in flight as the client closes is counted by the sandbox and never answered to
    // the client (seen once with two busy loops: 5 issued, 4 refreshes). The client closes right
    // after a refresh lands instead, with the next one half a lifetime (a second) away: closing
    // stops the token source before it awaits anything, and a microtask runs before any timer.
    await new Promise<void>((resolve, reject) => {
      const landed = client.events.on('token_refreshed', () => {
        landed.dispose();
        queueMicrotask(() => client.close().then(resolve, reject));
      });
    });
    await store.close();
    expect(result.halted).toBeNull();

    const truth = sandbox.state().stats;
    const families = parsePrometheusTextFormat(await metrics.text()) as Family[];
    const family = (name: string) => families.find((f) => f.name === name);
    expect(families.map((f) => f.name).toSorted()).toEqual([
      'mx_lifecycle_end_user_connections', 'mx_lifecycle_items', 'mx_lifecycle_limiter_queued', 'mx_lifecycle_rate_limited_total', 'mx_lifecycle_request_duration_seconds',
      'mx_lifecycle_requests_total', 'mx_lifecycle_retries_total', 'mx_lifecycle_token_refreshes_total',
    ]);
    expect(family('mx_lifecycle_request_duration_seconds')?.type).toBe('HISTOGRAM');

    const requests = family('mx_lifecycle_requests_total');
    const tokens = truth.tokensIssued - before.tokensIssued;
    const limited = truth.rateLimited - before.rateLimited;
    // The sandbox counts /oauth/token among its requests; the client's requests are API calls.
    console.log(`sandbox: ${truth.requests - before.requests} requests (${tokens} tokens, ${limited} 429s, ${truth.faultsInjected} faults); metrics: ${sum(requests)} requests`);
    expect(limited, 'the run should meet the rate limit').toBeGreaterThan(0);
    expect(tokens).toBeGreaterThan(1);
    expect(sum(requests)).toBe(truth.requests - before.requests - tokens);
    expect(sum(requests, (l) => l.status === '429')).toBe(limited);
    expect(sum(family('mx_lifecycle_rate_limited_total'))).toBe(limited);
    expect(sum(family('mx_lifecycle_token_refreshes_total'))).toBe(tokens);
    for (const [status, count] of Object.entries(truth.byStatus)) {
      if (status === 'reset' || status === '0') continue;
      const ours = sum(requests, (l) => l.status === status);
      // Token responses are the sandbox's 200s that the API counter does not hold.
      expect(ours, `status ${status}`).toBe(status === '200' ? count - tokens : count);
    }
    // Every response was timed. (The parser merges a labelled histogram's series, so its counts are read from prom-client.)
    const histogram = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === 'mx_lifecycle_request_duration_seconds');
    const timed = (histogram?.values ?? []).filter((v) => (v as { metricName?: string }).metricName === 'mx_lifecycle_request_duration_seconds_count').reduce((n, v) => n + v.value, 0);
    expect(timed).toBe(sum(requests));
    const items = family('mx_lifecycle_items');
    expect(sum(items, (l) => l.state === 'done')).toBe(16);
    expect(sum(items, (l) => l.state === 'needsAction')).toBe(4);
    expect(sum(items)).toBe(20);
    expect(sum(family('mx_lifecycle_retries_total'), (l) => l.kind === 'rate_limited')).toBeGreaterThan(0);
    expect(endpointOf('GET', '/users/USR-1/members/MBR-2/status?page=1')).toBe('GET /users/{id}/members/{id}/status');
  }, 60_000);
});
