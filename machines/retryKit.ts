/**
 * The retry kit every lifecycle machine shares: the error branch each invoking step ends with
 * (retry, halt or fail), the transitions that run a remembered step again, and the two states that
 * wait, `waitingToRetry` and `halted`. The bookkeeping itself (planRetry, planHalt, …) is in
 * retry.ts; each machine names it in its `setup` as `canRetry`, `isSystemic`, `resumesAt`,
 * `scheduleRetry`, `recordHalt`, `recordFailure` and `resumeJob`, which the transitions here refer to.
 */
import type { RetryContext } from './retry.js';

/** Guard and action params that carry an actor's rejection. */
export interface ErrorParams {
  error: unknown;
}
export interface StepErrorParams<Step extends string> extends ErrorParams {
  step: Step;
}

/**
 * Maps an `xstate.error.actor.*` event to guard or action params.
 *
 * @example
 * ```ts
 * onError: { guard: { type: 'isDuplicate', params: errorOf }, target: 'recoveringDuplicate' }
 * ```
 */
export const errorOf = ({ event }: { event: { error: unknown } }): ErrorParams => ({ error: event.error });

/**
 * The error branch every invoking step ends with, after its own special cases: retry when the
 * error is retryable and the step has budget left, halt when it reaches the whole job, otherwise
 * fail the item. Targets are by id (`#<machineId>.<state>`), so nested steps can use it too.
 *
 * @example
 * ```ts
 * onError: [{ guard: { type: 'isDuplicate', params: errorOf }, target: 'recoveringDuplicate' }, ...retryOrFail('creating', 'user')]
 * ```
 */
export function retryOrFail<Step extends string>(step: Step, machineId: string) {
  const withStep = ({ event }: { event: { error: unknown } }): StepErrorParams<Step> => ({ error: event.error, step });
  return [
    { guard: { type: 'canRetry', params: errorOf }, target: `#${machineId}.waitingToRetry`, actions: { type: 'scheduleRetry', params: withStep } },
    { guard: { type: 'isSystemic', params: errorOf }, target: `#${machineId}.halted`, actions: { type: 'recordHalt', params: withStep } },
    { target: `#${machineId}.failed`, actions: { type: 'recordFailure', params: errorOf } },
  ] as const;
}

/**
 * The transitions that run a remembered step again, after a backoff or on `job.resume`: one per
 * step, guarded by `resumesAt`.
 *
 * @example
 * ```ts
 * on: { 'job.resume': rerunSteps({ creating: '#user.creating' }, 'resumeJob') }
 * ```
 */
export function rerunSteps<Step extends string>(targets: Readonly<Record<Step, string>>, actions?: 'resumeJob') {
  return (Object.keys(targets) as Step[]).map((step) => ({
    guard: { type: 'resumesAt' as const, params: { step } },
    target: targets[step],
    ...(actions ? { actions } : {}),
  }));
}

/**
 * The two waiting states of the kit: `waitingToRetry` (a durable `sleepUntil` to `retryAt`, then
 * the remembered step again) and `halted` (until `job.resume`). `haltEntry` names an action to run
 * when the item halts (the user and member machines tell a parent machine).
 *
 * @example
 * ```ts
 * states: { creating: …, ...waitingStates({ creating: '#user.creating' }, 'notifyParentOfHalt') }
 * ```
 */
export function waitingStates<Step extends string, Entry extends string = never>(targets: Readonly<Record<Step, string>>, haltEntry?: Entry) {
  return {
    waitingToRetry: {
      description: 'Backing off (full jitter, Retry-After respected) until retryAt, then running the failed step again.',
      invoke: {
        src: 'sleepUntil' as const,
        id: 'retryTimer',
        input: ({ context }: { context: RetryContext<Step> }) => ({ until: context.retryAt ?? 0 }),
        onDone: rerunSteps(targets),
      },
    },
    halted: {
      description: 'A job-scope error (bad key, outage, rate limit that outlasted the retries) stopped the item; job.resume runs the halted step again.',
      ...(haltEntry === undefined ? {} : { entry: haltEntry }),
      on: { 'job.resume': rerunSteps(targets, 'resumeJob') },
    },
  };
}

/**
 * What `recoveringDuplicate` does when "already exists" was said but the listing does not show the
 * record yet (listings can lag behind a create): look again after a backoff, then give up.
 *
 * @example
 * ```ts
 * onDone: [{ guard: 'isFound', target: 'ready' }, ...lostDuplicateFallback(lostDuplicateError('user'))]
 * ```
 */
export function lostDuplicateFallback(error: unknown) {
  return [
    {
      guard: { type: 'canRetry' as const, params: { error } },
      target: 'waitingToRetry',
      actions: { type: 'scheduleRetry' as const, params: { error, step: 'recoveringDuplicate' as const } },
    },
    { target: 'failed', actions: { type: 'recordFailure' as const, params: { error } } },
  ];
}

