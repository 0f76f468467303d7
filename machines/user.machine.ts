/**
 * One MX user for one customer: create it, or recover it when a retried create says it already
 * exists (a restored create runs again), with durable backoff on retryable errors and a halt on systemic ones.
 */
import { assign, enqueueActions, setup } from 'xstate';
import type { ApiError } from '../src/errors/index.js';
import type { MxUser } from '../src/api/index.js';
import { missingActor, sleepUntil, type CreateUserActorInput } from './actors.js';
import { duplicateGuidOf, isKind, isSystemicError, lostDuplicateError, toApiError } from './errors.js';
import { resolveLifecycleOptions, type LifecycleOptions, type ResolvedLifecycleOptions } from './options.js';
import { hasParent, type JobResumeEvent } from './events.js';
import { errorOf, lostDuplicateFallback, retryOrFail, waitingStates, type ErrorParams, type StepErrorParams as StepErrorParamsOf } from './retryKit.js';
import { canRetry, clearedRetry, initialRetryContext, planHalt, planRetry, resumedRetry, type RetryContext } from './retry.js';

export interface UserInput {
  externalId: string;
  email?: string;
  metadata?: string;
  options?: Partial<LifecycleOptions>;
}

/** The steps that call MX, and so the steps a retry or a `job.resume` can run again. */
export type UserStep = 'creating' | 'recoveringDuplicate';

export interface UserContext extends RetryContext<UserStep> {
  externalId: string;
  email: string | undefined;
  metadata: string | undefined;
  options: ResolvedLifecycleOptions;
  userGuid: string | null;
  /** The guid the "already exists" error named, if it named one. */
  duplicateGuid?: string | null;
  outcome: 'ready' | 'failed' | null;
}

export type UserEvent = JobResumeEvent;

/** Sent to a parent machine (onboarding) when the user machine halts. */
export interface UserHaltedEvent {
  type: 'user.halted';
  externalId: string;
  error: ApiError | null;
}

export type UserOutput =
  | { outcome: 'ready'; externalId: string; userGuid: string }
  | { outcome: 'failed'; externalId: string; error: ApiError | null };

type StepErrorParams = StepErrorParamsOf<UserStep>;

const LOST_USER = lostDuplicateError('user');
const STEP_TARGETS: Readonly<Record<UserStep, string>> = { creating: '#user.creating', recoveringDuplicate: '#user.recoveringDuplicate' };

/**
 * Creates (or recovers) the MX user of one customer. Final states `ready` and `failed`; `halted`
 * waits for `job.resume`.
 *
 * @example
 * ```ts
 * const actor = createActor(userMachine.provide({ actors: { createUser, findUser } }), { input: { externalId: 'cust-1' } }).start();
 * const { output } = await waitFor(actor, (s) => s.status === 'done'); // { outcome: 'ready', userGuid: 'USR-…' }
 * ```
 */
export const userMachine = setup({
  types: {} as {
    context: UserContext;
    input: UserInput;
    events: UserEvent;
    output: UserOutput;
  },
  actors: {
    createUser: missingActor('createUser'),
    findUser: missingActor('findUser'),
    sleepUntil,
  },
  guards: {
    isDuplicate: (_, params: ErrorParams) => isKind(params.error, 'duplicate'),
    canRetry: ({ context }, params: ErrorParams) => canRetry(context, params.error),
    isSystemic: (_, params: ErrorParams) => isSystemicError(params.error),
    isFound: (_, params: { user: MxUser | null }) => params.user !== null,
    resumesAt: ({ context }, params: { step: UserStep }) => context.retryStep === params.step,
  },
  actions: {
    scheduleRetry: assign(({ context }, params: StepErrorParams) => planRetry(context, params.error, params.step, Date.now())),
    recordHalt: assign((_, params: StepErrorParams) => planHalt(params.error, params.step)),
    recordFailure: assign((_, params: ErrorParams) => ({ error: toApiError(params.error) })),
    recordDuplicate: assign((_, params: ErrorParams) => ({ duplicateGuid: duplicateGuidOf(params.error) })),
    recordUser: assign((_, params: { user: MxUser | null }) => ({ userGuid: params.user?.guid ?? null, ...clearedRetry })),
    resumeJob: assign(resumedRetry),
    settle: assign((_, params: { outcome: 'ready' | 'failed' }) => ({ outcome: params.outcome })),
    notifyParentOfHalt: enqueueActions(({ enqueue, self, context }) => {
      // Run as a root actor (by the runtime) there is no parent: the runtime reads the halt from the snapshot.
      if (hasParent(self)) {
        enqueue.sendParent({ type: 'user.halted', externalId: context.externalId, error: context.halt } satisfies UserHaltedEvent);
      }
    }),
  },
}).createMachine({
  id: 'user',
  description: 'Makes sure exactly one MX user exists for one customer and yields its guid.',
  context: ({ input }) => ({
    externalId: input.externalId,
    email: input.email,
    metadata: input.metadata,
    options: resolveLifecycleOptions(input.options, input.externalId),
    userGuid: null,
    duplicateGuid: null,
    outcome: null,
    ...initialRetryContext,
  }),
  initial: 'creating',
  states: {
    creating: {
      description: 'Creating the user with the customer\'s external id; "already exists" means a past attempt got through.',
      invoke: {
        src: 'createUser',
        id: 'createUser',
        input: ({ context }): CreateUserActorInput => ({
          externalId: context.externalId,
          ...(context.email === undefined ? {} : { email: context.email }),
          ...(context.metadata === undefined ? {} : { metadata: context.metadata }),
        }),
        onDone: { target: 'ready', actions: { type: 'recordUser', params: ({ event }) => ({ user: event.output }) } },
        onError: [
          { guard: { type: 'isDuplicate', params: errorOf }, target: 'recoveringDuplicate', actions: { type: 'recordDuplicate', params: errorOf } },
          ...retryOrFail('creating', 'user'),
        ],
      },
    },
    recoveringDuplicate: {
      description: 'The user already exists: finding it by external id to recover its guid.',
      invoke: {
        src: 'findUser',
        id: 'findUser',
        input: ({ context }) => ({ externalId: context.externalId, ...(context.duplicateGuid ? { userGuid: context.duplicateGuid } : {}) }),
        onDone: [
          {
            guard: { type: 'isFound', params: ({ event }) => ({ user: event.output }) },
            target: 'ready',
            actions: { type: 'recordUser', params: ({ event }) => ({ user: event.output }) },
          },
          ...lostDuplicateFallback(LOST_USER),
        ],
        onError: retryOrFail('recoveringDuplicate', 'user'),
      },
    },
    ...waitingStates(STEP_TARGETS, 'notifyParentOfHalt'),
    ready: {
      type: 'final',
      description: 'The user exists; its guid is in the output.',
      entry: { type: 'settle', params: { outcome: 'ready' } },
    },
    failed: {
      type: 'final',
      description: 'The user could not be created; the classified error is in the output.',
      entry: { type: 'settle', params: { outcome: 'failed' } },
    },
  },
  output: ({ context }): UserOutput =>
    context.outcome === 'ready' && context.userGuid !== null
      ? { outcome: 'ready', externalId: context.externalId, userGuid: context.userGuid }
      : { outcome: 'failed', externalId: context.externalId, error: context.error },
});
