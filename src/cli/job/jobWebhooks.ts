/**
 * The webhook receiver of one CLI run: started beside the runtime, its URL printed (never its
 * credentials), and what it received summed up on one line when the run ends.
 */
import type { Runtime } from '../../durable/index.js';
import { createWebhookReceiver, type WebhookReceiver, type WebhookStats } from '../../webhooks/index.js';
import type { WebhookSettings } from '../flags/jobFlags.js';
import { usageProblem } from '../flags/jobFlags.js';
import type { Output } from '../ui/output.js';

/**
 * One line of what the receiver saw.
 *
 * @example
 * webhookSummary(receiver.stats()) // 'webhooks: 80 received, 38 woke a member, 2 duplicates, ...'
 */
export function webhookSummary(stats: WebhookStats): string {
  return `webhooks: ${stats.received} received, ${stats.woke} woke a member, ${stats.noted} needed no wake-up, ` +
    `${stats.duplicate} duplicates, ${stats.stale} out of date, ${stats.unknownMember} for no live member, ` +
    `${stats.malformed} unreadable, ${stats.invalid} refused (no MX member guid is that long), ` +
    `${stats.unauthorized} refused (wrong credentials), ${stats.tooLarge} too large`;
}

/**
 * Starts the receiver `settings` asks for (none without it); a port that cannot be had is a usage problem.
 *
 * @example
 * const webhooks = await startJobWebhooks(settings.webhook, runtime, io, 'onboard', settings.lifecycle.pollIntervalMs);
 * // ... run the job ...
 * await webhooks?.stop();
 */
export async function startJobWebhooks(
  settings: WebhookSettings | undefined,
  runtime: Runtime,
  io: Output,
  command: string,
  pollIntervalMs: number | undefined,
): Promise<{ stop(): Promise<void> } | null> {
  if (!settings) return null;
  let receiver: WebhookReceiver;
  try {
    receiver = await createWebhookReceiver({ target: runtime, port: settings.port, host: settings.host, path: settings.path, auth: settings.auth, bearer: settings.bearer ?? null });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const why = code === 'EADDRINUSE' ? 'is in use' : code === 'EACCES' ? 'needs privileges' : `cannot be listened on (${String(code ?? error)})`;
    throw usageProblem(`--webhook-port ${settings.port} on ${settings.host} ${why}: pick another port`);
  }
  const every = pollIntervalMs === undefined ? '' : ` (members are polled every ${pollIntervalMs / 1000} s as the fallback)`;
  io.err(`mx-lifecycle ${command}: webhooks: listening on ${receiver.url}${every}\n`);
  return {
    async stop() {
      io.err(`mx-lifecycle ${command}: ${webhookSummary(receiver.stats())}\n`);
      await receiver.close();
    },
  };
}
