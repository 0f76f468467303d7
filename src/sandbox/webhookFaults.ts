/**
 * Seeded faults for the sandbox's webhooks: each message draws exactly three numbers, fault or
 * not, so the same seed and the same sequence of messages give the same faults in every run.
 */
import { mulberry32 } from './prng.js';

/** What can happen to a webhook on its way: never sent, sent twice, sent late, or overtaken. */
export const WEBHOOK_FAULT_KINDS = ['lost', 'duplicate', 'delay', 'reorder'] as const;
export type WebhookFaultKind = (typeof WEBHOOK_FAULT_KINDS)[number];

export interface WebhookFault {
  kind: WebhookFaultKind;
  /** In [0, 1): how late a `delay` is within its range. */
  variant: number;
}

// Not the request faults' stream: adding webhooks to a run leaves its request faults as they were.
const STREAM = 0x5eb40c;

/**
 * Draws the fault (or none) of each webhook message in turn.
 *
 * @example
 * const faults = createWebhookFaults(0.2, ['lost'], 1);
 * faults.draw(); // the same answer for the first message of every run with seed 1
 */
export function createWebhookFaults(probability: number, kinds: readonly WebhookFaultKind[], seed: number) {
  const next = mulberry32((Math.trunc(seed) ^ STREAM) >>> 0);
  return {
    draw(): WebhookFault | undefined {
      const hit = next();
      const pick = next();
      const variant = next();
      if (probability <= 0 || hit >= probability || kinds.length === 0) return undefined;
      const kind = kinds[Math.floor(pick * kinds.length)];
      return kind === undefined ? undefined : { kind, variant };
    },
  };
}
