import type { Registration, RegistrationStatus } from '@regflow/common';

/** A registration as the search index holds it: what was accepted, its status, and how it got there. */
export interface UserDocument extends Registration {
  status: RegistrationStatus;
  indexedAt: string;
  decidedAt?: string;
  decidedBy?: string;
  reason?: string;
  /** For a duplicate: the live registration that holds the email or CPF. */
  duplicateOf?: string;
  /** When the applicant followed the confirmation link (absent when confirmation was off for it). */
  confirmedAt?: string;
}

/** An unconfirmed registration is expired once its confirmation window has passed, at `at`. */
export function confirmationExpired(doc: Pick<UserDocument, 'registeredAt'>, at: Date, ttlHours: number): boolean {
  return at.getTime() >= Date.parse(doc.registeredAt) + ttlHours * 3_600_000;
}

/**
 * The status a reader sees: an unconfirmed registration past its window reads as `expired` at once,
 * whether or not the expiry worker has marked the document yet.
 */
export function effectiveStatus(doc: UserDocument, now: Date, ttlHours: number): UserDocument['status'] {
  return doc.status === 'unconfirmed' && confirmationExpired(doc, now, ttlHours) ? 'expired' : doc.status;
}

/** The identities a registration claims in the claims index (one live registration per email and per CPF). */
export function registrationIdentities(user: Pick<Registration, 'email' | 'cpf'>): string[] {
  return [`email:${user.email}`, ...(user.cpf ? [`cpf:${user.cpf}`] : [])];
}
