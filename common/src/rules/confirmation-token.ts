import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The email-confirmation link's token: which registration and email it confirms, until when, and a
 * nonce (the request event id of the email that carried it), signed with HMAC-SHA256 under
 * EMAIL_TOKEN_SECRET. consumer-mq signs it into the email; the access API verifies it. It is not
 * encrypted (the applicant may read their own id and email in it); it cannot be forged or altered
 * without the secret. Single use is a matter of the registration's status, not of the token: once
 * confirmed, the same link answers "already confirmed".
 *
 *   v1.<base64url(JSON {u, e, x, n})>.<base64url(HMAC-SHA256("v1." + payload))>
 *
 * Hand-written because it is this small and both ends are ours: a JWT library would bring algorithm
 * negotiation and header handling that this one fixed algorithm does not need.
 */
export interface ConfirmationClaims {
  userId: string;
  email: string;
  /** Epoch milliseconds (signed in whole seconds). */
  expiresAt: number;
  nonce: string;
}

export type VerifiedToken =
  { ok: true; claims: ConfirmationClaims; expired: boolean } | { ok: false; reason: 'malformed' | 'bad-signature' };

const VERSION = 'v1';

function mac(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(`${VERSION}.${payload}`).digest();
}

export function signConfirmationToken(claims: ConfirmationClaims, secret: string): string {
  const payload = Buffer.from(
    JSON.stringify({ u: claims.userId, e: claims.email, x: Math.floor(claims.expiresAt / 1000), n: claims.nonce }),
  ).toString('base64url');
  return `${VERSION}.${payload}.${mac(secret, payload).toString('base64url')}`;
}

export function verifyConfirmationToken(token: string, secret: string, now = Date.now()): VerifiedToken {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION || !parts[1] || !parts[2]) return { ok: false, reason: 'malformed' };
  const [, payload, signature] = parts as [string, string, string];
  const given = Buffer.from(signature, 'base64url');
  const expected = mac(secret, payload);
  // The signature is checked before the payload is even parsed: nothing unsigned is read.
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'bad-signature' };
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const { u, e, x, n } = (raw ?? {}) as Record<string, unknown>;
  if (typeof u !== 'string' || typeof e !== 'string' || typeof x !== 'number' || typeof n !== 'string')
    return { ok: false, reason: 'malformed' };
  const claims = { userId: u, email: e, expiresAt: x * 1000, nonce: n };
  return { ok: true, claims, expired: now >= claims.expiresAt };
}
