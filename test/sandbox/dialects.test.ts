/**
 * Every error the sandbox produces, triggered over HTTP in each dialect (the table is in
 * dialectCases.ts), against the status and body the error documents give.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dialect } from '../../src/errors/types.js';
import type { FaultKind, Sandbox } from '../../src/sandbox/index.js';
import { SANDBOX_ERROR_CASES } from '../../src/sandbox/renderError.js';
import { CASES, member, type Fixture } from './dialectCases.js';
import { Api, sleep, started, tokenFor } from './helpers.js';

const DIALECTS: Dialect[] = ['mx-sso', 'nexus', 'mgx', 'mcc'];
const fixtures = new Map<Dialect, Fixture>();

async function fixtureFor(dialect: Dialect): Promise<Fixture> {
  const main = await started({
    dialect, tokenTtlSeconds: 1, aggregationMs: 20, challengeWindowMs: 800, refuseDuplicateMembers: true,
    clients: [{ id: 'sandbox-client', key: 'sandbox-key' }, { id: 'lonely', key: 'lonely-key', associated: false }],
  });
  const limited = await started({ dialect, rateLimit: 1, burst: 1 });
  const faulty: Record<string, Sandbox> = {};
  for (const kind of ['bad_gateway', 'maintenance', 'server_error', 'delete_failed'] as FaultKind[]) {
    // Only DELETEs can get delete_failed, so the create that sets it up passes.
    faulty[kind] = await started({ dialect, faults: 1, faultKinds: [kind] });
  }
  const api = await Api.connect(main);
  const user = await api.createUser('owner');
  await api.createUser('dup-user');
  await api.call('POST', `/users/${user}/members`, member('password', 'dup-member'));
  const manual = await api.call('POST', `/users/${user}/members`, { member: { institution_code: 'manual', credentials: [] } });
  const challenged = await api.call('POST', `/users/${user}/members`, member('challenge'));
  let challenges = await api.call('GET', `/users/${user}/members/${challenged.json.member.guid}/challenges`);
  for (let i = 0; i < 200 && challenges.status === 204; i++) {
    await sleep(10);
    challenges = await api.call('GET', `/users/${user}/members/${challenged.json.member.guid}/challenges`);
  }
  return {
    main, limited, faulty, user,
    manualMember: manual.json.member.guid,
    challengedMember: challenged.json.member.guid,
    challengeGuid: challenges.json.challenges[0].guid,
    expiredToken: await tokenFor(main.url),
  };
}

beforeAll(async () => {
  const all = await Promise.all(DIALECTS.map(fixtureFor));
  DIALECTS.forEach((d, i) => fixtures.set(d, all[i] as Fixture));
  // One wait for all four: the 1-s tokens and the 800-ms challenge windows run out together.
  await sleep(1_200);
});

afterAll(async () => {
  for (const f of fixtures.values()) {
    await Promise.all([f.main.close(), f.limited.close(), ...Object.values(f.faulty).map((s) => s.close())]);
  }
});

describe.each(DIALECTS)('%s renders', (dialect) => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const f = fixtures.get(dialect) as Fixture;
    const api = new Api(f.main.url, `Bearer ${await tokenFor(f.main.url)}`);
    const reply = await c.trigger(f, api);
    expect([reply.status, reply.text === '' ? null : JSON.parse(reply.text)]).toEqual(c.want[dialect]);
    if (reply.text !== '') expect(reply.headers.get('content-type')).toContain('json');
    if (reply.status === 429) expect(reply.headers.get('retry-after')).toBe('1');
    if (reply.status === 405) expect(reply.headers.get('allow')).toBe('GET, POST');
  });
});

it('covers every error case the sandbox can produce', () => {
  // A resume of a member that is not CHALLENGED is an error only in the platform dialect (platform.test.ts).
  const seedCases = SANDBOX_ERROR_CASES.filter((c) => c !== 'not_challenged');
  expect([...new Set(CASES.map((c) => c.covers))].toSorted()).toEqual([...seedCases].toSorted());
});
