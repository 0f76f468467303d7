import type { BodyView } from './body.js';
import type { ApiErrorKind, ApiErrorOf, Dialect, ErrorScope, FieldError } from '../types.js';

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
}

/** A rule's conclusion; the disposition defaults to the kind's unless the rule says otherwise. */
export interface Verdict {
  kind: ApiErrorKind;
  resource?: NotFoundResource;
  guid?: string;
  retryable?: boolean;
  scope?: ErrorScope;
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
  dialect: Dialect;
  /** Reads the dialect's envelope; `undefined` when the body is not shaped like it. */
  read(body: BodyView): EnvelopeFields | undefined;
  codes: readonly CodeRule[];
  messages: readonly MessageRule[];
  /** Where this dialect's documentation gives a status a meaning of its own. */
  statusKinds?: Readonly<Partial<Record<number, ApiErrorKind>>>;
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

/** The guid an "already exists with guid X" message names, without quoting or a final period. */
export function guidIn(message: string): string | undefined {
  const match = /already exists with guid\s*[`'"]?([^\s`'"]+)/i.exec(message);
  const guid = match?.[1]?.replace(/[.,;:]+$/, '');
  return guid ? guid : undefined;
}
