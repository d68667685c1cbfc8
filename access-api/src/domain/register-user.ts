import {
  eventMessage,
  TOPICS,
  TransientError,
  newId,
  type EmailConfirmationMode,
  type Locale,
  type Registration,
  type UserRegistrationRequested,
} from '@regflow/common';
import type { RegistrationInput } from './registration-input';

export interface RegisterUserDeps {
  /** Resolves once Kafka has acked the record from all in-sync replicas (common/src/kafka/publisher.ts). */
  publisher: {
    publish(topic: string, record: { key: string; value: string; headers: Record<string, string> }): Promise<void>;
  };
  now?: () => Date;
}

export type RegisterOutcome =
  | { accepted: true; registration: Registration }
  /** Kafka took the request but did not confirm it in time: it may still append it. */
  | { accepted: 'unknown'; id: string };

/**
 * Accepts a validated registration: gives it an id, the applicant's language and whether it waits for
 * email confirmation (decided here, at sign-up, so changing EMAIL_CONFIRMATION strands nothing in flight), wraps it in a versioned event and publishes it,
 * keyed by email so one person's events stay in order. Accepted only once Kafka has acked the event
 * from all in-sync replicas; when Kafka certainly did not get it, rejects with a TransientError (nothing
 * was accepted).
 */
export async function registerUser(
  input: RegistrationInput,
  context: { correlationId: string; locale: Locale; emailConfirmation: EmailConfirmationMode },
  deps: RegisterUserDeps,
): Promise<RegisterOutcome> {
  const { correlationId } = context;
  const now = (deps.now ?? (() => new Date()))().toISOString();
  const registration: Registration = {
    id: newId(),
    ...withoutUndefined(input),
    registeredAt: now,
    locale: context.locale,
    emailConfirmation: context.emailConfirmation,
  };
  const event: UserRegistrationRequested = {
    type: 'UserRegistrationRequested',
    version: 1,
    eventId: newId(),
    occurredAt: now,
    correlationId,
    data: registration,
  };
  try {
    await deps.publisher.publish(TOPICS.registrationRequested, { key: registration.email, ...eventMessage(event) });
  } catch (err) {
    if (err instanceof TransientError && err.outcome === 'unknown') return { accepted: 'unknown', id: registration.id };
    throw err;
  }
  return { accepted: true, registration };
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
