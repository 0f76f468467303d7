/**
 * `mx-lifecycle sandbox`: runs the local MX Platform API until SIGINT or SIGTERM. Its first
 * stdout line names the URL, so scripts can start it with `--port 0` and read where it listens.
 */
import { parseArgs } from 'node:util';
import {
  checkSandboxOptions, DEFAULT_CLIENT, defaultSandboxOptions, FAULT_KINDS, startSandbox,
  type FaultKind, type SandboxClient, type SandboxOptions,
} from '../../sandbox/index.js';
import { WEBHOOK_SENDER_FLAGS, webhookSenderOf } from './sandboxWebhooks.js';
import { sandboxFlagHelp } from '../flags/sandboxFlagTable.js';
import type { Command, UsageProblem } from './command.js';

const USAGE = `usage: mx-lifecycle sandbox [options]

Runs a local MX Platform API on 127.0.0.1 until SIGINT or SIGTERM.

${sandboxFlagHelp()}`;

const problem = (usage: string): UsageProblem => ({ usage });

function number(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw problem(`--${flag} must be a number, not '${value}'`);
  return n;
}

function client(value: string): SandboxClient {
  const [id, key, flag, ...extra] = value.split(':');
  if (!id || !key || extra.length > 0 || (flag !== undefined && flag !== 'unassociated')) {
    throw problem(`--client must be ID:KEY or ID:KEY:unassociated`);
  }
  return flag === 'unassociated' ? { id, key, associated: false } : { id, key };
}

/** The sandbox options the flags describe, or a usage problem. */
export function optionsFromFlags(argv: string[], env: NodeJS.ProcessEnv = {}): Partial<SandboxOptions> {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      port: { type: 'string' }, 'rate-limit': { type: 'string' }, burst: { type: 'string' }, faults: { type: 'string' },
      'fault-kinds': { type: 'string' }, seed: { type: 'string' }, 'token-ttl': { type: 'string' }, auth: { type: 'string' },
      dialect: { type: 'string' }, 'aggregation-ms': { type: 'string' }, 'latency-ms': { type: 'string' },
      'challenge-window-ms': { type: 'string' }, 'slow-ms': { type: 'string' }, 'timeout-fault-ms': { type: 'string' },
      client: { type: 'string', multiple: true }, 'api-version-optional': { type: 'boolean' },
      'min-aggregation-interval-ms': { type: 'string' }, 'widget-url-ttl-ms': { type: 'string' },
      'no-retry-after': { type: 'boolean' }, 'refuse-duplicate-members': { type: 'boolean' }, 'max-connections': { type: 'string' },
      ...WEBHOOK_SENDER_FLAGS,
    },
  });
  if (positionals.length > 0) throw problem(`unexpected argument '${positionals[0] ?? ''}'`);
  const kinds = values['fault-kinds']?.split(',').map((k) => k.trim()).filter((k) => k !== '');
  const unknown = kinds?.find((k) => !(FAULT_KINDS as readonly string[]).includes(k));
  if (unknown !== undefined) throw problem(`unknown fault kind '${unknown}' (known: ${FAULT_KINDS.join(', ')})`);
  const options: Partial<SandboxOptions> = {
    port: number('port', values.port),
    rateLimit: number('rate-limit', values['rate-limit']),
    burst: number('burst', values.burst),
    faults: number('faults', values.faults),
    faultKinds: kinds as FaultKind[] | undefined,
    seed: number('seed', values.seed),
    tokenTtlSeconds: number('token-ttl', values['token-ttl']),
    auth: values.auth as SandboxOptions['auth'] | undefined,
    dialect: values.dialect as SandboxOptions['dialect'] | undefined,
    aggregationMs: number('aggregation-ms', values['aggregation-ms']),
    latencyMs: number('latency-ms', values['latency-ms']),
    challengeWindowMs: number('challenge-window-ms', values['challenge-window-ms']),
    slowMs: number('slow-ms', values['slow-ms']),
    timeoutFaultMs: number('timeout-fault-ms', values['timeout-fault-ms']),
    clients: values.client?.map(client),
    webhooks: webhookSenderOf(values, env),
    requireApiVersion: values['api-version-optional'] === true ? false : undefined,
    minAggregationIntervalMs: number('min-aggregation-interval-ms', values['min-aggregation-interval-ms']),
    widgetUrlTtlMs: number('widget-url-ttl-ms', values['widget-url-ttl-ms']),
    retryAfter: values['no-retry-after'] === true ? false : undefined,
    refuseDuplicateMembers: values['refuse-duplicate-members'] === true ? true : undefined,
    maxConnections: number('max-connections', values['max-connections']),
  };
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<SandboxOptions>;
  const problems = checkSandboxOptions({ ...defaultSandboxOptions, ...defined, host: '127.0.0.1' });
  if (problems[0] !== undefined) throw problem(flagNames(problems[0]));
  return defined;
}

/** Speaks of flags, not option names, in messages. */
function flagNames(message: string): string {
  return message.replace(/^(\w+)/, (name) => {
    if (!Object.hasOwn(defaultSandboxOptions, name) || name === 'clients') return name;
    return `--${name === 'tokenTtlSeconds' ? 'token-ttl' : name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  });
}

async function run(argv: string[]): Promise<number> {
  const options = optionsFromFlags(argv, process.env);
  const sandbox = await startSandbox({ ...options, host: '127.0.0.1' });
  const clients = options.clients ?? [DEFAULT_CLIENT];
  process.stdout.write(`mx-lifecycle sandbox listening on ${sandbox.url}\n`);
  // The default client's key is a published test value; keys the user chose are never printed.
  const who = options.clients ? clients.map((c) => c.id).join(', ') : `${DEFAULT_CLIENT.id} (key ${DEFAULT_CLIENT.key})`;
  process.stdout.write(`clients: ${who}; ground truth: GET ${sandbox.url}/__sandbox/state\n`);
  // The URL only: the webhook password stays out of the output.
  if (options.webhooks) process.stdout.write(`webhooks: MEMBER and CONNECTION_STATUS to ${options.webhooks.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await sandbox.close();
  return 0;
}

export const command: Command = { summary: 'run a local MX Platform API for rehearsals and tests', usage: USAGE, run };
