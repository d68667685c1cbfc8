import type { Decision, Locale, Registration, RegistrationStatus } from '@regflow/common';

/**
 * The shapes the use cases work with. The stores in data-access/ read and write them; the use cases say,
 * in their deps, which of a store's calls they make.
 */

/** A registration waiting in the review queue, as the admin API shows it. */
export interface StagedUser extends Registration {
  indexedAt?: string;
  queuedAt?: string;
  stagedAt: string;
  correlationId?: string;
}

/** Staging is idempotent: the same user twice, or a user already decided, changes nothing. */
export type StageResult = 'staged' | 'already-staged' | 'already-decided';

/** A decision as Postgres keeps it, with a snapshot of what was decided on (and its timeline). */
export interface StoredDecision extends Decision {
  registration: Registration & Record<string, unknown>;
  /** The reviewer let the applicant see the reason. */
  reasonShared: boolean;
  /** The applicant is owed a decision email (every decision since decision emails exist). */
  emailApplicant: boolean;
  /** The catalogue reason chosen, as it read when decided; `reason` is then the reviewer's free text. */
  catalogueReason?: DecisionCatalogueReason;
}

/** A catalogue reason as a decision keeps it: its id, and its label, text and flag at that time. */
export interface DecisionCatalogueReason {
  id: string;
  label: string;
  text: string;
  shared: boolean;
}

/** An entry of the catalogue of rejection reasons (retired ones stay, for past decisions). */
export interface RejectionReason extends DecisionCatalogueReason {
  createdAt: string;
  updatedAt: string;
  retiredAt?: string;
}

/** How a decision is recorded besides itself: whether the reason is shared, and its audit entry's parts. */
export interface DecisionRecordOptions {
  reasonShared?: boolean;
  /** A reason from the catalogue, as it reads at the decision. */
  catalogueReason?: DecisionCatalogueReason;
  /** The audit entry's actor id, correlation id (the request's) and detail (no applicant data). */
  audit?: { actorId?: string | null; correlationId?: string; detail?: Record<string, unknown> };
}

/** An event in the transactional outbox, waiting for the relay to publish it. */
export interface OutboxEvent {
  topic: string;
  key: string;
  value: string;
  headers: Record<string, string>;
}

/** What the consoles hear, live, from every replica. */
export type AdminEvent =
  | { type: 'registration.staged'; data: Record<string, unknown> }
  | {
      type: 'registration.decided';
      data: { id: string; outcome: string; decidedBy: string; decidedAt: string; reason?: string };
    };

/** A registration as the search index (the orchestrator) holds it. */
export interface IndexedRegistration extends Registration {
  status: RegistrationStatus;
  indexedAt: string;
  [field: string]: unknown;
}

/** A page of search results, as the orchestrator answers it. */
export interface SearchResult {
  total: number;
  items: Array<IndexedRegistration & { highlight?: Record<string, string[]> }>;
}

/** A dead-lettered message from either source, archived so an admin can list and replay it. */
export interface DeadLetter {
  id: number;
  source: 'kafka' | 'activemq';
  /** Where the message failed (topic/partition/offset, or the broker's message id): archiving twice stores once. */
  origin: string;
  /** Where a replay sends it. */
  destination: string;
  key: string | null;
  payload: string;
  headers: Record<string, string>;
  reason: string;
  attempts: number | null;
  failedAt: Date;
  replayedAt: Date | null;
  replayedBy: string | null;
}

export type NewDeadLetter = Omit<DeadLetter, 'id' | 'replayedAt' | 'replayedBy'>;

/** The kinds of email the system sends; each has templates in consumer-mq/emails/<kind>/<locale>/. */
export const EMAIL_KINDS = [
  'confirmation',
  'decision-approved',
  'decision-rejected',
  'account-invitation',
  'password-reset',
] as const;
export type EmailKind = (typeof EMAIL_KINDS)[number];

/** An email ready for the SMTP server: rendered, addressed, with its deterministic Message-ID. */
export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  headers?: Record<string, string>;
}

/** One email the system owes someone: what kind, in which language, to whom, because of which request event. */
export interface EmailRequest {
  kind: EmailKind;
  /** The event that asked for it: one email per (kind, request event), whatever the redeliveries. */
  requestEventId: string;
  registrationId: string;
  to: string;
  locale: Locale;
  correlationId?: string;
  /** The template's variables. */
  vars: Record<string, unknown>;
  /** At most this many emails of this kind per registration per hour (counted in sent_emails). */
  perHourLimit?: number;
}

/** sent: this call sent it; already-sent: an earlier one did; rate-limited: over the per-hour limit, not sent (and never will be). */
export type SendOnceOutcome = 'sent' | 'already-sent' | 'rate-limited';

/** The SMTP server refused the email for good (5xx): retrying cannot help. */
export class EmailRefusedError extends Error {
  override name = 'EmailRefusedError';
}

/** A reviewer's note on a registration (internal: the applicant never sees it). */
export interface RegistrationNote {
  id: string;
  registrationId: string;
  /** The author's sign-in email. */
  author: string;
  body: string;
  createdAt: string;
  editedAt?: string;
}
