/**
 * The sandbox's options: one fully required interface, its defaults, and the check that both
 * `startSandbox` and the CLI run before anything listens.
 */
import type { Dialect } from '../errors/index.js';
import { webhookOptionProblems, type SandboxWebhookOptions } from './webhookOptions.js';

/** The faults the sandbox can inject, each documented in the README's sandbox section. */
export const FAULT_KINDS = [
  'bad_gateway',
  'maintenance',
  'server_error',
  'delete_failed',
  'reset',
  'timeout',
  'lost',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * How the sandbox renders errors: `platform` is MX Platform's own statuses (its errors page,
 * docs.mx.com/api-reference/platform-api/overview/errors) with `{"error": {"message": "…"}}`
 * bodies; the others are the seed documents' APIs, kept for rehearsing them.
 */
export type SandboxDialect = 'platform' | Dialect;

export const DIALECTS: readonly SandboxDialect[] = ['platform', 'mx-sso', 'nexus', 'mgx', 'mcc'];

/** An API client the sandbox knows: its id and key (Basic `id:key`). */
export interface SandboxClient {
  id: string;
  key: string;
  /**
   * `false` makes a client that authenticates but is not associated, so creating a user answers
   * the documented 500 "Create user failed: Client must be associated.". Default `true`.
   */
  associated?: boolean;
}

export interface SandboxOptions {
  /** TCP port; 0 picks any free one. */
  port: number;
  host: string;
  /** Requests per second each client may make (a token bucket); 0 turns the limit off. */
  rateLimit: number;
  /** The bucket's size: how many requests a client may make at once; 0 means `max(1, rateLimit)`. */
  burst: number;
  /** Probability (0..1) that a request gets a fault. */
  faults: number;
  faultKinds: readonly FaultKind[];
  /** Seeds the fault generator: the same seed and the same request sequence give the same faults. */
  seed: number;
  tokenTtlSeconds: number;
  /**
   * `basic`: Basic `id:key` on every request, as MX Platform does; `token`: Bearer tokens from `POST /oauth/token`.
   * @default 'basic'
   */
  auth: 'token' | 'basic';
  /**
   * How errors are rendered (and, for `platform`, which statuses MX Platform answers with).
   * @default 'platform'
   */
  dialect: SandboxDialect;
  /**
   * `true`: a request without `Accept-Version` gets MX's 406; `false`: it is served as v20111101,
   * for callers written before MX required the header. An unknown version is a 406 either way.
   * @default true
   */
  requireApiVersion: boolean;
  /**
   * The least time between the starts of two standard aggregations of one member; an aggregate
   * within it answers 202 with the member as it is. MX exempts mxbank, so the default is 0.
   * @default 0
   */
  minAggregationIntervalMs: number;
  /** How long one aggregation (or one resumed aggregation) takes. */
  aggregationMs: number;
  /** Added before every API request is handled. */
  latencyMs: number;
  /**
   * `false` drops `Retry-After` from every 429: MX documents none (nor any rate-limit header), so a
   * client must back off on its own.
   * @default true
   */
  retryAfter: boolean;
  /**
   * Connections one address may hold open at once; a request on a connection opened past the cap
   * answers 429 and the connection closes. MX: a 429 "when an IP address exceeds the maximum of
   * 2000 concurrent connections". 0 sets no cap.
   * @default 0
   */
  maxConnections: number;
  /**
   * Refuse a user's second member at an institution with the same credentials (409, MX's members
   * page: "Duplicate members aren't allowed"). Off by default: MX Bank takes one user name for every
   * connection, so rehearsal data that gives a customer two MX Bank connections with one password
   * would be refused, where real customers' two logins differ.
   * @default false
   */
  refuseDuplicateMembers: boolean;
  clients: readonly SandboxClient[];
  /** How long a challenge waits for an answer before the member is EXPIRED. */
  challengeWindowMs: number;
  /** How long the `slow` outcome stays DELAYED. */
  slowMs: number;
  /** How long the `timeout` fault holds a response. */
  timeoutFaultMs: number;
  /** MX-shaped MEMBER, CONNECTION_STATUS and AGGREGATION webhooks to send, or null for none. */
  webhooks: SandboxWebhookOptions | null;
  /** A connection that has not sent its request headers within this time is dropped (408). */
  headersTimeoutMs: number;
  /** A connection that has not sent its whole request within this time is dropped (408). */
  requestTimeoutMs: number;
  /**
   * How long a Connect widget URL or an `oauth_window_uri` stays usable; each is also spent by its
   * first completion. MX: the widget URL "expires after ten minutes or upon first use".
   * @default 600000
   */
  widgetUrlTtlMs: number;
}

