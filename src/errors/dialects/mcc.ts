import { isRecord, textField, type DialectRules, type EnvelopeFields } from '../_internals/evidence.js';

function readXml(text: string): EnvelopeFields | undefined {
  if (!text.trimStart().startsWith('<')) return undefined;
  const message = /<Message>([^<]*)<\/Message>/i.exec(text)?.[1];
  if (message === undefined) return undefined;
  const code = /<Code>([^<]*)<\/Code>/i.exec(text)?.[1];
  return code === undefined ? { message } : { code, message };
}

const AUTH = [401, 403];
const BAD_REQUEST = [400, 422];

/**
 * The `TOK:` REST API ("mcc", seed 002): a `Message` parameter in JSON (`message` tolerated) or
 * XML, sometimes with a code. Its documentation names error types rather than exact texts, so the
 * patterns follow those names.
 */
export const mcc: DialectRules = {
  dialect: 'mcc',
  read(body) {
    const json = body.json;
    if (!isRecord(json)) return readXml(body.text);
    const message = textField(json.Message) ?? textField(json.message);
    const code = textField(json.Code) ?? textField(json.code) ?? textField(json.ErrorCode);
    if (message === undefined && code === undefined) return undefined;
    return { ...(code === undefined ? {} : { code }), ...(message === undefined ? {} : { message }) };
  },
  // 409 is documented as "trying to create a duplicate resource".
  codes: [{ code: 'invalid_request', status: [409], verdict: { kind: 'duplicate' } }],
  statusKinds: { 409: 'duplicate' },
  messages: [
    { pattern: /\bexpired token\b|\btoken\b.*\bexpired\b/i, status: [401], verdict: { kind: 'token_expired' } },
    { pattern: /\binsufficient (?:permissions?|access|privileges?|scope)\b|\baccess rights\b/i, status: AUTH, verdict: { kind: 'forbidden' } },
    { pattern: /\binvalid user\b|\baccess denied\b|\bauthentication failure\b/i, status: AUTH, verdict: { kind: 'unauthorized' } },
    { pattern: /\b(?:missing|invalid) token\b|\bmissing\/invalid token\b/i, status: AUTH, verdict: { kind: 'unauthorized' } },
    { pattern: /\binvalid case\b|\bimproper case\b/i, status: [403], verdict: { kind: 'misconfigured' } },
    { pattern: /\b(?:deleted|inactive) customer\b/i, status: [400], verdict: { kind: 'misconfigured' } },
    { pattern: /\binvalid (?:customer )?id value\b|\binvalid customer id\b/i, status: [400], verdict: { kind: 'misconfigured' } },
    { pattern: /\binvalid request\/response type\b|\bcontent-type\b/i, verdict: { kind: 'misconfigured' } },
    { pattern: /\bmethod error\b/i, status: [500], verdict: { kind: 'server_error' } },
    { pattern: /\bmissing required (?:fields?|parameters?)\b|\brequired field/i, status: BAD_REQUEST, verdict: { kind: 'validation' } },
    { pattern: /\binvalid request url\b|\binvalid (?:request )?parameter/i, status: BAD_REQUEST, verdict: { kind: 'validation' } },
  ],
};
