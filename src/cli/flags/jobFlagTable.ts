/**
 * The rows of the flag table for the flags of the job commands (onboard, offboard, retry,
 * refresh): how to reach MX, the store, the pace, the watching, the waits, the webhook receiver
 * and the link server. Defaults that have an owner are read from it, never written here.
 */
import { defaultLifecycleOptions } from '../../../machines/index.js';
// The owners' own files rather than their folders' index: a usage mistake is answered before the
// runtime, the HTTP client and the store drivers load (see jobCommand.ts).
import { defaultMxClientOptions } from '../../api/_internals/index.js';
import { DEFAULT_HISTORY_LIMIT, DEFAULT_LEASE_MS, DEFAULT_MAX_CONCURRENCY, DEFAULT_OUTAGE_BUDGET_MS } from '../../durable/_internals/index.js';
import { DEFAULT_LINKS_HOST, LINK_SECRET_ENV } from '../../links/index.js';
import { DEFAULT_WEBHOOK_HOST, DEFAULT_WEBHOOK_PATH, WEBHOOK_POLL_INTERVAL_MS } from '../../webhooks/_internals/index.js';
import { formatDuration } from './duration.js';
import type { FlagSpec } from './flagSpec.js';

/** The port `--inspect` serves on when it names none. */
export const DEFAULT_INSPECT_PORT = 8080;

