/**
 * The command line sends its spans over OTLP when the standard OTEL_EXPORTER_OTLP_ENDPOINT is set
 * (https://opentelemetry.io/docs/specs/otel/protocol/exporter/): here to a receiver written in the
 * test on loopback. Planted secrets (the API key given on the command line, passwords, e-mails)
 * and MX guids appear in no body it receives; the last spans still leave on SIGTERM.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { cli, customer, workdir, writeJsonl } from './harness.js';

const KEY = 'sk-planted-otel-5e0d71';
const CLIENT = 'otel-client';
const PASSWORD = 'Planted-Otel-Pass-8b2c';

interface Received {
  path: string;
  contentType: string;
  body: Buffer;
}

let sandbox: Sandbox;
let receiver: Server;
let endpoint: string;
const received: Received[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ auth: 'token', aggregationMs: 200, clients: [{ id: CLIENT, key: KEY }] });
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', contentType: req.headers['content-type'] ?? '', body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/json' });
      res.end(req.headers['content-type']?.includes('json') ? '{}' : '');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => receiver.close(resolve));
  await sandbox.close();
});

type OtlpValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean };
interface OtlpSpan {
  name: string;
  kind: number;
  spanId: string;
  parentSpanId?: string;
  attributes: { key: string; value: OtlpValue }[];
}

function spansOf(bodies: Received[]): OtlpSpan[] {
  return bodies.flatMap((r) => {
    const json = JSON.parse(r.body.toString('utf8')) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
    return json.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
  });
}

const attr = (span: OtlpSpan, key: string): string | number | boolean | undefined => {
  const value = span.attributes.find((a) => a.key === key)?.value;
  if (!value) return undefined;
  return value.stringValue ?? (value.intValue === undefined ? value.boolValue : Number(value.intValue));
};

const env = (extra: Record<string, string>) => ({ MX_BASE_URL: sandbox.url, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, ...extra });

describe('tracing from the command line', () => {
  it('delivers an onboard of 5 customers as OTLP/JSON spans, with no secret in any body', async () => {
    const dir = workdir();
    const ids = ['otel-1', 'otel-2', 'otel-3', 'otel-4', 'otel-5'];
    const input = writeJsonl(dir, 'traced.jsonl', ids.map((id) => ({ ...customer(id, [PASSWORD]), email: `${id}-planted@example.org` })));
    received.length = 0;
    const result = await cli(['onboard', input, '--client-id', CLIENT, '--api-key', KEY, '--auth', 'token', '--poll-interval-ms', '100'], {
      cwd: dir,
      env: env({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_SERVICE_NAME: 'onboarding-tests' }),
    });
    expect(result.code, result.stderr).toBe(0);
    const bodies = received.filter((r) => r.path === '/v1/traces');
    expect(bodies.length).toBeGreaterThan(0);
    for (const body of bodies) expect(body.contentType).toContain('application/json');
    const spans = spansOf(bodies);

    const requests = spans.filter((s) => attr(s, 'http.request.method') !== undefined);
    expect(requests.length).toBeGreaterThanOrEqual(15);
    for (const span of requests) expect(attr(span, 'http.response.status_code')).toEqual(expect.any(Number));
    expect(requests.map((s) => s.name)).toContain('POST /users');
    const job = spans.find((s) => s.name === 'onboard job');
    expect(job && attr(job, 'mx_lifecycle.job.id')).toBe('traced');
    const customers = spans.filter((s) => s.name === 'customer');
    expect(customers.map((s) => attr(s, 'mx_lifecycle.customer.id')).toSorted()).toEqual(ids);
    for (const span of customers) expect(span.parentSpanId).toBe(job?.spanId);
    const text = bodies.map((b) => b.body.toString('utf8')).join('\n');
    expect(text).toContain('"onboarding-tests"');

    const truth = sandbox.state();
    const guids = [...truth.users.filter((u) => ids.includes(u.id ?? '')).map((u) => u.guid), ...truth.members.map((m) => m.guid)];
    for (const secret of [KEY, PASSWORD, '@example.org', 'planted@', ...guids]) expect(text).not.toContain(secret);
  });

  it('sends http/protobuf by default, and says so when the protocol is one it cannot send', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'checked.jsonl', [customer('proto-1', [PASSWORD])]);
    received.length = 0;
    const checked = await cli(['check', input, '--client-id', CLIENT, '--auth', 'token'], { cwd: dir, env: env({ MX_API_KEY: KEY }) });
    expect(checked.code, checked.stderr).toBe(0);
    const bodies = received.filter((r) => r.path === '/v1/traces');
    expect(bodies.length).toBeGreaterThan(0);
    for (const body of bodies) expect(body.contentType).toBe('application/x-protobuf');
    // Protobuf keeps attribute keys and string values as plain UTF-8.
    const raw = Buffer.concat(bodies.map((b) => b.body)).toString('latin1');
    expect(raw).toContain('http.request.method');
    expect(raw).toContain('/institutions/{institution_code}/credentials');
    expect(raw).not.toContain(KEY);

    received.length = 0;
    const grpc = await cli(['check', input, '--client-id', CLIENT, '--auth', 'token'], { cwd: dir, env: env({ MX_API_KEY: KEY, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }) });
    expect(grpc.code, grpc.stderr).toBe(0);
    expect(grpc.stderr).toContain('mx-lifecycle check: OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported (http/protobuf or http/json); traces are not sent');
    expect(received).toEqual([]);
  });

  it('ends on the first SIGTERM with the spans of the stopped run sent', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'stopped.jsonl', Array.from({ length: 40 }, (_, i) => customer(`stop-${i}`, [PASSWORD])));
    received.length = 0;
    // One request a second: the run is far from its end when the signal comes.
    const run = cli(['onboard', input, '--client-id', CLIENT, '--auth', 'token', '--rate', '1'], {
      cwd: dir,
      env: env({ MX_API_KEY: KEY, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }),
      timeoutMs: 40_000,
    });
    const started = async () => {
      while (!sandbox.state().users.some((u) => u.id?.startsWith('stop-'))) await new Promise((resolve) => setTimeout(resolve, 50));
    };
    await Promise.race([started(), run]);
    run.kill('SIGTERM');
    const result = await run;
    expect(result.code, result.stderr).toBe(130);
    const spans = spansOf(received.filter((r) => r.path === '/v1/traces'));
    // The job's span ends only when the run stops: it was sent after the signal.
    expect(spans.filter((s) => s.name === 'onboard job')).toHaveLength(1);
    expect(spans.some((s) => attr(s, 'mx_lifecycle.customer.state') === 'released')).toBe(true);
  });
});
