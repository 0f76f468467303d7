import { describe, expect, it } from 'vitest';
import { fetch as undiciFetch } from 'undici';
import { createMxClient } from '../../src/api/index.js';
import type { ApiError } from '../../src/errors/types.js';
import type { ClientEvent } from '../../src/http/events.js';
import type { FetchLike } from '../../src/http/exchange.js';
import { MXBANK_USERNAME, startSandbox } from '../../src/sandbox/index.js';

const CLIENT_ID = 'planted-client';
const API_KEY = 'sk_live_PLANTED_api_key_5f1e9c';
const PASSWORD = 'PLANTED-member-password-7731';
const ANSWER = 'PLANTED-mfa-answer-0042';

const credentials = [
  { guid: 'CRD-username', value: MXBANK_USERNAME },
  { guid: 'CRD-password', value: PASSWORD },
];

/** Unwraps a result, keeping its error in `errors`. */
const keeper =
  (errors: ApiError[]) =>
  <T>(result: { isErr(): boolean; error?: ApiError; value?: T }): T | undefined => {
    if (result.isErr()) errors.push(result.error!);
    return result.value;
  };

describe('secrets never leave the client', () => {
  it.each(['mx-sso', 'mcc'] as const)('keeps the key, tokens, passwords and answers out of every event and error (%s, faults on)', async (dialect) => {
    const sandbox = await startSandbox({ auth: 'token',
      dialect,
      tokenTtlSeconds: 1,
      rateLimit: 30,
      faults: 0.3,
      seed: 7,
      timeoutFaultMs: 400,
      aggregationMs: 50,
      clients: [{ id: CLIENT_ID, key: API_KEY }],
    });
    const tokens = new Set<string>();
    // Sees what goes on the wire, to learn the tokens the client was given.
    const spyingFetch: FetchLike = async (url, init) => {
      const auth = init.headers.Authorization ?? '';
      if (auth.startsWith('Bearer ')) tokens.add(auth.slice(7));
      return undiciFetch(url, { method: init.method, headers: init.headers, body: init.body, signal: init.signal });
    };
    const events: ClientEvent[] = [];
    const errors: ApiError[] = [];
    const client = createMxClient({
      baseUrl: sandbox.url,
      clientId: CLIENT_ID,
      apiKey: API_KEY,
      auth: 'token',
      timeoutMs: 300,
      fetch: spyingFetch,
      onEvent: (e) => events.push(e),
    });
    const keep = keeper(errors);
    try {
      for (let i = 0; i < 25; i += 1) {
        const user = keep(await client.createUser({ id: `secret-${i}`, metadata: `{"note":"${i}"}` }));
        if (!user) continue;
        const member = keep(await client.createMember({ userGuid: user.guid, id: `conn-${i}`, institutionCode: 'mxbank', credentials }));
        keep(await client.resumeAggregation(user.guid, member?.guid ?? 'MBR-missing', [{ guid: 'CRD-challenge', value: ANSWER }]));
        keep(await client.createMember({ userGuid: user.guid, id: `conn-${i}`, institutionCode: 'mxbank', credentials }));
        keep(await client.readMemberStatus(user.guid, member?.guid ?? 'MBR-missing'));
        keep(await client.deleteUser(user.guid));
      }
    } finally {
      await client.close();
      await sandbox.close();
    }
    const basic = Buffer.from(`${CLIENT_ID}:${API_KEY}`).toString('base64');
    const secrets = [API_KEY, basic, PASSWORD, ANSWER, ...tokens];
    const everything = JSON.stringify({ events, errors });

    expect(tokens.size).toBeGreaterThan(0);
    expect(errors.length).toBeGreaterThan(10);
    expect(new Set(errors.map((e) => e.kind)).size).toBeGreaterThan(2);
    expect(events.some((e) => e.type === 'token_refreshed')).toBe(true);
    for (const secret of secrets) expect(everything).not.toContain(secret);
    // Nor a fragment long enough to matter.
    for (const secret of [API_KEY, PASSWORD, ANSWER]) expect(everything).not.toContain(secret.slice(0, 12));
  }, 60_000);

  it('keeps the key, passwords and answers out of every event and error on the default transport (undici request, Basic auth, faults on)', async () => {
    const sandbox = await startSandbox({
      rateLimit: 30,
      faults: 0.3,
      seed: 11,
      timeoutFaultMs: 400,
      aggregationMs: 50,
      clients: [{ id: CLIENT_ID, key: API_KEY }],
    });
    const events: ClientEvent[] = [];
    const errors: ApiError[] = [];
    const client = createMxClient({ baseUrl: sandbox.url, clientId: CLIENT_ID, apiKey: API_KEY, timeoutMs: 300, onEvent: (e) => events.push(e) });
    const keep = keeper(errors);
    try {
      for (let i = 0; i < 25; i += 1) {
        const user = keep(await client.createUser({ id: `plain-${i}` }));
        if (!user) continue;
        const member = keep(await client.createMember({ userGuid: user.guid, id: `plain-conn-${i}`, institutionCode: 'mxbank', credentials }));
        keep(await client.resumeAggregation(user.guid, member?.guid ?? 'MBR-missing', [{ guid: 'CRD-challenge', value: ANSWER }]));
        keep(await client.readMemberStatus(user.guid, member?.guid ?? 'MBR-missing'));
        keep(await client.deleteUser(user.guid));
      }
    } finally {
      await client.close();
      await sandbox.close();
    }
    const basic = Buffer.from(`${CLIENT_ID}:${API_KEY}`).toString('base64');
    const everything = JSON.stringify({ events, errors });
    expect(errors.length).toBeGreaterThan(10);
    // undici's own errors (a socket cut mid-answer) came back through the direct path too.
    expect(errors.some((e) => e.kind === 'unavailable' && 'cause' in e && String(e.cause).startsWith('UND_ERR'))).toBe(true);
    for (const secret of [API_KEY, basic, PASSWORD, ANSWER]) expect(everything).not.toContain(secret);
    for (const secret of [API_KEY, PASSWORD, ANSWER]) expect(everything).not.toContain(secret.slice(0, 12));
  }, 60_000);
});
