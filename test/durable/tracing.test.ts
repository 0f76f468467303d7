/**
 * A job run on a real sandbox, its spans recorded by the OpenTelemetry SDK's in-memory exporter:
 * one span for the run, one per customer under it, one per step under its customer, and the MX
 * requests of each step under the step, even a step set off by an answer given from outside the
 * run. No attribute holds a password, the API key, an e-mail or an MX guid.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMxClient } from '../../src/api/index.js';
import { createRuntime } from '../../src/durable/runtime.js';
import { createSqliteStore } from '../../src/durable/store/index.js';
import type { CustomerInput } from '../../src/input/types.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
let sandbox: Sandbox;
beforeAll(async () => {
  trace.setGlobalTracerProvider(provider);
  sandbox = await startSandbox({ auth: 'token', aggregationMs: 100, challengeWindowMs: 30_000 });
});
afterAll(async () => {
  await sandbox.close();
  trace.disable();
  await provider.shutdown();
});

const PASSWORD = 'Pw-Secret-8812';
const EMAIL = 'jane-trace-4471@example.com';
const customers: CustomerInput[] = [
  { id: 'trace-ok', email: EMAIL, members: [{ id: 'trace-ok-bank', institution_code: 'mxbank', credentials: { username: 'mxuser', password: PASSWORD } }] },
  { id: 'trace-dup', email: 'dup-trace-9917@example.com', members: [] },
  { id: 'trace-mfa', members: [{ id: 'trace-mfa-bank', institution_code: 'mxbank', credentials: { username: 'mxuser', password: 'challenge' } }] },
];

const parentOf = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan): string => span.spanContext().spanId;

describe('runtime spans', () => {
  it('nests requests under steps, steps under customers, customers under the job, and keeps secrets out', async () => {
    const store = createSqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'mx-trace-')), 'job.sqlite') });
    const client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key', auth: 'token' });
    // A user MX has already: its create answers 409 and the machine recovers it.
    expect((await client.createUser({ id: 'trace-dup' })).isOk()).toBe(true);
    exporter.reset();
    const runtime = createRuntime({ store, client, concurrency: 4, options: { pollIntervalMs: 100, baseDelayMs: 50, answerWindowMs: 30_000 } });
    const challenged = new Promise<{ itemId: string; memberId: string; guids: string[] }>((resolve) =>
      runtime.events.on('item.challenged', (event) => resolve({ itemId: event.itemId, memberId: event.memberId, guids: event.challenges.map((c) => c.guid) })),
    );
    await runtime.submit('traced', customers);
    const run = runtime.run('traced');
    // The answer comes from this test's own flow, outside the run, as a person's through `answer` would.
    const { itemId, memberId, guids: open } = await challenged;
    expect(await runtime.answer('traced', itemId, memberId, Object.fromEntries(open.map((guid) => [guid, 'correct'])))).toBe(true);
    const result = await run;
    expect(result.counts).toMatchObject({ done: 3, failed: 0, needsAction: 0 });
    await runtime.close();
    await client.close();
    await store.close();

    const spans = exporter.getFinishedSpans();
    const jobs = spans.filter((s) => s.name === 'onboard job');
    expect(jobs).toHaveLength(1);
    const job = jobs[0]!;
    expect(parentOf(job)).toBeUndefined();
    expect(job.attributes).toMatchObject({ 'mx_lifecycle.job.id': 'traced', 'mx_lifecycle.job.kind': 'onboard' });

    const customerSpans = spans.filter((s) => s.name === 'customer');
    expect(customerSpans.map((s) => s.attributes['mx_lifecycle.customer.id']).toSorted()).toEqual(['trace-dup', 'trace-mfa', 'trace-ok']);
    const customerOf = new Map<string, string>();
    for (const span of customerSpans) {
      expect(parentOf(span)).toBe(idOf(job));
      expect(span.attributes['mx_lifecycle.customer.state']).toBe('done');
      customerOf.set(idOf(span), String(span.attributes['mx_lifecycle.customer.id']));
    }

    const steps = spans.filter((s) => s.attributes['mx_lifecycle.step'] !== undefined);
    const stepById = new Map(steps.map((s) => [idOf(s), s]));
    for (const step of steps) {
      expect(step.name).toBe(step.attributes['mx_lifecycle.step']);
      expect(customerOf.get(parentOf(step) ?? '')).toBe(step.attributes['mx_lifecycle.customer.id']);
    }
    const stepsOf = (customer: string) =>
      steps.filter((s) => s.attributes['mx_lifecycle.customer.id'] === customer).toSorted((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
    const requests = spans.filter((s) => s.kind === SpanKind.CLIENT);
    expect(requests.length).toBeGreaterThan(0);
    // Every request is made by a step, and is a child of it.
    for (const request of requests) expect(stepById.has(parentOf(request) ?? '')).toBe(true);
    const requestsOf = (step: ReadableSpan) => requests.filter((r) => parentOf(r) === idOf(step));

    const ok = stepsOf('trace-ok').map((s) => s.name);
    expect(ok.slice(0, 3)).toEqual(['createUser', 'listCredentialFields', 'createMember']);
    expect(ok).toContain('readMemberStatus');
    const createMember = stepsOf('trace-ok').find((s) => s.name === 'createMember')!;
    expect(createMember.attributes['mx_lifecycle.member.id']).toBe('trace-ok-bank');
    expect(requestsOf(createMember).map((r) => [r.name, r.attributes['http.response.status_code']])).toEqual([['POST /users/{user_guid}/members', 202]]);

    // Duplicate recovery: the create refused with 409, then the user found by its external id.
    const dup = stepsOf('trace-dup');
    expect(dup.map((s) => s.name).slice(0, 2)).toEqual(['createUser', 'findUser']);
    expect(dup[0]!.attributes['error.type']).toBe('duplicate');
    expect(dup[0]!.status.code).toBe(SpanStatusCode.ERROR);
    const refused = requestsOf(dup[0]!);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.attributes).toMatchObject({ 'http.request.method': 'POST', 'url.template': '/users', 'http.response.status_code': 409, 'error.type': '409' });
    expect(requestsOf(dup[1]!).every((r) => r.attributes['http.response.status_code'] === 200)).toBe(true);

    // The MFA answer given from outside the run: its resume is still the customer's step.
    const mfa = stepsOf('trace-mfa');
    const resume = mfa.find((s) => s.name === 'resumeAggregation');
    expect(resume).toBeDefined();
    expect(requestsOf(resume!).map((r) => r.name)).toEqual(['PUT /users/{user_guid}/members/{member_guid}/resume']);

    // Nothing secret or identifying in any span: names, attributes, events.
    const truth = sandbox.state();
    const guids = [...truth.users.map((u) => u.guid), ...truth.members.map((m) => m.guid)];
    const text = JSON.stringify(spans.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, status: s.status, resource: s.resource.attributes })));
    for (const secret of [PASSWORD, 'sandbox-key', EMAIL, 'dup-trace-9917', 'correct', ...guids]) expect(text).not.toContain(secret);
  });

  it('records nothing and keeps no scope when no tracer provider records', async () => {
    trace.disable();
    try {
      const store = createSqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'mx-trace-')), 'job.sqlite') });
      const client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key', auth: 'token' });
      const runtime = createRuntime({ store, client, concurrency: 2, options: { pollIntervalMs: 100 } });
      exporter.reset();
      await runtime.submit('untraced', [{ id: 'untraced-1', members: [] }]);
      expect((await runtime.run('untraced')).counts.done).toBe(1);
      await runtime.close();
      await client.close();
      await store.close();
      expect(exporter.getFinishedSpans()).toEqual([]);
    } finally {
      trace.setGlobalTracerProvider(provider);
    }
  });
});