export const JOB_FLAG_SPECS: readonly FlagSpec[] = [
  { name: '--job', value: 'NAME', type: 'string', default: `from INPUT`,
    help: `the job's name; running the same job again resumes it (default: {default})` },
  { name: '--job', value: 'NAME', type: 'string', default: `<INPUT>-offboard`, commands: ['offboard'],
    help: `the job's name; running the same job again resumes it (default: {default})` },
  { name: '--base-url', value: 'URL', type: 'string', default: `MX_BASE_URL`,
    help: `MX Platform API, e.g. https://int-api.mx.com (default: {default})` },
  { name: '--client-id', value: 'ID', type: 'string', default: `MX_CLIENT_ID`,
    help: `API client id (default: {default})` },
  { name: '--api-key', value: 'KEY', type: 'string', default: 'MX_API_KEY',
    help: `API key (default: {default}, which is safer: a flag shows in \`ps\`)` },
  { name: '--auth', value: 'token|basic', type: 'string', default: defaultMxClientOptions.auth,
    help: `Basic client:key on every request, or Bearer tokens from /oauth/token (default {default})` },
  { name: '--api-version', value: 'V', type: 'string', default: defaultMxClientOptions.apiVersion,
    help: `MX Platform API version sent as Accept-Version: v20250224 or v20111101 (default {default})` },
  { name: '--dialect', value: 'D', type: 'string', default: defaultMxClientOptions.dialect,
    help: `error dialect: platform, auto, mx-sso, nexus, mgx or mcc (default {default})` },
  { name: '--store', value: 'URL', type: 'string', default: `sqlite:./.mx-lifecycle/<job>.sqlite`,
    help: `sqlite:PATH or postgres://USER@HOST/DB (default {default})` },
  { name: '--redis', value: 'URL', type: 'string',
    help: `share the rate limit with other processes using the same key, e.g. redis://127.0.0.1:6379` },
  { name: '--concurrency', value: 'N|auto', type: 'string', default: `auto`,
    help: `customers in progress at once; auto grows it while the rate limit has room and
shrinks it when requests queue or the API slows (default {default})` },
  { name: '--max-concurrency', value: 'N', type: 'string', default: String(DEFAULT_MAX_CONCURRENCY),
    help: `customers in memory at once, in progress or waiting on a timer (default {default})` },
  { name: '--rate', value: 'R', type: 'string', default: `learnt from 429s`,
    help: `requests per second this API key may make (default: {default})` },
  { name: '--report', value: 'PATH', type: 'string', default: `next to the store, <job>.report.json`,
    help: `where the JSON report goes (default: {default})` },
  { name: '--inspect', value: '[PORT]', type: 'string', default: String(DEFAULT_INSPECT_PORT),
    help: `serve XState inspector events on PORT (default {default}) and print the URL to open` },
  { name: '--json', type: 'boolean',
    help: `print the final summary as one JSON object on stdout` },
  { name: '--dashboard', value: '[PORT]', type: 'string', default: `any free port`,
    help: `serve a live dashboard and /metrics on http://127.0.0.1:PORT (default: {default})` },
  { name: '--dashboard-host', value: 'HOST', type: 'string',
    help: `listen elsewhere than 127.0.0.1 (warned: anyone who reaches it sees the job)` },
  { name: '--log-format', value: 'text|json', type: 'string',
    help: `structured log lines on stderr: halts, retries, give-ups, each final customer` },
  { name: '--log-level', value: 'LEVEL', type: 'string',
    help: `error, warn, info (default), debug or silent` },
  { name: '--poll-interval-ms', value: 'MS', type: 'string', default: String(defaultLifecycleOptions.pollIntervalMs),
    help: `time between two member status reads (default {default}; MX asks for at least 3000)` },
  { name: '--max-attempts', value: 'N', type: 'string', default: String(defaultLifecycleOptions.maxAttempts),
    help: `retries of one failed step before it counts (default {default})` },
  { name: '--timeout-ms', value: 'MS', type: 'string', default: String(defaultMxClientOptions.timeoutMs),
    help: `per-request timeout (default {default})` },
  { name: '--outage-budget', value: 'T', type: 'string', default: formatDuration(DEFAULT_OUTAGE_BUDGET_MS),
    help: `how long MX outages (unavailable, 503, refused connections) pause the job before
it halts, e.g. 15m, 90s, 0 to halt at once (default {default})` },
  { name: '--mfa-wait', value: 'DURATION', type: 'string', default: `0: it needs action at once`,
    help: `onboard: how long a challenged member waits for \`mx-lifecycle answer\`, e.g. 10m
(default {default})` },
  { name: '--end-user-wait', value: 'T', type: 'string', default: formatDuration(defaultLifecycleOptions.endUserWaitMs),
    help: `how long an OAuth or widget connection waits for its end user, e.g. 3d, 30m
(default {default}); then it needs action (endUserAbandoned)` },
  { name: '--end-user-poll', value: 'T', type: 'string', default: formatDuration(defaultLifecycleOptions.endUserPollMs),
    help: `the fallback check while waiting for an end user; webhooks wake it sooner (default {default})` },
  { name: '--links-port', value: 'PORT', type: 'string',
    help: `serve stable links (GET /c/<token>) for the connections waiting for their end
user; each click mints a fresh MX URL (needs ${LINK_SECRET_ENV}, at least 32 bytes)` },
  { name: '--links-host', value: 'HOST', type: 'string', default: DEFAULT_LINKS_HOST,
    help: `interface the link server listens on (default {default}; put your HTTPS proxy in front)` },
  { name: '--public-url', value: 'URL', type: 'string', default: `http://HOST:PORT`,
    help: `the base links are written with (default {default}): your proxy's address` },
  { name: '--lease-ms', value: 'MS', type: 'string', default: String(DEFAULT_LEASE_MS),
    help: `several workers on one PostgreSQL store: how long a dead worker's customers wait
before another worker takes them over (default {default})` },
  { name: '--history-limit', value: 'N', type: 'string', default: String(DEFAULT_HISTORY_LIMIT),
    help: `steps each customer's history keeps, for \`mx-lifecycle history\` (default {default}; 0 keeps none)` },
  { name: '--webhook-port', value: 'PORT', type: 'string',
    help: `receive MX's MEMBER and CONNECTION_STATUS webhooks on PORT; members are then
polled every ${WEBHOOK_POLL_INTERVAL_MS / 1000} s as the fallback unless --poll-interval-ms says otherwise` },
  { name: '--webhook-host', value: 'HOST', type: 'string', default: DEFAULT_WEBHOOK_HOST,
    help: `interface the receiver listens on (default {default}; put MX's HTTPS in front)` },
  { name: '--webhook-path', value: 'PATH', type: 'string', default: DEFAULT_WEBHOOK_PATH,
    help: `path MX posts to (default {default})` },
  { name: '--webhook-auth', value: 'U:P', type: 'string', default: 'MX_WEBHOOK_AUTH',
    help: `HTTP Basic MX sends (default: {default}, which is safer: a flag shows in \`ps\`)` },
  { name: '--webhook-bearer', value: 'TOKEN', type: 'string', default: `MX_WEBHOOK_BEARER`,
    help: `OAuth 2 bearer token MX sends, accepted besides Basic (default: {default})` },
];
