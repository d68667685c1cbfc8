import { DEFAULT_LOCALE, LOCALES, type Locale, type UserRegistrationDecided } from '@regflow/common';
import type { EmailRequest, SendOnceOutcome, StoredDecision } from './model';
import { sendEmailOnce, type SendEmailOnceDeps } from './send-email-once';

export type SendDecisionEmailDeps = SendEmailOnceDeps & {
  /** Postgres' decisions: the truth about a decision, and where the applicant's address and language are. */
  decisions: { find(userId: string): Promise<StoredDecision | null> };
  /** Counts each event's outcome (emails_total by kind and outcome). */
  onOutcome?: (kind: string, outcome: string) => void;
};

/** not-owed: decided before decision emails existed; not-found: no such decision in Postgres (nothing to tell anyone). */
export type SendDecisionOutcome = SendOnceOutcome | 'not-owed' | 'not-found';

/**
 * The email a decision owes its applicant; what it says of the reason is `applicantReason`'s rule. The ledger's request is the decision itself (the
 * registration id): a registration is decided once (the decisions table's primary key), so a
 * redelivered event, a decision re-announced by reconciliation under a new event id, or a second
 * replica all find that one row and send nothing more.
 */
export function decisionEmail(decision: StoredDecision, correlationId?: string): EmailRequest {
  const { registration } = decision;
  return {
    kind: decision.outcome === 'approved' ? 'decision-approved' : 'decision-rejected',
    requestEventId: decision.userId,
    registrationId: decision.userId,
    to: registration.email,
    locale: localeOf(registration),
    ...(correlationId ? { correlationId } : {}),
    vars: {
      name: registration.name,
      reason: applicantReason(decision),
    },
  };
}

/**
 * What the applicant reads as the reason (null: nothing): the catalogue reason's text when the
 * catalogue shares it, then the reviewer's free text when the reviewer shared it. Each part has its
 * own flag, and neither shares the other.
 */
export function applicantReason(
  decision: Pick<StoredDecision, 'reason' | 'reasonShared' | 'catalogueReason'>,
): string | null {
  const parts = [
    decision.catalogueReason?.shared ? decision.catalogueReason.text : undefined,
    decision.reasonShared ? decision.reason : undefined,
  ].filter((part): part is string => !!part);
  return parts.length > 0 ? parts.join('\n\n') : null;
}

/**
 * A decision event → its email, sent once: read the decision from Postgres (the event names it; the
 * address, name and language were snapshotted with it, so no personal data travels in the decision
 * event), skip a decision that owes no email, then render and send it through the ledger.
 */
export async function sendDecisionEmail(
  event: UserRegistrationDecided,
  deps: SendDecisionEmailDeps,
): Promise<SendDecisionOutcome> {
  const fields = { correlationId: event.correlationId, userId: event.data.userId, eventId: event.eventId };
  const decision = await deps.decisions.find(event.data.userId);
  if (!decision) {
    deps.logger.warn(fields, 'decision event for a decision Postgres does not hold; no email');
    deps.onOutcome?.('decision', 'not-found');
    return 'not-found';
  }
  if (!decision.emailApplicant) {
    deps.logger.info(fields, 'decided before decision emails existed; no email');
    deps.onOutcome?.('decision', 'not-owed');
    return 'not-owed';
  }
  if (decision.outcome !== event.data.outcome)
    deps.logger.warn(
      { ...fields, event: event.data.outcome, stored: decision.outcome },
      'decision event disagrees with Postgres; the email follows Postgres',
    );
  const request = decisionEmail(decision, event.correlationId);
  const outcome = await sendEmailOnce(request, deps);
  deps.onOutcome?.(request.kind, outcome);
  return outcome;
}

function localeOf(registration: Record<string, unknown>): Locale {
  const locale = registration.locale;
  return (LOCALES as readonly unknown[]).includes(locale) ? (locale as Locale) : DEFAULT_LOCALE;
}
