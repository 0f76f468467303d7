/**
 * The dashboard's HTTP server: the page and its script (served from the package, nothing from a
 * CDN), the statecharts, the job's counts and lists, one customer's timeline, a stream of
 * updates (server-sent events), and /metrics. It listens on 127.0.0.1 unless told otherwise and
 * answers only its own pages (see loopback.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApiError } from '../errors/index.js';
import type { JobKind } from '../durable/index.js';
import type { ItemView } from './itemView.js';
import type { JobWatch } from './jobWatch.js';
import { LOCAL_PAGE_HEADERS, LOOPBACK_HOST, isLoopbackHost, refusal } from './loopback.js';
import type { LifecycleMetrics } from './metrics.js';
import type { RateSampler } from './rates.js';
import type { Statechart } from './statechart.js';


function decodedOrNull(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}
export interface DashboardSource {
  job: string;
  kind: JobKind;
  watch: JobWatch;
  /**
   * The laid-out statecharts, or a function that lays them out when the page first asks: elkjs
   * takes seconds on a busy machine, and neither the job nor the page's other parts wait for it.
   */
  charts: Statechart[] | (() => Promise<Statechart[]>);
  /** Whether the job runs in this process (else the page says it shows the store). */
  running: () => boolean;
  halt: () => ApiError | null;
  rates?: RateSampler;
  metrics?: LifecycleMetrics;
  /** A customer the watch keeps no view of (finished a while ago), read from the store. */
  lookup?: (id: string) => Promise<ItemView | null>;
  /** A customer's steps from the store (`GET /api/history/ID`): names, kinds and statuses only. */
  history?: (id: string) => Promise<unknown[]>;
}

export interface DashboardServerOptions {
  /** @default '127.0.0.1' */
  host: string;
  /** 0 picks a free port. @default 0 */
  port: number;
  /** How often the stream sends what changed. @default 1000 */
  pushEveryMs: number;
}

export interface DashboardServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const ASSETS: Record<string, string> = { '/': 'index.html', '/dashboard.js': 'dashboard.js', '/dashboard.css': 'dashboard.css' };
const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };
const LIST_LIMIT = 200;

function assetsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i += 1) {
    const candidate = join(dir, 'assets', 'dashboard');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('the dashboard page (assets/dashboard) is not installed with this copy of mx-lifecycle');
}

function snapshotOf(source: DashboardSource) {
  return {
    job: source.job,
    kind: source.kind,
    running: source.running(),
    halt: source.halt() ? { kind: source.halt()?.kind, message: source.halt()?.message } : null,
    counts: source.watch.counts(),
    rates: source.rates?.samples().slice(-120) ?? [],
    needsAction: source.watch.list('needsAction', LIST_LIMIT),
    failed: source.watch.list('failed', LIST_LIMIT),
  };
}

/**
 * Serves a job's dashboard; resolves once it listens.
 *
 * @example
 * const server = await startDashboardServer({ job: 'march', kind: 'onboard', watch, charts, running: () => true, halt: () => null });
 * console.log(`dashboard: ${server.url}`);
 */
export async function startDashboardServer(source: DashboardSource, options: Partial<DashboardServerOptions> = {}): Promise<DashboardServer> {
  const host = options.host ?? LOOPBACK_HOST;
  const pushEveryMs = options.pushEveryMs ?? 1_000;
  const dir = assetsDir();
  const assets = new Map(Object.entries(ASSETS).map(([path, file]) => [path, { body: readFileSync(join(dir, file)), type: TYPES[file.split('.').pop() ?? ''] ?? 'text/plain' }]));
  const streams = new Set<ServerResponse>();
  let charts: Promise<Statechart[]> | undefined;
  const chartsOnce = () => (charts ??= typeof source.charts === 'function' ? source.charts() : Promise.resolve(source.charts));
  let port = 0;

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { ...LOCAL_PAGE_HEADERS, 'Content-Type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const refused = refusal(req, { port, loopbackOnly: isLoopbackHost(host) });
    if (refused) {
      res.writeHead(403, { ...LOCAL_PAGE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`refused: ${refused}\n`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...LOCAL_PAGE_HEADERS, Allow: 'GET, HEAD' });
      res.end();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://local');
    const asset = assets.get(url.pathname);
    if (asset) {
      res.writeHead(200, { ...LOCAL_PAGE_HEADERS, 'Content-Type': asset.type });
      res.end(asset.body);
      return;
    }
    if (url.pathname === '/api/charts') return json(res, 200, await chartsOnce());
    if (url.pathname === '/api/state') return json(res, 200, snapshotOf(source));
    if (url.pathname === '/api/items') return json(res, 200, source.watch.search(url.searchParams.get('q') ?? '', LIST_LIMIT));
    if (url.pathname.startsWith('/api/items/')) {
      // A bad escape such as a lone `%` is the client's mistake: 400, not the 500 an exception gave.
      const id = decodedOrNull(url.pathname.slice('/api/items/'.length));
      if (id === null) return json(res, 400, { error: 'the customer id in the path is not valid percent-encoding' });
      const item = source.watch.item(id) ?? (await source.lookup?.(id)) ?? null;
      return item ? json(res, 200, item) : json(res, 404, { error: 'no such customer in this job' });
    }
    if (url.pathname.startsWith('/api/history/') && source.history) {
      const id = decodedOrNull(url.pathname.slice('/api/history/'.length));
      if (id === null) return json(res, 400, { error: 'the customer id in the path is not valid percent-encoding' });
      return json(res, 200, { customer: id, steps: await source.history(id) });
    }
    if (url.pathname === '/metrics' && source.metrics) {
      res.writeHead(200, { 'Content-Type': source.metrics.registry.contentType, 'Cache-Control': 'no-store' });
      res.end(await source.metrics.text());
      return;
    }
    if (url.pathname === '/events') {
      res.writeHead(200, { ...LOCAL_PAGE_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
      res.write(`retry: 2000\nevent: state\ndata: ${JSON.stringify(snapshotOf(source))}\n\n`);
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    json(res, 404, { error: 'not found' });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  let sentVersion = -1;
  let sentSample = 0;
  const push = setInterval(() => {
    if (streams.size === 0) return;
    const latest = source.rates?.samples().at(-1)?.at ?? 0;
    if (source.watch.version === sentVersion && latest === sentSample) {
      for (const res of streams) res.write(': idle\n\n');
      return;
    }
    sentVersion = source.watch.version;
    sentSample = latest;
    const frame = `event: state\ndata: ${JSON.stringify(snapshotOf(source))}\n\n`;
    for (const res of streams) res.write(frame);
  }, pushEveryMs);
  push.unref?.();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}`,
    port,
    async close() {
      clearInterval(push);
      for (const res of streams) res.end();
      streams.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
