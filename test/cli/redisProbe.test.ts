/**
 * `--redis` pointing at a server that accepts the connection and never answers: the probe gives up
 * at the deadline its message names, and leaves no timer behind that keeps the process alive (it
 * left ioredis's 2 s disconnect timer on a socket the silent server never closed, and counted its
 * deadline after loading ioredis: ~10 s for a "5 s" probe).
 */
import { spawn } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from './harness.js';

let server: Server;
const sockets: Socket[] = [];
let url = '';
beforeAll(async () => {
  server = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `redis://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function probeInChild(deadlineMs: number, target = url): Promise<{ problem: string | null; tookMs: number; holding: string[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'test/cli/fixtures/probeRedisChild.ts'), target, String(deadlineMs)], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the probe did not end: ${out}`));
    }, 60_000);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(JSON.parse(out.trim()) as { problem: string | null; tookMs: number; holding: string[] });
    });
  });
}

describe('the Redis probe against a server that never answers', () => {
  it('gives up at its deadline, says so, and leaves no timer once it returned', async () => {
    const result = await probeInChild(1_000);
    expect(result.problem).toMatch(/^cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+\/? \(no answer within 1000 ms\): check --redis/);
    expect(result.tookMs).toBeGreaterThanOrEqual(1_000);
    // Liveness only: the deadline plus room for a loaded machine.
    expect(result.tookMs).toBeLessThan(6_000);
    expect(result.holding).toEqual([]);
  });

  it('still passes a Redis that answers, and leaves no timer after it either', async () => {
    const result = await probeInChild(5_000, 'redis://127.0.0.1:6379');
    expect(result.problem).toBeNull();
    expect(result.holding).toEqual([]);
  });
});
