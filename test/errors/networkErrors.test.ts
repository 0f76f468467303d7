import net from 'node:net';
import { fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyNetworkError, isSystemic, type ApiError } from '../../src/errors/index.js';

type Fetch = (url: string, init?: { signal?: AbortSignal }) => Promise<unknown>;

const servers: net.Server[] = [];

async function listen(onSocket: (socket: net.Socket) => void): Promise<number> {
  const server = net.createServer(onSocket);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

async function failureOf(fetchImpl: Fetch, url: string, init?: { signal?: AbortSignal }): Promise<ApiError> {
  try {
    await fetchImpl(url, init);
  } catch (error) {
    return classifyNetworkError(error, { request: { method: 'GET', path: '/users' } });
  }
  throw new Error(`expected ${url} to fail`);
}

let closedPort = 0;
let destroyPort = 0;
let resetPort = 0;
let silentPort = 0;
const held: net.Socket[] = [];

beforeAll(async () => {
  // A port that was just free: nothing listens on it once its server is closed.
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));

  destroyPort = await listen((socket) => socket.destroy());
  resetPort = await listen((socket) => socket.once('data', () => socket.resetAndDestroy()));
  silentPort = await listen((socket) => held.push(socket));
});

afterAll(async () => {
  for (const socket of held) socket.destroy();
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

describe.each([
  ['global fetch', globalThis.fetch as unknown as Fetch],
  ['undici fetch', undiciFetch as unknown as Fetch],
])('classifyNetworkError over real loopback failures (%s)', (_, fetchImpl) => {
  it('a refused connection is unavailable, retryable, job-wide, cause ECONNREFUSED', async () => {
    const e = await failureOf(fetchImpl, `http://127.0.0.1:${closedPort}/users`);
    expect(e).toMatchObject({ kind: 'unavailable', status: 0, dialect: 'network', retryable: true, scope: 'job', cause: 'ECONNREFUSED' });
    expect(e.kind === 'unavailable' && e.timeout).toBeFalsy();
    expect(e.exchange?.request).toEqual({ method: 'GET', path: '/users' });
    expect(isSystemic(e)).toBe(true);
  });

  it('a server that closes the socket before answering is unavailable (undici: UND_ERR_SOCKET)', async () => {
    const e = await failureOf(fetchImpl, `http://127.0.0.1:${destroyPort}/`);
    expect(e).toMatchObject({ kind: 'unavailable', status: 0, retryable: true, cause: 'UND_ERR_SOCKET' });
  });

  it('a TCP reset is unavailable with cause ECONNRESET', async () => {
    const e = await failureOf(fetchImpl, `http://127.0.0.1:${resetPort}/`);
    expect(e).toMatchObject({ kind: 'unavailable', status: 0, retryable: true, cause: 'ECONNRESET' });
  });

  it('AbortSignal.timeout against a server that never answers is a timeout', async () => {
    const started = performance.now();
    const e = await failureOf(fetchImpl, `http://127.0.0.1:${silentPort}/`, { signal: AbortSignal.timeout(150) });
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(e).toMatchObject({ kind: 'unavailable', status: 0, retryable: true, timeout: true, cause: 'TimeoutError' });
  });

  it('a plain abort is unavailable without the timeout flag', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const e = await failureOf(fetchImpl, `http://127.0.0.1:${silentPort}/`, { signal: controller.signal });
    expect(e).toMatchObject({ kind: 'unavailable', cause: 'AbortError' });
    expect('timeout' in e).toBe(false);
  });

  it('a URL that cannot be parsed is a misconfiguration, not an outage', async () => {
    const e = await failureOf(fetchImpl, 'not a url');
    expect(e).toMatchObject({ kind: 'misconfigured', status: 0, retryable: false, scope: 'job' });
  });
});

describe('classifyNetworkError over error values', () => {
  it('reads the undici timeout and DNS codes from the cause chain', () => {
    const wrap = (code: string) => new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) });
    for (const code of ['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']) {
      expect(classifyNetworkError(wrap(code))).toMatchObject({ kind: 'unavailable', timeout: true, cause: code });
    }
    for (const code of ['ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'EPIPE']) {
      const e = classifyNetworkError(wrap(code));
      expect(e).toMatchObject({ kind: 'unavailable', retryable: true, cause: code });
      expect('timeout' in e).toBe(false);
    }
    const happyEyeballs = new TypeError('fetch failed', {
      cause: new AggregateError([Object.assign(new Error('a'), { code: 'ECONNREFUSED' })], 'all attempts failed'),
    });
    expect(classifyNetworkError(happyEyeballs)).toMatchObject({ kind: 'unavailable', cause: 'ECONNREFUSED' });
    expect(classifyNetworkError(new DOMException('stop', 'TimeoutError'))).toMatchObject({ timeout: true, cause: 'TimeoutError' });
  });

  it('something that is not a transport failure is unknown and not retried', () => {
    const cyclic: { cause?: unknown; message: string } = { message: 'loop' };
    cyclic.cause = cyclic;
    for (const thrown of [new RangeError('bug'), 'a string', null, undefined, 42, cyclic]) {
      const e = classifyNetworkError(thrown);
      expect(e, String(thrown)).toMatchObject({ kind: 'unknown', status: 0, retryable: false, scope: 'item', dialect: 'network' });
      expect(JSON.parse(JSON.stringify(e))).toEqual(e);
    }
  });
});
