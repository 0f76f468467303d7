/**
 * Stable link tokens: an opaque, expiring reference to one job, customer and connection, sealed
 * with the fintech's link secret. The reference is encrypted (AES-256-CTR) and then signed
 * (HMAC-SHA256 over the version, the IV and the ciphertext), so a token shows nobody which
 * customer it names, and a token that was altered, cut or made without the secret is refused
 * before anything inside it is read.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a link token names. */
export interface LinkRef {
  jobId: string;
  customerId: string;
  connectionId: string;
}

/** Why a token was refused. */
export type LinkTokenProblem = 'malformed' | 'forged' | 'expired';

export type OpenedToken = { ok: true; ref: LinkRef; expiresAt: number } | { ok: false; problem: LinkTokenProblem };

/** The key pair derived from one link secret. Build it once with {@link createLinkKeys}. */
export interface LinkKeys {
  readonly encryption: Buffer;
  readonly signing: Buffer;
}

/** The least a link secret may hold, in bytes: HMAC-SHA256's own block of strength. */
export const MIN_LINK_SECRET_BYTES = 32;
/** The environment variable the CLI reads the link secret from. */
export const LINK_SECRET_ENV = 'MX_LINK_SECRET';

const VERSION = 1;
const IV_BYTES = 16;
const MAC_BYTES = 32;
/** Longest token accepted: a reference of three ids of up to 255 characters each, sealed. */
const MAX_TOKEN_CHARS = 1_500;
const TOKEN_CHARS = /^[A-Za-z0-9_-]+$/;

/** A link secret that cannot be used, as plain data with a message for the person setting it. */
export interface LinkSecretProblem {
  code: 'MX_LINK_SECRET';
  message: string;
}

/**
 * The keys for `secret`, or why the secret cannot be used (missing, or under 32 bytes).
 *
 * @example
 * ```ts
 * const keys = createLinkKeys(process.env.MX_LINK_SECRET);
 * if ('code' in keys) throw new Error(keys.message);
 * ```
 */
export function createLinkKeys(secret: string | undefined): LinkKeys | LinkSecretProblem {
  if (secret === undefined || secret === '') {
    return { code: 'MX_LINK_SECRET', message: `${LINK_SECRET_ENV} is not set: links are signed with it (at least ${MIN_LINK_SECRET_BYTES} bytes, e.g. the output of \`openssl rand -base64 48\`)` };
  }
  if (Buffer.byteLength(secret, 'utf8') < MIN_LINK_SECRET_BYTES) {
    return { code: 'MX_LINK_SECRET', message: `${LINK_SECRET_ENV} is too short: it needs at least ${MIN_LINK_SECRET_BYTES} bytes (e.g. the output of \`openssl rand -base64 48\`)` };
  }
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), 'mx-lifecycle links', info, 32));
  return Object.freeze({ encryption: derive('encryption'), signing: derive('signing') });
}

function mac(keys: LinkKeys, body: Buffer): Buffer {
  return createHmac('sha256', keys.signing).update(body).digest();
}

/**
 * Seals `ref` into a URL-safe token that is good until `expiresAt` (ms since the epoch).
 *
 * @example
 * ```ts
 * const token = sealLinkToken(keys, { jobId: 'march', customerId: 'c-1', connectionId: 'chase' }, Date.now() + 14 * 86_400_000);
 * ```
 */
export function sealLinkToken(keys: LinkKeys, ref: LinkRef, expiresAt: number): string {
  const plain = Buffer.from(JSON.stringify([ref.jobId, ref.customerId, ref.connectionId, Math.ceil(expiresAt / 1000)]), 'utf8');
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-ctr', keys.encryption, iv);
  const body = Buffer.concat([Buffer.from([VERSION]), iv, cipher.update(plain), cipher.final()]);
  return Buffer.concat([body, mac(keys, body)]).toString('base64url');
}

function isRef(value: unknown): value is [string, string, string, number] {
  return Array.isArray(value) && value.length === 4
    && typeof value[0] === 'string' && typeof value[1] === 'string' && typeof value[2] === 'string'
    && typeof value[3] === 'number' && Number.isFinite(value[3]);
}

/**
 * Opens `token`: its reference when the signature holds and it has not expired at `now`.
 *
 * @example
 * ```ts
 * const opened = openLinkToken(keys, token);
 * if (!opened.ok) console.log(opened.problem); // 'malformed' | 'forged' | 'expired'
 * ```
 */
export function openLinkToken(keys: LinkKeys, token: string, now = Date.now()): OpenedToken {
  if (token.length === 0 || token.length > MAX_TOKEN_CHARS || !TOKEN_CHARS.test(token)) return { ok: false, problem: 'malformed' };
  const raw = Buffer.from(token, 'base64url');
  // Only the canonical spelling: the decoder would ignore trailing bits, so a padded token would
  // otherwise open like the one it was made from.
  if (raw.toString('base64url') !== token) return { ok: false, problem: 'malformed' };
  if (raw.length <= 1 + IV_BYTES + MAC_BYTES || raw[0] !== VERSION) return { ok: false, problem: 'malformed' };
  const body = raw.subarray(0, raw.length - MAC_BYTES);
  const given = raw.subarray(raw.length - MAC_BYTES);
  if (!timingSafeEqual(given, mac(keys, body))) return { ok: false, problem: 'forged' };
  const decipher = createDecipheriv('aes-256-ctr', keys.encryption, body.subarray(1, 1 + IV_BYTES));
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat([decipher.update(body.subarray(1 + IV_BYTES)), decipher.final()]).toString('utf8'));
  } catch {
    // Signed with our key but unreadable: only a token made by a different build could be this.
    return { ok: false, problem: 'malformed' };
  }
  if (!isRef(value)) return { ok: false, problem: 'malformed' };
  const expiresAt = value[3] * 1000;
  if (expiresAt <= now) return { ok: false, problem: 'expired' };
  return { ok: true, ref: { jobId: value[0], customerId: value[1], connectionId: value[2] }, expiresAt };
}
