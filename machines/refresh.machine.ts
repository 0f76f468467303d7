/**
 * Day N: aggregates one customer's connected members again, one after the other. Each member's
 * status is read first (MX's aggregation guide: check the status "to see whether aggregation is
 * either necessary or even possible", docs.mx.com/aggregation/guides/aggregation_endpoints); a
 * member whose last successful aggregation is inside MX's minimum interval is skipped without an
 * aggregate request; a 202 that starts nothing is "throttled, next at T", never an error.
 */
import { assign, setup } from 'xstate';
import type { MxMemberStatus } from '../src/api/index.js';
import type { RefreshAggregateActorOutput } from './actors.js';
import { missingActor, sleepUntil } from './actors.js';
import { isSystemicError, toApiError } from './errors.js';
import { resolveLifecycleOptions, defaultLifecycleOptions } from './options.js';
import { canRetry, clearedRetry, initialRetryContext, planHalt, planRetry, resumedRetry } from './retry.js';
import { errorOf, waitingStates, type ErrorParams, type StepErrorParams } from './retryKit.js';
import {
  aggregationEndedError, categoryOf, initialMembers, intervalOf, itemOutcomeOf, readOf, REFRESH_NEEDS_ACTION, retryLaterAt, settleCurrent, throttledUntil,
  windowEndsAt, type ReadParams,
} from './refresh.parts.js';
import type { RefreshContext, RefreshEvent, RefreshInput, RefreshOutput, RefreshReason, RefreshStep } from './refresh.types.js';

const STEP_TARGETS: Readonly<Record<RefreshStep, string>> = {
  reading: '#refresh.reading',
  aggregating: '#refresh.aggregating',
  checkingStatus: '#refresh.polling.checkingStatus',
};

const iso = (ms: number): string => new Date(ms).toISOString();
const pollsLeft = (context: RefreshContext): boolean => context.polls < Math.floor(context.options.maxPollMs / context.options.pollIntervalMs);
const insideWindow = (context: RefreshContext, params: ReadParams): boolean => {
  const ends = windowEndsAt(params.status.successfully_aggregated_at, intervalOf(context));
  return ends !== null && Date.now() < ends;
};
const answeredOf = ({ event }: { event: { output: RefreshAggregateActorOutput } }) => ({ answer: event.output });

/**
 * The error branch of a member's step: retry, halt the job, or fail this member and go on to the next.
 */
function memberErrorBranch(step: RefreshStep) {
  const withStep = ({ event }: { event: { error: unknown } }): StepErrorParams<RefreshStep> => ({ error: event.error, step });
  return [
    { guard: { type: 'canRetry', params: errorOf }, target: '#refresh.waitingToRetry', actions: { type: 'scheduleRetry', params: withStep } },
    { guard: { type: 'isSystemic', params: errorOf }, target: '#refresh.halted', actions: { type: 'recordHalt', params: withStep } },
    { target: '#refresh.nextMember', actions: { type: 'failMember', params: errorOf } },
  ] as const;
}

const settleAs = (outcome: 'needsAction' | 'skipped' | 'refreshed', reason: RefreshReason | null) =>
  ({ type: 'settleRead', params: ({ event }: { event: { output: MxMemberStatus } }) => ({ status: event.output, outcome, reason }) }) as const;

/**
 * Refreshes one customer's connected members. Final states `done` (each refreshed or skipped),
 * `needsAction` and `failed` (see `RefreshOutput`); `halted` waits for `job.resume`.
 *
 * @example
 * ```ts
 * createActor(refreshMachine.provide({ actors: { readMemberStatus, aggregateForRefresh } }), {
 *   input: { externalId: 'cust-1', userGuid: 'USR-1', members: [{ externalId: 'cust-1-mxbank', guid: 'MBR-1', institutionCode: 'mxbank' }] },
 * }).start();
 * ```
 */
