import { TransientError, parseEvent, userRegistrationDecidedSchema, type Logger, type UserRegistrationDecided } from '@regflow/common';
import { PoisonMessageError, type ConsumedRecord } from '@regflow/common/kafka';
import type { UsersIndex } from '../data-access/users-index';

/** Keeps the search document in step with a decision made in the admin API. Idempotent. */
export async function applyDecision(record: ConsumedRecord, deps: { index: UsersIndex; logger: Logger }): Promise<void> {
  const event = parseDecisionEvent(record);
  const { userId, outcome, decidedAt, decidedBy, reason } = event.data;
  const updated = await deps.index.update(userId, { status: outcome, decidedAt, decidedBy, ...(reason ? { reason } : {}) });
  // A decision is only possible for a staged user, who was indexed first; if the document is missing,
  // the index lost it (or is lagging): retry, and dead-letter if it never appears.
  if (!updated) throw new TransientError(`user ${userId} is not in the search index`);
  deps.logger.info({ correlationId: event.correlationId, userId, outcome }, 'search index updated with decision');
}

function parseDecisionEvent(record: ConsumedRecord): UserRegistrationDecided {
  const parsed = parseEvent(userRegistrationDecidedSchema, record.value);
  if (!parsed.ok) throw new PoisonMessageError(parsed.reason);
  return parsed.event;
}
