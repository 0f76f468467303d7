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
export { ACTIONABLE_STATUSES, MX_RETRY_DELAYS_S, type SandboxWebhookOptions, type WebhookSenderStats } from './webhookSender.js';
export { WEBHOOK_FAULT_KINDS, type WebhookFaultKind } from './webhookFaults.js';
export type { EndUserStats, LinkCounts, OAuthOutcome } from './endUserLinks.js';
