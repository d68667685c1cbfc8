import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { DECISION_OUTCOMES } from '@regflow/common';
import { ROLES } from '../../domain/roles';

/**
 * The people who use the console (the table keeps its first name, admins). Passwords are scrypt hashes
 * (memory-hard), never plain text. `role`: reviewer (reads the queue, decides) or admin (also manages
 * people, dead letters, reconciliation, the audit trail); everyone there before roles became admin.
 * `disabled_at`: set, the person cannot sign in (and their sessions were ended when it was set).
 * An invited person has no usable password until they set one through the invitation link
 * (`password_hash` is then a hash of random bytes nobody knows).
 */
export const admins = pgTable('admins', {
  id: uuid('id').primaryKey(),
  email: text('email').notNull().unique(),
  passwordHash: text('password_hash').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  role: text('role', { enum: ROLES }).notNull().default('reviewer'),
  disabledAt: timestamp('disabled_at', { withTimezone: true }),
});

/** Approved users: the system's output. The primary key is the registration id, so a user is here once. */
export const approvedUsers = pgTable('approved_users', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  email: text('email').notNull(),
  cpf: text('cpf'),
  phone: text('phone'),
  note: text('note'),
  registeredAt: timestamp('registered_at', { withTimezone: true }).notNull(),
  approvedAt: timestamp('approved_at', { withTimezone: true }).notNull(),
  approvedBy: text('approved_by').notNull(),
});

/**
 * One row per decided registration (the primary key makes "exactly one decision wins" a database
 * fact), with who, when, why, and a snapshot of what was decided on and its timeline.
 * `reason_shared`: the reviewer let the applicant see the reason (the decision email quotes it).
 * `email_applicant`: the applicant is owed a decision email; true for every decision recorded since
 * decision emails exist, false for the ones before (so a new email consumer reading the decision topic
 * from its start does not write to everyone ever decided).
 */
export const decisions = pgTable(
  'decisions',
  {
    userId: uuid('user_id').primaryKey(),
    outcome: text('outcome', { enum: DECISION_OUTCOMES }).notNull(),
    reason: text('reason'),
    decidedBy: text('decided_by').notNull(),
    decidedAt: timestamp('decided_at', { withTimezone: true }).notNull(),
    registration: jsonb('registration').notNull(),
    correlationId: text('correlation_id'),
    reasonShared: boolean('reason_shared').notNull().default(false),
    emailApplicant: boolean('email_applicant').notNull().default(false),
    /** The catalogue reason chosen, as it read when decided (the catalogue may change or retire it later). */
    catalogueReasonId: uuid('catalogue_reason_id'),
    catalogueReasonLabel: text('catalogue_reason_label'),
    catalogueReasonText: text('catalogue_reason_text'),
    catalogueReasonShared: boolean('catalogue_reason_shared').notNull().default(false),
  },
  (t) => [index('decisions_decided_at_idx').on(t.decidedAt)],
);

/**
 * Transactional outbox: a decision and its event are written in one transaction; the relay publishes
 * unpublished rows to Kafka and marks them, so a crash can delay an event but never lose it.
 */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    topic: text('topic').notNull(),
    key: text('key').notNull(),
    value: text('value').notNull(),
    headers: jsonb('headers').$type<Record<string, string>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    publishedAt: timestamp('published_at', { withTimezone: true }),
  },
  (t) => [
    index('outbox_unpublished_idx')
      .on(t.id)
      .where(sql`published_at is null`),
  ],
);

/**
 * Every dead-lettered message, from the orchestrator's Kafka dead-letter topic and from ActiveMQ's
 * dead-letter queue, archived so an admin can list and replay them. `origin` identifies the message
 * at its source (topic/partition/offset, or the broker's message id), so archiving twice is harmless.
 */
export const deadLetters = pgTable(
  'dead_letters',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    source: text('source', { enum: ['kafka', 'activemq'] }).notNull(),
    origin: text('origin').notNull(),
    destination: text('destination').notNull(),
    key: text('key'),
    payload: text('payload').notNull(),
    headers: jsonb('headers').$type<Record<string, string>>().notNull(),
    reason: text('reason').notNull(),
    attempts: integer('attempts'),
    failedAt: timestamp('failed_at', { withTimezone: true }).notNull(),
    replayedAt: timestamp('replayed_at', { withTimezone: true }),
    replayedBy: text('replayed_by'),
  },
  (t) => [
    uniqueIndex('dead_letters_origin_idx').on(t.source, t.origin),
    index('dead_letters_unreplayed_idx')
      .on(t.id)
      .where(sql`replayed_at is null`),
  ],
);

