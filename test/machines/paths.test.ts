/**
 * Path coverage: for each machine, the shortest path (xstate/graph) to every distinct state is
 * replayed on a real actor with controllable stub actors and fake timers. The test prints the
 * states reached and transitions taken over the totals, and requires every state and ≥ 95 % of
 * the transitions.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AnyMachineSnapshot, AnyStateMachine } from 'xstate';
import { getAdjacencyMap, getShortestPaths, type AdjacencyMap } from 'xstate/graph';
import { memberMachine, offboardingMachine, onboardingMachine, userMachine } from '../../machines/index.js';
import {
  eventsFor, RemoteActors, replay, serializeControl, stateIds, transitionKeys, transitionTracer, type Coverage, type GraphEvent,
} from './graph.js';

// Small budgets keep the graph finite and reach every "budget exhausted" branch in a step or two.
const options = { maxAttempts: 1, pollIntervalMs: 3_000, maxPollMs: 3_000, maxChallengeRounds: 1, answerWindowMs: 60_000, baseDelayMs: 1_000 };

interface Case {
  name: string;
  machine: AnyStateMachine;
  /** One traversal per input; their coverage adds up. */
  inputs: unknown[];
  actors: string[];
  external: (snapshot: AnyMachineSnapshot) => GraphEvent[];
}

const resume = () => [{ type: 'job.resume' }];
const forbidden = { kind: 'forbidden', status: 403, retryable: false, scope: 'job', dialect: 'mx-sso' };

/** What reaches onboarding besides its user child's outcomes: member outcomes, halts and answers, per live member. */
function onboardingEvents(snapshot: AnyMachineSnapshot): GraphEvent[] {
  const members = (snapshot.context as { members: { externalId: string; outcome: string }[] }).members;
  const live = snapshot.matches('connectingMembers') ? members.filter((m) => m.outcome === 'pending').map((m) => m.externalId) : [];
  return [
    { type: 'job.resume' },
    { type: 'user.halted', externalId: 'cust-1', error: { ...forbidden, kind: 'unauthorized', status: 401 } },
    ...live.flatMap((id): GraphEvent[] => [
      ...(['connected', 'needsAction', 'failed'] as const).map((outcome) => ({
        type: `xstate.done.actor.member:${id}`,
        output: { outcome, externalId: id, institutionCode: 'mxbank', userGuid: 'USR-1', memberGuid: `MBR-${id}`, connectionStatus: null, reason: null, error: null, challenges: [] },
      })),
      { type: `xstate.error.actor.member:${id}`, error: { kind: 'unknown', status: 0, retryable: false, scope: 'item', dialect: 'network' } },
      { type: 'member.halted', externalId: id, error: forbidden },
      { type: 'member.challenge.answered', memberExternalId: id },
      { type: 'member.status.changed', memberExternalId: id },
      { type: 'member.enduser.linked', memberExternalId: id, memberGuid: `MBR-${id}` },
    ]),
  ];
}
const CASES: Case[] = [
  { name: 'user', machine: userMachine, inputs: [{ externalId: 'cust-1', options }], actors: ['createUser', 'findUser'], external: resume },
  {
    name: 'member',
    machine: memberMachine,
    // Credentials, auto (which chooses credentials or OAuth), and the widget whose end user picks the bank.
    inputs: [
      { userGuid: 'USR-1', externalId: 'cust-1-bank', institutionCode: 'mxbank', options },
      { userGuid: 'USR-1', externalId: 'cust-1-bank', institutionCode: 'oauthbank', connect: 'auto', options },
      { userGuid: 'USR-1', externalId: 'cust-1-bank', institutionCode: '', connect: 'widget', options },
    ],
    actors: [
      'listCredentialFields', 'createMember', 'findMember', 'aggregateMember', 'readMemberStatus', 'listChallenges', 'answerChallenge', 'resumeAggregation',
      'chooseConnect', 'findEndUserMember', 'adoptMember',
    ],
    external: () => [
      { type: 'job.resume' },
      { type: 'member.challenge.answered', memberExternalId: 'cust-1-bank' },
      { type: 'member.status.changed', memberExternalId: 'cust-1-bank' },
      { type: 'member.enduser.linked', memberExternalId: 'cust-1-bank', memberGuid: 'MBR-9' },
    ],
  },
  {
    name: 'offboarding',
    machine: offboardingMachine,
    inputs: [
      { externalId: 'cust-1', members: [{ externalId: 'a' }, { externalId: 'b', guid: 'MBR-b' }], options },
      { externalId: 'cust-1', userGuid: 'USR-1', options },
    ],
    actors: ['findUser', 'findMember', 'deleteMember', 'deleteUser'],
    external: resume,
  },
  {
    name: 'onboarding',
    machine: onboardingMachine,
    inputs: [{ externalId: 'cust-1', members: [{ externalId: 'a', institutionCode: 'mxbank' }, { externalId: 'b', institutionCode: 'mxbank' }], options }],
    actors: ['user', 'member'],
    external: onboardingEvents,
  },
];

