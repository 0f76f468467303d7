/**
 * Both local servers, the dashboard and the inspector relay, listen on 127.0.0.1 only (a
 * connection to this machine's other addresses is refused), answer only their own origin (a
 * foreign Origin, a rebound Host name or a cross-site fetch get 403, a foreign WebSocket is
 * refused), and the relay lets viewers listen but never speak.
 */
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { createActor, createMachine } from 'xstate';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInspector, type CliInspector } from '../../src/cli/job/inspector.js';
import { lifecycleCharts } from '../../src/observe/charts.js';
import { startDashboardServer, type DashboardServer } from '../../src/observe/dashboardServer.js';
import { createJobWatch } from '../../src/observe/jobWatch.js';

/** This machine's addresses other than loopback; a container has at least its own. */
function otherAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).filter((a) => !a.internal && a.family === 'IPv4').map((a) => a.address));
}

function connectsAt(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(2_000, () => { socket.destroy(); resolve(false); });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

async function status(url: string, headers: Record<string, string> = {}): Promise<number> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.once('error', reject);
    req.end();
  });
}

function open(url: string, origin: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { origin });
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_, res) => reject(new Error(`refused with ${res.statusCode}`)));
    socket.once('error', reject);
  });
}

let dashboard: DashboardServer;
let inspector: CliInspector;
beforeAll(async () => {
  dashboard = await startDashboardServer({
    job: 'local', kind: 'onboard', watch: createJobWatch('onboarding'), charts: await lifecycleCharts(), running: () => true, halt: () => null,
  });
  inspector = await startInspector(0);
});
afterAll(async () => {
  await dashboard?.close();
  await inspector?.stop();
});

describe('the dashboard server', () => {
  it('listens on 127.0.0.1 only', async () => {
    expect(dashboard.url).toBe(`http://127.0.0.1:${dashboard.port}`);
    expect(await connectsAt('127.0.0.1', dashboard.port)).toBe(true);
    const others = otherAddresses();
    expect(others.length, 'this machine has no address besides loopback to try').toBeGreaterThan(0);
    for (const address of others) expect(await connectsAt(address, dashboard.port), address).toBe(false);
  });

  it('answers its own page and refuses a foreign origin, a rebound host name and a cross-site fetch', async () => {
    const own = `http://127.0.0.1:${dashboard.port}`;
    expect(await status(`${own}/api/state`)).toBe(200);
    expect(await status(`${own}/api/state`, { Origin: own })).toBe(200);
    expect(await status(`${own}/api/state`, { Origin: 'https://evil.example' })).toBe(403);
    expect(await status(`${own}/events`, { Origin: 'http://localhost.evil.example' })).toBe(403);
    expect(await status(`${own}/`, { Host: `rebound.evil.example:${dashboard.port}` })).toBe(403);
    expect(await status(`${own}/api/charts`, { 'Sec-Fetch-Site': 'cross-site' })).toBe(403);
  });
});

describe('the inspector relay', () => {
  it('listens on 127.0.0.1 only', async () => {
    expect(inspector.url).toBe(`http://127.0.0.1:${inspector.port}`);
    expect(await connectsAt('127.0.0.1', inspector.port)).toBe(true);
    for (const address of otherAddresses()) expect(await connectsAt(address, inspector.port), address).toBe(false);
    expect(await status(inspector.url, { Origin: 'https://evil.example' })).toBe(403);
  });

  it('refuses a WebSocket from a foreign origin, relays the machines to its own page, and drops a viewer that sends', async () => {
    const ws = `ws://127.0.0.1:${inspector.port}`;
    await expect(open(ws, 'https://evil.example')).rejects.toThrow(/refused with 401/);
    const viewer = await open(ws, inspector.url);
    const forger = await open(ws, inspector.url);
    const seen: string[] = [];
    viewer.on('message', (data) => seen.push(String(data)));
    const forgerClosed = new Promise<number>((resolve) => forger.once('close', (code) => resolve(code)));
    forger.send(JSON.stringify({ type: '@xstate.snapshot', sessionId: 'x', snapshot: { value: 'FORGED' } }));
    expect(await forgerClosed).toBe(1008);

    const actor = createActor(createMachine({ id: 'probe', initial: 'a', states: { a: { on: { go: 'b' } }, b: {} } }), { inspect: inspector.inspect });
    actor.start();
    actor.send({ type: 'go' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    viewer.close();
    expect(seen.some((m) => m.includes('"probe"'))).toBe(true);
    expect(seen.some((m) => m.includes('FORGED'))).toBe(false);
  });
});
