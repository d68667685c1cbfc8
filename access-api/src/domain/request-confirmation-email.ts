import {
  DEFAULT_LOCALE,
  eventMessage,
  TOPICS,
  newId,
  type ConfirmationEmailRequested,
  type Locale,
  type RegistrationStatus,
} from '@regflow/common';
import type { RegisterUserDeps } from './register-user';

/** What the confirmation flow needs to know about a registration, beyond its status. */
export interface RegistrationContact {
  id: string;
  status: RegistrationStatus;
  name: string;
  email: string;
  locale?: Locale;
}

export type ResendOutcome =
  | { status: 'requested' }
  | { status: 'not-found' }
  | { status: 'expired' }
  | { status: 'already-confirmed'; registrationStatus: RegistrationStatus };

export interface RequestConfirmationEmailDeps {
  statusClient: { contact(id: string, correlationId: string): Promise<RegistrationContact | null> };
  publisher: RegisterUserDeps['publisher'];
  now?: () => Date;
}

/**
 * The applicant asks for the confirmation email again. Only a registration that is still unconfirmed
 * (and not expired) gets one: ConfirmationEmailRequested is published on the registration topic, keyed
 * by email, and consumer-mq sends one email for it (within its own per-hour limit per registration).
 * The address is the registration's own, never one given with the request.
 */
export async function requestConfirmationEmail(
  userId: string,
  correlationId: string,
  deps: RequestConfirmationEmailDeps,
): Promise<ResendOutcome> {
  const registration = await deps.statusClient.contact(userId, correlationId);
  if (!registration) return { status: 'not-found' };
  if (registration.status === 'expired') return { status: 'expired' };
  if (registration.status !== 'unconfirmed')
    return { status: 'already-confirmed', registrationStatus: registration.status };
  const now = (deps.now?.() ?? new Date()).toISOString();
  const event: ConfirmationEmailRequested = {
    type: 'ConfirmationEmailRequested',
    version: 1,
    eventId: newId(),
    occurredAt: now,
    correlationId,
    data: {
      userId,
      name: registration.name,
      email: registration.email,
      locale: registration.locale ?? DEFAULT_LOCALE,
      requestedAt: now,
    },
  };
  await deps.publisher.publish(TOPICS.registrationRequested, { key: registration.email, ...eventMessage(event) });
  return { status: 'requested' };
}
