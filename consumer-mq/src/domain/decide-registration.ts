import { AppError, HEADERS, TOPICS, newId, type Decision, type Logger, type UserRegistrationDecided } from '@regflow/common';
import type { AdminEventBus } from '../data-access/admin-events';
import type { DecisionsRepository, StoredDecision } from '../data-access/decisions-repository';
import type { OutboxRelay } from '../data-access/outbox-relay';
import type { StagingStore } from '../data-access/staging-store';

export interface DecideDeps {
  store: StagingStore;
  decisions: DecisionsRepository;
  relay: OutboxRelay;
  events: AdminEventBus;
  logger: Logger;
}

export interface DecideCommand {
  userId: string;
  outcome: 'approved' | 'rejected';
  reason?: string;
  admin: string;
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
  if (!staged) throw await notPending(cmd.userId, deps.decisions);
  const decision: Decision = {
    userId: cmd.userId,
    outcome: cmd.outcome,
    ...(cmd.reason ? { reason: cmd.reason } : {}),
    decidedBy: cmd.admin,
    decidedAt: new Date().toISOString(),
  };
  const { correlationId: stagedCorrelation, ...registration } = staged;
  const correlationId = stagedCorrelation ?? cmd.correlationId;
  const result = await deps.decisions.record(decision, registration, decisionEvent(decision, correlationId), correlationId);
  if (!result.won) {
    // Decided elsewhere, but still staged here (a crash between the two writes): finish the cleanup.
    await deps.store.unstage(cmd.userId, result.existing.outcome);
    throw alreadyDecided(result.existing);
  }
  deps.relay.wake();
  // Issued in the same tick, the two travel in one write to Redis (one round trip, not two), which
  // runs them in this order: a console that hears of the decision and reloads no longer sees the user.
  const unstaged = deps.store.unstage(cmd.userId, cmd.outcome);
  const announced = deps.events.publish({
    type: 'registration.decided',
    data: { id: cmd.userId, outcome: decision.outcome, decidedBy: decision.decidedBy, decidedAt: decision.decidedAt, ...(decision.reason ? { reason: decision.reason } : {}) },
  });
  await Promise.all([unstaged, announced]);
  report({ registrationCorrelationId: correlationId, userId: cmd.userId, outcome: cmd.outcome });
  return decision;
}

export function decisionEvent(decision: Decision, correlationId: string) {
  const event: UserRegistrationDecided = {
    type: 'UserRegistrationDecided',
    version: 1,
    eventId: newId(),
    occurredAt: decision.decidedAt,
    correlationId,
    data: decision,
  };
  return {
    topic: TOPICS.registrationDecided,
    key: decision.userId,
    value: JSON.stringify(event),
    headers: { [HEADERS.eventType]: event.type, [HEADERS.schemaVersion]: '1', [HEADERS.correlationId]: correlationId },
  };
}

async function notPending(userId: string, decisions: DecisionsRepository): Promise<AppError> {
  const existing = await decisions.find(userId);
  if (existing) return alreadyDecided(existing);
  return new AppError('REGISTRATION.NOT_FOUND', 404, 'No pending registration with this id.');
}

function alreadyDecided(existing: StoredDecision): AppError {
  return new AppError(
    'REGISTRATION.ALREADY_DECIDED',
    409,
    `This registration was already ${existing.outcome} by ${existing.decidedBy} at ${existing.decidedAt}.`,
    { outcome: existing.outcome, decidedBy: existing.decidedBy, decidedAt: existing.decidedAt },
  );
}
