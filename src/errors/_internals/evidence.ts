import type { BodyView } from './body.js';
import type { ApiErrorKind, ApiErrorOf, ErrorDialect, ErrorScope, FieldError } from '../types.js';

export type NotFoundResource = NonNullable<ApiErrorOf<'not_found'>['resource']>;

/** What a dialect read from an error body. */
export interface EnvelopeFields {
  code?: string;
  message?: string;
  fields?: FieldError[];
}

/** Everything the rules may look at, in the order they trust it: status, code, message. */
export interface Evidence extends EnvelopeFields {
  status: number;
  /** Whether the body was an error envelope the dialect knows (the API itself answered). */
  envelope: boolean;
  /** The message, or a short plain-text body when there is no envelope: what message rules read. */
  text?: string;
  /** The request that got this answer, when the caller said which (method, path below the base URL). */
  request?: { method: string; path: string; baseUrl?: string };
}

/** A rule's conclusion; the disposition defaults to the kind's unless the rule says otherwise. */
export interface Verdict {
  kind: ApiErrorKind;
  resource?: NotFoundResource;
  guid?: string;
  retryable?: boolean;
  scope?: ErrorScope;
  /** What to tell a person, in place of (and followed by) the body's own message. */
  message?: string;
}

export interface CodeRule {
  code: string | RegExp;
  /** The statuses the code is trusted with; omitted means any. */
  status?: readonly number[];
  verdict: Verdict;
}

export interface MessageRule {
  pattern: RegExp;
  status?: readonly number[];
  verdict: Verdict | ((match: RegExpExecArray) => Verdict);
}

/** One dialect's knowledge: how its bodies look and what its codes and messages mean. */
export interface DialectRules {
  dialect: ErrorDialect;
  /** Reads the dialect's envelope; `undefined` when the body is not shaped like it. */
  read(body: BodyView): EnvelopeFields | undefined;
  codes: readonly CodeRule[];
  messages: readonly MessageRule[];
  /** Where this dialect's documentation gives a status a meaning of its own. */
  statusKinds?: Readonly<Partial<Record<number, ApiErrorKind>>>;
  /**
   * Decides before the generic status, code and message rules, from the status and the endpoint
   * that was called; `undefined` leaves the case to them.
   */
  byEndpoint?(evidence: Evidence): Verdict | undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A code or message field as text: strings as they are, finite numbers and booleans printed. */
export function textField(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') return String(value);
  return undefined;
}

/** The guid an "already exists with guid X" (or "… already exists: USR-…") message names, without quoting or a final period. */
export function guidIn(message: string): string | undefined {
  const match = /already exists with guid\s*[`'"]?([^\s`'"]+)/i.exec(message) ?? /already exists\b.*?\b((?:USR|MBR)-[A-Za-z0-9-]+)/i.exec(message);
  const guid = match?.[1]?.replace(/[.,;:]+$/, '');
  return guid ? guid : undefined;
}
