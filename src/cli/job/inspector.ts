/**
 * `--inspect`: Stately's inspector, kept on this machine. A server on 127.0.0.1 serves a bridge
 * page that embeds stately.ai/inspect and relays, over a WebSocket, the events of every item's
 * actors, converted by @statelyai/inspect's `createInspector`. The relay is this process itself:
 * it answers only requests addressed to 127.0.0.1/localhost from its own page (a foreign Origin
 * is refused before the WebSocket opens), and a viewer may only listen: a message from a viewer
 * is a forgery, so the viewer is disconnected and nothing it sent reaches anyone.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InspectionEvent, Observer } from 'xstate';
import { LOCAL_PAGE_HEADERS, LOOPBACK_HOST, refusal } from '../../observe/_internals/index.js';

export interface CliInspector {
  /** The page to open in a browser. */
  url: string;
  port: number;
  /** What the runtime's `inspect` option takes. */
  inspect: Observer<InspectionEvent>;
  /** Lets the last events out, then closes the relay. */
  stop(): Promise<void>;
}

/** A failure to start the inspector, as one line. */
export interface InspectorProblem {
  inspector: string;
}

const STATELY = 'https://stately.ai';
/** Events replayed to a viewer that connects late, so it sees the actors that already exist. */
const REPLAYED = 200;
/** Close code for a viewer that tried to send (RFC 6455: policy violation). */
const POLICY_VIOLATION = 1008;

function bridgePage(): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>mx-lifecycle inspector</title>
<style>html,body{height:100%;margin:0}iframe{width:100%;height:100%;border:0}</style></head>
<body><iframe id="inspector" src="${STATELY}/inspect"></iframe>
<script>
const frame = document.getElementById('inspector');
const buffer = [];
let connected = false;
window.addEventListener('message', (e) => {
  if (e.origin !== '${STATELY}' || !e.data || e.data.type !== '@statelyai.connected') return;
  connected = true;
  for (const event of buffer.splice(0)) frame.contentWindow.postMessage(event, '${STATELY}');
});
const ws = new WebSocket('ws://' + location.host);
ws.onmessage = (m) => {
  const event = JSON.parse(m.data);
  if (connected) frame.contentWindow.postMessage(event, '${STATELY}');
  else buffer.push(event);
};
</script></body></html>`;
}

/**
 * Starts the relay on `port` (0: any free one) on 127.0.0.1; rejects with an `InspectorProblem`
 * when the port is taken.
 *
 * @example
 * const inspector = await startInspector(8080);
 * console.log(`open ${inspector.url}`);
 * const runtime = createRuntime({ store, client, inspect: inspector.inspect });
 */
export async function startInspector(port: number): Promise<CliInspector> {
  // Loaded only when asked for: the package is ESM-only and pulls in a WebSocket stack.
  const [{ createInspector }, { WebSocketServer, WebSocket }, { configure }] = await Promise.all([
    import('@statelyai/inspect'), import('ws'), import('safe-stable-stringify'),
  ]);
  const stringify = configure({ maximumDepth: 10 });
  let listening = 0;
  const http: Server = createServer((req, res) => {
    const refused = refusal(req, { port: listening, loopbackOnly: true });
    if (refused || (req.url ?? '/') !== '/') {
      res.writeHead(refused ? 403 : 404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(refused ? `refused: ${refused}\n` : 'not found\n');
      return;
    }
    res.writeHead(200, {
      ...LOCAL_PAGE_HEADERS,
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': `default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; frame-src ${STATELY}; connect-src 'self' ws://${req.headers.host ?? ''}; frame-ancestors 'none'`,
    });
    res.end(bridgePage());
  });
  const relay = new WebSocketServer({
    server: http,
    maxPayload: 1024,
    verifyClient: (info: { req: Parameters<typeof refusal>[0] }) => refusal(info.req, { port: listening, loopbackOnly: true }) === null,
  });
  const recent: string[] = [];
  relay.on('connection', (viewer) => {
    for (const message of recent) viewer.send(message);
    viewer.on('message', () => viewer.close(POLICY_VIOLATION, 'viewers only listen'));
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', (error: NodeJS.ErrnoException) =>
      reject({ inspector: error.code === 'EADDRINUSE' ? `port ${port} is in use, so the inspector cannot start there: pass --inspect PORT with a free port` : `the inspector cannot listen: ${error.message}` } satisfies InspectorProblem));
    http.listen(port, LOOPBACK_HOST, () => resolve());
  });
  listening = (http.address() as AddressInfo).port;
  const inspector = createInspector({
    send(event) {
      let message: string | undefined;
      try {
        message = stringify(event);
      } catch {
        return;
      }
      if (message === undefined) return;
      recent.push(message);
      if (recent.length > REPLAYED) recent.shift();
      for (const viewer of relay.clients) if (viewer.readyState === WebSocket.OPEN) viewer.send(message);
    },
  });
  return {
    url: `http://${LOOPBACK_HOST}:${listening}`,
    port: listening,
    inspect: inspector.inspect,
    async stop() {
      for (const viewer of relay.clients) viewer.terminate();
      relay.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
