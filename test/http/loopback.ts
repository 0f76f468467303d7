/**
 * Small real HTTP servers on loopback for the cases the sandbox cannot stage exactly (one 429
 * with a chosen Retry-After, a token refused once, a server that never answers).
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  accept?: string | undefined;
  acceptVersion?: string | undefined;
  at: number;
  body: string;
  /** Every header as Node gives it (lower-case names). */
  headers?: Record<string, string | string[] | undefined>;
}

export interface StubReply {
  status: number;
  headers?: Record<string, string>;
  json?: unknown;
  text?: string;
  /** Hold the answer this long, for tests of timing. */
  delayMs?: number;
}

export interface StubServer {
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

/**
 * Answers every request with `reply(request, index)`; records what arrived and when.
 */
export async function startStub(reply: (request: SeenRequest, index: number) => StubReply): Promise<StubServer> {
  const requests: SeenRequest[] = [];
  const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const seen: SeenRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        authorization: req.headers.authorization,
        accept: req.headers.accept,
        acceptVersion: req.headers['accept-version'] as string | undefined,
        at: Date.now(),
        body: Buffer.concat(chunks).toString('utf8'),
        headers: req.headers,
      };
      requests.push(seen);
      const answer = reply(seen, requests.length - 1);
      const body = answer.json === undefined ? (answer.text ?? '') : JSON.stringify(answer.json);
      const send = () => {
        res.writeHead(answer.status, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...answer.headers,
        });
        res.end(body);
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A server that accepts connections and never says a word. */
export async function startHungServer(): Promise<{ url: string; requests: () => number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  // Counted by the request lines that arrive: a pool may open a connection it never uses.
  let requests = 0;
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('data', (chunk: Buffer) => {
      requests += chunk.toString('latin1').match(/^(GET|POST|PUT|DELETE) \//gm)?.length ?? 0;
    });
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
