export { basicCheck, bearerCheck, webhookAuthProblem, webhookBearerProblem, webhookCheck, type BasicCheck } from './auth.js';
export {
  createDeliveryLedger,
  defaultDeliveryLedgerOptions,
  isWorthAWake,
  MAX_AGGREGATED_AT_AHEAD_MS,
  MAX_MEMBER_GUID_CHARS,
  readDelivery,
  type Delivery,
  type DeliveryLedgerOptions,
  type Verdict,
} from './delivery.js';
export {
  createWebhookHandler,
  DEFAULT_MAX_BODY_BYTES,
  type DeliveryOutcome,
  type WebhookHandler,
  type WebhookHandlerOptions,
  type WebhookStats,
  type WebhookTarget,
} from './handler.js';
export { createWebhookReceiver, type WebhookReceiver, type WebhookReceiverOptions } from './receiver.js';
export { DEFAULT_WEBHOOK_HOST, DEFAULT_WEBHOOK_PATH, WEBHOOK_POLL_INTERVAL_MS } from './defaults.js';
