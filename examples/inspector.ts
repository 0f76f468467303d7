/**
 * Watching the machines with the XState inspector. The runtime passes its `inspect` observer to
 * every customer's actor, restored ones too, so one observer sees every machine, event and state.
 *
 * Here the inspector is offline: `createInspector({ send })` hands each event, serialised as the
 * Stately inspector would receive it, to a function that counts them. To watch live instead:
 *
 *   import { createWebSocketInspector } from '@statelyai/inspect';
 *   import { createInspectorServer } from '@statelyai/inspect/server';
 *   const server = createInspectorServer({ port: 8080 }); // opens http://localhost:8080 in a browser
 *   const inspector = createWebSocketInspector({ url: 'ws://localhost:8080' });
 *   createRuntime({ store, client, inspect: inspector.inspect });
 *   // ...run the job, then inspector.stop() and server.stop().
 *
 * (That server listens on every interface and relays whatever any page sends; `mx-lifecycle onboard
 * --inspect` serves the same page from a relay of its own, on 127.0.0.1 only, that refuses other
 * origins and lets viewers only listen.)
 *
 * Run: npx tsx examples/inspector.ts
 */
import { createInspector, type StatelyInspectionEvent } from '@statelyai/inspect';
import { createMemoryStore, createMxClient, createRuntime } from '../src/index.js';
import { startSandbox } from '../src/sandbox/index.js';

const sandbox = await startSandbox({ auth: 'token', aggregationMs: 200 });
const client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key', auth: 'token' });

// Everything the inspector would show, kept as the text that would go over the wire.
const wire: string[] = [];
const counts: Record<string, number> = {};
const inspector = createInspector({
  send(event: StatelyInspectionEvent) {
    counts[event.type] = (counts[event.type] ?? 0) + 1;
    wire.push(JSON.stringify(event));
  },
});

const runtime = createRuntime({ store: createMemoryStore(), client, inspect: inspector.inspect, options: { pollIntervalMs: 200 } });

// One member that connects, and one whose password is wrong (so it needs the customer's action).
// The wrong one is planted to check that no password ever reaches an inspection event.
const planted = 'planted-S3cret-pw';
await runtime.submit('inspected', [
  {
    id: 'kim',
    members: [
      { id: 'kim-checking', institution_code: 'mxbank', credentials: { username: 'mxuser', password: 'password' } },
      { id: 'kim-old-bank', institution_code: 'mxbank', credentials: { username: 'mxuser', password: planted } },
    ],
  },
]);
const { counts: items } = await runtime.run('inspected');
inspector.stop();

console.log(`Customer kim ended: ${items.needsAction === 1 ? 'needsAction (one member was DENIED)' : JSON.stringify(items)}.`);
console.log('Inspection events seen:');
for (const type of ['@xstate.actor', '@xstate.event', '@xstate.snapshot']) console.log(`  ${type}: ${counts[type] ?? 0}`);

// The machines and the actors they invoke, by the names the inspector shows them under.
const actors = new Set(wire.map((text) => JSON.parse(text) as StatelyInspectionEvent).flatMap((e) => (e.type === '@xstate.actor' ? [e.name] : [])));
console.log(`  actors: ${[...actors].join(', ')}`);

const leaked = wire.filter((text) => text.includes(planted) || text.includes('sandbox-key'));
console.log(leaked.length === 0 ? 'No password or API key appears in any inspection event.' : `${leaked.length} events carry a secret!`);

await runtime.close();
await client.close();
await sandbox.close();

const ok = (counts['@xstate.actor'] ?? 0) > 0 && (counts['@xstate.event'] ?? 0) > 0 && (counts['@xstate.snapshot'] ?? 0) > 0 && leaked.length === 0;
console.log(ok ? 'OK: the inspector saw every machine, and no secret.' : 'FAILED: see above.');
process.exit(ok ? 0 : 1);
