/**
 * Prometheus metrics of a job, with prom-client (the client Prometheus's own docs list for Node):
 * requests by endpoint, status and error kind, 429s, request durations, the limiter's queue,
 * customers by state, token refreshes and retries by kind. The registry is the library's to
 * expose: an application that already serves /metrics passes its own and gets these beside its.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ObservableMxClient } from '../api/index.js';
import type { ItemState } from '../durable/index.js';
import type { JobWatch } from './jobWatch.js';

export interface LifecycleMetrics {
  readonly registry: Registry;
  /** Counts the traffic of a client; returns a function that stops counting. */
  observeClient(client: Pick<ObservableMxClient, 'events' | 'limiterState'>): () => void;
  /** Reports customers by state and machine retries from a job watch. */
  observeWatch(watch: JobWatch): () => void;
  /**
   * Reports a job's end-user connections (`invited`, `opened`, `connected`, `abandoned`, `waiting`)
   * from `read`, at most once per `cacheMs` whatever the scrape rate (it reads the store).
   */
  observeEndUser(read: () => Promise<EndUserCounts | null>, cacheMs?: number): () => void;
  /** The text Prometheus scrapes. */
  text(): Promise<string>;
}

/** What `observeEndUser` reports. */
export interface EndUserCounts {
  invited: number;
  opened: number;
  connected: number;
  abandoned: number;
  waiting: number;
}
const END_USER_COUNTS = ['invited', 'opened', 'connected', 'abandoned', 'waiting'] as const;

export interface LifecycleMetricsOptions {
  /**
   * Where the metrics are registered.
   * @default a new prom-client `Registry`
   */
  registry: Registry;
}

/** Path segments that name a collection or an action; any other segment is an id. */
const WORDS = new Set([
  'users', 'members', 'institutions', 'credentials', 'challenges', 'status', 'aggregate', 'resume', 'oauth', 'token',
  'accounts', 'transactions', 'identify', 'verify', 'check_balance', 'extend_history', 'credential_challenges', 'connect_widget_url',
]);

/**
 * An endpoint label from a request: method and path with ids replaced, so labels stay few.
 *
 * @example
 * endpointOf('GET', '/users/USR-1/members/MBR-2/status?x=1') // 'GET /users/{id}/members/{id}/status'
 */
export function endpointOf(method: string, path: string): string {
  const bare = path.split('?')[0] ?? '';
  const template = bare.split('/').map((segment) => (segment === '' || WORDS.has(segment) ? segment : '{id}')).join('/');
  return `${method} ${template}`;
}

const ITEM_STATES: readonly ItemState[] = ['pending', 'active', 'halted', 'done', 'needsAction', 'failed', 'cancelled'];
/** States a machine enters to wait before trying a step again. */
const RETRY_STATES = new Set(['waitingToRetry']);

/**
 * Creates the metrics on a registry.
 *
 * @example
 * const metrics = createLifecycleMetrics();
 * metrics.observeClient(client);
 * http.createServer(async (_, res) => res.end(await metrics.text()));
 */
export function createLifecycleMetrics(options: Partial<LifecycleMetricsOptions> = {}): LifecycleMetrics {
  const registry = options.registry ?? new Registry();
  const registers = [registry];
  const requests = new Counter({ name: 'mx_lifecycle_requests_total', help: 'Responses from the MX API (status 0: no response), by endpoint, status and classified kind', labelNames: ['endpoint', 'status', 'kind'], registers });
  const rateLimited = new Counter({ name: 'mx_lifecycle_rate_limited_total', help: '429 responses', registers });
  const duration = new Histogram({
    name: 'mx_lifecycle_request_duration_seconds', help: 'Time from sending a request to its response', labelNames: ['endpoint'], registers,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  });
  const refreshes = new Counter({ name: 'mx_lifecycle_token_refreshes_total', help: 'Access tokens fetched (auth token)', registers });
  const retries = new Counter({ name: 'mx_lifecycle_retries_total', help: 'Requests sent again (rate_limited, token_expired) and steps retried after a classified error, by kind', labelNames: ['kind'], registers });
  const clients = new Set<Pick<ObservableMxClient, 'limiterState'>>();
  const queuedGauge = new Gauge({
    name: 'mx_lifecycle_limiter_queued', help: 'Requests waiting in the rate limiter', registers,
    collect() {
      let queued = 0;
      for (const client of clients) queued += client.limiterState().queued;
      this.set(queued);
    },
  });
  const watches = new Set<JobWatch>();
  const itemsGauge = new Gauge({
    name: 'mx_lifecycle_items', help: 'Customers of the job by state', labelNames: ['state'], registers,
    collect() {
      if (watches.size === 0) return;
      const totals = Object.fromEntries(ITEM_STATES.map((s) => [s, 0])) as Record<ItemState, number>;
      for (const watch of watches) for (const s of ITEM_STATES) totals[s] += watch.counts().items[s];
      for (const s of ITEM_STATES) this.set({ state: s }, totals[s]);
    },
  });

  const endUserReads = new Set<() => Promise<EndUserCounts | null>>();
  const endUserGauge = new Gauge({
    name: 'mx_lifecycle_end_user_connections', help: 'Connections the end user makes (OAuth, widget): invited, opened, connected, abandoned, waiting now', labelNames: ['count'], registers,
    async collect() {
      const totals = Object.fromEntries(END_USER_COUNTS.map((c) => [c, 0])) as Record<(typeof END_USER_COUNTS)[number], number>;
      for (const read of endUserReads) {
        const counts = await read().catch(() => null);
        if (counts) for (const c of END_USER_COUNTS) totals[c] += counts[c];
      }
      for (const c of END_USER_COUNTS) this.set({ count: c }, totals[c]);
    },
  });
  // The gauges are read at scrape time by their collect(); held here only so they are not unused.
  void [queuedGauge, itemsGauge, endUserGauge];

  return {
    registry,
    observeClient(client) {
      clients.add(client);
      const subscriptions = [
        client.events.on('response', (e) => {
          const endpoint = endpointOf(e.method, e.path);
          requests.inc({ endpoint, status: String(e.status), kind: e.kind ?? 'ok' });
          duration.observe({ endpoint }, e.durationMs / 1000);
        }),
        client.events.on('rate_limited', () => rateLimited.inc()),
        client.events.on('token_refreshed', () => refreshes.inc()),
        client.events.on('retried', (e) => retries.inc({ kind: e.reason })),
      ];
      return () => {
        clients.delete(client);
        for (const s of subscriptions) s.dispose();
      };
    },
    observeWatch(watch) {
      watches.add(watch);
      const off = watch.onTransition((_, entry) => {
        if (entry.errorKind && entry.to.some((s) => RETRY_STATES.has(s))) retries.inc({ kind: entry.errorKind });
      });
      return () => {
        watches.delete(watch);
        off();
      };
    },
    observeEndUser(read, cacheMs = 10_000) {
      let last: { at: number; value: Promise<EndUserCounts | null> } | null = null;
      const cached = () => {
        if (!last || Date.now() - last.at >= cacheMs) last = { at: Date.now(), value: read() };
        return last.value;
      };
      endUserReads.add(cached);
      return () => void endUserReads.delete(cached);
    },
    text: () => registry.metrics(),
  };
}
