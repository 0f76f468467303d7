/**
 * How the member machine follows MX Platform's aggregation (docs.mx.com, "Member connection
 * statuses" and "Aggregation": stop polling when `is_being_aggregated` is false; a member status
 * response carries its `challenges`; OAuth members stay PENDING until the end user opens the
 * `oauth_window_uri`), and recovers a duplicate by the guid MX names.
 */
import { describe, expect, it } from 'vitest';
import { createActor, waitFor } from 'xstate';
import { memberMachine, userMachine } from '../../machines/index.js';
import { challenge, err, fields, member, ok, scripted, status, user, type Call } from './harness.js';

const input = { userGuid: 'USR-1', externalId: 'cust-1-bank', institutionCode: 'mxbank', options: { pollIntervalMs: 1 } };

async function run(script: Parameters<typeof scripted>[0], calls: Call[] = []) {
  const machine = memberMachine.provide({ actors: scripted(script, calls) });
  const done = await waitFor(createActor(machine, { input }).start(), (s) => s.status === 'done', { timeout: 2_000 });
  return done.output;
}

describe('member machine on MX Platform', () => {
  it('watches a re-aggregation: FAILED while still aggregating is not the outcome, CONNECTED once it stops is', async () => {
    const calls: Call[] = [];
    const output = await run(
      {
        listCredentialFields: [ok(fields)],
        createMember: [ok(member())],
        readMemberStatus: [ok(status('FAILED', 'MBR-1', true)), ok(status('FAILED', 'MBR-1', true)), ok(status('CONNECTED', 'MBR-1', false))],
      },
      calls,
    );
    expect(output).toMatchObject({ outcome: 'connected', connectionStatus: 'CONNECTED' });
    expect(calls.filter((c) => c.actor === 'readMemberStatus')).toHaveLength(3);
    expect(calls.filter((c) => c.actor === 'aggregateMember')).toHaveLength(0);
  });

  it('ends an OAuth member that is PENDING at once, as needsAction with the reason and that a window uri exists', async () => {
    const calls: Call[] = [];
    const oauth = { ...member('PENDING'), is_oauth: true, oauth_window_uri: 'https://mxbank.example/oauth?state=abc' };
    const output = await run({ listCredentialFields: [ok(fields)], createMember: [ok(oauth)], readMemberStatus: [ok(status('PENDING'))] }, calls);
    expect(output).toMatchObject({ outcome: 'needsAction', reason: 'oauthPending', connectionStatus: 'PENDING', hasOauthWindowUri: true });
    expect(calls.filter((c) => c.actor === 'readMemberStatus')).toHaveLength(1);
    expect(JSON.stringify(output)).not.toContain('state=abc');
  });

  it('keeps polling a PENDING member that is not OAuth', async () => {
    const calls: Call[] = [];
    const output = await run(
      { listCredentialFields: [ok(fields)], createMember: [ok(member())], readMemberStatus: [ok(status('PENDING')), ok(status('CONNECTED'))] },
      calls,
    );
    expect(output).toMatchObject({ outcome: 'connected', hasOauthWindowUri: false });
  });

  it('answers the challenges a status carries inline, without reading them again', async () => {
    const calls: Call[] = [];
    const machine = memberMachine.provide({
      actors: scripted(
          {
            listCredentialFields: [ok(fields)],
            createMember: [ok(member())],
            readMemberStatus: [ok({ ...status('CHALLENGED'), challenges: [challenge('CRD-inline')] }), ok(status('CONNECTED'))],
            answerChallenge: [ok({ answered: true })],
            resumeAggregation: [ok(member('RESUMED'))],
          },
          calls,
        ),
    });
    const done = await waitFor(createActor(machine, { input }).start(), (s) => s.status === 'done', { timeout: 2_000 });
    expect(done.output).toMatchObject({ outcome: 'connected' });
    expect(calls.some((c) => c.actor === 'listChallenges')).toBe(false);
    expect(calls.find((c) => c.actor === 'resumeAggregation')?.input).toMatchObject({ challengeGuids: ['CRD-inline'] });
  });

  it.each([
    ['405: no longer CHALLENGED', { status: 405 }],
    ['409: another job is running', { status: 409, retryable: true }],
  ] as const)('a resume refused with %s reads the member again and continues, without halting', async (_name, refusal) => {
    const output = await run({
      listCredentialFields: [ok(fields)],
      createMember: [ok(member())],
      readMemberStatus: [ok(status('CHALLENGED')), ok(status('CONNECTED'))],
      listChallenges: [ok([challenge()])],
      answerChallenge: [ok({ answered: true })],
      resumeAggregation: [err('conflict', refusal)],
    });
    expect(output).toMatchObject({ outcome: 'connected' });
  });

  it('recovers a duplicate member by the guid MX named', async () => {
    const calls: Call[] = [];
    const output = await run(
      {
        listCredentialFields: [ok(fields)],
        createMember: [err('duplicate', { status: 409, guid: 'MBR-named' })],
        findMember: [ok(member('CONNECTED', 'MBR-named'))],
        aggregateMember: [ok(member('CONNECTED', 'MBR-named'))],
        readMemberStatus: [ok(status('CONNECTED', 'MBR-named'))],
      },
      calls,
    );
    expect(output).toMatchObject({ outcome: 'connected', memberGuid: 'MBR-named' });
    expect(calls.find((c) => c.actor === 'findMember')?.input).toEqual({ userGuid: 'USR-1', externalId: 'cust-1-bank', memberGuid: 'MBR-named' });
  });

  it('recovers a duplicate user by the guid MX named, and by external id when none was named', async () => {
    for (const [guid, expected] of [['USR-named', { externalId: 'cust-1', userGuid: 'USR-named' }], [undefined, { externalId: 'cust-1' }]] as const) {
      const calls: Call[] = [];
      const machine = userMachine.provide({
        actors: scripted({ createUser: [err('duplicate', { status: 409, ...(guid ? { guid } : {}) })], findUser: [ok(user(guid ?? 'USR-1'))] }, calls),
      });
      const done = await waitFor(createActor(machine, { input: { externalId: 'cust-1' } }).start(), (s) => s.status === 'done', { timeout: 2_000 });
      expect(done.output).toMatchObject({ outcome: 'ready', userGuid: guid ?? 'USR-1' });
      expect(calls.find((c) => c.actor === 'findUser')?.input).toEqual(expected);
    }
  });
});
