/**
 * The error branch every invoking step ends with, after its own special cases: retry when the
 * error is retryable and the step has budget left, halt when the error reaches the whole job,
 * otherwise fail the item. One definition, so that every machine reads errors the same way.
 */

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
 * The retry / halt / fail transitions of `step`, targeting the machine's `waitingToRetry`,
 * `halted` and `failed` states by id (`#<machineId>.<state>`), so nested steps can use it too.
 * The machine must implement the guards `canRetry` and `isSystemic` and the actions
 * `scheduleRetry`, `recordHalt` and `recordFailure`.
 *
 * @example
 * ```ts
 * onError: [{ guard: { type: 'isDuplicate', params: errorOf }, target: 'recoveringDuplicate' }, ...failover('creating', 'user')]
 * ```
 */
export function failover<Step extends string>(step: Step, machineId: string) {
  const withStep = ({ event }: { event: { error: unknown } }): StepErrorParams<Step> => ({ error: event.error, step });
  return [
    {
      guard: { type: 'canRetry', params: errorOf },
      target: `#${machineId}.waitingToRetry`,
      actions: { type: 'scheduleRetry', params: withStep },
    },
    {
      guard: { type: 'isSystemic', params: errorOf },
      target: `#${machineId}.halted`,
      actions: { type: 'recordHalt', params: withStep },
    },
    { target: `#${machineId}.failed`, actions: { type: 'recordFailure', params: errorOf } },
  ] as const;
}

/**
 * The transitions that run a remembered step again, after a backoff or on `job.resume`: one per
 * step, guarded by `resumesAt` (which the machine implements over `context.retryStep`).
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
