import { guidIn, isRecord, type DialectRules, type MessageRule, type NotFoundResource } from '../_internals/evidence.js';

function resource(word: string | undefined): NotFoundResource | undefined {
  const w = word?.toLowerCase();
  return w === 'user' || w === 'member' || w === 'account' ? w : undefined;
}

// The documented messages (seeds 000/001). They decide over the status: MX reports
// "Member not found." as a 500 and a client that is not associated as a 500 too.
const messages: MessageRule[] = [
  {
    pattern: /\b(user|member)s? already exists\b|\balready exists with guid\b/i,
    verdict: (m) => {
      const guid = m.input === undefined ? undefined : guidIn(m.input);
      return guid === undefined ? { kind: 'duplicate' } : { kind: 'duplicate', guid };
    },
  },
  { pattern: /\binvalid format for external (?:user|member) guid\b/i, verdict: { kind: 'invalid_external_id' } },
  { pattern: /\bclient must be associated\b/i, verdict: { kind: 'misconfigured' } },
  { pattern: /\bfailed to delete (?:user|member)\b/i, verdict: { kind: 'server_error' } },
  {
    pattern: /\b(user|member)\b(?: with guid .*)? not found\b/i,
    verdict: (m) => {
      const r = resource(m[1]);
      return r ? { kind: 'not_found', resource: r } : { kind: 'not_found' };
    },
  },
  { pattern: /\bcould not find (account)\b/i, verdict: { kind: 'not_found', resource: 'account' } },
];

/**
 * The MX user/member API ("mx-sso", seeds 000/001): `{"error": "message"}`, and no body at all
 * on 404 and 502.
 */
export const mxSso: DialectRules = {
  dialect: 'mx-sso',
  read(body) {
    const json = body.json;
    if (!isRecord(json) || typeof json.error !== 'string') return undefined;
    return { message: json.error };
  },
  codes: [],
  messages,
};
