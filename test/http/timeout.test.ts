import { afterEach, describe, expect, it } from 'vitest';
import { createMxClient, type ObservableMxClient } from '../../src/api/index.js';
import { startHungServer } from './loopback.js';
import { errorOf } from './results.js';

describe('timeouts and cancellation', () => {
  let server: Awaited<ReturnType<typeof startHungServer>> | undefined;
  let client: ObservableMxClient | undefined;
  afterEach(async () => {
    await client?.close();
    await server?.close();
  });

  it('turns a server that never answers into unavailable with timeout after timeoutMs, without retrying', async () => {
    server = await startHungServer();
    client = createMxClient({ baseUrl: server.url, clientId: 'c', apiKey: 'k', timeoutMs: 300 });
    const started = Date.now();
    const error = errorOf(await client.readUser('USR-1'));
    const elapsed = Date.now() - started;
    expect(error).toMatchObject({ kind: 'unavailable', status: 0, timeout: true, dialect: 'network' });
    expect(error.exchange?.request).toEqual({ method: 'GET', path: '/users/USR-1' });
    expect(elapsed).toBeGreaterThanOrEqual(280);
    expect(elapsed).toBeLessThan(2_000);
    expect(server.requests()).toBe(1);
  });

  it('answers a caller abort at once as unavailable (not a timeout), also while the call waits in the queue', async () => {
    server = await startHungServer();
    client = createMxClient({ baseUrl: server.url, clientId: 'c', apiKey: 'k', timeoutMs: 30_000, rate: { maxConcurrent: 1 } });
    const controller = new AbortController();
    const inFlight = client.readUser('USR-1', { signal: controller.signal });
    const queued = client.readUser('USR-2', { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    controller.abort();
    const [first, second] = await Promise.all([inFlight, queued]);
    expect(Date.now() - started).toBeLessThan(500);
    for (const result of [first, second]) {
      const error = errorOf(result);
      expect(error.kind).toBe('unavailable');
      expect(error.kind === 'unavailable' && error.timeout).toBeFalsy();
    }
    // The queued call never reached the server.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.requests()).toBe(1);
  });

  it('does not send a call whose signal is already aborted', async () => {
    server = await startHungServer();
    client = createMxClient({ baseUrl: server.url, clientId: 'c', apiKey: 'k' });
    const error = errorOf(await client.readUser('USR-1', { signal: AbortSignal.abort() }));
    expect(error.kind).toBe('unavailable');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.requests()).toBe(0);
  });
});
