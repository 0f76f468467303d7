import type { BodyView } from '../_internals/body.js';
import { isRecord, type DialectRules, type MessageRule } from '../_internals/evidence.js';
import { mcc } from './mcc.js';
import { mgx } from './mgx.js';
import { mxSso } from './mxSso.js';
import { nexus } from './nexus.js';
import { platform } from './platform.js';

function numericOrNull(code: unknown): boolean {
  return code === null || (typeof code === 'number' && Number.isFinite(code)) || (typeof code === 'string' && /^\d+$/.test(code));
}

/**
 * Which dialect wrote a body, from its shape alone; `undefined` when none did (an empty body, an
 * HTML page from a proxy, text).
 */
export function detectDialect(body: BodyView): DialectRules | undefined {
  const json = body.json;
  if (isRecord(json)) {
    if (typeof json.error === 'string') return mxSso;
    if (isRecord(json.error)) {
      const e = json.error;
      // MGX always has a word code (and `status`, and `errors` on 422); Nexus's codes are numbers.
      if (Array.isArray(e.errors) || 'status' in e || (typeof e.code === 'string' && !numericOrNull(e.code))) return mgx;
      return 'code' in e ? nexus : mgx;
    }
    if ('code' in json && numericOrNull(json.code)) return nexus;
    if ('Message' in json || 'message' in json || 'Code' in json || 'code' in json) return mcc;
    return undefined;
  }
  return mcc.read(body) ? mcc : undefined;
}

export const DIALECTS: Readonly<Record<DialectRules['dialect'], DialectRules>> = {
  platform,
  'mx-sso': mxSso,
  mcc,
  mgx,
  nexus,
};

const ORDER: readonly DialectRules[] = [mxSso, nexus, mcc, mgx];
const others = new Map<DialectRules | undefined, readonly MessageRule[]>();

/**
 * The message rules of every dialect but `rules`, tried after its own: MX words an error the same
 * way across its APIs (the MX Platform answers "Challenge question expired" from the Nexus
 * document inside an `{"error": …}` body), and each rule still names the statuses it trusts.
 */
export function otherMessages(rules: DialectRules | undefined): readonly MessageRule[] {
  let list = others.get(rules);
  if (!list) {
    list = ORDER.filter((d) => d !== rules).flatMap((d) => d.messages);
    others.set(rules, list);
  }
  return list;
}
