/**
 * The private door of src/webhooks: the receiver's defaults and the checks of its credentials, which
 * the command line reads when it parses its flags, without loading the receiver.
 */
export { DEFAULT_WEBHOOK_HOST, DEFAULT_WEBHOOK_PATH, WEBHOOK_POLL_INTERVAL_MS } from '../defaults.js';
export { webhookAuthProblem, webhookBearerProblem } from '../auth.js';
