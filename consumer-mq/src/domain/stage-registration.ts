import { QUEUES, parseEvent, reviewMessageSchema, type Logger } from '@regflow/common';
import type { IncomingMessage, StompSession } from '@regflow/common/stomp';
import type { AdminEventBus } from '../data-access/admin-events';
import type { StagedUser, StagingStore } from '../data-access/staging-store';

export interface StageDeps {
  store: StagingStore;
  stomp: StompSession;
  events: AdminEventBus;
  logger: Logger;
}

/**
 * One review-queue message: validate it (an invalid one goes to the dead-letter queue at once, with
 * the reason), stage it in Redis, and acknowledge only after Redis has it. A failure leaves it
 * unacknowledged (nack), so ActiveMQ redelivers with backoff and dead-letters it after its limit.
 */
export async function stageRegistration(message: IncomingMessage, deps: StageDeps): Promise<void> {
  const parsed = parseEvent(reviewMessageSchema, message.body);
  if (!parsed.ok) {
    await deps.stomp.send(QUEUES.reviewDeadLetter, message.body, { 'dlq-reason': parsed.reason.slice(0, 1000), 'dlq-failed-at': new Date().toISOString() });
    deps.logger.error({ reason: parsed.reason }, 'invalid review message dead-lettered');
    message.ack();
    return;
  }
  const { data, correlationId, occurredAt } = parsed.event;
  const user: StagedUser = { ...data, queuedAt: occurredAt, stagedAt: new Date().toISOString(), correlationId };
  const result = await deps.store.stage(user);
  message.ack();
  const log = deps.logger.child({ correlationId, userId: user.id });
  if (result === 'staged') {
    log.info('registration staged for review');
    const { correlationId: _omit, ...visible } = user;
    await deps.events.publish({ type: 'registration.staged', data: visible });
  } else {
    log.info({ result }, 'duplicate delivery ignored');
  }
}
