import { isRecord, textField, type DialectRules } from '../_internals/evidence.js';
import type { FieldError } from '../types.js';

const MAX_FIELDS = 50;

function fieldsOf(value: unknown): FieldError[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const fields: FieldError[] = [];
  for (const item of value.slice(0, MAX_FIELDS)) {
    if (!isRecord(item)) continue;
    const field = textField(item.field);
    const message = textField(item.message);
    if (field !== undefined || message !== undefined) fields.push({ field: field ?? '', message: message ?? '' });
  }
  return fields.length > 0 ? fields : undefined;
}

/**
 * The MGX Enterprise API ("mgx", seed 003): `{"error": {"status", "code", "message", "errors"}}`
 * with stable machine codes, which are trusted before the message.
 */
export const mgx: DialectRules = {
  dialect: 'mgx',
  read(body) {
    const json = body.json;
    if (!isRecord(json) || !isRecord(json.error)) return undefined;
    const code = textField(json.error.code);
    const message = textField(json.error.message);
    const fields = fieldsOf(json.error.errors);
    return {
      ...(code === undefined ? {} : { code }),
      ...(message === undefined ? {} : { message }),
      ...(fields === undefined ? {} : { fields }),
    };
  },
  codes: [
    { code: 'validation_error', verdict: { kind: 'validation' } },
    { code: /^(?:token_expired|expired_token)$/i, status: [401], verdict: { kind: 'token_expired' } },
    { code: /^(?:insufficient_scope|not_api_client|no_team|payment_required|not_elevator)$/i, verdict: { kind: 'forbidden' } },
    { code: 'not_found', verdict: { kind: 'not_found', resource: 'record' } },
    { code: 'active_bid_exists', verdict: { kind: 'duplicate' } },
    { code: 'idempotency_key_reuse', verdict: { kind: 'conflict' } },
  ],
  messages: [],
};
