/**
 * Takes one customer out of MX: delete each listed member, then the user. Deletes are idempotent:
 * `not_found` means an earlier attempt (or someone else) already did it, and "Failed to delete …"
 * (`server_error`) is retried with durable backoff.
 */
import { assign, setup } from 'xstate';
import type { ApiError } from '../src/errors/index.js';
import type { MxMember, MxUser } from '../src/api/index.js';
import { missingActor, sleepUntil } from './actors.js';
import { isKind, isSystemicError, toApiError } from './errors.js';
import type { JobResumeEvent } from './events.js';
import { errorOf, retryOrFail, waitingStates, type ErrorParams, type StepErrorParams as StepErrorParamsOf } from './retryKit.js';
import { resolveLifecycleOptions, type LifecycleOptions, type ResolvedLifecycleOptions } from './options.js';
import { canRetry, clearedRetry, initialRetryContext, planHalt, planRetry, resumedRetry, type RetryContext } from './retry.js';

export interface OffboardingInput {
  /** The customer's external id; used to find the user when `userGuid` is not given. */
  externalId: string;
  userGuid?: string;
  /** The members to delete first; each found by external id when its guid is not given. */
  members?: { externalId: string; guid?: string }[];
  options?: Partial<LifecycleOptions>;
}

export type OffboardingStep = 'findingUser' | 'findingMember' | 'deletingMember' | 'deletingUser';
export type DeletionOutcome = 'pending' | 'deleted' | 'alreadyGone';

export interface OffboardedMember {
  externalId: string;
  guid: string | null;
  outcome: DeletionOutcome;
}

export interface OffboardingContext extends RetryContext<OffboardingStep> {
  externalId: string;
  options: ResolvedLifecycleOptions;
  userGuid: string | null;
  user: DeletionOutcome;
  members: OffboardedMember[];
  /** The member being deleted. */
  index: number;
  outcome: 'done' | 'failed' | null;
}

export type OffboardingEvent = JobResumeEvent;

export interface OffboardingOutput {
  outcome: 'done' | 'failed';
  externalId: string;
  userGuid: string | null;
  user: DeletionOutcome;
  members: OffboardedMember[];
  error: ApiError | null;
}

type StepErrorParams = StepErrorParamsOf<OffboardingStep>;

const STEP_TARGETS: Record<OffboardingStep, string> = {
  findingUser: '#offboarding.findingUser',
  findingMember: '#offboarding.findingMember',
  deletingMember: '#offboarding.deletingMember',
  deletingUser: '#offboarding.deletingUser',
};

function setCurrent(context: OffboardingContext, patch: Partial<OffboardedMember>): OffboardedMember[] {
  return context.members.map((m, i) => (i === context.index ? { ...m, ...patch } : m));
}

/**
 * Deletes a customer's listed members, then its user. Final states `done` and `failed`; `halted`
 * waits for `job.resume`.
 *
 * @example
 * ```ts
 * createActor(offboardingMachine.provide({ actors: { findUser, findMember, deleteMember, deleteUser } }), {
 *   input: { externalId: 'cust-1', members: [{ externalId: 'cust-1-mxbank' }] },
 * }).start();
 * ```
 */