/**
 * Every email the system sent or decided not to send, one row per request: `(kind, request_event_id)`
 * is unique, and the row is inserted in the transaction that sends the email (send-email-once), so a
 * redelivery, a restart or a second replica finds it and sends nothing. `message_id` is the
 * deterministic Message-ID the email carried (<eventId.kind@regflow>).
 */
export const sentEmails = pgTable(
  'sent_emails',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    kind: text('kind').notNull(),
    requestEventId: uuid('request_event_id').notNull(),
    registrationId: uuid('registration_id').notNull(),
    recipient: text('recipient').notNull(),
    locale: text('locale').notNull(),
    messageId: text('message_id').notNull(),
    outcome: text('outcome', { enum: ['sent', 'rate-limited'] }).notNull(),
    correlationId: text('correlation_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('sent_emails_request_idx').on(t.kind, t.requestEventId),
    index('sent_emails_registration_idx').on(t.registrationId, t.kind, t.createdAt),
  ],
);

/**
 * Reviewers' notes on a registration: internal, never sent to the applicant. Only the author edits a
 * note (the rule is in domain/registration-notes.ts); `edited_at` tells that it was. Notes are not
 * deleted: the audit trail records what was added and edited, and a note is part of the review record.
 */
export const registrationNotes = pgTable(
  'registration_notes',
  {
    id: uuid('id').primaryKey(),
    registrationId: uuid('registration_id').notNull(),
    author: text('author').notNull(),
    body: text('body').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    editedAt: timestamp('edited_at', { withTimezone: true }),
  },
  (t) => [index('registration_notes_registration_idx').on(t.registrationId, t.createdAt)],
);

/**
 * The audit trail: who did what, when, to which registration, under which correlation id. Append-only,
 * and the database enforces it (a trigger refuses UPDATE, DELETE and TRUNCATE; migration
 * 0005_audit_log_append_only). `actor` is the admin's email, 'system', or for a failed sign-in the
 * email that was attempted; `actor_id` the admin's id when there is one. `detail` is a small JSON object
 * that never holds an applicant's personal data (ids, outcomes, counts, codes).
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actor: text('actor').notNull(),
    actorId: uuid('actor_id'),
    action: text('action').notNull(),
    registrationId: uuid('registration_id'),
    correlationId: text('correlation_id'),
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    index('audit_log_at_idx').on(t.at, t.id),
    index('audit_log_actor_idx').on(t.actor, t.id),
    index('audit_log_action_idx').on(t.action, t.id),
    index('audit_log_registration_idx').on(t.registrationId, t.id),
  ],
);

/**
 * The catalogue of rejection reasons, managed by admins: a label for reviewers, the text the applicant
 * reads, and whether the applicant is told it at all. A retired reason is offered no more but stays
 * readable: decisions keep the id and a copy of the label and text as they were.
 */
export const rejectionReasons = pgTable('rejection_reasons', {
  id: uuid('id').primaryKey(),
  label: text('label').notNull(),
  text: text('text').notNull(),
  shared: boolean('shared').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  retiredAt: timestamp('retired_at', { withTimezone: true }),
});

/**
 * Erasure requests (docs/privacy.md): recorded first, then each store is erased and its step marked,
 * so an erasure interrupted by a crash resumes where it stopped and one asked for twice is done once.
 * Holds the registration id and who asked, never the person's data.
 */
export const erasures = pgTable('erasures', {
  registrationId: uuid('registration_id').primaryKey(),
  requestedBy: text('requested_by').notNull(),
  requestedAt: timestamp('requested_at', { withTimezone: true }).notNull().defaultNow(),
  correlationId: text('correlation_id'),
  postgresErasedAt: timestamp('postgres_erased_at', { withTimezone: true }),
  redisErasedAt: timestamp('redis_erased_at', { withTimezone: true }),
  completedAt: timestamp('completed_at', { withTimezone: true }),
});
