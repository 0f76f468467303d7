/**
 * The sandbox's webhook flags: where its MX-shaped webhooks go, with which Basic credentials
 * (`--webhook-auth`, or `MX_WEBHOOK_AUTH`, which `ps` does not show), and which faults they meet.
 */
import { WEBHOOK_FAULT_KINDS, type SandboxWebhookOptions, type WebhookFaultKind } from '../../sandbox/index.js';
import type { UsageProblem } from './command.js';
import { defined } from '../../_internals/index.js';

export const WEBHOOK_SENDER_FLAGS = {
  'webhook-url': { type: 'string' }, 'webhook-auth': { type: 'string' }, 'webhook-faults': { type: 'string' },
  'webhook-fault-kinds': { type: 'string' }, 'webhook-retry-scale': { type: 'string' },
} as const;

const problem = (usage: string): UsageProblem => ({ usage });

function fraction(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw problem(`--${flag} must be a number from ${min} to ${max}, not '${value}'`);
  return n;
}

/**
 * The webhook options the flags describe (undefined without `--webhook-url`), or a usage problem.
 *
 * @example
 * webhookSenderOf({ 'webhook-url': 'http://127.0.0.1:9000/webhooks/mx' }, { MX_WEBHOOK_AUTH: 'mx:pw' })
 */
export function webhookSenderOf(
  values: Partial<Record<keyof typeof WEBHOOK_SENDER_FLAGS, string>>,
  env: NodeJS.ProcessEnv,
): SandboxWebhookOptions | undefined {
  const url = values['webhook-url'];
  const others = (['webhook-auth', 'webhook-faults', 'webhook-fault-kinds', 'webhook-retry-scale'] as const).find((f) => values[f] !== undefined);
  if (url === undefined) {
    if (others !== undefined) throw problem(`--${others} needs --webhook-url`);
    return undefined;
  }
  if (!/^https?:\/\/[^/]/.test(url) || !URL.canParse(url)) throw problem(`--webhook-url must be an http(s) URL, e.g. http://127.0.0.1:9000/webhooks/mx`);
  const auth = values['webhook-auth'] ?? env.MX_WEBHOOK_AUTH ?? null;
  if (auth !== null && !/^[^:]+:.+$/.test(auth)) throw problem(`--webhook-auth must be USER:PASSWORD`);
  const kinds = values['webhook-fault-kinds']?.split(',').map((k) => k.trim()).filter((k) => k !== '');
  const unknown = kinds?.find((k) => !(WEBHOOK_FAULT_KINDS as readonly string[]).includes(k));
  if (unknown !== undefined) throw problem(`unknown webhook fault kind '${unknown}' (known: ${WEBHOOK_FAULT_KINDS.join(', ')})`);
  const faults = fraction('webhook-faults', values['webhook-faults'], 0, 1);
  const retryScale = fraction('webhook-retry-scale', values['webhook-retry-scale'], 1, 1e9);
  return {
    url,
    auth,
    ...defined({ faults, faultKinds: kinds as WebhookFaultKind[], retryScale }),
  };
}
