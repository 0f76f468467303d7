/**
 * The onboarding machine against the sandbox over loopback: every mxbank outcome, a user that
 * already exists, TEXT and OPTIONS challenges, and an inspector that sees the run but no secret.
 */
import { createActor, toPromise, type InspectionEvent } from 'xstate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provideEffects, type OnboardingOutput } from '../../machines/index.js';
import { createMxClient } from '../../src/api/index.js';
import { createLifecycleEffects } from '../../src/durable/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import type { MxClient } from '../../src/api/types.js';

const API_KEY = 'onboarding-key-4b1d9';
const options = { pollIntervalMs: 50, baseDelayMs: 20, maxDelayMs: 100, answerWindowMs: 3_000, maxPollMs: 20_000 };
let sandbox: Sandbox;
let client: MxClient;
const tokens = new Set<string>();

beforeAll(async () => {
  sandbox = await startSandbox({ auth: 'token', aggregationMs: 80, slowMs: 300, challengeWindowMs: 5_000, clients: [{ id: 'onb', key: API_KEY }] });
  client = createMxClient({
    baseUrl: sandbox.url,
    clientId: 'onb',
    apiKey: API_KEY,
    auth: 'token',
    // Sees each token once, so the test can look for it where it must not be.
    fetch: async (input, init) => {
      const response = await fetch(input, init as RequestInit);
      if (String(input).endsWith('/oauth/token')) {
        const copy = response.clone();
        const body = (await copy.json()) as { access_token?: string };
        if (body.access_token) tokens.add(body.access_token);
      }
      return response;
    },
  });
});
afterAll(async () => {
  await client.close();
  await sandbox.close();
});

type AnswerSource = NonNullable<Parameters<typeof createLifecycleEffects>[0]['answerChallenge']>;
const answerAll: AnswerSource = ({ challenges }) =>
  Object.fromEntries(challenges.map((c) => [c.guid, c.type === 'OPTIONS' ? (c.options.find((o) => o.label === 'Blue')?.value ?? '') : 'correct']));

function onboard(externalId: string, passwords: string[], inspect?: (event: InspectionEvent) => void, answerChallenge: AnswerSource = answerAll) {
  const credentials = new Map(passwords.map((password, i) => [`${externalId}-m${i}`, { username: 'mxuser', password }]));
  const effects = createLifecycleEffects({
    client,
    answers: new Map(),
    credentials: ({ memberExternalId }) => credentials.get(memberExternalId) ?? null,
    answerChallenge,
  });
  const { onboarding } = provideEffects(effects);
  const actor = createActor(onboarding, {
    input: { externalId, email: `${externalId}@example.com`, members: passwords.map((_, i) => ({ externalId: `${externalId}-m${i}`, institutionCode: 'mxbank' })), options },
    ...(inspect ? { inspect } : {}),
  });
  actor.start();
  return toPromise(actor) as Promise<OnboardingOutput>;
}

