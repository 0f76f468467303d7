/**
 * Starting a node:http server the way every server of the project does: listen, turn a refused
 * port into a rejection (EADDRINUSE, EACCES) instead of an 'error' event nobody hears, and say
 * where it listens.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Listens on `port` (0: a free one) at `host`; resolves with the port and the `http://` origin.
 *
 * @example
 * const { port, origin } = await listenOn(server, 0, '127.0.0.1'); // origin 'http://127.0.0.1:41237'
 */
export async function listenOn(server: Server, port: number, host: string): Promise<{ port: number; origin: string }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  return { port: bound, origin: `http://${host.includes(':') ? `[${host}]` : host}:${bound}` };
}
