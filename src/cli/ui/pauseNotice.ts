/**
 * The lines a running command writes when an operator pauses or resumes its job, so a person
 * watching the worker (or its log) knows why it stopped and how to let it go on. A worker started
 * on a paused job says so at once, rather than sitting silent.
 */
import type { Events } from '../../_internals/index.js';
import type { RuntimeEventMap } from '../../durable/index.js';
import type { Output } from './output.js';

/**
 * Writes a line on stderr each time the job's pause changes; returns the unsubscribe.
 *
 * @example
 * const stop = announcePauses(runtime.events, io, 'onboard', 'mx-lifecycle resume --job march');
 */
export function announcePauses(events: Events<RuntimeEventMap>, io: Output, command: string, resumeCommand: string): () => void {
  const subscription = events.on('job.pause.changed', (event) => {
    const job = `mx-lifecycle ${command}: job ${event.jobId}`;
    if (event.state === 'pausing') io.err(`${job} is pausing: ${event.inFlight} request${event.inFlight === 1 ? '' : 's'} in flight finish first\n`);
    else if (event.state === 'paused') io.err(`${job} is paused: no request is sent until ${resumeCommand}\n`);
    else io.err(`${job} resumed: going on\n`);
  });
  return () => subscription.dispose();
}
