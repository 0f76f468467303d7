import { isRecord, textField, type DialectRules } from '../_internals/evidence.js';

/**
 * The MX Nexus API ("nexus", seed 004): `{"code": 4011, "message": "..."}` (also inside an
 * `error` object). Its document warns that codes and messages change and the status must suffice,
 * so every rule here only refines what the status already says.
 */
export const nexus: DialectRules = {
  dialect: 'nexus',
  read(body) {
    const json = body.json;
    if (!isRecord(json)) return undefined;
    const source = isRecord(json.error) ? json.error : json;
    if (!('code' in source) && !('message' in source)) return undefined;
    const code = textField(source.code);
    const message = textField(source.message);
    return { ...(code === undefined ? {} : { code }), ...(message === undefined ? {} : { message }) };
  },
  codes: [
    { code: /^400[123]$/, status: [400], verdict: { kind: 'validation' } },
    { code: '4011', status: [401], verdict: { kind: 'token_expired' } },
    { code: '4220', status: [422], verdict: { kind: 'duplicate' } },
    { code: '4221', status: [422], verdict: { kind: 'not_aggregatable' } },
  ],
  messages: [
    { pattern: /\bchallenge question expired\b/i, verdict: { kind: 'challenge_expired' } },
    { pattern: /\bcredential guids submitted are no longer valid\b/i, verdict: { kind: 'credentials_stale' } },
    { pattern: /\bcannot aggregate a manual member\b/i, verdict: { kind: 'not_aggregatable' } },
    { pattern: /\bsession token\b.*\bexpired\b/i, status: [401], verdict: { kind: 'token_expired' } },
    { pattern: /\binvalid api token\b/i, status: [401, 403], verdict: { kind: 'unauthorized' } },
    { pattern: /\boperation is forbidden\b/i, status: [403], verdict: { kind: 'forbidden' } },
    { pattern: /\bunable to find the record\b/i, status: [404, 410], verdict: { kind: 'not_found', resource: 'record' } },
    {
      pattern: /\brequired params missing\b|\bnot permitted\b|\bdate range\b.*\binvalid\b|\bparameter field is invalid\b|\bparameters? (?:is|are) invalid\b/i,
      status: [400, 422],
      verdict: { kind: 'validation' },
    },
  ],
};
