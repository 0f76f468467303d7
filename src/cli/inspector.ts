/**
 * `--inspect`: Stately's inspector server (a page at http://localhost:PORT that embeds
 * stately.ai/inspect, and a WebSocket relay on the same port) plus a WebSocket inspector that
 * feeds it every item's actor events. What the machines hold is secret-free by design, so the
 * events are sent as they are.
 */
import { createServer } from 'node:net';
import type { InspectionEvent, Observer } from 'xstate';

export interface CliInspector {
  /** The page to open in a browser. */
  url: string;
  /** What the runtime's `inspect` option takes. */
  inspect: Observer<InspectionEvent>;
  /** Lets the last events out, then closes the relay and the connection to it. */
  stop(): Promise<void>;
}

/** Whether a port is free, asked the way the inspector server will listen (every interface). */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, () => probe.close(() => resolve(true)));
  });
}

/** A failure to start the inspector, as one line. */
export interface InspectorProblem {
  inspector: string;
}

/**
 * Starts the relay on `port` and connects an inspector to it; rejects with an `InspectorProblem`
 * when the port is taken (the relay would otherwise crash the process on listen).
 *
 * @example
 * const inspector = await startInspector(8080);
 * console.log(`open ${inspector.url}`);
 * const runtime = createRuntime({ store, client, inspect: inspector.inspect });
 */
export async function startInspector(port: number): Promise<CliInspector> {
  if (!(await portIsFree(port))) {
    throw { inspector: `port ${port} is in use, so the inspector cannot start there: pass --inspect PORT with a free port` } satisfies InspectorProblem;
  }
  // Loaded only when asked for: the package is ESM-only and pulls in a WebSocket stack.
  const [{ createInspectorServer }, { createWebSocketInspector }] = await Promise.all([
    import('@statelyai/inspect/server'),
    import('@statelyai/inspect'),
  ]);
  const server = createInspectorServer({ port, autoOpen: false });
  const inspector = createWebSocketInspector({ url: `ws://127.0.0.1:${port}` });
  return {
    url: `http://localhost:${port}`,
    inspect: inspector.inspect,
    async stop() {
      // The inspector converts and sends each event on a later tick; give the last ones a moment.
      await new Promise((resolve) => setTimeout(resolve, 200));
      inspector.stop();
      server.stop();
    },
  };
}
