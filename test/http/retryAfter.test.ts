import { afterEach, describe, expect, it } from 'vitest';
import { createMxClient, type ObservableMxClient } from '../../src/api/index.js';
import type { ClientEvent } from '../../src/http/events.js';
import { startStub, type StubReply, type StubServer } from './loopback.js';

const credentials = { clientId: 'client-1', apiKey: 'key-1' };
const created = (id: string): StubReply => ({ status: 200, json: { user: { guid: `USR-${id}`, id, email: null, is_disabled: false, metadata: null } } });
const idOf = (body: string): string => (JSON.parse(body) as { user: { id: string } }).user.id;
const tooMany = (retryAfter?: string): StubReply => ({
  status: 429,
  headers: retryAfter === undefined ? {} : { 'retry-after': retryAfter },
  json: { error: 'Too many requests.' },
});

describe('a 429 pauses the whole limiter', () => {
  let stub: StubServer | undefined;
  let client: ObservableMxClient | undefined;
  afterEach(async () => {
    await client?.close();
    await stub?.close();
  });

  it('holds every queued request for the Retry-After, then retries the refused one first', async () => {
    stub = await startStub((request, index) => (index === 2 ? tooMany('2') : created(idOf(request.body))));
    client = createMxClient({ baseUrl: stub.url, ...credentials, rate: { perSecond: 20, maxConcurrent: 4 } });
    const log: (ClientEvent & { at: number })[] = [];
    client.events.onAny((event) => log.push({ ...event, at: Date.now() }));

    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => client!.createUser({ id: `held-${i}` })));
    expect(results.every((r) => r.isOk())).toBe(true);
    expect(stub.requests).toHaveLength(11);

    const limited = log.filter((e) => e.type === 'rate_limited');
    expect(limited).toHaveLength(1);
    const refusedAt = limited[0]!.at;
    expect(limited[0]).toMatchObject({ retryAfterMs: 2000, willRetry: true });

    // Requests sent before the 429 came back were already on the wire; every one sent after it
    // waited out the Retry-After, with the refused call first.
    const sent = log.filter((e) => e.type === 'request');
    const before = sent.filter((e) => e.at <= refusedAt);
    const after = sent.filter((e) => e.at > refusedAt);
    expect(before.length + after.length).toBe(11);
    // How many left before the 429 was read depends on how busy the machine is; what may not
    // depend on it: the refused call goes first after the pause, and nothing leaves during it.
    expect(after.length).toBeGreaterThanOrEqual(1);
    for (const e of after) expect(e.at - refusedAt).toBeGreaterThanOrEqual(1900);
    // Liveness only: the pause ends (2 s) and the queue goes on, however loaded the machine.
    expect(after[0]!.at - refusedAt).toBeLessThan(20_000);
    expect(after[0]).toMatchObject({ callId: limited[0]!.callId, attempt: 2 });
    // And the pause did not end in a burst: no one-second window holds more than the 20/s limit.
    const at = sent.map((e) => e.at);
    const most = Math.max(...at.map((t) => at.filter((u) => u >= t && u < t + 1000).length));
    expect(most).toBeLessThanOrEqual(20);
  });

  it('without Retry-After backs off exponentially, and gives up after maxRetries with rate_limited', async () => {
    stub = await startStub(() => tooMany());
    client = createMxClient({
      baseUrl: stub.url,
      ...credentials,
      rate: { maxRetries: 3, retryBaseMs: 100, retryCapMs: 10_000 },
    });
    const pauses: number[] = [];
    client.events.on('rate_limited', (e) => pauses.push(e.pauseMs));
    const result = await client.createUser({ id: 'never' });
    expect(result.isErr() && result.error.kind).toBe('rate_limited');
    expect(stub.requests).toHaveLength(4);
    expect(pauses).toHaveLength(4);
    // base × 2^n with jitter in [50 %, 100 %]: 50–100, 100–200, 200–400 ms.
    expect(pauses[0]).toBeGreaterThanOrEqual(45);
    expect(pauses[0]).toBeLessThanOrEqual(105);
    expect(pauses[1]).toBeGreaterThanOrEqual(95);
    expect(pauses[1]).toBeLessThanOrEqual(205);
    expect(pauses[2]).toBeGreaterThanOrEqual(195);
    expect(pauses[2]).toBeLessThanOrEqual(405);
    const gaps = stub.requests.slice(1).map((r, i) => r.at - stub!.requests[i]!.at);
    for (const [i, gap] of gaps.entries()) expect(gap).toBeGreaterThanOrEqual(pauses[i]! - 10);
  });

  it('does not wait out a Retry-After longer than maxRetryAfterMs: the caller gets rate_limited at once', async () => {
    stub = await startStub(() => tooMany('3600'));
    client = createMxClient({ baseUrl: stub.url, ...credentials, rate: { maxRetryAfterMs: 5_000 } });
    const started = Date.now();
    const result = await client.createUser({ id: 'later' });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(result.isErr() && result.error).toMatchObject({ kind: 'rate_limited', retryAfterMs: 3_600_000 });
    expect(stub.requests).toHaveLength(1);
  });
});