export const refreshMachine = setup({
  types: {} as { context: RefreshContext; input: RefreshInput; events: RefreshEvent; output: RefreshOutput },
  actors: {
    readMemberStatus: missingActor('readMemberStatus'),
    aggregateForRefresh: missingActor('aggregateForRefresh'),
    sleepUntil,
  },
  guards: {
    hasMemberLeft: ({ context }) => context.index < context.members.length,
    canRetry: ({ context }, params: ErrorParams) => canRetry(context, params.error),
    isSystemic: (_, params: ErrorParams) => isSystemicError(params.error),
    resumesAt: ({ context }, params: { step: RefreshStep }) => context.retryStep === params.step,
    /** A 202 that a dialect classified rather than passed as a success: MX started nothing. */
    isThrottledAnswer: (_, params: ErrorParams) => {
      const error = toApiError(params.error);
      return error.kind === 'conflict' && 'status' in error && error.status === 202;
    },
    isBeingAggregated: (_, params: ReadParams) => params.status.is_being_aggregated === true,
    isBeingAggregatedWithPollsLeft: ({ context }, params: ReadParams) => params.status.is_being_aggregated === true && pollsLeft(context),
    needsPerson: (_, params: ReadParams) => REFRESH_NEEDS_ACTION.includes(categoryOf(params)),
    isInsideWindow: ({ context }, params: ReadParams) => insideWindow(context, params),
    isConnected: (_, params: ReadParams) => categoryOf(params) === 'connected',
    isRetryLater: (_, params: ReadParams) => categoryOf(params) === 'retryLater',
    isInProgressWithPollsLeft: ({ context }, params: ReadParams) => categoryOf(params) === 'inProgress' && pollsLeft(context),
    hasStarted: (_, params: { answer: RefreshAggregateActorOutput }) => params.answer.started,
    anyFailed: ({ context }) => itemOutcomeOf(context.members) === 'failed',
    anyNeedsAction: ({ context }) => itemOutcomeOf(context.members) === 'needsAction',
  },
  actions: {
    scheduleRetry: assign(({ context }, params: StepErrorParams<RefreshStep>) => planRetry(context, params.error, params.step, Date.now())),
    recordHalt: assign((_, params: StepErrorParams<RefreshStep>) => planHalt(params.error, params.step)),
    resumeJob: assign(resumedRetry),
    failMember: assign(({ context }, params: ErrorParams & { status?: MxMemberStatus }) => {
      const error = toApiError(params.error);
      return { ...settleCurrent(context, 'failed', { error, status: params.status ?? null }), error, ...clearedRetry };
    }),
    decideAggregate: assign((_, params: ReadParams) => ({
      seen: { aggregatedAt: params.status.aggregated_at, successfullyAggregatedAt: params.status.successfully_aggregated_at ?? null },
      decidedAt: Date.now(),
      ...clearedRetry,
    })),
    startPolling: assign({ polls: 0, nextPollAt: null, ...clearedRetry }),
    schedulePoll: assign(({ context }) => ({ polls: context.polls + 1, nextPollAt: Date.now() + context.options.pollIntervalMs, ...clearedRetry })),
    /** A member that ends on what a status read said: its status, and when a skipped one may be tried again. */
    settleRead: assign(({ context }, params: ReadParams & { outcome: 'needsAction' | 'skipped' | 'refreshed'; reason: RefreshReason | null }) => {
      const { status } = params;
      const next =
        params.reason === 'window' ? windowEndsAt(status.successfully_aggregated_at, intervalOf(context))
        : params.reason === 'retryLater' ? Date.parse(retryLaterAt(status.connection_status, context.options.statusRetryDelayMs ?? defaultLifecycleOptions.statusRetryDelayMs, Date.now()))
        : null;
      return { ...settleCurrent(context, params.outcome, { status, reason: params.reason, nextRefreshAt: next === null ? null : iso(next) }), ...clearedRetry };
    }),
    settleThrottled: assign(({ context }, params: { answer: RefreshAggregateActorOutput | null }) => {
      const current = context.members[context.index];
      const last = params.answer?.successfullyAggregatedAt ?? context.seen?.successfullyAggregatedAt ?? current?.successfullyAggregatedAt ?? null;
      const settled = settleCurrent(context, 'skipped', { reason: 'throttled', nextRefreshAt: throttledUntil(last, intervalOf(context), Date.now()) });
      return {
        ...settled,
        members: settled.members.map((m, i) =>
          i === context.index ? { ...m, successfullyAggregatedAt: last, connectionStatus: params.answer?.connectionStatus ?? m.connectionStatus } : m),
        ...clearedRetry,
      };
    }),
    settle: assign(({ context }) => ({ outcome: itemOutcomeOf(context.members) })),
  },
}).createMachine({
  id: 'refresh',
  description: 'Aggregates a customer\'s connected members again, each only when MX\'s minimum interval allows.',
  context: ({ input }) => ({
    externalId: input.externalId,
    userGuid: input.userGuid,
    options: resolveLifecycleOptions(input.options, input.externalId),
    members: initialMembers(input),
    index: 0,
    seen: null,
    decidedAt: null,
    polls: 0,
    nextPollAt: null,
    outcome: null,
    ...initialRetryContext,
  }),
  initial: 'nextMember',
  states: {
    nextMember: {
      description: 'Picking the next member, or the outcome once every member has one.',
      always: [{ guard: 'hasMemberLeft', target: 'reading' }, { guard: 'anyFailed', target: 'failed' }, { guard: 'anyNeedsAction', target: 'needsAction' }, { target: 'done' }],
    },
    reading: {
      description: 'Reading the member\'s status: is an aggregation running, possible, and allowed yet?',
      invoke: {
        src: 'readMemberStatus',
        id: 'readMemberStatus',
        input: ({ context }) => ({ userGuid: context.userGuid, memberGuid: context.members[context.index]?.guid ?? '' }),
        onDone: [
          // MX's background aggregation (or ours, sent before a restart) runs: follow it rather than ask for another.
          { guard: { type: 'isBeingAggregated', params: readOf }, target: 'polling', actions: 'startPolling' },
          { guard: { type: 'needsPerson', params: readOf }, target: 'nextMember', actions: settleAs('needsAction', 'connectionStatus') },
          { guard: { type: 'isInsideWindow', params: readOf }, target: 'nextMember', actions: settleAs('skipped', 'window') },
          { target: 'aggregating', actions: { type: 'decideAggregate', params: readOf } },
        ],
        onError: memberErrorBranch('reading'),
      },
    },
    aggregating: {
      description: 'Asking MX for an aggregation; a 202 that starts none is "throttled, next at T". A restored request reads first.',
      invoke: {
        src: 'aggregateForRefresh',
        id: 'aggregateForRefresh',
        input: ({ context }) => ({
          userGuid: context.userGuid,
          memberGuid: context.members[context.index]?.guid ?? '',
          decidedAt: context.decidedAt ?? 0,
          seenAggregatedAt: context.seen?.aggregatedAt ?? null,
          seenSuccessfullyAggregatedAt: context.seen?.successfullyAggregatedAt ?? null,
        }),
        onDone: [
          { guard: { type: 'hasStarted', params: answeredOf }, target: 'polling', actions: 'startPolling' },
          { target: 'nextMember', actions: { type: 'settleThrottled', params: answeredOf } },
        ],
        onError: [
          { guard: { type: 'isThrottledAnswer', params: errorOf }, target: 'nextMember', actions: { type: 'settleThrottled', params: { answer: null } } },
          ...memberErrorBranch('aggregating'),
        ],
      },
    },
    polling: {
      description: 'Following the aggregation until is_being_aggregated is false; the status then is its outcome.',
      initial: 'checkingStatus',
      states: {
        checkingStatus: {
          invoke: {
            src: 'readMemberStatus',
            id: 'readMemberStatus',
            input: ({ context }) => ({ userGuid: context.userGuid, memberGuid: context.members[context.index]?.guid ?? '' }),
            onDone: [
              { guard: { type: 'isBeingAggregatedWithPollsLeft', params: readOf }, target: 'waitingToPoll', actions: 'schedulePoll' },
              { guard: { type: 'isBeingAggregated', params: readOf }, target: '#refresh.nextMember', actions: settleAs('needsAction', 'pollTimeout') },
              { guard: { type: 'isConnected', params: readOf }, target: '#refresh.nextMember', actions: settleAs('refreshed', null) },
              { guard: { type: 'needsPerson', params: readOf }, target: '#refresh.nextMember', actions: settleAs('needsAction', 'connectionStatus') },
              { guard: { type: 'isRetryLater', params: readOf }, target: '#refresh.nextMember', actions: settleAs('skipped', 'retryLater') },
              { guard: { type: 'isInProgressWithPollsLeft', params: readOf }, target: 'waitingToPoll', actions: 'schedulePoll' },
              // FAILED: the institution's aggregation failed; the member keeps its last data.
              {
                target: '#refresh.nextMember',
                actions: {
                  type: 'failMember',
                  params: ({ event }) => ({ error: aggregationEndedError(event.output.connection_status), status: event.output }),
                },
              },
            ],
            onError: memberErrorBranch('checkingStatus'),
          },
        },
        waitingToPoll: {
          description: 'Waiting until nextPollAt (durable) before reading the status again (MX asks for at least 3 s).',
          invoke: { src: 'sleepUntil', id: 'pollTimer', input: ({ context }) => ({ until: context.nextPollAt ?? 0 }), onDone: { target: 'checkingStatus' } },
        },
      },
    },
    ...waitingStates(STEP_TARGETS),
    done: { type: 'final', description: 'Every member was refreshed or skipped (with when it may be refreshed next).', entry: 'settle' },
    needsAction: { type: 'final', description: 'A member\'s status needs the end user; its status is in the output.', entry: 'settle' },
    failed: { type: 'final', description: 'A member failed for good; its classified error is in the output.', entry: 'settle' },
  },
  output: ({ context }): RefreshOutput => ({
    outcome: context.outcome ?? itemOutcomeOf(context.members),
    externalId: context.externalId,
    userGuid: context.userGuid,
    members: context.members,
    error: context.members.find((m) => m.error !== null)?.error ?? null,
  }),
});
