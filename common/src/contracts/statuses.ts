/**
 * The one list of a registration's statuses, and what a decision can set. No imports, so the console
 * (admin-web) uses it too, without the rest of the common package in its bundle.
 *
 * `unconfirmed`: signed up, the email not confirmed yet (holds no claim, not in the review queue);
 * `pending`: in review; `approved`, `rejected`: decided; `duplicate`: another live registration holds its
 * email or CPF; `expired`: never confirmed within EMAIL_CONFIRMATION_TTL_HOURS.
 */
export const REGISTRATION_STATUSES = [
  'unconfirmed',
  'pending',
  'approved',
  'rejected',
  'duplicate',
  'expired',
] as const;
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number];
/** What an admin can decide: the two final statuses a decision sets. */
export const DECISION_OUTCOMES = ['approved', 'rejected'] as const satisfies readonly RegistrationStatus[];
export type DecisionOutcome = (typeof DECISION_OUTCOMES)[number];
