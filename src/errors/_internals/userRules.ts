import type { Evidence, Verdict } from './evidence.js';
import { API_ERROR_KINDS, type ClassifierRule } from '../types.js';

/** A response is never an unreadable stored row: only the runtime makes that kind, with its cause. */
const KINDS: ReadonlySet<string> = new Set(API_ERROR_KINDS.filter((kind) => kind !== 'unreadable_row'));

function test(pattern: string | RegExp, text: string | undefined, exact: boolean): boolean {
  if (text === undefined) return false;
  if (typeof pattern === 'string') {
    return exact ? pattern.toLowerCase() === text.toLowerCase() : text.toLowerCase().includes(pattern.toLowerCase());
  }
  if (!(pattern instanceof RegExp)) return false;
  // A global or sticky RegExp remembers where it last matched; every body starts afresh.
  pattern.lastIndex = 0;
  return pattern.test(text);
}

function statusMatches(wanted: ClassifierRule['status'], status: number): boolean {
  if (wanted === undefined) return true;
  if (typeof wanted === 'number') return wanted === status;
  if (typeof wanted === 'function') return wanted(status) === true;
  return Array.isArray(wanted) && wanted.includes(status);
}

/**
 * The first user rule that matches: status (a number, a list, or a predicate), then the code
 * (a string matches the whole code, any case), then the message (a string matches a part of it,
 * any case), where a body without a message offers its raw text. A rule that throws, or is
 * malformed, does not match.
 */
export function matchUserRules(rules: readonly ClassifierRule[], evidence: Evidence, rawText: string): Verdict | undefined {
  if (!Array.isArray(rules)) return undefined;
  for (const rule of rules as readonly unknown[]) {
    try {
      if (typeof rule !== 'object' || rule === null) continue;
      const r = rule as ClassifierRule;
      if (!KINDS.has(r.kind)) continue;
      if (!statusMatches(r.status, evidence.status)) continue;
      if (r.code !== undefined && !test(r.code, evidence.code, true)) continue;
      if (r.message !== undefined && !test(r.message, evidence.message ?? rawText, false)) continue;
      return {
        kind: r.kind,
        ...(typeof r.retryable === 'boolean' ? { retryable: r.retryable } : {}),
        ...(r.scope === 'item' || r.scope === 'job' ? { scope: r.scope } : {}),
      };
    } catch {
      // A user predicate that throws is a rule that does not apply to this response.
    }
  }
  return undefined;
}
