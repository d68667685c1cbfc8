import type { Logger, ReviewMessage } from '@regflow/common';
import type { AdminEvent, StagedUser, StageResult } from './model';

export interface StageDeps {
  /** Atomic and idempotent: a user already staged or already decided is left as it is. */
  store: { stage(user: StagedUser): Promise<StageResult> };
  events: { publish(event: AdminEvent): Promise<void> };
  logger: Logger;
}

/** A registration queued for review: stage it in Redis, and tell the consoles when it is new there. */
export async function stageRegistration(message: ReviewMessage, deps: StageDeps): Promise<StageResult> {
  const { data, correlationId, occurredAt } = message;
  const user: StagedUser = { ...data, queuedAt: occurredAt, stagedAt: new Date().toISOString(), correlationId };
  const result = await deps.store.stage(user);
  const log = deps.logger.child({ correlationId, userId: user.id });
  if (result === 'staged') {
    log.info('registration staged for review');
    const { correlationId: _omit, ...visible } = user;
    await deps.events.publish({ type: 'registration.staged', data: visible });
  } else {
    log.info({ result }, 'duplicate delivery ignored');
  }
  return result;
}
