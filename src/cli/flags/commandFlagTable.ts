/**
 * The rows of the flag table for the flags only the other commands take (status, answer,
 * history, retry's filters, links, export, demo, dashboard), and those commands'
 * own wordings of shared flags.
 */
import { defaultLifecycleOptions } from '../../../machines/index.js';
import { DEFAULT_LINK_TTL_MS } from '../../links/index.js';
import { formatDuration } from './duration.js';
import { DEFAULT_INSPECT_PORT } from './jobFlagTable.js';
import type { FlagSpec } from './flagSpec.js';

export const COMMAND_FLAG_SPECS: readonly FlagSpec[] = [
  { name: '--job', value: 'NAME', type: 'string', commands: ['status'],
    help: `the job (as onboard/offboard named it)` },
  { name: '--job', value: 'NAME', type: 'string', commands: ['answer', 'history', 'cancel', 'pause', 'resume', 'links', 'export'],
    help: `the job` },
  { name: '--job', value: 'NAME', type: 'string', commands: ['refresh'],
    help: `the onboarding job whose members to refresh` },
  { name: '--job', value: 'NAME', type: 'string', commands: ['dashboard'],
    help: `the job to show` },
  { name: '--store', value: 'URL', type: 'string', default: `sqlite:./.mx-lifecycle/<job>.sqlite`, commands: ['status', 'answer', 'history', 'cancel', 'pause', 'resume', 'links', 'export', 'dashboard'],
    help: `sqlite:PATH or postgres://… (default {default})` },
  { name: '--rate', value: 'R', type: 'string', commands: ['check'],
    help: `requests per second the run would make, for the time estimate` },
  { name: '--report', value: 'PATH', type: 'string', default: `next to the store, <refresh job>.report.json`, commands: ['refresh'],
    help: `where the JSON report goes (default: {default})` },
  { name: '--inspect', value: '[PORT]', type: 'string', default: `port ${DEFAULT_INSPECT_PORT}`, commands: ['demo'],
    help: `watch the machines in Stately's inspector (default {default})` },
  { name: '--json', type: 'boolean', commands: ['status'],
    help: `one JSON object on stdout` },
  { name: '--json', type: 'boolean', commands: ['history'],
    help: `one JSON object on stdout: { job, customer, steps: [...] }` },
  { name: '--dashboard', value: 'PORT', type: 'string', default: `any free port`, commands: ['dashboard'],
    help: `the port (default: {default})` },
  { name: '--public-url', value: 'URL', type: 'string', commands: ['links'],
    help: `the base the links are written with: where the fintech's reverse proxy
reaches the job's --links-port (e.g. https://connect.example.com)` },
  { name: '--customer', value: 'ID', type: 'string',
    help: `only this customer's members` },
  { name: '--customer', value: 'ID', type: 'string', commands: ['history'],
    help: `the customer (its id in the input)` },
  { name: '--customer', value: 'ID', type: 'string', commands: ['refresh'],
    help: `only this customer of the job (repeatable; it must be in the job)` },
  { name: '--customer', value: 'ID', type: 'string', commands: ['retry'],
    help: `only this customer (repeatable; it must be in the job)` },
  { name: '--customer', value: 'ID', type: 'string', commands: ['cancel'],
    help: `only this customer (repeatable)` },
  { name: '--member', value: 'ID', type: 'string',
    help: `only this member` },
  { name: '--answers', value: 'FILE', type: 'string',
    help: `the answers as JSON (instead of asking at the terminal)` },
  { name: '--min-aggregation-interval', value: 'T', type: 'string', default: `${formatDuration(defaultLifecycleOptions.minAggregationIntervalMs)}, MX's minimum`,
    help: `skip members aggregated successfully within T, e.g. 3h, 90m, 500ms
(default {default})` },
  { name: '--failed', type: 'boolean',
    help: `re-open the failed customers` },
  { name: '--needs-action', type: 'boolean',
    help: `re-open the customers that need action` },
  { name: '--kind', value: 'K', type: 'string',
    help: `only customers that stopped on an error of this kind, e.g. unavailable (a 503),
server_error, rate_limited (repeatable: any of them)` },
  { name: '--status', value: 'S', type: 'string',
    help: `only customers with a member in this MX connection status, e.g. DENIED (repeatable)` },
  { name: '--since', value: 'T', type: 'string',
    help: `only customers that ended within T, e.g. 12h, 30m, 2d` },
  { name: '--dry-run', type: 'boolean',
    help: `list the customers it would re-open, with their error kinds and statuses, and
change nothing (reads the store only: --job, --store and --json)` },
  { name: '--format', value: 'F', type: 'string', default: `csv`,
    help: `csv or jsonl (default {default})` },
  { name: '--output', value: 'FILE', type: 'string',
    help: `write to FILE (created readable by its owner only) instead of stdout` },
  { name: '--ttl', value: 'DURATION', type: 'string', default: formatDuration(DEFAULT_LINK_TTL_MS),
    help: `how long the links stay good (default {default})` },
  { name: '--only', value: 'STATE', type: 'string',
    help: `only customers in this state: done, needs-action, failed or cancelled` },
];
