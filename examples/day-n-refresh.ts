/**
 * Day N: a nightly refresh of onboarded customers with `runtime.refresh(job)`. MX refuses a new
 * aggregation within three hours of a successful one, so a refresh right after onboarding reads
 * each member and sends no aggregate at all, naming when each may be refreshed; once the interval
 * has passed (a 1-s one here, as the sandbox is told), the next refresh aggregates every member again.
 *
 * Run: npx tsx examples/day-n-refresh.ts
 */
import { createMemoryStore, createMxClient, createRuntime, type CustomerInput } from '../src/index.js';
import { startSandbox } from '../src/sandbox/index.js';

const INTERVAL_MS = 1_000;
const sandbox = await startSandbox({ aggregationMs: 200, minAggregationIntervalMs: INTERVAL_MS });
const client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key' });
const runtime = createRuntime({ store: createMemoryStore(), client, options: { pollIntervalMs: 200 } });

const customers: CustomerInput[] = ['ann', 'bob', 'cy'].map((id) => ({
  id,
  members: [{ id: `${id}-bank`, institution_code: 'mxbank', credentials: { username: 'mxuser', password: 'password' } }],
}));
await runtime.submit('cohort', customers);
await runtime.run('cohort');
const aggregates = () => sandbox.state().stats.aggregateRequests;
console.log(`Onboarded ${customers.length} customers; aggregate requests so far: ${aggregates()}.`);

// Right away, with MX's three hours (the default): every member is skipped without a request.
const before = aggregates();
const early = await runtime.refresh('cohort');
console.log(`${early.jobId}: ${early.members.refreshed} refreshed, ${early.members.skipped} skipped (first may be refreshed from ${early.members.nextRefreshAt}); aggregate requests sent: ${aggregates() - before}`);

// Later (a night; here the sandbox's interval is 1 s, and so is ours): a new refresh job, and
// every member is aggregated again.
await new Promise((resolve) => setTimeout(resolve, 2 * INTERVAL_MS));
const between = aggregates();
const later = await runtime.refresh('cohort', { minAggregationIntervalMs: INTERVAL_MS });
console.log(`${later.jobId}: ${later.members.refreshed} refreshed, ${later.members.skipped} skipped; aggregate requests sent: ${aggregates() - between}`);

await runtime.close();
await client.close();
await sandbox.close();

const ok = early.members.skipped === 3 && between === before && later.members.refreshed === 3 && aggregates() - between === 3 && later.jobId !== early.jobId;
console.log(ok ? 'OK: nothing was asked of MX inside its interval, and every member was refreshed after it.' : 'FAILED: see above.');
process.exit(ok ? 0 : 1);
