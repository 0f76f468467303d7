/**
 * The rows of the flag table for `mx-lifecycle sandbox`, in the order its `--help` lists them.
 * A file of their own so that the sandbox command loads none of the runtime the job flags'
 * defaults come from.
 */
// The owners' own files rather than the sandbox's index: every command's --help reads this table,
// and only `mx-lifecycle sandbox` should load the sandbox server.
import { DEFAULT_CLIENT, DEFAULT_WEBHOOK_RETRY_SCALE, defaultSandboxOptions, FAULT_KINDS, WEBHOOK_FAULT_KINDS } from '../../sandbox/_internals/index.js';
import { renderFlags, type FlagSpec } from './flagSpec.js';

export const SANDBOX_FLAG_SPECS: readonly FlagSpec[] = [
  { name: '--port', value: 'N', type: 'string', default: String(defaultSandboxOptions.port),
    help: `port to listen on; 0 picks a free one (default {default})` },
  { name: '--rate-limit', value: 'R', type: 'string', default: String(defaultSandboxOptions.rateLimit),
    help: `requests per second per client; 0 = off (default {default})` },
  { name: '--burst', value: 'B', type: 'string', default: `the rate limit`,
    help: `requests a client may make at once (default: {default})` },
  { name: '--faults', value: 'P', type: 'string', default: String(defaultSandboxOptions.faults),
    help: `probability 0..1 that a request gets a fault (default {default})` },
  { name: '--fault-kinds', value: 'K,K', type: 'string', default: `all`,
    help: `which faults: ${FAULT_KINDS.join(', ')} (default {default})` },
  { name: '--seed', value: 'S', type: 'string', default: String(defaultSandboxOptions.seed),
    help: `seeds the faults: same seed, same requests, same faults (default {default})` },
  { name: '--token-ttl', value: 'SECONDS', type: 'string', default: String(defaultSandboxOptions.tokenTtlSeconds),
    help: `lifetime of OAuth tokens (default {default})` },
  { name: '--auth', value: 'basic|token', type: 'string', default: defaultSandboxOptions.auth, commands: ['sandbox'],
    help: `Basic on every request, as MX does, or Bearer tokens from POST /oauth/token (default {default})` },
  { name: '--dialect', value: 'D', type: 'string', default: defaultSandboxOptions.dialect, commands: ['sandbox'],
    help: `errors: platform (MX Platform's statuses), or a seed document's: mx-sso, nexus, mgx, mcc
(default {default})` },
  { name: '--api-version-optional', type: 'boolean',
    help: `serve a request without Accept-Version as v20111101 instead of answering 406` },
  { name: '--min-aggregation-interval-ms', value: 'MS', type: 'string', default: String(defaultSandboxOptions.minAggregationIntervalMs),
    help: `an aggregate within MS of the last successful aggregation answers 202,
no new job (default {default})` },
  { name: '--no-retry-after', type: 'boolean',
    help: `429s carry no Retry-After header (MX documents none)` },
  { name: '--refuse-duplicate-members', type: 'boolean', default: `off`,
    help: `a user's second member at a bank with the same credentials
answers 409, as at MX (default {default})` },
  { name: '--max-connections', value: 'N', type: 'string',
    help: `connections one address may hold open; one opened past N gets 429 (MX: 2000; default ${defaultSandboxOptions.maxConnections} = no cap)` },
  { name: '--aggregation-ms', value: 'MS', type: 'string', default: String(defaultSandboxOptions.aggregationMs),
    help: `how long an aggregation takes (default {default})` },
  { name: '--latency-ms', value: 'MS', type: 'string', default: String(defaultSandboxOptions.latencyMs),
    help: `added to every request (default {default})` },
  { name: '--challenge-window-ms', value: 'MS', type: 'string', default: String(defaultSandboxOptions.challengeWindowMs),
    help: `how long a challenge waits before EXPIRED (default {default})` },
  { name: '--slow-ms', value: 'MS', type: 'string', default: String(defaultSandboxOptions.slowMs),
    help: `how long the "slow" password stays DELAYED (default {default})` },
  { name: '--timeout-fault-ms', value: 'MS', type: 'string', default: String(defaultSandboxOptions.timeoutFaultMs),
    help: `how long the "timeout" fault holds a response (default {default})` },
  { name: '--widget-url-ttl-ms', value: 'MS', type: 'string', default: String(defaultSandboxOptions.widgetUrlTtlMs),
    help: `how long a Connect widget URL or oauth_window_uri stays usable; each works once
(default {default})` },
  { name: '--client', value: 'ID:KEY', type: 'string',
    help: `an API client (repeatable; ID:KEY:unassociated for one that is not associated)
default: ${DEFAULT_CLIENT.id}:${DEFAULT_CLIENT.key}` },
  { name: '--webhook-url', value: 'URL', type: 'string',
    help: `send MX-shaped MEMBER and CONNECTION_STATUS webhooks there` },
  { name: '--webhook-auth', value: 'U:P', type: 'string', default: `MX_WEBHOOK_AUTH`, commands: ['sandbox'],
    help: `HTTP Basic for them (default: {default})` },
  { name: '--webhook-faults', value: 'P', type: 'string',
    help: `fraction 0..1 of webhooks lost, duplicated, delayed or reordered (seeded by --seed; default 0)` },
  { name: '--webhook-fault-kinds', value: 'K,K', type: 'string', default: 'all',
    help: `which of ${WEBHOOK_FAULT_KINDS.join(', ')} (default {default})` },
  { name: '--webhook-retry-scale', value: 'N', type: 'string', default: `${DEFAULT_WEBHOOK_RETRY_SCALE}: 1 h = 1 s`,
    help: `MX's retry schedule (12 retries over ~24 h) divided by N (default {default})` },
];

/**
 * The flag lines of `mx-lifecycle sandbox --help`.
 *
 * @example
 * sandboxFlagHelp().startsWith('  --port N') // true
 */
export const sandboxFlagHelp = (): string => renderFlags(SANDBOX_FLAG_SPECS);
