/**
 * Waiting for Ctrl-C (SIGINT) or SIGTERM: what a command that serves a page does once it has
 * nothing else to do. The first signal ends the wait at once.
 */

/**
 * Resolves with the first SIGINT or SIGTERM; the listeners go with it.
 *
 * @example
 * await untilSignal();
 * await server.close();
 */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
