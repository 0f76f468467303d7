/**
 * One customer onboarded: the user machine, then one member machine per connection, run side by
 * side (a customer has few). A child that halts on a job-scope error halts the onboarding with it;
 * `job.resume` is passed down and the child runs its halted step again, so a job stopped by a bad
 * key or a long outage continues where it stood.
 */
import { assign, enqueueActions, setup } from 'xstate';
import type { ApiError } from '../src/errors/index.js';
import { toApiError } from './errors.js';
import type { JobResumeEvent } from './events.js';
import { memberMachine } from './member.machine.js';
import type { ChallengeAnsweredEvent, MemberChangedEvent, MemberHaltedEvent, MemberLinkedEvent, MemberOutput } from './member.setup.js';
import { userMachine, type UserHaltedEvent, type UserOutput } from './user.machine.js';
import type { MemberResult, OnboardingContext, OnboardingInput, OnboardingOutcome, OnboardingOutput } from './onboarding.types.js';

/**
 * The id of the member machine that onboarding spawns for a connection.
 *
 * @example
 * ```ts
 * memberActorId('cust-1-mxbank'); // 'member:cust-1-mxbank'
 * ```
 */
export function memberActorId(externalId: string): string {
  return `member:${externalId}`;
}

const ERROR_PREFIX = 'xstate.error.actor.';

type MemberDoneEvent = { type: `xstate.done.actor.${string}`; output: MemberOutput };
type MemberErrorEvent = { type: `xstate.error.actor.${string}`; error: unknown };
export type OnboardingEvent =
  | JobResumeEvent
  | ChallengeAnsweredEvent
  | MemberChangedEvent
  | MemberLinkedEvent
  | UserHaltedEvent
  | MemberHaltedEvent
  | MemberDoneEvent
  | MemberErrorEvent;

function externalIdOfActor(actorEventType: string, prefix: string): string {
  return actorEventType.slice(prefix.length + memberActorId('').length);
}

function withResult(members: MemberResult[], externalId: string, patch: Partial<MemberResult>): MemberResult[] {
  return members.map((m) => (m.externalId === externalId ? { ...m, ...patch } : m));
}

/**
 * Onboards one customer: its user, then its members side by side. Final states `done`,
 * `needsAction` and `failed`; a halted child halts it until `job.resume`. Provide its children
 * (`user`, `member`) already provided with effects, e.g. with `provideEffects`.
 *
 * @example
 * ```ts
 * const { onboarding } = provideEffects(effects);
 * createActor(onboarding, { input: { externalId: 'cust-1', members: [{ externalId: 'cust-1-mxbank', institutionCode: 'mxbank' }] } }).start();
 * ```
 */
