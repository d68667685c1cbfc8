import {
  HEADERS,
  TOPICS,
  newId,
  type Registration,
  type UserRegistrationRequested,
} from '@regflow/common';
import type { EventPublisher } from '@regflow/common/kafka';
import type { RegistrationInput } from './registration-input';

export interface RegisterUserDeps {
  publisher: EventPublisher;
  now?: () => Date;
  /** The caller may mint the id first, to name it in an answer even when publishing fails. */
  newId?: () => string;
}

/**
 * Accepts a validated registration: gives it an id, wraps it in a versioned event and publishes it,
 * keyed by email so one person's events stay in order. Resolves only once Kafka has acked the event
 * from all in-sync replicas; a failure rejects with a TransientError and nothing is accepted.
 */
export async function registerUser(
  input: RegistrationInput,
  correlationId: string,
  deps: RegisterUserDeps,
): Promise<Registration> {
  const now = (deps.now ?? (() => new Date()))().toISOString();
  const registration: Registration = { id: (deps.newId ?? newId)(), ...withoutUndefined(input), registeredAt: now };
  const event: UserRegistrationRequested = {
    type: 'UserRegistrationRequested',
    version: 1,
    eventId: newId(),
    occurredAt: now,
    correlationId,
    data: registration,
  };
  await deps.publisher.publish(TOPICS.registrationRequested, {
    key: registration.email,
    value: JSON.stringify(event),
    headers: {
      [HEADERS.eventType]: event.type,
      [HEADERS.schemaVersion]: String(event.version),
      [HEADERS.correlationId]: correlationId,
    },
  });
  return registration;
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
