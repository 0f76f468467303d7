/**
 * Two rounds of MFA, as MX documents them: "use the resume endpoint twice: once to choose the
 * phone number and again to provide the correct code. Also, use the connection status endpoint
 * multiple times to get two different challenge GUIDs"
 * (https://docs.mx.com/other/specialized-document-aggregation/dealing-with-mfa); and MX Bank's
 * "responding with "value": "challenge" will answer the first question correctly and trigger a
 * follow-up challenge" (https://docs.mx.com/resources/atrium/testing-your-setup).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { platformCaller, sleep } from './helpers.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ aggregationMs: 30, challengeWindowMs: 60_000 });
});
afterAll(() => sandbox.close());

let serial = 0;
const call = platformCaller(() => sandbox);

/** The status once it stops being RESUMED or CREATED (liveness only: a 30-ms leg ends long before the deadline). */
async function next(user: string, member: string): Promise<Record<string, any>> {
  for (const end = Date.now() + 20_000; Date.now() < end; await sleep(20)) {
    const status = (await call('GET', `/users/${user}/members/${member}/status`)).json.member;
    if (status.connection_status !== 'RESUMED' && status.connection_status !== 'CREATED') return status;
  }
  throw new Error('the member never moved on');
}

describe('a challenge that takes two rounds', () => {
  // password, how each round is answered (a label to pick among OPTIONS, or a value), the statuses seen, the end.
  const rows: Array<[string, string, string[], string[], string]> = [
    ['two_step: choose the phone, then the code', 'two_step', ['label:Text (XXX) XXX-1234', 'correct'], ['OPTIONS', 'TEXT'], 'CONNECTED'],
    ['two_step: the wrong phone ends it', 'two_step', ['label:Text (XXX) XXX-5678'], ['OPTIONS'], 'REJECTED'],
    ['two_step: a wrong code ends it', 'two_step', ['label:Text (XXX) XXX-1234', 'nope'], ['OPTIONS', 'TEXT'], 'REJECTED'],
    ['challenge answered "challenge", then "correct"', 'challenge', ['challenge', 'correct'], ['TEXT', 'TEXT'], 'CONNECTED'],
    ['challenge answered "correct" takes one round', 'challenge', ['correct'], ['TEXT'], 'CONNECTED'],
  ];
  it.each(rows)('%s', async (_, password, answers, types, end) => {
    const user = (await call('POST', '/users', { user: { id: `u-${serial++}` } })).json.user.guid as string;
    const credentials = [{ guid: 'CRD-username', value: 'mxuser' }, { guid: 'CRD-password', value: password }];
    const member = (await call('POST', `/users/${user}/members`, { member: { institution_code: 'mxbank', credentials } })).json.member.guid as string;
    const seen: string[] = [];
    const guids = new Set<string>();
    for (const answer of answers) {
      const status = await next(user, member);
      expect([status.connection_status, status.is_authenticated, status.aggregated_at]).toEqual(['CHALLENGED', false, null]);
      const [challenge] = status.challenges;
      seen.push(challenge.type);
      guids.add(challenge.guid);
      const value = answer.startsWith('label:') ? challenge.options.find((o: { label: string }) => o.label === answer.slice(6)).value : answer;
      const resumed = await call('PUT', `/users/${user}/members/${member}/resume`, { member: { challenges: [{ guid: challenge.guid, value }] } });
      expect(resumed.status).toBe(202);
    }
    expect(seen).toEqual(types);
    expect(guids.size).toBe(answers.length);
    expect((await next(user, member)).connection_status).toBe(end);
  });

  it('refuses the first round\'s guid in the second round', async () => {
    const user = (await call('POST', '/users', { user: { id: `u-${serial++}` } })).json.user.guid as string;
    const credentials = [{ guid: 'CRD-username', value: 'mxuser' }, { guid: 'CRD-password', value: 'two_step' }];
    const member = (await call('POST', `/users/${user}/members`, { member: { institution_code: 'mxbank', credentials } })).json.member.guid as string;
    const first = (await next(user, member)).challenges[0];
    await call('PUT', `/users/${user}/members/${member}/resume`, { member: { challenges: [{ guid: first.guid, value: 'correct' }] } });
    expect((await next(user, member)).challenges[0].type).toBe('TEXT');
    const stale = await call('PUT', `/users/${user}/members/${member}/resume`, { member: { challenges: [{ guid: first.guid, value: 'correct' }] } });
    expect(stale.status).toBe(422);
  });
});
