import type { Logger, UserRegistrationDecided } from '@regflow/common';
import type { UserDocument } from './user-document';

export interface ApplyDecisionDeps {
  /** A partial update of the users index; false when no document has this id. */
  index: { update(id: string, patch: Partial<UserDocument>): Promise<boolean> };
  logger: Logger;
}

/**
 * Keeps the search document in step with a decision made in the admin API. Idempotent. `not-indexed`:
 * a decision is only possible for a staged user, who was indexed first, so the index lost the document
 * or lags behind; the caller retries.
 */
export async function applyDecision(
  event: UserRegistrationDecided,
  deps: ApplyDecisionDeps,
): Promise<'applied' | 'not-indexed'> {
  const { userId, outcome, decidedAt, decidedBy, reason } = event.data;
  const updated = await deps.index.update(userId, {
    status: outcome,
    decidedAt,
    decidedBy,
    ...(reason ? { reason } : {}),
  });
  if (!updated) return 'not-indexed';
  deps.logger.info({ correlationId: event.correlationId, userId, outcome }, 'search index updated with decision');
  return 'applied';
}