beforeEach(() => {
  vi.useFakeTimers({ now: 1_700_000_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('path coverage', () => {
  it.each(CASES)('replays a shortest path to every state of the $name machine', async ({ name, machine, inputs, actors, external }) => {
    const ids = stateIds(machine);
    const allTransitions = transitionKeys(machine);
    const coverage: Coverage = { states: new Set(), transitions: new Set(), mismatches: [] };
    const counts = { paths: 0, extended: 0, replayed: 0 };
    for (const input of inputs) {
      const traversal = { input: input as never, events: eventsFor(machine, external) as never, serializeState: serializeControl as never };
      const paths = getShortestPaths(machine, traversal);
      type Step = (typeof paths)[number]['steps'][number];

      // A shortest path per state reaches every state but not every way into it: for each transition
      // no path takes yet, extend the path to a state with an event that takes it.
      const pathTo = new Map(paths.map((p) => [serializeControl(p.state as AnyMachineSnapshot), p.steps]));
      const trace = transitionTracer(machine);
      const planned = new Set(paths.flatMap((p) => p.steps.slice(1).flatMap((s, i) => trace(p.steps[i]!.state as AnyMachineSnapshot, s.event as GraphEvent))));
      const extensions: Step[][] = [];
      for (const [key, { state, transitions }] of Object.entries(getAdjacencyMap(machine, traversal) as AdjacencyMap<AnyMachineSnapshot, GraphEvent>)) {
        for (const { event, state: next } of Object.values(transitions) as { event: GraphEvent; state: AnyMachineSnapshot }[]) {
          const fresh = trace(state as AnyMachineSnapshot, event as GraphEvent).filter((t) => !planned.has(t));
          if (fresh.length === 0) continue;
          fresh.forEach((t) => planned.add(t));
          extensions.push([...(pathTo.get(key) ?? []), { event, state: next } as Step]);
        }
      }

      // A path that is the prefix of another adds nothing: replay only the longest ones.
      const sequences = [...paths.map((p) => p.steps), ...extensions].map((steps: Step[]) => ({ steps, key: steps.map((s) => JSON.stringify(s.event)).join('\n') }));
      sequences.sort((a, b) => a.key.localeCompare(b.key));
      const leaves = sequences.filter((s, i) => !sequences[i + 1]?.key.startsWith(`${s.key}\n`));
      for (const { steps } of leaves) {
        const remote = new RemoteActors();
        const provided = machine.provide({ actors: Object.fromEntries(actors.map((a) => [a, remote.logic()])) } as never);
        await replay(provided, input, steps as never, remote, coverage, ids);
      }
      counts.paths += paths.length;
      counts.extended += extensions.length;
      counts.replayed += leaves.length;
    }

    const missingStates = ids.filter((id) => !coverage.states.has(id));
    const missingTransitions = [...allTransitions].filter((t) => !coverage.transitions.has(t));
    const ratio = coverage.transitions.size / allTransitions.size;
    console.log(
      `${name}: ${counts.paths} shortest paths + ${counts.extended} extended, ${counts.replayed} replayed; states ${coverage.states.size}/${ids.length}; ` +
        `transitions ${coverage.transitions.size}/${allTransitions.size} (${(ratio * 100).toFixed(1)} %)` +
        (missingTransitions.length ? `; not taken: ${missingTransitions.join(', ')}` : ''),
    );
    expect(coverage.mismatches).toEqual([]);
    expect(missingStates).toEqual([]);
    expect(ratio).toBeGreaterThanOrEqual(0.95);
  });
});
