import type { Locale, Logger } from '@regflow/common';
import type { EmailRequest, OutgoingEmail, SendOnceOutcome } from './model';

export interface SendEmailOnceDeps {
  templates: {
    render(kind: string, locale: Locale, vars: Record<string, unknown>): Omit<OutgoingEmail, 'to' | 'messageId'>;
  };
  mailer: { send(email: OutgoingEmail): Promise<void> };
  /** Runs `send` unless this request's email was already sent (or refused by the limit); see sent-emails-repository.ts. */
  ledger: {
    sendOnce(request: EmailRequest & { messageId: string }, send: () => Promise<void>): Promise<SendOnceOutcome>;
  };
  logger: Logger;
}

/** The same for every attempt at one request's email, so a duplicate the ledger could not prevent is recognisable. */
export function messageIdFor(kind: string, requestEventId: string): string {
  return `<${requestEventId}.${kind}@regflow>`;
}

/**
 * One email per request, whatever the redeliveries: render it (a template error claims nothing),
 * claim the request in the sent_emails ledger, send it while the claim is held, and record it. A send
 * that fails releases the claim and throws, so the caller's retry sends it later.
 */
export async function sendEmailOnce(request: EmailRequest, deps: SendEmailOnceDeps): Promise<SendOnceOutcome> {
  const messageId = messageIdFor(request.kind, request.requestEventId);
  const rendered = deps.templates.render(request.kind, request.locale, request.vars);
  const outcome = await deps.ledger.sendOnce({ ...request, messageId }, () =>
    deps.mailer.send({
      ...rendered,
      to: request.to,
      messageId,
      headers: {
        'X-Regflow-Kind': request.kind,
        'X-Regflow-Registration': request.registrationId,
        ...(request.correlationId ? { 'X-Correlation-Id': request.correlationId } : {}),
      },
    }),
  );
  deps.logger.info(
    {
      correlationId: request.correlationId,
      userId: request.registrationId,
      kind: request.kind,
      requestEventId: request.requestEventId,
      outcome,
    },
    outcome === 'sent'
      ? 'email sent'
      : outcome === 'already-sent'
        ? 'email already sent; not sent again'
        : 'email not sent: over the per-hour limit',
  );
  return outcome;
}
