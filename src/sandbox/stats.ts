/**
 * What the sandbox counts for its ground-truth endpoint: requests (in all and by route), statuses,
 * 429s, faults, tokens, and the highest request rate any client reached in a sliding second.
 */
import type { FaultKind } from './options.js';
import { SlidingWindow } from '../_internals/index.js';

export interface SandboxStats {
  /** API requests, including `/oauth/token`, excluding `/__sandbox/*`. */
  requests: number;
  /**
   * The same requests by method and path template, in the template of the API version each asked
   * for (`POST /users/{user_guid}/members`, `GET /users/{user_identifier}/members/{member_identifier}/status`);
   * an unknown path counts as `METHOD (no route)`. The counts add up to `requests`.
   */
  byRoute: Record<string, number>;
  /** Responses by status; a reset connection counts under `reset`. */
  byStatus: Record<string, number>;
  rateLimited: number;
  /** 429s for a connection opened past `maxConnections`. */
  connectionCapped: number;
  /** The most connections one address held open at once. */
  maxOpenConnections: number;
  faultsInjected: number;
  faultsByKind: Partial<Record<FaultKind, number>>;
  tokensIssued: number;
  /**
   * `POST …/members/{guid}/aggregate` requests that reached the endpoint (authenticated, within the
   * rate limit), whether they started an aggregation or answered 202 without one.
   */
  aggregateRequests: number;
  /** The most requests any client made in one sliding 1-s window (`/oauth/token` excluded). */
  maxObservedRate: number;
}

export class StatsRecorder {
  requests = 0;
  rateLimited = 0;
  connectionCapped = 0;
  maxOpenConnections = 0;
  faultsInjected = 0;
  tokensIssued = 0;
  aggregateRequests = 0;
  private byStatus = new Map<string, number>();
  private byRoute = new Map<string, number>();
  private faultsByKind = new Map<FaultKind, number>();
  private windows = new Map<string, SlidingWindow>();

  status(status: number | 'reset'): void {
    const k = String(status);
    this.byStatus.set(k, (this.byStatus.get(k) ?? 0) + 1);
  }

  /** Counts one request under its `routeKey`. */
  route(key: string): void {
    this.byRoute.set(key, (this.byRoute.get(key) ?? 0) + 1);
  }

  fault(kind: FaultKind): void {
    this.faultsInjected++;
    this.faultsByKind.set(kind, (this.faultsByKind.get(kind) ?? 0) + 1);
  }

  /** Records one request by `clientId` at `now` (monotonic ms). */
  clientRequest(clientId: string, now: number): void {
    let window = this.windows.get(clientId);
    if (!window) this.windows.set(clientId, (window = new SlidingWindow()));
    window.record(now);
  }

  reset(): void {
    this.requests = 0;
    this.rateLimited = 0;
    this.connectionCapped = 0;
    this.maxOpenConnections = 0;
    this.faultsInjected = 0;
    this.tokensIssued = 0;
    this.aggregateRequests = 0;
    this.byStatus.clear();
    this.byRoute.clear();
    this.faultsByKind.clear();
    this.windows.clear();
  }

  snapshot(): SandboxStats {
    let maxObservedRate = 0;
    for (const w of this.windows.values()) maxObservedRate = Math.max(maxObservedRate, w.max);
    return {
      requests: this.requests,
      byRoute: Object.fromEntries(this.byRoute),
      byStatus: Object.fromEntries(this.byStatus),
      rateLimited: this.rateLimited,
      connectionCapped: this.connectionCapped,
      maxOpenConnections: this.maxOpenConnections,
      faultsInjected: this.faultsInjected,
      faultsByKind: Object.fromEntries(this.faultsByKind),
      tokensIssued: this.tokensIssued,
      aggregateRequests: this.aggregateRequests,
      maxObservedRate,
    };
  }
}
