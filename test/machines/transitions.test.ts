/**
 * Drives every cell of the error transition table on a real actor: a script of stub effects leads
 * the machine into the invoking state, the state's actor rejects with an ApiError of the cell's
 * kind, and the state the machine rests in next must be the cell's.
 */
import { describe, expect, it } from 'vitest';
import { createActor, type AnyStateMachine } from 'xstate';
import type { ApiErrorKind } from '../../src/errors/types.js';
import { API_ERROR_KINDS } from '../../src/errors/types.js';
import { memberMachine, offboardingMachine, userMachine, type LifecycleActorName } from '../../machines/index.js';
import { renderTransitionTable, TRANSITION_TABLE, type InvokingStateRow } from './transitions.js';
import { challenge, endlessSleep, err, fields, member, ok, scripted, status, statePath, user, type Outcome } from './harness.js';

type Script = Partial<Record<LifecycleActorName, Outcome[]>>;

interface Route {
  machine: AnyStateMachine;
  input: unknown;
  /** The successes that lead into the state; the state's actor then fails. */
  before: Script;
}

const memberInput = { userGuid: 'USR-1', externalId: 'cust-1-bank', institutionCode: 'mxbank' };
const toPolling: Script = { listCredentialFields: [ok(fields)], createMember: [ok(member())] };
const toChallenges: Script = { ...toPolling, readMemberStatus: [ok(status('CHALLENGED'))] };
const offboardingInput = { externalId: 'cust-1', members: [{ externalId: 'cust-1-bank' }] };

const ROUTES: Record<string, Route> = {
  'user/creating': { machine: userMachine, input: { externalId: 'cust-1' }, before: {} },
  'user/recoveringDuplicate': { machine: userMachine, input: { externalId: 'cust-1' }, before: { createUser: [err('duplicate')] } },
  'member/resolvingCredentialFields': { machine: memberMachine, input: memberInput, before: {} },
  'member/creating': { machine: memberMachine, input: memberInput, before: { listCredentialFields: [ok(fields)] } },
  'member/recoveringDuplicate': { machine: memberMachine, input: memberInput, before: { listCredentialFields: [ok(fields)], createMember: [err('duplicate')] } },
  'member/aggregating': {
    machine: memberMachine, input: memberInput,
    before: { listCredentialFields: [ok(fields)], createMember: [err('duplicate')], findMember: [ok(member('CONNECTED'))] },
  },
  'member/polling.checkingStatus': { machine: memberMachine, input: memberInput, before: toPolling },
  'member/loadingChallenges': { machine: memberMachine, input: memberInput, before: toChallenges },
  'member/resuming': {
    machine: memberMachine, input: memberInput,
    before: { ...toChallenges, listChallenges: [ok([challenge()])], answerChallenge: [ok({ answered: true })] },
  },
  'offboarding/findingUser': { machine: offboardingMachine, input: offboardingInput, before: {} },
  'offboarding/findingMember': { machine: offboardingMachine, input: offboardingInput, before: { findUser: [ok(user())] } },
  'offboarding/deletingMember': {
    machine: offboardingMachine, input: offboardingInput, before: { findUser: [ok(user())], findMember: [ok(member('CONNECTED'))] },
  },
  'offboarding/deletingUser': {
    machine: offboardingMachine, input: offboardingInput,
    before: { findUser: [ok(user())], findMember: [ok(member('CONNECTED'))], deleteMember: [ok()] },
  },
};

/** Runs one cell; resolves with the state the machine rests in after the failure. */
async function nextStateAfter(row: InvokingStateRow, kind: ApiErrorKind): Promise<{ before: string; after: string }> {
  const route = ROUTES[`${row.machine}/${row.state}`];
  if (!route) throw new Error(`no route into ${row.machine}/${row.state}`);
  const script: Script = { ...route.before, [row.actor]: [...(route.before[row.actor] ?? []), err(kind)] };
  const actors = { ...scripted(script), sleepUntil: endlessSleep };
  const seen: string[] = [];
  const actor = createActor(route.machine.provide({ actors }), { input: route.input });
  actor.subscribe((s) => seen.push(statePath(s.value)));
  actor.start();
  // Every stub settles on a microtask, and every actor past its script hangs: a few turns of the
  // event loop let the machine come to rest.
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  actor.stop();
  const at = seen.lastIndexOf(row.state);
  return { before: at >= 0 ? row.state : `never reached (${seen.join(' → ')})`, after: seen[at + 1] ?? 'stayed' };
}

describe('error transition table', () => {
  const cells = TRANSITION_TABLE.flatMap((row) => API_ERROR_KINDS.map((kind) => ({ row, kind })));

  it(`drives all ${cells.length} cells (${TRANSITION_TABLE.length} invoking states × ${API_ERROR_KINDS.length} kinds) on real actors`, async () => {
    const mismatches: string[] = [];
    for (const { row, kind } of cells) {
      const { before, after } = await nextStateAfter(row, kind);
      const expected = row.next[kind];
      if (before !== row.state || after !== expected) {
        mismatches.push(`${row.machine}.${row.state} × ${kind}: expected ${expected}, got ${before === row.state ? after : before}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('renders as markdown for the README, one column per invoking state', () => {
    const markdown = renderTransitionTable();
    console.log(`\n${markdown}\n`);
    expect(markdown).toContain('| `duplicate` (no, item) | **recoveringDuplicate** | failed |');
    expect(markdown.match(/^\| `/gm)).toHaveLength(3 * API_ERROR_KINDS.length);
  });
});
