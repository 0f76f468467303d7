import { describe, expect, it } from 'vitest';
import { createLinkKeys, openLinkToken, sealLinkToken, type LinkKeys } from '../../src/links/index.js';

const SECRET = 'a-link-secret-of-more-than-thirty-two-bytes-for-tests';
const ref = { jobId: 'march', customerId: 'cust-4711@example.com', connectionId: 'chase-checking' };

function keys(secret = SECRET): LinkKeys {
  const made = createLinkKeys(secret);
  if ('code' in made) throw new Error(made.message);
  return made;
}

describe('link tokens', () => {
  it('refuses a missing secret and one under 32 bytes, naming the variable', () => {
    expect(createLinkKeys(undefined)).toMatchObject({ code: 'MX_LINK_SECRET', message: expect.stringContaining('MX_LINK_SECRET is not set') });
    expect(createLinkKeys('x'.repeat(31))).toMatchObject({ code: 'MX_LINK_SECRET', message: expect.stringContaining('at least 32 bytes') });
    expect('code' in createLinkKeys('x'.repeat(32))).toBe(false);
  });

  it('opens what it sealed, until it expires', () => {
    const k = keys();
    const token = sealLinkToken(k, ref, 10_000_000);
    expect(openLinkToken(k, token, 9_000_000)).toEqual({ ok: true, ref, expiresAt: 10_000_000 });
    expect(openLinkToken(k, token, 10_000_000)).toEqual({ ok: false, problem: 'expired' });
  });

  it('shows no id in the clear, and two tokens for one connection differ', () => {
    const k = keys();
    const a = sealLinkToken(k, ref, Date.now() + 60_000);
    const b = sealLinkToken(k, ref, Date.now() + 60_000);
    expect(a).not.toBe(b);
    for (const token of [a, b]) {
      const bytes = Buffer.from(token, 'base64url').toString('latin1');
      for (const id of [ref.jobId, ref.customerId, ref.connectionId, 'cust-4711', 'example.com']) {
        expect(token).not.toContain(id);
        expect(bytes).not.toContain(id);
      }
    }
  });

  it('refuses every single-bit change anywhere in the token as forged or malformed', () => {
    const k = keys();
    const token = sealLinkToken(k, ref, Date.now() + 60_000);
    const raw = Buffer.from(token, 'base64url');
    for (let i = 0; i < raw.length; i++) {
      for (const bit of [0x01, 0x80]) {
        const altered = Buffer.from(raw);
        altered[i] = (altered[i] as number) ^ bit;
        const opened = openLinkToken(k, altered.toString('base64url'));
        expect(opened.ok, `byte ${i} bit ${bit}`).toBe(false);
      }
    }
  });

  it('refuses a token sealed with another secret, cut short, lengthened, or not base64url', () => {
    const k = keys();
    const token = sealLinkToken(k, ref, Date.now() + 60_000);
    expect(openLinkToken(keys(`${SECRET}-other`), token)).toEqual({ ok: false, problem: 'forged' });
    expect(openLinkToken(k, token.slice(0, -2)).ok).toBe(false);
    expect(openLinkToken(k, `${token}AA`).ok).toBe(false);
    expect(openLinkToken(k, token.slice(0, 20))).toEqual({ ok: false, problem: 'malformed' });
    for (const bad of ['', '../../etc/passwd', `${token}=`, 'a'.repeat(5_000), '%2e%2e', token.replace(/[A-Za-z]/, '+')]) {
      expect(openLinkToken(k, bad).ok, bad.slice(0, 30)).toBe(false);
    }
  });

  it('cannot be stretched: moving the expiry needs the secret', () => {
    const k = keys();
    const token = sealLinkToken(k, ref, 1_000);
    // Flipping ciphertext bits changes the plaintext (CTR) but the signature no longer holds.
    const raw = Buffer.from(token, 'base64url');
    const last = raw.length - 33;
    raw[last] = (raw[last] as number) ^ 0x01;
    expect(openLinkToken(k, raw.toString('base64url'), 0)).toEqual({ ok: false, problem: 'forged' });
  });
});
