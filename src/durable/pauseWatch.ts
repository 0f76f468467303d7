/**
 * One run's view of an operator's pause (`mx-lifecycle pause`, `runtime.pause`): it follows the
 * job's record, closes the run's gate when the record says paused and opens it when it no longer
 * does, and tells when the run is `pausing` (requests in flight still to answer) and `paused`
 * (nothing in flight: no request leaves this worker until the resume).
 *
 * The record is the only channel, so a pause reaches every worker of the job (each reads the
 * record at its job check), whichever process made it, and a worker started on a paused job
 * pauses before its first step.
 */
import type { Hub } from '../_internals/index.js';
import type { PauseGate } from './pauseGate.js';
import type { PauseState, RuntimeEventMap } from './runtimeTypes.js';
import type { JobRecord } from './store/contract.js';

export type { PauseState };

export interface PauseWatch {
  /** Follows the pause the job's record holds (or its absence). */
  follow(job: Pick<JobRecord, 'pausedAt'>): void;
  /** True from the moment the pause is seen until the resume is: no claim, no new step. */
  held(): boolean;
  state(): PauseState;
  dispose(): void;
}

/**
 * Creates the pause watch of one run over its gate.
 *
 * @example
 * ```ts
 * const pause = createPauseWatch({ jobId, gate, hub });
 * pause.follow(await store.getJob(jobId) ?? { pausedAt: null });
 * if (!pause.held()) claimMore();
 * ```
 */
export function createPauseWatch(options: { jobId: string; gate: PauseGate; hub: Hub<RuntimeEventMap> }): PauseWatch {
  const { jobId, gate, hub } = options;
  let state: PauseState = 'running';
  let pausedAt: number | null = null;
  const become = (next: PauseState) => {
    if (next === state) return;
    state = next;
    hub.emit({ type: 'job.pause.changed', jobId, state, pausedAt, inFlight: gate.inFlight() });
  };
  const stopIdle = gate.onIdle(() => {
    if (state === 'pausing') become('paused');
  });
  return {
    follow(job) {
      if (job.pausedAt !== null && !gate.closed()) {
        pausedAt = job.pausedAt;
        gate.close();
        become(gate.inFlight() === 0 ? 'paused' : 'pausing');
      } else if (job.pausedAt === null && gate.closed()) {
        pausedAt = null;
        gate.open();
        become('running');
      }
    },
    held: () => gate.closed(),
    state: () => state,
    dispose: () => {
      stopIdle();
    },
  };
}
