/**
 * Who is calling: Basic `client_id:api_key`, or a Bearer token issued by `POST /oauth/token`.
 * Tokens are random and kept only in memory, keyed by value, so a lookup costs one map access.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { SandboxClient } from './options.js';

export type AuthResult =
  | { ok: true; client: SandboxClient }
  | { ok: false; reason: 'unauthorized' | 'token_expired' };

interface IssuedToken {
  clientId: string;
  expiresAt: number;
}

/** Expired tokens are remembered this long, so they still answer "expired" rather than "invalid". */
const EXPIRED_MEMORY_MS = 15 * 60_000;

export class Authenticator {
  private readonly clients: Map<string, SandboxClient>;
  private readonly tokens = new Map<string, IssuedToken>();
  private nextPrune = 0;

  constructor(clients: readonly SandboxClient[], private readonly ttlSeconds: number) {
    this.clients = new Map(clients.map((c) => [c.id, c]));
  }

  /** The client named by a Basic header whose key matches, or undefined. */
  basic(header: string | undefined): SandboxClient | undefined {
    if (header === undefined || header.length < 7 || header.slice(0, 6).toLowerCase() !== 'basic ') return undefined;
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) return undefined;
    const client = this.clients.get(decoded.slice(0, colon));
    if (!client) return undefined;
    const given = Buffer.from(decoded.slice(colon + 1));
    const expected = Buffer.from(client.key);
    return given.length === expected.length && timingSafeEqual(given, expected) ? client : undefined;
  }

  /** Issues a Bearer token for `client`, valid for the configured TTL. */
  issue(client: SandboxClient, now: number): { access_token: string; token_type: 'Bearer'; expires_in: number } {
    if (now >= this.nextPrune) this.prune(now);
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, { clientId: client.id, expiresAt: now + this.ttlSeconds * 1000 });
    return { access_token: token, token_type: 'Bearer', expires_in: this.ttlSeconds };
  }

  /** Checks a request's Authorization header in the configured mode. */
  authenticate(header: string | undefined, mode: 'token' | 'basic', now: number): AuthResult {
    if (mode === 'basic') {
      const client = this.basic(header);
      return client ? { ok: true, client } : { ok: false, reason: 'unauthorized' };
    }
    if (header === undefined || header.length < 8 || header.slice(0, 7).toLowerCase() !== 'bearer ') {
      return { ok: false, reason: 'unauthorized' };
    }
    const issued = this.tokens.get(header.slice(7).trim());
    const client = issued && this.clients.get(issued.clientId);
    if (!issued || !client) return { ok: false, reason: 'unauthorized' };
    if (now >= issued.expiresAt) return { ok: false, reason: 'token_expired' };
    return { ok: true, client };
  }

  private prune(now: number): void {
    for (const [token, issued] of this.tokens) {
      if (now - issued.expiresAt > EXPIRED_MEMORY_MS) this.tokens.delete(token);
    }
    this.nextPrune = now + 60_000;
  }
}
