/**
 * The span of each request sent to MX, recorded by the OpenTelemetry SDK's in-memory exporter:
 * the stable HTTP client conventions (https://opentelemetry.io/docs/specs/semconv/http/http-spans/):
 * kind CLIENT, `{method} {url.template}`, one span per attempt with `http.request.resend_count` on
 * a resend, `error.type` the status code of a failed response, and no identifier of the path.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMxClient, type ObservableMxClient } from '../../src/api/index.js';
import { traceServerOf, urlTemplate } from '../../src/http/tracing.js';
import { traceScope } from '../../src/_internals/otel.js';
import { startStub, type StubServer } from './loopback.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
beforeAll(() => void trace.setGlobalTracerProvider(provider));
afterAll(async () => {
  trace.disable();
  await provider.shutdown();
});

const API_KEY = 'key-Zq81-never-in-a-span';

describe('request spans', () => {
  let stub: StubServer | undefined;
  let client: ObservableMxClient | undefined;
  afterEach(async () => {
    await client?.close();
    await stub?.close();
    exporter.reset();
  });

  it('makes one CLIENT span per attempt, the resend counted, named by the template, with no identifier', async () => {
    stub = await startStub((_request, index) =>
      index === 0
        ? { status: 429, headers: { 'retry-after': '0' }, json: { error: 'Too many requests.' } }
        : { status: 200, json: { member: { guid: 'MBR-77aa', user_guid: 'USR-12ff', connection_status: 'CONNECTED', is_being_aggregated: false } } },
    );
    client = createMxClient({ baseUrl: `${stub.url}/platform`, clientId: 'client-1', apiKey: API_KEY });
    // The step the call is made in, as the runtime scopes it.
    const step = provider.getTracer('test').startSpan('readMemberStatus');
    const c = client;
    const read = await traceScope.run({ context: trace.setSpan(ROOT_CONTEXT, step) }, () => c.readMemberStatus('USR-12ff', 'MBR-77aa'));
    step.end();
    expect(read.isOk()).toBe(true);

    const spans = exporter.getFinishedSpans().filter((span) => span.name !== 'readMemberStatus');
    expect(spans).toHaveLength(2);
    const server = traceServerOf(stub.url)!;
    for (const span of spans) {
      expect(span.name).toBe('GET /platform/users/{user_guid}/members/{member_guid}/status');
      expect(span.kind).toBe(SpanKind.CLIENT);
      expect(span.attributes).toMatchObject({
        'http.request.method': 'GET',
        'url.template': '/platform/users/{user_guid}/members/{member_guid}/status',
        'url.full': `${server.origin}/platform/users/REDACTED/members/REDACTED/status`,
        'server.address': '127.0.0.1',
        'server.port': server.port,
      });
      expect(JSON.stringify(span.attributes)).not.toMatch(/USR-12ff|MBR-77aa|key-Zq81/);
    }
    const [refused, resent] = spans;
    expect(refused!.attributes).toMatchObject({ 'http.response.status_code': 429, 'error.type': '429', 'mx_lifecycle.error.kind': 'rate_limited' });
    expect(refused!.attributes['http.request.resend_count']).toBeUndefined();
    expect(refused!.status.code).toBe(SpanStatusCode.ERROR);
    expect(resent!.attributes).toMatchObject({ 'http.response.status_code': 200, 'http.request.resend_count': 1 });
    expect(resent!.attributes['error.type']).toBeUndefined();
    expect(resent!.status.code).toBe(SpanStatusCode.UNSET);
    // Both attempts are children of the step that made the call, though the limiter sent the resend.
    for (const span of spans) {
      expect(span.spanContext().traceId).toBe(step.spanContext().traceId);
      expect(span.parentSpanContext?.spanId).toBe(step.spanContext().spanId);
    }
  });

  it('names a lookup by external id by its keys, never the customer id in its query', async () => {
    stub = await startStub(() => ({ status: 200, json: { users: [], pagination: { current_page: 1, per_page: 100, total_entries: 0, total_pages: 1 } } }));
    client = createMxClient({ baseUrl: stub.url, clientId: 'client-1', apiKey: API_KEY, apiVersion: 'v20111101' });
    const found = await client.findUserByExternalId('jane-doe-4471');
    expect(found.isOk()).toBe(true);
    const [span] = exporter.getFinishedSpans();
    expect(span!.attributes['url.template']).toBe('/users?id={id}&page={page}&records_per_page={records_per_page}');
    expect(span!.name).toBe('GET /users?id={id}&page={page}&records_per_page={records_per_page}');
    expect(JSON.stringify(span!.attributes)).not.toContain('jane-doe');
  });

  it('leaves a call its caller cancelled without an error, as the conventions ask', async () => {
    stub = await startStub(() => ({ status: 200, delayMs: 5_000, json: {} }));
    client = createMxClient({ baseUrl: stub.url, clientId: 'client-1', apiKey: API_KEY });
    const controller = new AbortController();
    const read = client.readUser('USR-1', { signal: controller.signal });
    while (stub.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort();
    expect((await read).isErr()).toBe(true);
    // The span ends when the exchange gives up, which may come a moment after the call answered.
    while (exporter.getFinishedSpans().length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const [span] = exporter.getFinishedSpans();
    expect(span!.attributes['error.type']).toBeUndefined();
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);
  });
});

describe('urlTemplate', () => {
  it('names every identifier after its collection, as MX names them, and keeps the action words', () => {
    expect(urlTemplate('/users/c-1')).toBe('/users/{user_guid}');
    expect(urlTemplate('/users/USR-1/members')).toBe('/users/{user_guid}/members');
    expect(urlTemplate('/users/USR-1/members/MBR-1/resume')).toBe('/users/{user_guid}/members/{member_guid}/resume');
    expect(urlTemplate('/institutions/mxbank/credentials')).toBe('/institutions/{institution_code}/credentials');
    expect(urlTemplate('/institutions/favorites')).toBe('/institutions/favorites');
    expect(urlTemplate('/users/USR-1/accounts/ACT-1')).toBe('/users/{user_guid}/accounts/{account_guid}');
    expect(urlTemplate('/users/USR-1/members?page=2&records_per_page=1000')).toBe('/users/{user_guid}/members?page={page}&records_per_page={records_per_page}');
  });
});
