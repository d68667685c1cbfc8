import { z } from 'zod';
import { DECISION_OUTCOMES } from './statuses';

/**
 * Event contracts shared by every service. A consumer validates each message against these schemas at
 * its entry point and treats whatever fails as poison (dead-lettered, never retried).
 */

export const TOPICS = {
  registrationRequested: 'user.registration.requested.v1',
  registrationDecided: 'user.registration.decided.v1',
  deadLetter: 'user.registration.dlq.v1',
} as const;

export const QUEUES = {
  review: '/queue/user.registration.review',
  reviewDeadLetter: '/queue/DLQ.user.registration.review',
} as const;

/** Header names carried on Kafka records and STOMP frames. */
export const HEADERS = {
  eventType: 'event-type',
  schemaVersion: 'schema-version',
  correlationId: 'correlation-id',
} as const;

export { DECISION_OUTCOMES, REGISTRATION_STATUSES } from './statuses';
export type { DecisionOutcome, RegistrationStatus } from './statuses';

/** The languages the applicant's emails and pages come in (chosen from Accept-Language at sign-up). */
export const LOCALES = ['en', 'pt-BR'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';

export const EMAIL_CONFIRMATION_MODES = ['required', 'off'] as const;
export type EmailConfirmationMode = (typeof EMAIL_CONFIRMATION_MODES)[number];

const uuid = z.uuid();

/** The registration itself, as accepted by the access API. Everything is already normalized. */
export const registrationSchema = z.strictObject({
  id: uuid,
  name: z.string().min(1).max(120),
  email: z.email(),
  cpf: z
    .string()
    .regex(/^\d{11}$/)
    .optional(),
  phone: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/)
    .optional(),
  note: z.string().max(500).optional(),
  registeredAt: z.iso.datetime(),
  /** The applicant's language, from Accept-Language at sign-up; absent means DEFAULT_LOCALE. */
  locale: z.enum(LOCALES).optional(),
  /**
   * Decided by the access API at sign-up (EMAIL_CONFIRMATION), so changing the setting never strands a
   * registration in flight. `required`: indexed as unconfirmed until UserEmailConfirmed; absent or
   * `off`: claimed and queued for review at once (as before email confirmation existed).
   */
  emailConfirmation: z.enum(EMAIL_CONFIRMATION_MODES).optional(),
});
export type Registration = z.infer<typeof registrationSchema>;

/** Every event: its type and version, the envelope (id, time, the correlation id of the request that started it), its data. */
const event = <T extends string, D extends z.ZodType>(type: T, data: D) =>
  z.strictObject({
    type: z.literal(type),
    version: z.literal(1),
    eventId: uuid,
    occurredAt: z.iso.datetime(),
    correlationId: z.string().min(1).max(200),
    data,
  });

export const userRegistrationRequestedSchema = event('UserRegistrationRequested', registrationSchema);
export type UserRegistrationRequested = z.infer<typeof userRegistrationRequestedSchema>;

/**
 * The applicant followed a valid confirmation link. Published by the access API on the registration
 * topic, keyed by email like the registration, so every consumer sees the registration first.
 */
export const userEmailConfirmedSchema = event(
  'UserEmailConfirmed',
  z.strictObject({
    userId: uuid,
    email: z.email(),
    /** The nonce of the link that was followed (the request event id of the email that carried it). */
    linkNonce: uuid,
    confirmedAt: z.iso.datetime(),
  }),
);
export type UserEmailConfirmed = z.infer<typeof userEmailConfirmedSchema>;

/** The applicant asked for the confirmation email again: one email per such event (rate limited by the sender too). */
export const confirmationEmailRequestedSchema = event(
  'ConfirmationEmailRequested',
  z.strictObject({
    userId: uuid,
    name: z.string().min(1).max(120),
    email: z.email(),
    locale: z.enum(LOCALES),
    requestedAt: z.iso.datetime(),
  }),
);
export type ConfirmationEmailRequested = z.infer<typeof confirmationEmailRequestedSchema>;

/** Whatever travels on the registration topic; a consumer dispatches on `type`, and an unknown type is poison. */
export const registrationTopicEventSchema = z.discriminatedUnion('type', [
  userRegistrationRequestedSchema,
  userEmailConfirmedSchema,
  confirmationEmailRequestedSchema,
]);
export type RegistrationTopicEvent = z.infer<typeof registrationTopicEventSchema>;

export const decisionSchema = z.strictObject({
  userId: uuid,
  outcome: z.enum(DECISION_OUTCOMES),
  reason: z.string().max(500).optional(),
  decidedBy: z.string().min(1).max(320),
  decidedAt: z.iso.datetime(),
});
export type Decision = z.infer<typeof decisionSchema>;

export const userRegistrationDecidedSchema = event('UserRegistrationDecided', decisionSchema);
export type UserRegistrationDecided = z.infer<typeof userRegistrationDecidedSchema>;

/** What travels on the ActiveMQ review queue: the registration, plus when it was indexed. */
export const reviewMessageSchema = event(
  'RegistrationQueuedForReview',
  registrationSchema.extend({ indexedAt: z.iso.datetime() }),
);
export type ReviewMessage = z.infer<typeof reviewMessageSchema>;

/**
 * An event as a message on Kafka or STOMP: its JSON body, and the headers every consumer reads before
 * the body (type, version, the correlation id of the request that started it).
 */
export function eventMessage(event: { type: string; version: number; correlationId: string }): {
  value: string;
  headers: Record<string, string>;
} {
  return {
    value: JSON.stringify(event),
    headers: {
      [HEADERS.eventType]: event.type,
      [HEADERS.schemaVersion]: String(event.version),
      [HEADERS.correlationId]: event.correlationId,
    },
  };
}

/**
 * Reads a message body against its contract. Returns the event, or why it is poison (not JSON, or not
 * the schema), so each consumer decides what poison means at its own entry point.
 */
export function parseEvent<S extends z.ZodType>(
  schema: S,
  raw: string | null,
): { ok: true; event: z.infer<S> } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(raw ?? '');
  } catch {
    return { ok: false, reason: 'body is not JSON' };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    return {
      ok: false,
      reason: `schema: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    };
  return { ok: true, event: parsed.data };
}
