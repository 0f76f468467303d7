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
