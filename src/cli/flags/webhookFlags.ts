/**
 * The webhook receiver's flags for a job command. A command takes them by reading its settings
 * with `jobSettingsWithWebhooks` instead of `jobSettingsFromFlags` and listing the `--webhook-*`
 * flags in its row of the flag table (flagTable.ts); `launchJob` starts the receiver when
 * `settings.webhook` is set.
 */
import type { JobKind } from '../../durable/index.js';
import { DEFAULT_WEBHOOK_HOST, DEFAULT_WEBHOOK_PATH, WEBHOOK_POLL_INTERVAL_MS, webhookAuthProblem, webhookBearerProblem } from '../../webhooks/_internals/index.js';
import { integerFlag, jobSettingsFromFlags, usageProblem, type JobSettings, type WebhookSettings } from './jobFlags.js';

/** The webhook receiver's flags, taken out of a job command's arguments before parseArgs reads the rest. */
export const WEBHOOK_FLAG_NAMES = ['webhook-port', 'webhook-host', 'webhook-path', 'webhook-auth', 'webhook-bearer'] as const;
type Name = (typeof WEBHOOK_FLAG_NAMES)[number];

/** Takes the webhook flags out of `argv` (`--flag VALUE` or `--flag=VALUE`), leaving the rest in order. */
function splitWebhookFlags(argv: readonly string[]): { rest: string[]; values: Partial<Record<Name, string>> } {
  const rest: string[] = [];
  const values: Partial<Record<Name, string>> = {};
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    const [flag, inline] = arg.startsWith('--') ? [arg.slice(2).split('=')[0] ?? '', arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : undefined] : ['', undefined];
    const name = WEBHOOK_FLAG_NAMES.find((n) => n === flag);
    if (name === undefined) {
      rest.push(arg);
      continue;
    }
    const value = inline ?? argv[i + 1];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) throw usageProblem(`--${name} needs a value`);
    if (inline === undefined) i += 1;
    values[name] = value;
  }
  return { rest, values };
}

/**
 * The receiver the flags ask for, or undefined without `--webhook-port`.
 *
 * @example
 * webhookSettingsOf({ 'webhook-port': '9000' }, { MX_WEBHOOK_AUTH: 'mx:pw' }) // { port: 9000, host: '127.0.0.1', ... }
 */
export function webhookSettingsOf(values: Partial<Record<Name, string>>, env: NodeJS.ProcessEnv): WebhookSettings | undefined {
  const port = integerFlag('webhook-port', values['webhook-port'], 0, 65_535);
  if (port === undefined) {
    const stray = WEBHOOK_FLAG_NAMES.find((n) => n !== 'webhook-port' && values[n] !== undefined);
    if (stray) throw usageProblem(`--${stray} needs --webhook-port`);
    return undefined;
  }
  const auth = values['webhook-auth'] ?? env.MX_WEBHOOK_AUTH ?? '';
  const bearer = values['webhook-bearer'] ?? env.MX_WEBHOOK_BEARER ?? '';
  if (auth === '' && bearer === '') {
    throw usageProblem(`the webhook credentials are missing: set MX_WEBHOOK_AUTH=USER:PASSWORD (the Basic auth MX is given) or MX_WEBHOOK_BEARER=TOKEN (the OAuth bearer token MX presents), or pass --webhook-auth / --webhook-bearer`);
  }
  const problem = auth === '' ? null : webhookAuthProblem(auth);
  if (problem) throw usageProblem(`--webhook-auth ${problem}`);
  const bearerProblem = bearer === '' ? null : webhookBearerProblem(bearer);
  if (bearerProblem) throw usageProblem(`--webhook-bearer ${bearerProblem}`);
  const path = values['webhook-path'] ?? DEFAULT_WEBHOOK_PATH;
  if (!/^\/[A-Za-z0-9._~\-/]*$/.test(path)) throw usageProblem(`--webhook-path must start with / and hold only letters, digits and . _ ~ - /`);
  const host = values['webhook-host'] ?? DEFAULT_WEBHOOK_HOST;
  if (host === '' || /[\s/]/.test(host)) throw usageProblem(`--webhook-host must be a host name or an IP address`);
  return { port, host, path, auth: auth === '' ? null : auth, bearer: bearer === '' ? null : bearer, authOnCommandLine: values['webhook-auth'] !== undefined };
}

/**
 * `jobSettingsFromFlags` plus the webhook receiver's flags; with a receiver the poll interval
 * defaults to the longer fallback interval.
 *
 * @example
 * const settings = jobSettingsWithWebhooks(['customers.jsonl', '--webhook-port', '9000'], 'onboard', process.env);
 * settings.webhook?.port; // 9000
 */
export function jobSettingsWithWebhooks(
  argv: readonly string[], kind: JobKind, env: NodeJS.ProcessEnv, extra: { inputOptional?: boolean } = {},
): JobSettings {
  const { rest, values } = splitWebhookFlags(argv);
  const settings = jobSettingsFromFlags(rest, kind, env, extra);
  const webhook = webhookSettingsOf(values, env);
  if (!webhook) return settings;
  return { ...settings, webhook, lifecycle: { pollIntervalMs: WEBHOOK_POLL_INTERVAL_MS, ...settings.lifecycle } };
}