describe('onboarding against the sandbox', () => {
  const cases: Array<[password: string, outcome: OnboardingOutput['outcome'], status: string]> = [
    ['password', 'done', 'CONNECTED'],
    ['challenge', 'done', 'CONNECTED'],
    ['options', 'done', 'CONNECTED'],
    ['slow', 'done', 'CONNECTED'],
    ['denied', 'needsAction', 'DENIED'],
    ['locked', 'needsAction', 'LOCKED'],
    ['prevented', 'needsAction', 'PREVENTED'],
    ['impeded', 'needsAction', 'IMPEDED'],
    ['server_error', 'failed', 'FAILED'],
  ];
  it.each(cases)('password "%s" ends %s with the member %s', async (password, outcome, status) => {
    const output = await onboard(`pw-${password.replace('_', '-')}`, [password]);
    expect(output.outcome).toBe(outcome);
    expect(output.members[0]?.connectionStatus).toBe(status);
    expect(output.userGuid).toMatch(/^USR-/);
  });

  it('recovers a user that already exists instead of failing', async () => {
    const existing = await client.createUser({ id: 'already-there' });
    expect(existing.isOk()).toBe(true);
    const output = await onboard('already-there', ['password']);
    expect(output.outcome).toBe('done');
    expect(output.userGuid).toBe(existing.isOk() ? existing.value.guid : null);
    expect((await sandbox.state()).users.filter((u) => u.id === 'already-there')).toHaveLength(1);
  });

  it('answers a TEXT and an OPTIONS challenge for one customer', async () => {
    const output = await onboard('mfa-both', ['challenge', 'options']);
    expect(output.members.map((m) => [m.outcome, m.connectionStatus])).toEqual([
      ['connected', 'CONNECTED'],
      ['connected', 'CONNECTED'],
    ]);
  });

  it('shows an inspector the actors, events and snapshots of a run, and none of its secrets', async () => {
    const events: InspectionEvent[] = [];
    const output = await onboard('inspected', ['challenge', 'password'], (event) => events.push(event));
    expect(output.outcome).toBe('done');
    const types = new Set(events.map((e) => e.type));
    for (const type of ['@xstate.actor', '@xstate.event', '@xstate.snapshot'] as const) expect(types.has(type)).toBe(true);
    // Everything an inspector could read, live actor references included (each object once).
    const visited = new WeakSet<object>();
    const seen = JSON.stringify(events, (_key, value: unknown) => {
      if (typeof value !== 'object' || value === null) return value;
      if (visited.has(value)) return undefined;
      visited.add(value);
      return value;
    });
    expect(tokens.size).toBeGreaterThan(0);
    for (const secret of [API_KEY, ...tokens, 'mxuser']) expect(seen.includes(secret), `inspector saw ${secret.slice(0, 4)}…`).toBe(false);
    expect(seen).not.toMatch(/"value"\s*:\s*"correct"[^}]*"guid"\s*:\s*"CRD-/);
    expect(seen).not.toMatch(/"password"\s*:/);
  });

  // MX's MFA guide: "use the resume endpoint twice: once to choose the phone number and again to
  // provide the correct code" (https://docs.mx.com/other/specialized-document-aggregation/dealing-with-mfa);
  // MX Bank: answering "challenge" "will answer the first question correctly and trigger a follow-up
  // challenge" (https://docs.mx.com/resources/atrium/testing-your-setup).
  const rounds: Array<[string, string, string[], string[], string]> = [
    ['two_step: the phone, then the code', 'two_step', ['Text (XXX) XXX-1234', 'correct'], ['OPTIONS', 'TEXT'], 'CONNECTED'],
    ['challenge: "challenge", then "correct"', 'challenge', ['challenge', 'correct'], ['TEXT', 'TEXT'], 'CONNECTED'],
    ['two_step: the wrong phone', 'two_step', ['Text (XXX) XXX-5678'], ['OPTIONS'], 'REJECTED'],
  ];
  it.each(rounds)('answers %s, one challenge a round', async (_, password, picks, types, status) => {
    const asked: string[] = [];
    const guids = new Set<string>();
    const source: AnswerSource = ({ challenges }) => {
      const pick = picks[asked.length] ?? 'correct';
      asked.push(...challenges.map((c) => c.type));
      for (const c of challenges) guids.add(c.guid);
      return Object.fromEntries(challenges.map((c) => [c.guid, c.type === 'OPTIONS' ? (c.options.find((o) => o.label === pick)?.value ?? '') : pick]));
    };
    const output = await onboard(`rounds-${password.replace('_', '-')}-${picks.length}`, [password], undefined, source);
    expect(asked).toEqual(types);
    expect(guids.size).toBe(types.length);
    expect(output.members[0]?.connectionStatus).toBe(status);
    expect(output.outcome).toBe(status === 'CONNECTED' ? 'done' : 'needsAction');
  });
});
