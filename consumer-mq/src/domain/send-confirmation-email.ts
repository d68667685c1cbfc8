import {
  DEFAULT_LOCALE,
  signConfirmationToken,
  type ConfirmationEmailRequested,
  type UserRegistrationRequested,
} from '@regflow/common';
import type { EmailRequest, SendOnceOutcome } from './model';
import { sendEmailOnce, type SendEmailOnceDeps } from './send-email-once';

export interface ConfirmationEmailSettings {
  tokenSecret: string;
  /** The access API as the applicant reaches it; the link is `${publicAccessApiUrl}/confirmations/${token}`. */
  publicAccessApiUrl: string;
  confirmationTtlHours: number;
  linkTtlHours: number;
  perHourLimit: number;
}

export type SendConfirmationDeps = SendEmailOnceDeps & {
  settings: ConfirmationEmailSettings;
  now?: () => Date;
  /** Counts each request's outcome (metrics). */
  onOutcome?: (kind: string, outcome: string) => void;
};

/**
 * The confirmation email, for a registration that needs one (sign-up) or asks for it again (resend):
 * one per request event. The link's token carries the registration, the email, the request event id
 * as its nonce, and an expiry: EMAIL_LINK_TTL_HOURS from now, but never past the registration's own
 * window. A registration that needs no confirmation, or whose window has passed, gets no email.
 */
export async function sendConfirmationEmail(
  event: UserRegistrationRequested | ConfirmationEmailRequested,
  deps: SendConfirmationDeps,
): Promise<SendOnceOutcome | 'not-needed' | 'expired'> {
  const outcome = await confirmationEmail(event, deps);
  deps.onOutcome?.('confirmation', outcome);
  return outcome;
}

async function confirmationEmail(
  event: UserRegistrationRequested | ConfirmationEmailRequested,
  deps: SendConfirmationDeps,
): Promise<SendOnceOutcome | 'not-needed' | 'expired'> {
  const target =
    event.type === 'UserRegistrationRequested'
      ? {
          userId: event.data.id,
          name: event.data.name,
          email: event.data.email,
          locale: event.data.locale ?? DEFAULT_LOCALE,
          registeredAt: Date.parse(event.data.registeredAt),
        }
      : { ...event.data, registeredAt: undefined };
  if (event.type === 'UserRegistrationRequested' && event.data.emailConfirmation !== 'required') return 'not-needed';
  const { settings } = deps;
  const now = (deps.now?.() ?? new Date()).getTime();
  const linkExpiry = now + settings.linkTtlHours * 3_600_000;
  const expiresAt =
    target.registeredAt === undefined
      ? linkExpiry
      : Math.min(linkExpiry, target.registeredAt + settings.confirmationTtlHours * 3_600_000);
  // A registration whose window has already passed (its event waited in Kafka that long) gets no link.
  if (expiresAt <= now) return 'expired';
  const token = signConfirmationToken(
    { userId: target.userId, email: target.email, expiresAt, nonce: event.eventId },
    settings.tokenSecret,
  );
  const request: EmailRequest = {
    kind: 'confirmation',
    requestEventId: event.eventId,
    registrationId: target.userId,
    to: target.email,
    locale: target.locale,
    correlationId: event.correlationId,
    perHourLimit: settings.perHourLimit,
    vars: {
      name: target.name,
      link: `${settings.publicAccessApiUrl.replace(/\/$/, '')}/confirmations/${token}`,
      expiresAt: new Date(Math.floor(expiresAt / 1000) * 1000).toISOString().replace('T', ' ').slice(0, 16),
      ttlHours: settings.confirmationTtlHours,
    },
  };
  return sendEmailOnce(request, deps);
}