/** The test client used when none is given. Its key is a published test value, not a secret. */
export const DEFAULT_CLIENT: SandboxClient = { id: 'sandbox-client', key: 'sandbox-key' };

export const defaultSandboxOptions: SandboxOptions = {
  port: 0,
  host: '127.0.0.1',
  rateLimit: 0,
  burst: 0,
  faults: 0,
  faultKinds: FAULT_KINDS,
  seed: 1,
  tokenTtlSeconds: 300,
  auth: 'basic',
  dialect: 'platform',
  requireApiVersion: true,
  minAggregationIntervalMs: 0,
  aggregationMs: 2_000,
  latencyMs: 0,
  retryAfter: true,
  maxConnections: 0,
  refuseDuplicateMembers: false,
  clients: [DEFAULT_CLIENT],
  challengeWindowMs: 60_000,
  slowMs: 5_000,
  timeoutFaultMs: 30_000,
  webhooks: null,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  widgetUrlTtlMs: 600_000,
};

const NUMERIC: ReadonlyArray<[keyof SandboxOptions, number, number]> = [
  ['port', 0, 65_535],
  ['rateLimit', 0, 1e9],
  ['burst', 0, 1e9],
  ['faults', 0, 1],
  ['seed', -(2 ** 53), 2 ** 53],
  ['tokenTtlSeconds', 0, 1e9],
  ['aggregationMs', 0, 1e9],
  ['latencyMs', 0, 1e9],
  ['maxConnections', 0, 1e9],
  ['challengeWindowMs', 0, 1e9],
  ['slowMs', 0, 1e9],
  ['timeoutFaultMs', 0, 1e9],
  ['minAggregationIntervalMs', 0, 1e9],
  ['headersTimeoutMs', 1, 1e9],
  ['requestTimeoutMs', 1, 1e9],
  ['widgetUrlTtlMs', 1, 1e9],
];

/**
 * Every problem with a set of options, one sentence each; empty when they are usable.
 *
 * @example
 * checkSandboxOptions({ ...defaultSandboxOptions, faults: 2 }); // ['faults must be a number from 0 to 1']
 */
export function checkSandboxOptions(options: SandboxOptions): string[] {
  const problems: string[] = [];
  for (const [name, min, max] of NUMERIC) {
    const value = options[name];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      problems.push(`${name} must be a number from ${min} to ${max}`);
    }
  }
  if (!Number.isInteger(options.port)) problems.push('port must be an integer');
  if (options.auth !== 'token' && options.auth !== 'basic') problems.push("auth must be 'token' or 'basic'");
  if (typeof options.requireApiVersion !== 'boolean') problems.push('requireApiVersion must be true or false');
  if (typeof options.retryAfter !== 'boolean') problems.push('retryAfter must be true or false');
  if (typeof options.refuseDuplicateMembers !== 'boolean') problems.push('refuseDuplicateMembers must be true or false');
  if (!Number.isInteger(options.maxConnections)) problems.push('maxConnections must be an integer');
  if (!DIALECTS.includes(options.dialect)) problems.push(`dialect must be one of ${DIALECTS.join(', ')}`);
  for (const kind of options.faultKinds) {
    if (!FAULT_KINDS.includes(kind)) problems.push(`unknown fault kind '${String(kind)}' (known: ${FAULT_KINDS.join(', ')})`);
  }
  problems.push(...webhookOptionProblems(options.webhooks));
  if (options.clients.length === 0) problems.push('at least one client is needed');
  const ids = new Set<string>();
  for (const client of options.clients) {
    if (!client.id || !client.key || client.id.includes(':')) {
      problems.push('each client needs a non-empty id without ":" and a non-empty key');
    } else if (ids.has(client.id)) {
      problems.push(`client '${client.id}' is given twice`);
    }
    ids.add(client.id);
  }
  return problems;
}

/**
 * Defaults merged with the given options, then checked.
 *
 * @throws TypeError naming the first problem, when the options are not usable.
 * @example
 * const options = resolveSandboxOptions({ rateLimit: 20 });
 */
export function resolveSandboxOptions(partial: Partial<SandboxOptions>): SandboxOptions {
  const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
  const options: SandboxOptions = { ...defaultSandboxOptions, ...defined };
  const problems = checkSandboxOptions(options);
  if (problems.length > 0) {
    throw new TypeError(`startSandbox: ${problems[0]}. Example: startSandbox({ port: 0, rateLimit: 20, dialect: 'platform' })`);
  }
  return options;
}
