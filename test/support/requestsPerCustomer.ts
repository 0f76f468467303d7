/**
 * One onboarding of one-member customers against a fresh sandbox, polled or told by webhooks, and
 * what it cost at the sandbox: its request count in all and by route (`stats.byRoute`). Shared by
 * test/webhooks/requestFloor.test.ts and the `requests` bench, which print the same figures.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMxClient } from '../../src/api/index.js';
import { createRuntime, type Runtime } from '../../src/durable/index.js';
import { createSqliteStore } from '../../src/durable/store/index.js';
import type { CustomerInput } from '../../src/input/types.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { createWebhookReceiver, WEBHOOK_POLL_INTERVAL_MS } from '../../src/webhooks/index.js';

/** The least a one-member customer can cost: create the user, create the member, read its outcome. */
export const FLOOR = 3;

const AUTH = 'mx:request-floor-password';

export interface RequestJobOptions {
  customers: number;
  webhooks: boolean;
  aggregationMs: number;
  /** Without webhooks: the poll interval. @default 3_000 */
  pollIntervalMs?: number;
}

export interface RequestJobResult {
  requests: number;
  perCustomer: number;
  byRoute: Record<string, number>;
  /** Reads of an institution's credential fields, in either version's template. */
  fieldReads: number;
  statusReads: number;
  outcomes: Record<string, number>;
  webhooksLost: number;
  seconds: number;
}

const sumOf = (byRoute: Record<string, number>, suffix: string, method = 'GET'): number =>
  Object.entries(byRoute).filter(([key]) => key.startsWith(`${method} `) && key.endsWith(suffix)).reduce((n, [, count]) => n + count, 0);

/** `count` customers of one mxbank member each, whose password connects (MX's "Testing with MX Bank"). */
export const connectingCustomers = (count: number): CustomerInput[] =>
  Array.from({ length: count }, (_, i) => ({
    id: `floor-${i}`,
    members: [{ id: `floor-${i}-m0`, institution_code: 'mxbank', credentials: { username: 'mxuser', password: 'password' } }],
  }));

/**
 * Runs the job to its end and reads the sandbox's counts.
 *
 * @example
 * const told = await runRequestJob({ customers: 40, webhooks: true, aggregationMs: 2_000 });
 * told.perCustomer; // 3.03
 */
export async function runRequestJob(options: RequestJobOptions): Promise<RequestJobResult> {
  let runtime: Runtime | undefined;
  const receiver = options.webhooks
    ? await createWebhookReceiver({ target: { wakeMember: (ref) => runtime?.wakeMember(ref) ?? null }, port: 0, auth: AUTH })
    : null;
  const sandbox = await startSandbox({
    auth: 'basic',
    aggregationMs: options.aggregationMs,
    ...(receiver ? { webhooks: { url: receiver.url, auth: AUTH } } : {}),
  });
  const client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key', auth: 'basic' });
  const dir = mkdtempSync(join(tmpdir(), 'mx-floor-'));
  const store = createSqliteStore({ path: join(dir, 'job.sqlite') });
  runtime = createRuntime({
    store, client, concurrency: options.customers,
    options: { pollIntervalMs: options.webhooks ? WEBHOOK_POLL_INTERVAL_MS : (options.pollIntervalMs ?? 3_000) },
  });
  try {
    await runtime.submit('floor', connectingCustomers(options.customers));
    const started = performance.now();
    const result = await runtime.run('floor');
    const seconds = (performance.now() - started) / 1000;
    const { stats, webhooks } = sandbox.state();
    const outcomes = Object.fromEntries(Object.entries(result.counts).filter(([, n]) => n > 0));
    return {
      requests: stats.requests,
      perCustomer: stats.requests / options.customers,
      byRoute: stats.byRoute,
      fieldReads: sumOf(stats.byRoute, '/credentials'),
      statusReads: sumOf(stats.byRoute, '/status'),
      outcomes,
      webhooksLost: webhooks?.faults.lost ?? 0,
      seconds,
    };
  } finally {
    await runtime.close();
    await client.close();
    await store.close();
    await sandbox.close();
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