export const onboardingMachine = setup({
  types: {} as { context: OnboardingContext; input: OnboardingInput; events: OnboardingEvent; output: OnboardingOutput },
  actors: { user: userMachine, member: memberMachine },
  guards: {
    isUserReady: (_, params: { output: UserOutput }) => params.output.outcome === 'ready',
    isPendingMember: ({ context }, params: { externalId: string }) =>
      context.members.some((m) => m.externalId === params.externalId && m.outcome === 'pending'),
    allMembersSettled: ({ context }) => context.members.every((m) => m.outcome !== 'pending'),
    anyMember: ({ context }, params: { outcome: MemberResult['outcome'] }) => context.members.some((m) => m.outcome === params.outcome),
  },
  actions: {
    recordUser: assign((_, params: { output: UserOutput }) => ({
      userGuid: params.output.outcome === 'ready' ? params.output.userGuid : null,
    })),
    recordUserFailure: assign(({ context }, params: { error: ApiError | null }) => ({
      error: params.error,
      members: context.members.map((m) => ({ ...m, outcome: 'skipped' as const })),
    })),
    recordHalt: assign((_, params: { error: ApiError | null }) => ({ halt: params.error })),
    recordMemberHalt: assign(({ context }, params: { externalId: string; error: ApiError | null }) => ({
      halt: params.error,
      haltedMembers: context.haltedMembers.includes(params.externalId) ? context.haltedMembers : [...context.haltedMembers, params.externalId],
    })),
    resumeUser: enqueueActions(({ enqueue }) => {
      enqueue.assign({ halt: null });
      enqueue.sendTo('user', { type: 'job.resume' });
    }),
    resumeMembers: enqueueActions(({ enqueue, context }) => {
      for (const externalId of context.haltedMembers) enqueue.sendTo(memberActorId(externalId), { type: 'job.resume' });
      enqueue.assign({ halt: null, haltedMembers: [] });
    }),
    spawnMembers: enqueueActions(({ enqueue, context }) => {
      for (const member of context.members) {
        enqueue.spawnChild('member', {
          id: memberActorId(member.externalId),
          input: {
            userGuid: context.userGuid ?? '',
            externalId: member.externalId,
            userExternalId: context.externalId,
            institutionCode: member.institutionCode,
            ...(member.connect === undefined ? {} : { connect: member.connect }),
            ...(context.options === undefined ? {} : { options: context.options }),
          },
        });
      }
    }),
    recordMemberOutput: assign(({ context }, params: { output: MemberOutput }) => ({
      members: withResult(context.members, params.output.externalId, {
        guid: params.output.memberGuid,
        // Kept only for the end user's connections, so a credentials result reads as it always did.
        ...(params.output.connect === 'credentials' ? {} : { connect: params.output.connect }),
        institutionCode: params.output.institutionCode,
        connectionStatus: params.output.connectionStatus,
        outcome: params.output.outcome,
        reason: params.output.reason,
        error: params.output.error,
        challenges: params.output.outcome === 'needsAction' ? params.output.challenges : [],
      }),
      haltedMembers: context.haltedMembers.filter((id) => id !== params.output.externalId),
    })),
    recordMemberCrash: assign(({ context }, params: { externalId: string; error: unknown }) => ({
      members: withResult(context.members, params.externalId, { outcome: 'failed', error: toApiError(params.error) }),
      haltedMembers: context.haltedMembers.filter((id) => id !== params.externalId),
    })),
    forwardAnswer: enqueueActions(({ enqueue }, params: { externalId: string }) => {
      enqueue.sendTo(memberActorId(params.externalId), { type: 'member.challenge.answered', memberExternalId: params.externalId });
    }),
    forwardChange: enqueueActions(({ enqueue }, params: { externalId: string }) => {
      enqueue.sendTo(memberActorId(params.externalId), { type: 'member.status.changed', memberExternalId: params.externalId });
    }),
    forwardLink: enqueueActions(({ enqueue }, params: MemberLinkedEvent) => {
      enqueue.sendTo(memberActorId(params.memberExternalId), params);
    }),
    settle: assign((_, params: { outcome: OnboardingOutcome }) => ({ outcome: params.outcome })),
  },
}).createMachine({
  id: 'onboarding',
  description: 'Onboards one customer: its MX user, then each of its members, to done, needsAction or failed.',
  context: ({ input }) => ({
    externalId: input.externalId,
    email: input.email,
    metadata: input.metadata,
    options: input.options,
    userGuid: null,
    members: input.members.map((m) => ({
      externalId: m.externalId,
      institutionCode: m.institutionCode,
      ...(m.connect === undefined || m.connect === 'auto' ? {} : { connect: m.connect }),
      guid: null,
      connectionStatus: null,
      outcome: 'pending' as const,
      reason: null,
      error: null,
      challenges: [],
    })),
    haltedMembers: [],
    halt: null,
    error: null,
    outcome: null,
  }),
  initial: 'creatingUser',
  states: {
    creatingUser: {
      description: 'The user machine makes sure the customer\'s MX user exists.',
      invoke: {
        src: 'user',
        id: 'user',
        input: ({ context }) => ({
          externalId: context.externalId,
          ...(context.email === undefined ? {} : { email: context.email }),
          ...(context.metadata === undefined ? {} : { metadata: context.metadata }),
          ...(context.options === undefined ? {} : { options: context.options }),
        }),
        onDone: [
          {
            guard: { type: 'isUserReady', params: ({ event }) => ({ output: event.output }) },
            target: 'connectingMembers',
            actions: { type: 'recordUser', params: ({ event }) => ({ output: event.output }) },
          },
          {
            target: 'failed',
            actions: {
              type: 'recordUserFailure',
              params: ({ event }) => ({ error: event.output.outcome === 'failed' ? event.output.error : null }),
            },
          },
        ],
        onError: { target: 'failed', actions: { type: 'recordUserFailure', params: ({ event }) => ({ error: toApiError(event.error) }) } },
      },
      initial: 'running',
      states: {
        running: {
          description: 'The user machine is working.',
          on: { 'user.halted': { target: 'halted', actions: { type: 'recordHalt', params: ({ event }) => ({ error: event.error }) } } },
        },
        halted: {
          description: 'The user machine halted on a job-scope error; job.resume sends it back to work.',
          on: { 'job.resume': { target: 'running', actions: 'resumeUser' } },
        },
      },
    },
    connectingMembers: {
      description: 'One member machine per connection, side by side, each to connected, needsAction or failed.',
      entry: 'spawnMembers',
      always: { guard: 'allMembersSettled', target: 'settling' },
      on: {
        'xstate.done.actor.*': {
          actions: { type: 'recordMemberOutput', params: ({ event }) => ({ output: (event as MemberDoneEvent).output }) },
        },
        'xstate.error.actor.*': {
          actions: {
            type: 'recordMemberCrash',
            params: ({ event }) => ({ externalId: externalIdOfActor(event.type, ERROR_PREFIX), error: (event as MemberErrorEvent).error }),
          },
        },
        'member.challenge.answered': {
          guard: { type: 'isPendingMember', params: ({ event }) => ({ externalId: event.memberExternalId }) },
          actions: { type: 'forwardAnswer', params: ({ event }) => ({ externalId: event.memberExternalId }) },
        },
        'member.status.changed': {
          guard: { type: 'isPendingMember', params: ({ event }) => ({ externalId: event.memberExternalId }) },
          actions: { type: 'forwardChange', params: ({ event }) => ({ externalId: event.memberExternalId }) },
        },
        'member.enduser.linked': {
          guard: { type: 'isPendingMember', params: ({ event }) => ({ externalId: event.memberExternalId }) },
          actions: { type: 'forwardLink', params: ({ event }) => event },
        },
        'member.halted': {
          target: '.halted',
          actions: { type: 'recordMemberHalt', params: ({ event }) => ({ externalId: event.externalId, error: event.error }) },
        },
      },
      initial: 'running',
      states: {
        running: { description: 'The member machines are working.' },
        halted: {
          description: 'A member machine halted on a job-scope error; job.resume sends every halted member back to work.',
          on: { 'job.resume': { target: 'running', actions: 'resumeMembers' } },
        },
      },
    },
    settling: {
      description: 'Every member has settled: the worst member outcome decides the customer\'s.',
      always: [
        { guard: { type: 'anyMember', params: { outcome: 'failed' } }, target: 'failed' },
        { guard: { type: 'anyMember', params: { outcome: 'needsAction' } }, target: 'needsAction' },
        { target: 'done' },
      ],
    },
    done: {
      type: 'final',
      description: 'The user exists and every member is connected.',
      entry: { type: 'settle', params: { outcome: 'done' } },
    },
    needsAction: {
      type: 'final',
      description: 'A member needs the end customer (or an operator): its status or reason is in the output.',
      entry: { type: 'settle', params: { outcome: 'needsAction' } },
    },
    failed: {
      type: 'final',
      description: 'The user or a member failed for good; the classified errors are in the output.',
      entry: { type: 'settle', params: { outcome: 'failed' } },
    },
  },
  output: ({ context }): OnboardingOutput => ({
    outcome: context.outcome ?? 'failed',
    externalId: context.externalId,
    userGuid: context.userGuid,
    members: context.members,
    error: context.error,
  }),
});
