import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { Api, sleep, started } from './helpers.js';

const AGGREGATION_MS = 150;
let sandbox: Sandbox;
let api: Api;
let userGuid: string;
let serial = 0;

beforeAll(async () => {
  sandbox = await started({ aggregationMs: AGGREGATION_MS, slowMs: 1_500, challengeWindowMs: 30_000 });
  api = await Api.connect(sandbox);
});
afterAll(() => sandbox.close());

async function status(api: Api, user: string, member: string): Promise<any> {
  const reply = await api.call('GET', `/users/${user}/members/${member}/status`);
  return reply.json.member;
}

/** Every distinct status the member shows, polled every 20 ms until it stops aggregating. */
async function statusesUntilSettled(api: Api, user: string, member: string, timeoutMs = 10_000): Promise<string[]> {
  const seen: string[] = [];
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const s = await status(api, user, member);
    const label = `${s.connection_status}${s.is_being_aggregated ? '+' : ''}`;
    if (seen.at(-1) !== label) seen.push(label);
    if (!s.is_being_aggregated || s.connection_status === 'CHALLENGED') return seen;
    await sleep(20);
  }
  throw new Error(`still aggregating after ${timeoutMs} ms: ${seen.join(' → ')}`);
}

/** A member with `password` of a new user (`userGuid`): MX refuses a user's second member with the same credentials. */
async function create(password: string): Promise<string> {
  userGuid = await api.createUser(`aggregating-user-${serial}`);
  const reply = await api.createMember(userGuid, `outcome-${serial++}`, password);
  expect(reply.json.member).toMatchObject({ connection_status: 'CREATED', is_being_aggregated: true });
  return reply.json.member.guid as string;
}

