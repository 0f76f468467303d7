import { afterEach, describe, expect, it } from 'vitest';
import { createMxClient, type ObservableMxClient } from '../../src/api/index.js';
import type { ResponseEvent } from '../../src/http/events.js';
import { startHungServer, startStub, type StubServer } from './loopback.js';
import { errorOf, valueOf } from './results.js';

const user = { guid: 'USR-1', id: 'customer-1', email: null, is_disabled: false, metadata: null };

describe('client events', () => {
  let stub: StubServer | undefined;
  let client: ObservableMxClient | undefined;
  afterEach(async () => {
    await client?.close();
    await stub?.close();
  });

  it('reports each call as request then response, with status, timing and the classified kind', async () => {
    stub = await startStub((request) =>
      request.path === '/users/USR-1' ? { status: 200, json: { user } } : { status: 400, json: { error: 'User with guid USR-2 not found.' }, delayMs: 200 },
    );
    client = createMxClient({ baseUrl: stub.url, clientId: 'c', apiKey: 'k' });
    const seen: string[] = [];
    const responses: ResponseEvent[] = [];
    client.events.on('request', (e) => seen.push(`request ${e.callId} ${e.method} ${e.path}`));
    client.events.on('response', (e) => {
      seen.push(`response ${e.callId} ${e.status}`);
      responses.push(e);
    });
    valueOf(await client.readUser('USR-1'));
    errorOf(await client.readUser('USR-2'));
    expect(seen).toEqual(['request 1 GET /users/USR-1', 'response 1 200', 'request 2 GET /users/USR-2', 'response 2 400']);
    expect(responses[0]!.kind).toBeUndefined();
    expect(responses[1]!.kind).toBe('not_found');
    // The second answer was held 200 ms by the server: the event's timing is the exchange's, not the event's.
    expect(responses[1]!.durationMs).toBeGreaterThanOrEqual(190);
    expect(responses[0]!.durationMs).toBeLessThan(responses[1]!.durationMs);
  });

  it('stops calling a disposed listener, and a listener that throws does not break the call', async () => {
    stub = await startStub(() => ({ status: 200, json: { user } }));
    client = createMxClient({ baseUrl: stub.url, clientId: 'c', apiKey: 'k' });
    let calls = 0;
    const subscription = client.events.onAny(() => (calls += 1));
    client.events.on('request', () => {
      throw new Error('observer bug');
    });
    valueOf(await client.readUser('USR-1'));
    expect(calls).toBe(2);
    subscription.dispose();
    valueOf(await client.readUser('USR-1'));
    expect(calls).toBe(2);
  });
});

describe('close()', () => {
  it('ends calls in flight and in the queue at once, and refuses calls made afterwards', async () => {
    const server = await startHungServer();
    const client = createMxClient({ baseUrl: server.url, clientId: 'c', apiKey: 'k', timeoutMs: 30_000, rate: { maxConcurrent: 1 } });
    try {
      const pending = [client.readUser('USR-1'), client.readUser('USR-2')];
      await new Promise((resolve) => setTimeout(resolve, 100));
      const started = Date.now();
      await client.close();
      const results = await Promise.all(pending);
      expect(Date.now() - started).toBeLessThan(2_000);
      for (const result of results) expect(errorOf(result).kind).toBe('unavailable');
      expect(errorOf(await client.readUser('USR-3'))).toMatchObject({ kind: 'unavailable', cause: 'client closed' });
      expect(server.requests()).toBe(1);
    } finally {
      await server.close();
    }
  });
});
