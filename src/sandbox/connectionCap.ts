/**
 * MX's concurrent-connection cap: it answers 429 "when an IP address exceeds the maximum of 2000
 * concurrent connections" (docs.mx.com/api-reference/platform-api/v20111101/overview/errors). The
 * sandbox counts open connections per remote address and marks each one opened past the cap, so
 * the requests on it are refused while the connections opened before keep being served.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { StatsRecorder } from './stats.js';

/**
 * Counts `server`'s connections; `isOverCap(socket)` tells whether `socket` was opened past `cap`
 * (0: no cap, never true).
 *
 * @example
 * const cap = trackConnections(server, 2_000, stats);
 * if (cap.isOverCap(req.socket)) refuse();
 */
export function trackConnections(server: Server, cap: number, stats: StatsRecorder): { isOverCap(socket: Socket): boolean } {
  const openByAddress = new Map<string, number>();
  const overCap = new WeakSet<Socket>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const count = (openByAddress.get(address) ?? 0) + 1;
    openByAddress.set(address, count);
    stats.maxOpenConnections = Math.max(stats.maxOpenConnections, count);
    if (cap > 0 && count > cap) overCap.add(socket);
    socket.once('close', () => {
      const left = (openByAddress.get(address) ?? 1) - 1;
      if (left > 0) openByAddress.set(address, left);
      else openByAddress.delete(address);
    });
  });
  return { isOverCap: (socket) => overCap.has(socket) };
}
