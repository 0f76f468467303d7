/**
 * The retry bookkeeping every machine shares: which step to retry, how many times it was retried,
 * when the durable wait is due, and the error that halted the job. It is plain data in context, so
 * a persisted snapshot says exactly where and until when an item waits.
 */
import type { ApiError } from '../src/errors/index.js';
import { backoffDelay, jitterUnit } from './backoff.js';
import type { ResolvedLifecycleOptions } from './options.js';
import { toApiError } from './errors.js';

export interface RetryContext<Step extends string = string> {
  options: ResolvedLifecycleOptions;
  /** Retries of the current step so far; back to 0 when a step succeeds. */
  attempts: number;
  /** Jitter draws so far, so each backoff gets its own draw from the seed. */
  draws: number;
  /** The step that the pending retry (or the `job.resume` after a halt) runs again. */
  retryStep: Step | null;
  /** Epoch ms at which the backoff wait ends; `null` when not waiting to retry. */
  retryAt: number | null;
  /** The last error of the item, kept for its final report. */
  error: ApiError | null;
  /** The job-scope error that halted the item, while it is halted. */
  halt: ApiError | null;
}

/** The retry fields of a fresh machine. */
export const initialRetryContext = {
  attempts: 0,
  draws: 0,
  retryStep: null,
  retryAt: null,
  error: null,
  halt: null,
} as const;

/**
 * Whether a rejection may be retried now: the classifier says so and the step has budget left.
 *
 * @example
 * ```ts
 * canRetry({ attempts: 0, options }, error);
 * ```
 */
export function canRetry(context: Pick<RetryContext, 'attempts' | 'options'>, rejection: unknown): boolean {
  return toApiError(rejection).retryable && context.attempts < context.options.maxAttempts;
}

/**
 * The context patch that schedules a retry of `step`: backoff with full jitter from the seed,
 * Retry-After respected, due time absolute.
 *
 * @example
 * ```ts
 * assign(({ context }) => planRetry(context, error, 'creating', Date.now()));
 * ```
 */
export function planRetry<Step extends string>(
  context: Pick<RetryContext, 'attempts' | 'draws' | 'options'>,
  rejection: unknown,
  step: Step,
  now: number,
) {
  const error = toApiError(rejection);
  const retryAfterMs = 'retryAfterMs' in error ? error.retryAfterMs : undefined;
  const delay = backoffDelay({
    attempt: context.attempts,
    random: jitterUnit(context.options.seed, context.draws),
    baseDelayMs: context.options.baseDelayMs,
    maxDelayMs: context.options.maxDelayMs,
    retryAfterMs,
  });
  return {
    attempts: context.attempts + 1,
    draws: context.draws + 1,
    retryStep: step,
    retryAt: now + delay,
    error,
  };
}

/**
 * The context patch of a halt: the error is kept, and the step is remembered for `job.resume`.
 *
 * @example
 * ```ts
 * assign(() => planHalt(error, 'creating'));
 * ```
 */
export function planHalt<Step extends string>(rejection: unknown, step: Step) {
  const error = toApiError(rejection);
  return { halt: error, error, retryStep: step, retryAt: null };
}

/** The context patch after a step succeeded: a later failure starts a fresh retry budget. */
export const clearedRetry = { attempts: 0, retryStep: null, retryAt: null } as const;

/** The context patch of `job.resume`: the halted step runs again with a fresh budget. */
export const resumedRetry = { attempts: 0, halt: null } as const;
