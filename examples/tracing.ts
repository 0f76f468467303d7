/**
 * OpenTelemetry traces of a job from your own program: register a tracer provider (here the SDK's
 * with an in-memory exporter; yours would export to a collector) and the runtime's spans appear
 * in it: the run, each customer, each step, and each MX request under its step, with the stable
 * HTTP client attributes. Without @opentelemetry/api installed the same code runs untraced.
 *
 * The command line needs no code: set OTEL_EXPORTER_OTLP_ENDPOINT (docs/tracing.md), e.g.
 *   OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 mx-lifecycle onboard customers.jsonl
 *
 * Run: npx tsx examples/tracing.ts
 */
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createMemoryStore, createMxClient, createRuntime } from '../src/index.js';
import { startSandbox } from '../src/sandbox/index.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
trace.setGlobalTracerProvider(provider);

const password = 'example-Trace-pw-91';
const sandbox = await startSandbox({ aggregationMs: 200, auth: 'basic' });
const client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key' });
const runtime = createRuntime({ store: createMemoryStore(), client, options: { pollIntervalMs: 200 } });
// ada already has a user at MX (an earlier create whose answer was lost): her create gets a 409.
await client.createUser({ id: 'ada' });
exporter.reset();

await runtime.submit('traced', [
  { id: 'ada', email: 'ada@example.com', members: [{ id: 'ada-mxbank', institution_code: 'mxbank', credentials: { username: 'mxuser', password } }] },
]);
const result = await runtime.run('traced');
await runtime.close();
await client.close();
await sandbox.close();

const spans = exporter.getFinishedSpans();
const childrenOf = (parent: ReadableSpan | undefined) =>
  spans
    .filter((s) => s.parentSpanContext?.spanId === parent?.spanContext().spanId)
    .toSorted((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
const describeSpan = (span: ReadableSpan): string => {
  const status = span.attributes['http.response.status_code'];
  const error = span.attributes['error.type'];
  const name = span.name === 'customer' ? `customer ${String(span.attributes['mx_lifecycle.customer.id'])}` : span.name;
  return `${name}${status === undefined ? '' : ` -> ${status}`}${error === undefined ? '' : ` (error.type ${error})`}`;
};
const print = (span: ReadableSpan, depth: number): void => {
  console.log(`${'  '.repeat(depth)}${describeSpan(span)}`);
  for (const child of childrenOf(span)) print(child, depth + 1);
};
console.log(`The job ended with ${result.counts.done} done. Its trace:`);
for (const root of childrenOf(undefined)) print(root, 0);

const requests = spans.filter((s) => s.attributes['http.request.method'] !== undefined);
const text = JSON.stringify(spans.map((s) => [s.name, s.attributes]));
const leaked = [password, 'sandbox-key', 'ada@example.com'].filter((secret) => text.includes(secret));
console.log(`${requests.length} request spans; secrets in attributes: ${leaked.length === 0 ? 'none' : leaked.join(', ')}`);
await provider.shutdown();

const ok = result.counts.done === 1 && requests.length > 0 && leaked.length === 0;
console.log(ok ? 'OK: every request is traced under its step, and no secret is in a span.' : 'FAILED: see above.');
process.exit(ok ? 0 : 1);
