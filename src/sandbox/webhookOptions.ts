/**
 * The options of the sandbox's webhooks (where they go, how they authenticate, their faults and
 * how much MX's retry schedule is compressed), their defaults, and their check.
 */
import { WEBHOOK_FAULT_KINDS, type WebhookFaultKind } from './webhookFaults.js';

export interface SandboxWebhookOptions {
  /** Where webhooks go, e.g. the receiver of `onboard --webhook-port`. */
  url: string;
  /** `USER:PASSWORD` sent as HTTP Basic; null sends none. */
  auth: string | null;
  /** The fraction (0..1) of messages that suffer a fault. @default 0 */
  faults?: number;
  /** @default every kind: lost, duplicate, delay, reorder */
  faultKinds?: readonly WebhookFaultKind[];
  /** MX's retry delays are divided by this (3,600: an hour becomes a second). @default 3600 */
  retryScale?: number;
}

/**
 * What MX's retry delays are divided by when `retryScale` is left out: an hour becomes a second.
 *
 * @default 3600
 * @example
 * 60 * 1000 / DEFAULT_WEBHOOK_RETRY_SCALE // MX's first retry, a minute, comes after 16.6… ms
 */
export const DEFAULT_WEBHOOK_RETRY_SCALE = 3_600;

/**
 * The defaults of the webhook options that have one.
 *
 * @example
 * startSandbox({ webhooks: { url, auth: null, retryScale: defaultSandboxWebhookOptions.retryScale * 10 } });
 */
export const defaultSandboxWebhookOptions: Readonly<Required<Pick<SandboxWebhookOptions, 'faults' | 'faultKinds' | 'retryScale'>>> = {
  faults: 0,
  faultKinds: WEBHOOK_FAULT_KINDS,
  retryScale: DEFAULT_WEBHOOK_RETRY_SCALE,
};

/**
 * Every problem with webhook options, one sentence each.
 *
 * @example
 * webhookOptionProblems({ url: 'nope', auth: null }); // ['webhooks.url must be an http(s) URL']
 */
export function webhookOptionProblems(options: SandboxWebhookOptions | null): string[] {
  if (options === null) return [];
  const problems: string[] = [];
  if (!/^https?:\/\/[^/]/.test(options.url ?? '') || !URL.canParse(options.url)) problems.push('webhooks.url must be an http(s) URL');
  if (options.auth !== null && !/^[^:]+:.+$/.test(options.auth ?? '')) problems.push('webhooks.auth must be USER:PASSWORD');
  const p = options.faults ?? defaultSandboxWebhookOptions.faults;
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) problems.push('webhooks.faults must be a number from 0 to 1');
  const unknown = (options.faultKinds ?? []).find((k) => !WEBHOOK_FAULT_KINDS.includes(k));
  if (unknown !== undefined) problems.push(`unknown webhook fault kind '${String(unknown)}' (known: ${WEBHOOK_FAULT_KINDS.join(', ')})`);
  const scale = options.retryScale ?? defaultSandboxWebhookOptions.retryScale;
  if (typeof scale !== 'number' || !(scale >= 1 && scale <= 1e9)) problems.push('webhooks.retryScale must be a number from 1 to 1e9');
  return problems;
}
