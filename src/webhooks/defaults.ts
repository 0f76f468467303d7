/**
 * The webhook receiver's defaults, in a file of their own so that what shows them (the command
 * line's help) need not load the receiver.
 */

/** Where the receiver listens unless told otherwise: loopback only. */
export const DEFAULT_WEBHOOK_HOST = '127.0.0.1';
/** The path MX's webhooks are posted to unless told otherwise. */
export const DEFAULT_WEBHOOK_PATH = '/webhooks/mx';
/** The poll interval a member falls back to while webhooks tell it of changes. */
export const WEBHOOK_POLL_INTERVAL_MS = 30_000;
