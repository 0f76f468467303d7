/**
 * An onboarding process for the resume scenario. It uses the library as `mx-lifecycle onboard`
 * does (the same store, client and runtime calls: input re-read and re-submitted, then run) and adds
 * what the CLI does not print: a stdout line the moment every item of the job is live in this
 * process, and one when every item waits in a backoff or poll.
 *
 * Arguments: INPUT STORE_PATH BASE_URL ITEMS [--base-delay-ms MS]. The API key comes from MX_API_KEY;
 * BENCH_EXIT_WHEN_LIVE=1 exits once all are live (to profile a start with `node --cpu-prof`).
 * Lines: {"event":"live","items":N,"sinceStartMs":…,"at":epoch-ms} and {"event":"waiting",…}.
 */
import { createMxClient, createRuntime, createSqliteStore, readInput, type CustomerInput } from '../../../src/index.js';

const [input, storePath, baseUrl, itemsArg, ...rest] = process.argv.slice(2);
if (!input || !storePath || !baseUrl || !itemsArg) throw new Error('usage: onboard INPUT STORE_PATH BASE_URL ITEMS [--base-delay-ms MS]');
const items = Number(itemsArg);
const at = rest.indexOf('--base-delay-ms');
const delayMs = at === -1 ? 1_000 : Number(rest[at + 1]);

const tell = (event: string, extra: Record<string, unknown> = {}): void => {
  process.stdout.write(`${JSON.stringify({ event, items, sinceStartMs: Math.round(performance.now()), at: Date.now(), ...extra })}\n`);
};

const live = new Set<string>();
/** Actors (by session id) whose state is a durable wait: the user's backoff or a member's poll. */
const waiting = new Set<string>();
const waits = (value: unknown): boolean =>
  typeof value === 'string'
    ? value === 'waitingToRetry' || value === 'waitingToPoll'
    : typeof value === 'object' && value !== null && Object.values(value).some(waits);

const store = createSqliteStore({ path: storePath });
const client = createMxClient({ baseUrl, clientId: 'sandbox-client', apiKey: process.env.MX_API_KEY ?? '' });
const runtime = createRuntime({
  store,
  client,
  concurrency: items,
  // A wait this long is a wait that is still under way when the process is killed.
  options: { answerWindowMs: 0, baseDelayMs: delayMs, maxDelayMs: delayMs, pollIntervalMs: delayMs },
  // The waits are in each customer's child machines, which only the inspector sees.
  inspect: (event) => {
    if (event.type !== '@xstate.snapshot') return;
    const id = event.actorRef.sessionId;
    if (waits((event.snapshot as { value?: unknown }).value)) {
      if (!waiting.has(id)) {
        waiting.add(id);
        if (waiting.size === items) tell('waiting');
      }
    } else {
      waiting.delete(id);
    }
  },
});

runtime.events.on('item.transition', (event) => {
  if (live.has(event.itemId)) return;
  live.add(event.itemId);
  if (live.size === items) {
    tell('live');
    // For profiling a start (`node --cpu-prof`): the profile is written at a normal exit, not at a kill.
    if (process.env.BENCH_EXIT_WHEN_LIVE === '1') process.exit(0);
  }
});

async function* customers(): AsyncGenerator<CustomerInput> {
  for await (const record of readInput(input!)) if ('customer' in record) yield record.customer;
}

await runtime.submit('resume', customers());
const result = await runtime.run('resume');
tell('finished', { counts: result.counts });
await runtime.close();
await client.close();
await store.close();
