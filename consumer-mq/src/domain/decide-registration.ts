import {
  AppError,
  eventMessage,
  TOPICS,
  newId,
  type Decision,
  type DecisionOutcome,
  type Logger,
  type Registration,
  type UserRegistrationDecided,
} from '@regflow/common';
import { AUDIT_ACTIONS, type AuditEntry } from './audit';
import type {
  AdminEvent,
  DecisionCatalogueReason,
  DecisionRecordOptions,
  OutboxEvent,
  StagedUser,
  StoredDecision,
} from './model';

export interface DecideDeps {
  store: {
    get(id: string): Promise<StagedUser | null>;
    /** Takes a decided user out of the queue, leaving a tombstone against late duplicates. */
    unstage(id: string, outcome: DecisionOutcome): Promise<void>;
  };
  decisions: {
    /** The decision, the approved user and the event in one transaction; the first decision wins. */
    record(
      decision: Decision,
      registration: Registration & Record<string, unknown>,
      event: OutboxEvent,
      correlationId: string,
      options?: DecisionRecordOptions,
    ): Promise<{ won: true } | { won: false; existing: StoredDecision }>;
    find(userId: string): Promise<StoredDecision | null>;
  };
  /** The outbox relay: publish soon. */
  relay: { wake(): void };
  events: { publish(event: AdminEvent): Promise<void> };
  /** The audit trail, for refused attempts (a decision's own entry is recorded with it). */
  audit: { record(entry: AuditEntry): Promise<void> };
  logger: Logger;
}

export interface DecideCommand {
  userId: string;
  outcome: DecisionOutcome;
  reason?: string;
  /** The reviewer lets the applicant see the reason (in the decision email); false unless said. */
  shareReason?: boolean;
  /** A reason from the catalogue (a rejection), as it reads now; `reason` is then the free-text addition. */
  catalogueReason?: DecisionCatalogueReason;
  admin: string;
  /** The deciding account's id, for the audit trail. */
  adminId?: string;
  /** Part of a batch decision (POST /admin/decisions). */
  batch?: boolean;
  correlationId: string;
}

/** What a decision adds to the logs: the registration's own correlation id links it to the sign-up. */
export type DecidedFields = {
  registrationCorrelationId: string;
  userId: string;
  outcome: Decision['outcome'];
};

/**
 * Approve or reject, in five steps: find the staged user, record the decision with its event in one
 * Postgres transaction (the first decision wins), take the user out of the queue, wake the outbox
 * relay, and tell the consoles.
 */
export async function decideRegistration(
  cmd: DecideCommand,
  deps: DecideDeps,
  report: (fields: DecidedFields) => void = (fields) => deps.logger.info(fields, 'registration decided'),
): Promise<Decision> {
  const staged = await deps.store.get(cmd.userId);
  if (!staged) throw await refused(cmd, await notPending(cmd.userId, deps.decisions), deps);
  const decision: Decision = {
    userId: cmd.userId,
    outcome: cmd.outcome,
    ...(cmd.reason ? { reason: cmd.reason } : {}),
    decidedBy: cmd.admin,
    decidedAt: new Date().toISOString(),
  };
  const { correlationId: stagedCorrelation, ...registration } = staged;
  const correlationId = stagedCorrelation ?? cmd.correlationId;
  const result = await deps.decisions.record(
    decision,
    registration,
    decisionEvent(decision, correlationId),
    correlationId,
    {
      reasonShared: cmd.shareReason === true,
      audit: {
        actorId: cmd.adminId ?? null,
        correlationId: cmd.correlationId,
        // Whether there was a reason, never its text: it may speak of the applicant.
        detail: {
          batch: cmd.batch === true,
          reasonGiven: decision.reason !== undefined,
          reasonShared: cmd.shareReason === true,
        },
      },
      ...(cmd.catalogueReason ? { catalogueReason: cmd.catalogueReason } : {}),
    },
  );
  if (!result.won) {
    // Decided elsewhere, but still staged here (a crash between the two writes): finish the cleanup.
    await deps.store.unstage(cmd.userId, result.existing.outcome);
    throw await refused(cmd, alreadyDecided(result.existing), deps);
  }
  deps.relay.wake();
  // Issued in the same tick, the two travel in one write to Redis (one round trip, not two), which
  // runs them in this order: a console that hears of the decision and reloads no longer sees the user.
  const unstaged = deps.store.unstage(cmd.userId, cmd.outcome);
  const announced = deps.events.publish({
    type: 'registration.decided',
    data: {
      id: cmd.userId,
      outcome: decision.outcome,
      decidedBy: decision.decidedBy,
      decidedAt: decision.decidedAt,
      ...(decision.reason ? { reason: decision.reason } : {}),
    },
  });
  await Promise.all([unstaged, announced]);
  report({ registrationCorrelationId: correlationId, userId: cmd.userId, outcome: cmd.outcome });
  return decision;
}

/** The event for a decision: the contract's fields only (a stored decision carries more than the contract allows). */
export function decisionEvent(decision: Decision, correlationId: string): OutboxEvent {
  const event: UserRegistrationDecided = {
    type: 'UserRegistrationDecided',
    version: 1,
    eventId: newId(),
    occurredAt: decision.decidedAt,
    correlationId,
    data: {
      userId: decision.userId,
      outcome: decision.outcome,
      ...(decision.reason ? { reason: decision.reason } : {}),
      decidedBy: decision.decidedBy,
      decidedAt: decision.decidedAt,
    },
  };
  return {
    topic: TOPICS.registrationDecided,
    key: decision.userId,
    ...eventMessage(event),
  };
}

async function notPending(userId: string, decisions: DecideDeps['decisions']): Promise<AppError> {
  const existing = await decisions.find(userId);
  if (existing) return alreadyDecided(existing);
  return new AppError('REGISTRATION.NOT_FOUND', 404, 'No pending registration with this id.');
}

/** A 409 (already decided) goes in the audit trail: who tried what, too late. A 404 is only returned. */
async function refused(cmd: DecideCommand, err: AppError, deps: Pick<DecideDeps, 'audit'>): Promise<AppError> {
  if (err.status !== 409) return err;
  await deps.audit.record({
    actor: cmd.admin,
    actorId: cmd.adminId ?? null,
    action: AUDIT_ACTIONS.decisionRefused,
    registrationId: cmd.userId,
    correlationId: cmd.correlationId,
    detail: {
      attempted: cmd.outcome,
      batch: cmd.batch === true,
      decidedOutcome: err.extra.outcome,
      decidedBy: err.extra.decidedBy,
    },
  });
  return err;
}

function alreadyDecided(existing: StoredDecision): AppError {
  return new AppError(
    'REGISTRATION.ALREADY_DECIDED',
    409,
    `This registration was already ${existing.outcome} by ${existing.decidedBy} at ${existing.decidedAt}.`,
    { outcome: existing.outcome, decidedBy: existing.decidedBy, decidedAt: existing.decidedAt },
  );
}
