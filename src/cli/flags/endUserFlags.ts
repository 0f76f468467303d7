/** The flags of the waits for end users (`--end-user-wait`, `--end-user-poll`), on onboard and retry. */
import type { LifecycleOptions } from '../../../machines/index.js';
import type { UsageProblem } from '../commands/command.js';
import { durationFlag } from './duration.js';
import { defined } from '../../_internals/index.js';

// End users take days, not minutes: the waits may be as long as a year.
const MAX_END_USER_MS = 366 * 86_400_000;

export const END_USER_OPTIONS = { 'end-user-wait': { type: 'string' }, 'end-user-poll': { type: 'string' } } as const;

/**
 * The lifecycle options the end-user flags set (none when they are not given).
 *
 * @example
 * endUserWaitsOf({ 'end-user-wait': '2d' }) // { endUserWaitMs: 172800000 }
 */
export function endUserWaitsOf(values: { 'end-user-wait'?: string | undefined; 'end-user-poll'?: string | undefined }): Partial<LifecycleOptions> {
  const endUserWaitMs = durationFlag('end-user-wait', values['end-user-wait'], MAX_END_USER_MS);
  const endUserPollMs = durationFlag('end-user-poll', values['end-user-poll'], MAX_END_USER_MS);
  if (endUserPollMs === 0) throw { usage: '--end-user-poll must be longer than 0, e.g. 1h' } satisfies UsageProblem;
  return {
    ...defined({ endUserWaitMs, endUserPollMs }),
  };
}