describe('mxbank outcomes, chosen by the password', () => {
  it.each([
    ['password', 'CONNECTED'],
    ['denied', 'DENIED'],
    ['locked', 'LOCKED'],
    ['prevented', 'PREVENTED'],
    ['impeded', 'IMPEDED'],
    ['server_error', 'FAILED'],
    // MX's "Testing with MX Bank" (docs.mx.com/resources/test-platform/mxbank/): any value not in its table connects.
    ['not-a-known-password', 'CONNECTED'],
  ])('%s → CREATED (aggregating), then %s', async (password, final) => {
    const member = await create(password);
    const seen = await statusesUntilSettled(api, userGuid, member);
    expect(seen.at(-1)).toBe(final);
    expect(seen.every((s, i) => i === seen.length - 1 || s === 'CREATED+')).toBe(true);
    const settled = await status(api, userGuid, member);
    expect(settled.aggregated_at).not.toBeNull();
    expect(settled.successfully_aggregated_at === null).toBe(final !== 'CONNECTED');
  });

  it('slow → DELAYED for a while, then CONNECTED', async () => {
    const member = await create('slow');
    // CREATED lasts 150 ms and a loaded machine may poll past it; DELAYED lasts 1.5 s.
    expect((await statusesUntilSettled(api, userGuid, member)).join(' ')).toMatch(/^(CREATED\+ )?DELAYED\+ CONNECTED$/);
  });

  it('challenge → CHALLENGED with one TEXT challenge; "correct" → RESUMED → CONNECTED', async () => {
    const member = await create('challenge');
    expect((await statusesUntilSettled(api, userGuid, member)).at(-1)).toBe('CHALLENGED+');
    const challenges = await api.call('GET', `/users/${userGuid}/members/${member}/challenges`);
    expect(challenges.status).toBe(200);
    const [challenge] = challenges.json.challenges;
    expect(challenges.json.challenges).toHaveLength(1);
    expect(challenge.type).toBe('TEXT');
    expect(challenge.guid).toMatch(/^CRD-/);
    expect((await status(api, userGuid, member)).challenges).toEqual([challenge]);
    const resumed = await api.call('PUT', `/users/${userGuid}/members/${member}/resume`, {
      member: { challenges: [{ guid: challenge.guid, value: 'correct' }] },
    });
    expect(resumed.status).toBe(202);
    expect(resumed.json.member).toMatchObject({ connection_status: 'RESUMED', is_being_aggregated: true });
    expect((await statusesUntilSettled(api, userGuid, member)).join(' ')).toMatch(/^(RESUMED\+ )?CONNECTED$/);
    expect((await api.call('GET', `/users/${userGuid}/members/${member}/challenges`)).status).toBe(204);
  });

  it('challenge answered wrongly → REJECTED', async () => {
    const member = await create('challenge');
    await statusesUntilSettled(api, userGuid, member);
    const [challenge] = (await api.call('GET', `/users/${userGuid}/members/${member}/challenges`)).json.challenges;
    await api.call('PUT', `/users/${userGuid}/members/${member}/resume`, { member: { challenges: [{ guid: challenge.guid, value: 'Paris' }] } });
    expect((await statusesUntilSettled(api, userGuid, member)).at(-1)).toBe('REJECTED');
  });

  it('options → CHALLENGED with an OPTIONS challenge whose "correct" option connects', async () => {
    const member = await create('options');
    await statusesUntilSettled(api, userGuid, member);
    const [challenge] = (await api.call('GET', `/users/${userGuid}/members/${member}/challenges`)).json.challenges;
    expect(challenge.type).toBe('OPTIONS');
    expect(challenge.options.length).toBeGreaterThanOrEqual(2);
    const right = challenge.options.find((o: any) => o.value === 'correct');
    await api.call('PUT', `/users/${userGuid}/members/${member}/resume`, { member: { challenges: [{ guid: challenge.guid, value: right.value }] } });
    expect((await statusesUntilSettled(api, userGuid, member)).at(-1)).toBe('CONNECTED');
  });

  it('refuses an answer to a challenge guid that is not the open one', async () => {
    const member = await create('challenge');
    await statusesUntilSettled(api, userGuid, member);
    const reply = await api.call('PUT', `/users/${userGuid}/members/${member}/resume`, { member: { challenges: [{ guid: 'CRD-other', value: 'correct' }] } });
    expect(reply.status).toBe(400);
    expect(reply.json.error).toMatch(/^The credential GUIDs submitted are no longer valid/);
  });

  it('aggregates a connected member again: aggregating with its last status, then CONNECTED again', async () => {
    const member = await create('password');
    await statusesUntilSettled(api, userGuid, member);
    const first = await status(api, userGuid, member);
    const again = await api.call('POST', `/users/${userGuid}/members/${member}/aggregate`);
    expect(again.json.member).toMatchObject({ connection_status: 'CONNECTED', is_being_aggregated: true });
    expect((await statusesUntilSettled(api, userGuid, member)).join(' ')).toMatch(/^(CONNECTED\+ )?CONNECTED$/);
    const second = await status(api, userGuid, member);
    expect(Date.parse(second.aggregated_at)).toBeGreaterThan(Date.parse(first.aggregated_at));
  });
});

describe('a challenge nobody answers', () => {
  it('→ EXPIRED after the challenge window; a late answer gets "Challenge question expired."', async () => {
    const quick = await started({ aggregationMs: 50, challengeWindowMs: 800 });
    try {
      const client = await Api.connect(quick);
      const user = await client.createUser('late');
      const member = (await client.createMember(user, 'late-member', 'challenge')).json.member.guid as string;
      await sleep(100);
      const open = await client.call('GET', `/users/${user}/members/${member}/challenges`);
      expect(open.status).toBe(200);
      await sleep(1_000);
      const expired = await client.call('GET', `/users/${user}/members/${member}/status`);
      expect(expired.json.member).toMatchObject({ connection_status: 'EXPIRED', is_being_aggregated: false });
      expect((await client.call('GET', `/users/${user}/members/${member}/challenges`)).status).toBe(204);
      const late = await client.call('PUT', `/users/${user}/members/${member}/resume`, {
        member: { challenges: [{ guid: open.json.challenges[0].guid, value: 'correct' }] },
      });
      expect([late.status, late.json]).toEqual([400, { error: 'Challenge question expired. Please try again.' }]);
    } finally {
      await quick.close();
    }
  });
});
