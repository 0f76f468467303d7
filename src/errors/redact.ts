import { EXCERPT_BYTES, excerpt } from './_internals/body.js';

/** What a removed secret is replaced with. */
export const REDACTED = '[REDACTED]';

// Names whose value is a secret wherever they appear: JSON, XML, query strings, form bodies,
// header lines. A name may carry a prefix in JSON (`member_password`), so the JSON rule anchors only
// the end of the key.
const KEY_NAMES = [
  String.raw`(?:x[-_]?)?(?:mx[-_]?)?api[-_]?(?:key|token|secret)`,
  String.raw`(?:access|refresh|id|session|auth|bearer)[-_]?token`,
  String.raw`client[-_]?secret`,
  'secret',
  'password',
  'passwd',
  'passphrase',
  'pwd',
  'authorization',
  'token',
].join('|');

// Credential and challenge arrays carry each secret as `value` (and MFA answers as `answer`), so
// those keys are secrets in structured text, though not in free text where `value` is an ordinary word.
const STRUCTURED_KEYS = `${KEY_NAMES}|value|answer|answers`;

const KEY_ONLY = new RegExp(`^(?:${KEY_NAMES})$`, 'i');

// Patterns never require a closing quote or delimiter: a body cut at an excerpt boundary must not
// leave the head of a secret behind.
const PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  // https://user:password@host
  [/(\b[a-z][a-z0-9+.-]{0,31}:\/\/)[^\s/?#@'"<>]{1,1024}@/gi, `$1${REDACTED}@`],
  // An Authorization header line: everything up to the end of the line is the credential.
  [/(\bauthorization\s*[:=]\s*)(?!\[REDACTED\])[^\r\n"'&}]*/gi, `$1${REDACTED}`],
  [/\bTOK:\s*(?!\[REDACTED\])[^\s"'<>,;&]+/gi, `TOK:${REDACTED}`],
  [/\bBearer\s+(?!\[REDACTED\])[^\s"'<>,;&]+/gi, `Bearer ${REDACTED}`],
  [/\bBasic\s+(?!\[REDACTED\])[A-Za-z0-9+/_-]{4,}=*/gi, `Basic ${REDACTED}`],
  // JSON (also escaped JSON inside a string, and single-quoted reprs): "key": "value" | 123 | [..]
  [
    new RegExp(
      String.raw`(\\{0,3}["'][\w.-]{0,64}?(?:${STRUCTURED_KEYS})\\{0,3}["']\s*:\s*)(?:\\{0,3}"(?:[^"\\]|\\.)*"?|\\{0,3}'[^']*'?|\[[^\]]*\]?|(?!\[REDACTED\])[^\s,}\]"']+)`,
      'gi',
    ),
    `$1"${REDACTED}"`,
  ],
  // <Password>secret</Password>
  [new RegExp(`(<(?:[\\w-]{1,32}:)?(?:${STRUCTURED_KEYS})(?:\\s[^<>]{0,256})?>)[^<]*`, 'gi'), `$1${REDACTED}`],
  // key=value and key: value (query strings, form bodies, header lines, free text)
  [
    new RegExp(String.raw`(^|[^\w-])((?:${KEY_NAMES})\s*[=:]\s*)(?!\[REDACTED\])[^\s&;,"'<>}\]]+`, 'gi'),
    `$1$2${REDACTED}`,
  ],
];

/**
 * The literals to cut for a list of secrets, longest first, kept per list: a client redacts every
 * request's path with the same list of its key's forms, and building the variants each time was a
 * few per cent of its CPU.
 */
const literalsByList = new WeakMap<readonly string[], readonly string[]>();

function literalsOf(secrets: readonly string[]): readonly string[] {
  if (!Array.isArray(secrets)) return [];
  const known = literalsByList.get(secrets);
  if (known) return known;
  const literals = secrets
    .filter((s): s is string => typeof s === 'string' && s.length > 0)
    .flatMap(literalVariants)
    .toSorted((a, b) => b.length - a.length);
  // Only a list nobody can change afterwards is kept: a mutable one may hold other secrets next time.
  if (Object.isFrozen(secrets)) literalsByList.set(secrets, literals);
  return literals;
}

function literalVariants(secret: string): string[] {
  const variants = new Set([secret]);
  variants.add(JSON.stringify(secret).slice(1, -1));
  try {
    variants.add(encodeURIComponent(secret));
    variants.add(encodeURIComponent(secret).replace(/%20/g, '+'));
  } catch {
    // A lone surrogate cannot be URI-encoded, and then cannot appear URI-encoded either.
  }
  return [...variants].filter((v) => v.length > 0);
}

/**
 * Removes credentials from text: Authorization header values, `TOK:` tokens, bearer tokens, Basic
 * credentials, URL user-info, API keys, tokens, client secrets and passwords as JSON fields, XML
 * elements, query or form parameters and header lines, every `value`/`answer` in structured text
 * (credential and challenge arrays), and each of `secrets` verbatim (also JSON- and URL-encoded).
 * Never throws.
 *
 * @example
 * ```ts
 * redact('{"credentials":[{"guid":"CRD-1","value":"hunter2"}]}');
 * // '{"credentials":[{"guid":"CRD-1","value":"[REDACTED]"}]}'
 * redact('key is abc123', ['abc123']); // 'key is [REDACTED]'
 * ```
 */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = typeof text === 'string' ? text : String(text ?? '');
  for (const literal of literalsOf(secrets)) out = out.split(literal).join(REDACTED);
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/**
 * Redacts a request path for a report: the value of every secret-named query parameter
 * (`api_key`, `access_token`, `password`, …), and whatever {@link redact} finds in the rest.
 *
 * @example
 * ```ts
 * redactPath('/users?api_key=abc&page=2'); // '/users?api_key=[REDACTED]&page=2'
 * ```
 */
export function redactPath(path: string, secrets: readonly string[] = []): string {
  const text = typeof path === 'string' ? path : String(path ?? '');
  const q = text.indexOf('?');
  if (q < 0) return redact(text, secrets);
  const hash = text.indexOf('#', q);
  const query = hash < 0 ? text.slice(q + 1) : text.slice(q + 1, hash);
  const rest = hash < 0 ? '' : text.slice(hash);
  const pairs = query.split(/([&;])/).map((part) => {
    const eq = part.indexOf('=');
    if (eq < 0) return part;
    let name = part.slice(0, eq);
    try {
      name = decodeURIComponent(name.replace(/\+/g, ' '));
    } catch {
      // A malformed escape is compared as written.
    }
    return KEY_ONLY.test(name.trim()) ? `${part.slice(0, eq)}=${REDACTED}` : part;
  });
  return redact(`${text.slice(0, q)}?${pairs.join('')}${rest}`, secrets);
}

/**
 * A redacted head of `text` in at most `maxBytes` UTF-8 bytes, for reports and error messages.
 * Redacts before cutting, over a window wide enough that no secret straddles the cut.
 *
 * @example
 * ```ts
 * redactExcerpt(responseText, [apiKey]); // ≤ 2 KB, no credentials
 * ```
 */
export function redactExcerpt(text: string, secrets: readonly string[] = [], maxBytes: number = EXCERPT_BYTES): string {
  const source = typeof text === 'string' ? text : String(text ?? '');
  const longest = (Array.isArray(secrets) ? secrets : []).reduce(
    (max: number, s: unknown) => (typeof s === 'string' ? Math.max(max, s.length * 6) : max),
    0,
  );
  // Characters beyond the window cannot reach the excerpt once the redacted window is itself
  // longer than the excerpt; the margin keeps a verbatim secret that starts inside whole.
  let window = Math.max(4 * maxBytes, 16 * 1024);
  for (;;) {
    const end = Math.min(source.length, window + longest);
    const redacted = redact(source.slice(0, end), secrets);
    if (end >= source.length || redacted.length > maxBytes) return excerpt(redacted, maxBytes);
    window *= 2;
  }
}
