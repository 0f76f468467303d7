import type { DialectRules, Evidence, MessageRule, Verdict } from './evidence.js';
import type { ApiErrorKind } from '../types.js';

/**
 * Statuses that decide on their own whatever the body says: a rate limit or an outage is one
 * whether or not a proxy dressed it in a message.
 */
const DECISIVE: Readonly<Partial<Record<number, ApiErrorKind>>> = {
  405: 'misconfigured',
  406: 'misconfigured',
  415: 'misconfigured',
  429: 'rate_limited',
  502: 'unavailable',
  503: 'unavailable',
  504: 'unavailable',
};

/** Statuses whose meaning a code or message may refine, but only within these kinds. */
const FAMILIES: Readonly<Partial<Record<number, ReadonlySet<ApiErrorKind>>>> = {
  401: new Set<ApiErrorKind>(['token_expired', 'unauthorized', 'forbidden']),
  403: new Set<ApiErrorKind>(['forbidden', 'unauthorized', 'misconfigured']),
};

/** Message rules every dialect shares: wording that means the same thing in all of them. */
export const COMMON_MESSAGES: readonly MessageRule[] = [
  {
    pattern: /\bexpired token\b|\btoken\b.*\bexpired\b|\bsession\b.*\bexpired\b/i,
    status: [401],
    verdict: { kind: 'token_expired' },
  },
  { pattern: /\bendpoint not found\b|\bno route\b|\broute not found\b/i, verdict: { kind: 'misconfigured' } },
  { pattern: /\bservice (?:temporarily )?unavailable\b|\bdown for maintenance\b/i, verdict: { kind: 'unavailable' } },
];

/**
 * The kind the status alone gives, for any dialect: what remains true when codes and messages
 * change. A 404 is a missing record only when the API answered with its own error body; a bare
 * 404 means the URL (or the Content-Type) is wrong, and treating it as "already deleted" would
 * silently skip every delete of a misconfigured job.
 */
export function statusOnly(status: number, envelope: boolean, overrides?: DialectRules['statusKinds']): Verdict {
  const override = overrides?.[status];
  if (override) return { kind: override };
  const decisive = DECISIVE[status];
  if (decisive) return { kind: decisive };
  switch (status) {
    case 400:
    case 413:
    case 422:
      return { kind: 'validation' };
    case 401:
      return { kind: 'unauthorized' };
    case 402:
    case 403:
      return { kind: 'forbidden' };
    case 404:
      return envelope ? { kind: 'not_found', resource: 'record' } : { kind: 'misconfigured' };
    case 408:
      return { kind: 'unavailable' };
    case 409:
      return { kind: 'conflict' };
    case 410:
      return { kind: 'not_found', resource: 'record' };
    case 500:
      return { kind: 'server_error' };
    case 501:
      return { kind: 'misconfigured' };
    default:
      return { kind: 'unknown' };
  }
}

function allowed(status: number, verdict: Verdict): boolean {
  const family = FAMILIES[status];
  return !family || family.has(verdict.kind);
}

function statusMatches(wanted: readonly number[] | undefined, status: number): boolean {
  return wanted === undefined || wanted.includes(status);
}

/** Applies message rules to `text`, first match wins. */
export function matchMessage(rules: readonly MessageRule[], evidence: Evidence): Verdict | undefined {
  const text = evidence.text;
  if (text === undefined || text === '') return undefined;
  for (const rule of rules) {
    if (!statusMatches(rule.status, evidence.status)) continue;
    rule.pattern.lastIndex = 0;
    const match = rule.pattern.exec(text);
    if (!match) continue;
    const verdict = typeof rule.verdict === 'function' ? rule.verdict(match) : rule.verdict;
    if (allowed(evidence.status, verdict)) return verdict;
  }
  return undefined;
}

/**
 * A dialect's verdict, trusting the status first, then the machine code, then the message (the
 * dialect's own wording before `otherMessages`), and falling back to the status alone.
 */
export function decide(
  rules: Pick<DialectRules, 'codes' | 'messages' | 'statusKinds' | 'byEndpoint'>,
  evidence: Evidence,
  otherMessages: readonly MessageRule[] = [],
): Verdict {
  const own = rules.byEndpoint?.(evidence);
  if (own) return own;
  const { status, code } = evidence;
  const decisive = rules.statusKinds?.[status] === undefined ? DECISIVE[status] : undefined;
  if (decisive) return { kind: decisive };
  if (code !== undefined) {
    for (const rule of rules.codes) {
      if (!statusMatches(rule.status, status)) continue;
      const hit = typeof rule.code === 'string' ? rule.code.toLowerCase() === code.toLowerCase() : rule.code.test(code);
      if (hit && allowed(status, rule.verdict)) return rule.verdict;
    }
  }
  return (
    matchMessage(rules.messages, evidence) ??
    matchMessage(otherMessages, evidence) ??
    matchMessage(COMMON_MESSAGES, evidence) ??
    statusOnly(status, evidence.envelope, rules.statusKinds)
  );
}
