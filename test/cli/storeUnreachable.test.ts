/**
 * `status` and `export` against a PostgreSQL store that cannot be reached: one line and exit 69
 * (EX_UNAVAILABLE, the code onboard gives for the same store), not "unexpected error" and 70.
 */
import { createServer, type Server } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, messages, workdir } from './harness.js';

// A port that refuses: a server is bound on port 0, its port noted, and closed.
let closedPort = 0;
beforeAll(async () => {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closedPort = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('a store that cannot be reached', () => {
  for (const command of ['status', 'export'] as const) {
    it(`makes ${command} exit 69 with one line naming the failure`, async () => {
      const store = `postgres://127.0.0.1:${closedPort}/test`;
      const run = await cli([command, '--job', 'nowhere', '--store', store], { cwd: workdir() });
      expect(run.code, run.stderr).toBe(69);
      expect(messages(run.stderr)).toEqual([expect.stringMatching(new RegExp(`^mx-lifecycle ${command}: the store or a connection failed: .*ECONNREFUSED`))]);
    });
  }
});