export const offboardingMachine = setup({
  types: {} as { context: OffboardingContext; input: OffboardingInput; events: OffboardingEvent; output: OffboardingOutput },
  actors: {
    findUser: missingActor('findUser'),
    findMember: missingActor('findMember'),
    deleteMember: missingActor('deleteMember'),
    deleteUser: missingActor('deleteUser'),
    sleepUntil,
  },
  guards: {
    isNotFound: (_, params: ErrorParams) => isKind(params.error, 'not_found'),
    canRetry: ({ context }, params: ErrorParams) => canRetry(context, params.error),
    isSystemic: (_, params: ErrorParams) => isSystemicError(params.error),
    isFound: (_, params: { found: MxUser | MxMember | null }) => params.found !== null,
    knowsUserGuid: ({ context }) => context.userGuid !== null,
    hasMemberLeft: ({ context }) => context.index < context.members.length,
    knowsMemberGuid: ({ context }) => typeof context.members[context.index]?.guid === 'string',
    resumesAt: ({ context }, params: { step: OffboardingStep }) => context.retryStep === params.step,
  },
  actions: {
    scheduleRetry: assign(({ context }, params: StepErrorParams) => planRetry(context, params.error, params.step, Date.now())),
    recordHalt: assign((_, params: StepErrorParams) => planHalt(params.error, params.step)),
    recordFailure: assign((_, params: ErrorParams) => ({ error: toApiError(params.error) })),
    resumeJob: assign(resumedRetry),
    recordUser: assign((_, params: { user: MxUser | null }) => ({ userGuid: params.user?.guid ?? null, ...clearedRetry })),
    markUserGone: assign(({ context }) => ({
      user: 'alreadyGone' as const,
      members: context.members.map((m) => (m.outcome === 'pending' ? { ...m, outcome: 'alreadyGone' as const } : m)),
      ...clearedRetry,
    })),
    markUserDeleted: assign({ user: 'deleted', ...clearedRetry }),
    recordMemberGuid: assign(({ context }, params: { member: MxMember | null }) => ({
      members: setCurrent(context, { guid: params.member?.guid ?? null }),
      ...clearedRetry,
    })),
    settleMember: assign(({ context }, params: { outcome: DeletionOutcome }) => ({
      members: setCurrent(context, { outcome: params.outcome }),
      index: context.index + 1,
      ...clearedRetry,
    })),
    settle: assign((_, params: { outcome: 'done' | 'failed' }) => ({ outcome: params.outcome })),
  },
}).createMachine({
  id: 'offboarding',
  description: 'Deletes a customer\'s members, then the user; whatever is already gone counts as done.',
  context: ({ input }) => ({
    externalId: input.externalId,
    options: resolveLifecycleOptions(input.options, input.externalId),
    userGuid: input.userGuid ?? null,
    user: 'pending',
    members: (input.members ?? []).map((m) => ({ externalId: m.externalId, guid: m.guid ?? null, outcome: 'pending' as const })),
    index: 0,
    outcome: null,
    ...initialRetryContext,
  }),
  initial: 'starting',
  states: {
    starting: {
      description: 'Deciding whether the user guid must be looked up by external id first.',
      always: [{ guard: 'knowsUserGuid', target: 'nextMember' }, { target: 'findingUser' }],
    },
    findingUser: {
      description: 'Finding the user by external id; none means it is already gone.',
      invoke: {
        src: 'findUser',
        id: 'findUser',
        input: ({ context }) => ({ externalId: context.externalId }),
        onDone: [
          {
            guard: { type: 'isFound', params: ({ event }) => ({ found: event.output }) },
            target: 'nextMember',
            actions: { type: 'recordUser', params: ({ event }) => ({ user: event.output }) },
          },
          { target: 'done', actions: 'markUserGone' },
        ],
        onError: [{ guard: { type: 'isNotFound', params: errorOf }, target: 'done', actions: 'markUserGone' }, ...retryOrFail('findingUser', 'offboarding')],
      },
    },
    nextMember: {
      description: 'Picking the next member to delete, or the user once every member is gone.',
      always: [
        { guard: 'knowsMemberGuid', target: 'deletingMember' },
        { guard: 'hasMemberLeft', target: 'findingMember' },
        { target: 'deletingUser' },
      ],
    },
    findingMember: {
      description: 'Finding the member by external id; none means it is already gone.',
      invoke: {
        src: 'findMember',
        id: 'findMember',
        input: ({ context }) => ({ userGuid: context.userGuid ?? '', externalId: context.members[context.index]?.externalId ?? '' }),
        onDone: [
          {
            guard: { type: 'isFound', params: ({ event }) => ({ found: event.output }) },
            target: 'deletingMember',
            actions: { type: 'recordMemberGuid', params: ({ event }) => ({ member: event.output }) },
          },
          { target: 'nextMember', actions: { type: 'settleMember', params: { outcome: 'alreadyGone' } } },
        ],
        onError: [
          { guard: { type: 'isNotFound', params: errorOf }, target: 'nextMember', actions: { type: 'settleMember', params: { outcome: 'alreadyGone' } } },
          ...retryOrFail('findingMember', 'offboarding'),
        ],
      },
    },
    deletingMember: {
      description: 'Deleting the member; not_found means an earlier attempt already did.',
      invoke: {
        src: 'deleteMember',
        id: 'deleteMember',
        input: ({ context }) => ({ userGuid: context.userGuid ?? '', memberGuid: context.members[context.index]?.guid ?? '' }),
        onDone: { target: 'nextMember', actions: { type: 'settleMember', params: { outcome: 'deleted' } } },
        onError: [
          { guard: { type: 'isNotFound', params: errorOf }, target: 'nextMember', actions: { type: 'settleMember', params: { outcome: 'alreadyGone' } } },
          ...retryOrFail('deletingMember', 'offboarding'),
        ],
      },
    },
    deletingUser: {
      description: 'Deleting the user (and with it anything left under it); not_found means it is already gone.',
      invoke: {
        src: 'deleteUser',
        id: 'deleteUser',
        input: ({ context }) => ({ userGuid: context.userGuid ?? '' }),
        onDone: { target: 'done', actions: 'markUserDeleted' },
        onError: [{ guard: { type: 'isNotFound', params: errorOf }, target: 'done', actions: 'markUserGone' }, ...retryOrFail('deletingUser', 'offboarding')],
      },
    },
    ...waitingStates(STEP_TARGETS),
    done: {
      type: 'final',
      description: 'The members and the user are gone (deleted now or before).',
      entry: { type: 'settle', params: { outcome: 'done' } },
    },
    failed: {
      type: 'final',
      description: 'A delete failed for good; the classified error is in the output.',
      entry: { type: 'settle', params: { outcome: 'failed' } },
    },
  },
  output: ({ context }): OffboardingOutput => ({
    outcome: context.outcome ?? 'failed',
    externalId: context.externalId,
    userGuid: context.userGuid,
    user: context.user,
    members: context.members,
    error: context.outcome === 'done' ? null : context.error,
  }),
});
