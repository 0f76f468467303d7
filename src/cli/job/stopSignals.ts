/**
 * SIGINT and SIGTERM during a run: the first one stops the run with every customer's state
 * written; a second one, or a stop that takes longer than a grace period (a store that hangs or
 * fails, a connection that never closes), ends the process at once with 130. A signal always ends
 * the process: before, a full disk kept the run retrying its last write after SIGTERM, for ever.
 */
import { EXIT_INTERRUPTED, type Output } from '../ui/output.js';

/** How long a stopping run may take to write its last states before the process quits anyway. */
export const STOP_GRACE_MS = 15_000;

export interface StopSignals {
  /** Aborted on the first signal. */
  readonly signal: AbortSignal;
  /** Whether a signal arrived. */
  signalled(): boolean;
  /** Stops listening (the grace timer, once started, stays: the process is ending). */
  dispose(): void;
}

/**
 * Listens for SIGINT and SIGTERM while a run goes on.
 *
 * @example
 * const stop = listenForStop(io, 'onboard');
 * try { await runtime.run(job, { signal: stop.signal }); } finally { stop.dispose(); }
 */
export function listenForStop(io: Output, command: string, graceMs = STOP_GRACE_MS): StopSignals {
  const controller = new AbortController();
  const interrupt = (): void => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    io.err(`\nmx-lifecycle ${command}: stopping; writing every customer's state (press Ctrl-C again to quit at once)\n`);
    // Unref'd: it holds nothing open itself, and ends the process if something else still does.
    setTimeout(() => {
      io.err(`mx-lifecycle ${command}: the run did not stop within ${Math.round(graceMs / 1000)} s of the signal; quitting (states written before the signal are kept)\n`);
      process.exit(EXIT_INTERRUPTED);
    }, graceMs).unref();
    controller.abort();
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  return {
    signal: controller.signal,
    signalled: () => controller.signal.aborted,
    dispose() {
      process.off('SIGINT', interrupt);
      process.off('SIGTERM', interrupt);
    },
  };
}
