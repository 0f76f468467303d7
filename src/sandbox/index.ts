/**
 * @module
 * A local MX Platform API for rehearsals and tests: users, members, MFA challenges, aggregation,
 * rate limits, injected faults and webhooks, on a free loopback port. `mxbank` with
 * `MXBANK_USERNAME`/`MXBANK_PASSWORDS` picks the outcome of a connection.
 *
 * ```ts
 * import { startSandbox } from 'mx-lifecycle/sandbox';
 * import { createMxClient } from 'mx-lifecycle';
 *
 * const sandbox = await startSandbox({ auth: 'token', aggregationMs: 200 });
 * const client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key', auth: 'token' });
 * // … run a job against it, then read the ground truth:
 * console.log(sandbox.state().members.length);
 * await sandbox.close();
 * ```
 */
export { startSandbox, type Sandbox, type SandboxState } from './server.js';
export type { SandboxMember, SandboxUser } from './store.js';
export {
  checkSandboxOptions,
  DEFAULT_CLIENT,
  defaultSandboxOptions,
  FAULT_KINDS,
  type FaultKind,
  type SandboxClient,
  type SandboxDialect,
  type SandboxOptions,
} from './options.js';
export type { SandboxStats } from './stats.js';
export { CORRECT_ANSWER, MXBANK_PASSWORDS, MXBANK_USERNAME, type Outcome } from './mxbank.js';
export { ACTIONABLE_STATUSES, MX_RETRY_DELAYS_S, type WebhookSenderStats } from './webhookSender.js';
export { type SandboxWebhookOptions } from './webhookOptions.js';
export { WEBHOOK_FAULT_KINDS, type WebhookFaultKind } from './webhookFaults.js';
export type { EndUserStats, LinkCounts, OAuthOutcome } from './endUserLinks.js';
