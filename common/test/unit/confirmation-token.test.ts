import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signConfirmationToken, verifyConfirmationToken } from '../../src/rules/confirmation-token';

const SECRET = 'a-test-secret-of-at-least-thirty-two-characters';
const claims = {
  userId: '0190a5b4-7c3e-7d2a-9f1e-2b3c4d5e6f70',
  email: 'ana@example.com',
  expiresAt: Date.UTC(2030, 0, 1),
  nonce: '0190a5b4-7c3e-7d2a-9f1e-2b3c4d5e6f71',
};

describe('confirmation token', () => {
  it('when signed and verified with the same secret before it expires, then the claims come back', () => {
    const token = signConfirmationToken(claims, SECRET);
    expect(token).toMatch(/^v1\.[\w-]+\.[\w-]+$/);
    expect(verifyConfirmationToken(token, SECRET, Date.UTC(2029, 0, 1))).toEqual({ ok: true, claims, expired: false });
  });

  it('when verified at or after its expiry, then it is valid but expired', () => {
    const token = signConfirmationToken(claims, SECRET);
    expect(verifyConfirmationToken(token, SECRET, claims.expiresAt)).toMatchObject({ ok: true, expired: true });
  });

  it('when signed with another secret, then the signature is refused', () => {
    const token = signConfirmationToken(claims, `${SECRET}-other`);
    expect(verifyConfirmationToken(token, SECRET)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('when the payload is altered (another user id, a later expiry), then the signature is refused', () => {
    const [v, , sig] = signConfirmationToken(claims, SECRET).split('.');
    for (const altered of [
      { ...claims, userId: '0190a5b4-7c3e-7d2a-9f1e-2b3c4d5e6f99' },
      { ...claims, expiresAt: Date.UTC(2099, 0, 1) },
    ]) {
      const [, payload] = signConfirmationToken(altered, SECRET).split('.');
      expect(verifyConfirmationToken(`${v}.${payload}.${sig}`, SECRET)).toEqual({ ok: false, reason: 'bad-signature' });
    }
  });

  it('when the token is not of the format, then it is malformed', () => {
    for (const bad of ['', 'v1', 'v1..', 'v2.a.b', 'nonsense', 'v1.a.b.c', `v1.${'x'.repeat(5000)}.y`])
      expect(verifyConfirmationToken(bad, SECRET).ok).toBe(false);
  });

  it('when a validly signed payload is not the claims, then it is malformed', () => {
    // Signed with the secret (as only our own code could), but not JSON claims: still refused.
    const payload = Buffer.from('{"u":1}').toString('base64url');
    const sig = createHmac('sha256', SECRET).update(`v1.${payload}`).digest('base64url');
    expect(verifyConfirmationToken(`v1.${payload}.${sig}`, SECRET)).toEqual({ ok: false, reason: 'malformed' });
  });
});
