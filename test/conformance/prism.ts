/**
 * Stoplight Prism as a validating proxy: `prism proxy SPEC UPSTREAM` forwards every request and
 * reports each way the request or the response differs from the OpenAPI file in an
 * `sl-violations` header. It runs as a child process on a free loopback port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const PRISM = fileURLToPath(new URL('../../node_modules/.bin/prism', import.meta.url));

export interface Prism {
  url: string;
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Starts `prism proxy` for `spec` in front of `upstream`, resolved once it listens (60 s at most). */
export async function startPrism(spec: string, upstream: string): Promise<Prism> {
  const port = await freePort();
  const child = spawn(PRISM, ['proxy', '--host', '127.0.0.1', '--port', String(port), spec, upstream], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`prism did not start in 60 s:\n${log.slice(-2000)}`)), 60_000);
    const read = (chunk: Buffer): void => {
      log += chunk.toString();
      if (log.includes('Prism is listening')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`prism exited with ${code}:\n${log.slice(-2000)}`));
    });
  });
  return { url: `http://127.0.0.1:${port}`, close: () => stop(child) };
}

/** The violations Prism reported for one exchange (none when the header is absent). */
export function violationsOf(headers: Headers): Array<{ location: string[]; message: string }> {
  const header = headers.get('sl-violations');
  return header === null ? [] : (JSON.parse(header) as Array<{ location: string[]; message: string }>);
}
