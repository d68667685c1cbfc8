import {
  eventMessage,
  TOPICS,
  newId,
  verifyConfirmationToken,
  type ConfirmationClaims,
  type RegistrationStatus,
  type UserEmailConfirmed,
} from '@regflow/common';
import type { RegisterUserDeps } from './register-user';

/**
 * What following a confirmation link did, which the page (or the redirect's `status`) says:
 * confirmed now; already confirmed before (single use: the registration moved on); the link expired
 * while the registration is still open (a new one can be asked for); the registration itself
 * expired; or the link is not one of ours.
 */
export type ConfirmationOutcome =
  | { status: 'confirmed' | 'already-confirmed' | 'expired'; claims: ConfirmationClaims }
  | { status: 'link-expired'; claims: ConfirmationClaims }
  | { status: 'invalid' };

export interface ConfirmEmailDeps {
  tokenSecret: string;
  statusClient: { get(id: string, correlationId: string): Promise<{ status: RegistrationStatus } | null> };
  publisher: RegisterUserDeps['publisher'];
  now?: () => Date;
}

const CONFIRMED_BEFORE: ReadonlySet<RegistrationStatus> = new Set(['pending', 'approved', 'rejected', 'duplicate']);

/**
 * Checks the link's signature, then the registration's status (through the orchestrator), and only
 * for a registration still unconfirmed with a link still valid publishes UserEmailConfirmed, keyed by
 * the email like the registration (same partition: the orchestrator always has the registration
 * first). A registration not indexed yet (the link followed within moments of sign-up) is confirmed
 * too: the orchestrator will read the confirmation after it. Following the link twice before the
 * orchestrator has moved on publishes twice, which it reads as one (its second is a no-op).
 */
export async function confirmEmail(
  token: string,
  correlationId: string,
  deps: ConfirmEmailDeps,
): Promise<ConfirmationOutcome> {
  const now = deps.now?.() ?? new Date();
  const verified = verifyConfirmationToken(token, deps.tokenSecret, now.getTime());
  if (!verified.ok) return { status: 'invalid' };
  const { claims } = verified;
  const registration = await deps.statusClient.get(claims.userId, correlationId);
  if (registration && CONFIRMED_BEFORE.has(registration.status)) return { status: 'already-confirmed', claims };
  if (registration?.status === 'expired') return { status: 'expired', claims };
  if (verified.expired) return { status: 'link-expired', claims };
  const event: UserEmailConfirmed = {
    type: 'UserEmailConfirmed',
    version: 1,
    eventId: newId(),
    occurredAt: now.toISOString(),
    correlationId,
    data: { userId: claims.userId, email: claims.email, linkNonce: claims.nonce, confirmedAt: now.toISOString() },
  };
  await deps.publisher.publish(TOPICS.registrationRequested, { key: claims.email, ...eventMessage(event) });
  return { status: 'confirmed', claims };
}
