/**
 * The audit trail's entry, as every use case records it (through the `recordAudit` of
 * data-access/audit-log.ts, in the caller's transaction or on its own).
 *
 * `detail` is small and NEVER holds an applicant's personal data (no name, email, CPF, phone, note,
 * reason text): ids, outcomes, counts, codes. An erased registration leaves its audit entries behind,
 * and they must say nothing about the person.
 */

/** The actions recorded so far; a new one is a dotted code `subject.verb` added here. */
export const AUDIT_ACTIONS = {
  signInSucceeded: 'session.signed-in',
  signInFailed: 'session.sign-in-failed',
  /** Sign-in refused by the throttle (429): once per blocked window, not per refused try. */
  signInThrottled: 'session.sign-in-throttled',
  decisionApproved: 'decision.approved',
  decisionRejected: 'decision.rejected',
  /** A decision attempt refused with 409: the registration was already decided (by someone else). */
  decisionRefused: 'decision.refused',
  accountInvited: 'account.invited',
  accountDisabled: 'account.disabled',
  accountEnabled: 'account.enabled',
  passwordReset: 'account.password-reset',
  passwordSet: 'account.password-set',
  roleChanged: 'account.role-changed',
  deadLettersReplayed: 'dead-letters.replayed',
  reconciliationRepaired: 'reconciliation.repaired',
  noteAdded: 'note.added',
  noteEdited: 'note.edited',
  registrationErased: 'registration.erased',
} as const;

/** A dotted action code, e.g. 'decision.approved' (see AUDIT_ACTIONS). */
export type AuditAction = `${string}.${string}`;

/** The actor of what the system does on its own (a worker, reconciliation). */
export const SYSTEM_ACTOR = 'system';

export interface AuditEntry {
  /** The admin's email, 'system', or the email attempted by a failed sign-in. */
  actor: string;
  /** The admin's id, when the actor is a known admin. */
  actorId?: string | null;
  action: AuditAction;
  registrationId?: string | null;
  correlationId?: string | null;
  /** Small, and without an applicant's personal data. */
  detail?: Record<string, unknown>;
}

export interface RecordedAuditEntry extends Required<AuditEntry> {
  id: number;
  at: Date;
}
