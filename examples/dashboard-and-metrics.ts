/**
 * Watching a job from your own program: a job watch fed by the runtime's inspection events, the
 * dashboard server on 127.0.0.1 (what `--dashboard` serves) and the Prometheus metrics registry,
 * which an application that already serves /metrics can pass in to get these beside its own.
 *
 * Run: npx tsx examples/dashboard-and-metrics.ts
 */
import { Registry } from 'prom-client';
import { createMemoryStore, createMxClient, createRuntime } from '../src/index.js';
import { createJobWatch, createLifecycleMetrics, lifecycleCharts, sampleRates, startDashboardServer } from '../src/observe/index.js';
import { startSandbox } from '../src/sandbox/index.js';

const sandbox = await startSandbox({ aggregationMs: 200, auth: 'basic' });
const client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key', rate: { perSecond: 40 } });
const store = createMemoryStore();

const watch = createJobWatch('onboarding');
const registry = new Registry(); // your application's registry
const metrics = createLifecycleMetrics({ registry });
metrics.observeClient(client);
metrics.observeWatch(watch);
const rates = sampleRates(client, () => watch.counts());

const runtime = createRuntime({ store, client, inspect: (event) => watch.inspect(event), options: { pollIntervalMs: 200 } });
runtime.events.on('item.transition', (e) => watch.itemState(e.itemId, e.state));
runtime.events.on('item.final', (e) => watch.itemFinal(e.itemId, e.state, e.outcome));

let running = true;
const server = await startDashboardServer({
  job: 'example', kind: 'onboard', watch, charts: await lifecycleCharts(), running: () => running, halt: () => null, rates, metrics,
});
console.log(`dashboard: ${server.url} (open it while the job runs)`);

const customers = Array.from({ length: 10 }, (_, i) => ({
  id: `watched-${i}`,
  members: [{ id: `watched-${i}-mxbank`, institution_code: 'mxbank', credentials: { username: 'mxuser', password: i === 9 ? 'denied' : 'password' } }],
}));
await runtime.submit('example', customers);
watch.seed(await store.listItems('example'));
await runtime.run('example');
running = false;

const scraped = await (await fetch(`${server.url}/metrics`)).text();
const line = (name: string) => scraped.split('\n').filter((l) => l.startsWith(name));
console.log(`customers by state: ${line('mx_lifecycle_items').filter((l) => !l.endsWith(' 0')).join(', ')}`);
const requests = line('mx_lifecycle_requests_total').reduce((n, l) => n + Number(l.split(' ').pop()), 0);
console.log(`requests counted: ${requests}; the sandbox saw ${sandbox.state().stats.requests}`);
const timeline = watch.item('watched-9')?.timeline ?? [];
console.log(`watched-9 moved ${timeline.length} times, last: ${timeline.at(-1)?.actor} -> ${timeline.at(-1)?.to.join(',')}`);
const ok = requests === sandbox.state().stats.requests && watch.counts().items.done === 9 && watch.counts().items.needsAction === 1;

rates.stop();
await server.close();
await runtime.close();
await client.close();
await sandbox.close();
if (!ok) {
  console.error('FAILED: the metrics do not match the sandbox');
  process.exit(1);
}
console.log('OK: the dashboard served the job, and /metrics counted every request the sandbox saw');
