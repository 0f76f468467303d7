/**
 * Customers who connect without giving you credentials: one with credentials, two at an OAuth bank
 * and two in MX's Connect widget, each end user reached through a stable link that mints a fresh MX
 * URL when clicked. The end users are played by a small scripted client (a browser would do the
 * same: follow the 302, fill the page in); one of them never clicks and is given up after a short wait.
 *
 * Run: npx tsx examples/connect-by-link.ts
 */
import { randomBytes } from 'node:crypto';
import { createMemoryStore, createMxClient, createRuntime, listEndUserConnections, type CustomerInput } from '../src/index.js';
import { createLinkKeys, createLinkWriter, createStoreLinkBackend, mxRedirectPolicy, startLinkServer } from '../src/links/index.js';
import { startSandbox } from '../src/sandbox/index.js';

const JOB = 'by-link';
const sandbox = await startSandbox({ auth: 'basic', aggregationMs: 300 });
const client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key', auth: 'basic' });
const store = createMemoryStore();
// A widget member challenged by its bank waits for the end user's answer in the widget (answerWindowMs);
// an end user who never comes is given up after endUserWaitMs (days in production, seconds here).
const runtime = createRuntime({ store, client, options: { pollIntervalMs: 300, endUserPollMs: 1_000, endUserWaitMs: 8_000, answerWindowMs: 60_000 } });

// The link secret: in production MX_LINK_SECRET, at least 32 bytes, kept like an API key.
const keys = createLinkKeys(randomBytes(48).toString('base64'));
if ('code' in keys) throw new Error(keys.message);
const server = await startLinkServer({
  port: 0, keys, servesJob: (id) => id === JOB, backend: createStoreLinkBackend({ store, client }), redirects: mxRedirectPolicy(sandbox.url),
});
// Behind a reverse proxy this would be https://connect.example.com.
const linkFor = createLinkWriter(keys, server.url);

const customers: CustomerInput[] = [
  { id: 'ada', members: [{ id: 'ada-bank', institution_code: 'mxbank', credentials: { username: 'mxuser', password: 'a-password' } }] },
  { id: 'ben', members: [{ id: 'ben-oauth', institution_code: 'oauthbank', connect: 'oauth' }] },
  { id: 'cho', members: [{ id: 'cho-oauth', institution_code: 'oauthbank', connect: 'oauth' }] },
  { id: 'dee', members: [{ id: 'dee-widget', connect: 'widget' }] },
  { id: 'eve', members: [{ id: 'eve-widget', connect: 'widget' }] },
];
await runtime.submit(JOB, customers);
const run = runtime.run(JOB);

// Wait until the four end-user connections wait, then write their links (what you would e-mail).
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const waiting = async () => {
  const rows = [];
  for await (const c of listEndUserConnections(store, JOB)) if (c.waiting) rows.push(c);
  return rows;
};
while ((await waiting()).length < 4) await sleep(100);
const links = new Map<string, string>();
for (const c of await waiting()) {
  links.set(c.customerId, linkFor({ jobId: JOB, customerId: c.customerId, connectionId: c.connectionId }));
  await store.recordEndUserEvent(JOB, c.customerId, c.connectionId, 'invited');
}
console.log(`Links written for ${links.size} end users, e.g. ${links.get('ben')?.slice(0, 40)}…`);

// The end user's side: a click answers 302 to a fresh MX page; its form is posted back to it.
async function click(link: string, want = ''): Promise<string> {
  for (;;) {
    const res = await fetch(link, { redirect: 'manual' });
    const location = res.headers.get('location');
    if (res.status === 302 && location && (await (await fetch(location)).text()).includes(want)) return location;
    await sleep(500); // 410: the job is not waiting for this end user yet (it is still reading the member)
  }
}
async function post(url: string, fields: Record<string, string>): Promise<number> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) });
  await res.text();
  return res.status;
}

await Promise.all([
  (async () => {
    await post(await click(links.get('ben')!), { outcome: 'authorized' });
    console.log('ben authorised at OAuth Bank');
  })(),
  (async () => {
    await post(await click(links.get('cho')!), { outcome: 'denied' });
    await post(await click(links.get('cho')!), { outcome: 'authorized' });
    console.log('cho denied, clicked the same link again and authorised');
  })(),
  (async () => {
    const page = await click(links.get('dee')!);
    await post(page, { institution_code: 'mxbank', username: 'mxuser', password: 'challenge' });
    while ((await post(page, { answer: 'correct' })) === 409) await sleep(200); // 409 until the bank asks
    console.log('dee connected MX Bank in the widget and answered its challenge');
  })(),
]);
console.log('eve never clicks');

const result = await run;
const outcomes: Record<string, string> = {};
for (const c of customers) {
  const outcome = (await store.getItem(JOB, c.id))?.outcome as { outcome: string; members: { reason: string | null }[] };
  outcomes[c.id] = outcome.members[0]?.reason ? `${outcome.outcome} (${outcome.members[0].reason})` : outcome.outcome;
  console.log(`  ${c.id}: ${outcomes[c.id]}`);
}
const members = sandbox.state().members;
console.log(`Items by state: ${JSON.stringify(result.counts)}; members at MX: ${members.length}, ${members.filter((m) => m.connection_status === 'CONNECTED').length} connected`);

await server.close();
await runtime.close();
await client.close();
await sandbox.close();

const expected = { ada: 'done', ben: 'done', cho: 'done', dee: 'done', eve: 'needsAction (endUserAbandoned)' };
if (JSON.stringify(outcomes) !== JSON.stringify(expected) || members.filter((m) => m.connection_status === 'CONNECTED').length !== 4) {
  console.error('Unexpected outcomes.');
  process.exit(1);
}
console.log('OK: 4 customers connected (1 with credentials, 3 by their end users), 1 given up after the wait.');
