import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { err, ok, type Result } from 'neverthrow';
import { createTokenSource, type IssuedToken, type TokenLease, type TokenSource } from '../../src/http/token.js';
import { refreshDelayMs } from '../../src/http/token.machine.js';
import type { ApiError } from '../../src/errors/types.js';

/** A token endpoint and an API that both keep time with the fake clock. */
function fakeAuthServer(options: { lifetimeSeconds: number; latencyMs?: number; fail?: () => ApiError | null }) {
  const expiresAt = new Map<string, number>();
  let fetches = 0;
  const fetchToken = async (): Promise<Result<IssuedToken, ApiError>> => {
    fetches += 1;
    if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
    const failure = options.fail?.();
    if (failure) return err(failure);
    const token = `secret-token-${fetches}`;
    expiresAt.set(token, Date.now() + options.lifetimeSeconds * 1000);
    return ok({ token, expiresInSeconds: options.lifetimeSeconds });
  };
  return {
    fetchToken,
    get fetches() {
      return fetches;
    },
    /** What the API would say about a request carrying this token right now. */
    accepts(token: string): boolean {
      const until = expiresAt.get(token);
      return until !== undefined && Date.now() < until;
    },
    revoke(token: string) {
      expiresAt.set(token, 0);
    },
  };
}

function leaseOf(result: Result<TokenLease, ApiError>): TokenLease {
  if (result.isErr()) throw new Error(`expected a token, got ${result.error.kind}`);
  return result.value;
}

const unauthorized: ApiError = { kind: 'unauthorized', status: 401, retryable: false, scope: 'job', dialect: 'mcc', message: 'Invalid token' };
const outage: ApiError = { kind: 'unavailable', status: 503, retryable: true, scope: 'job', dialect: 'mx-sso' };

describe('token source (fake time)', () => {
  let source: TokenSource | undefined;
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
  });
  afterEach(() => {
    source?.stop();
    vi.useRealTimers();
  });

  it('refreshes 300-s tokens 30 s early: 13 refreshes in an hour of steady calls, never an expired token', async () => {
    const server = fakeAuthServer({ lifetimeSeconds: 300 });
    const refreshed: string[] = [];
    source = createTokenSource({ fetchToken: server.fetchToken, skewMs: 30_000, onRefreshed: (info) => refreshed.push(info.reason) });
    let calls = 0;
    for (let second = 0; second <= 3600; second += 1) {
      const lease = await source.getToken();
      expect(lease.isOk()).toBe(true);
      expect(server.accepts(leaseOf(lease).token)).toBe(true);
      calls += 1;
      await vi.advanceTimersByTimeAsync(1000);
    }
    expect(calls).toBe(3601);
    expect(server.fetches - 1).toBe(Math.floor(3600 / (300 - 30)));
    expect(server.fetches - 1).toBe(13);
    expect(refreshed[0]).toBe('initial');
    expect(refreshed.slice(1).every((reason) => reason === 'proactive')).toBe(true);
  });

  it('fetches once for 50 callers waiting at expiry', async () => {
    const server = fakeAuthServer({ lifetimeSeconds: 300, latencyMs: 200 });
    source = createTokenSource({ fetchToken: server.fetchToken, skewMs: 0 });
    const first = source.getToken();
    await vi.advanceTimersByTimeAsync(200);
    expect(leaseOf(await first).generation).toBe(1);

    await vi.advanceTimersByTimeAsync(300_000 - 200);
    const waiting = Array.from({ length: 50 }, () => source!.getToken());
    await vi.advanceTimersByTimeAsync(250);
    const leases = await Promise.all(waiting);
    expect(server.fetches).toBe(2);
    for (const lease of leases) {
      expect(leaseOf(lease).generation).toBe(2);
      expect(server.accepts(leaseOf(lease).token)).toBe(true);
    }
  });

  it('refreshes once when 50 requests report the same token expired, and the replays get the new one', async () => {
    const server = fakeAuthServer({ lifetimeSeconds: 300 });
    source = createTokenSource({ fetchToken: server.fetchToken });
    const leases = await Promise.all(Array.from({ length: 50 }, () => source!.getToken()));
    expect(server.fetches).toBe(1);
    server.revoke(leaseOf(leases[0]!).token);

    const replays = await Promise.all(
      leases.map(async (lease) => {
        const { token, generation } = leaseOf(lease);
        if (!server.accepts(token)) source!.invalidate(generation);
        return source!.getToken();
      }),
    );
    expect(server.fetches).toBe(2);
    for (const replay of replays) expect(server.accepts(leaseOf(replay).token)).toBe(true);
    // A late report about the old generation does not trigger another fetch.
    source.invalidate(1);
    await vi.advanceTimersByTimeAsync(10);
    expect(server.fetches).toBe(2);
  });

  it('halts on an unauthorized key: every caller gets the same error and nothing is fetched again', async () => {
    const server = fakeAuthServer({ lifetimeSeconds: 300, fail: () => unauthorized });
    source = createTokenSource({ fetchToken: server.fetchToken });
    const results = await Promise.all(Array.from({ length: 5 }, () => source!.getToken()));
    for (const result of results) expect(result).toEqual(err(unauthorized));
    expect(await source.getToken()).toEqual(err(unauthorized));
    expect(server.fetches).toBe(1);
  });

  it('returns a transient fetch failure to its waiters and tries again on the next call', async () => {
    let failures = 1;
    const server = fakeAuthServer({ lifetimeSeconds: 300, fail: () => (failures-- > 0 ? outage : null) });
    source = createTokenSource({ fetchToken: server.fetchToken });
    expect(await source.getToken()).toEqual(err(outage));
    const second = await source.getToken();
    expect(second.isOk()).toBe(true);
    expect(server.fetches).toBe(2);
  });

  it('keeps the token out of everything an inspector sees', async () => {
    const server = fakeAuthServer({ lifetimeSeconds: 300 });
    const seen: string[] = [];
    source = createTokenSource({
      fetchToken: server.fetchToken,
      inspect: (event) => seen.push(JSON.stringify(event, (_key, value: unknown) => (typeof value === 'function' ? undefined : value))),
    });
    const tokens: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      tokens.push(leaseOf(await source.getToken()).token);
      await vi.advanceTimersByTimeAsync(280_000);
    }
    expect(new Set(tokens).size).toBe(3);
    expect(seen.length).toBeGreaterThan(5);
    for (const token of tokens) expect(seen.join('\n')).not.toContain(token);
    expect(seen.join('\n')).toContain('"generation"');
  });
});

describe('refreshDelayMs', () => {
  it('refreshes 300-s tokens at 270 s and never spins on tokens shorter than the skew', () => {
    expect(refreshDelayMs(300_000, 30_000)).toBe(270_000);
    expect(refreshDelayMs(2_000, 30_000)).toBe(1_000);
  });
});
