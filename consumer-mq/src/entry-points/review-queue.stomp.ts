import { QUEUES, parseEvent, reviewMessageSchema } from '@regflow/common';
import type { StompSession } from '@regflow/common/stomp';
import { stageRegistration, type StageDeps } from '../domain/stage-registration';

/**
 * The review queue, with client-individual acks: each message is read against its contract, staged,
 * and acknowledged only after Redis has it. An invalid message goes to the dead-letter queue at once,
 * with the reason, and is acked. A failure throws: the session nacks, and ActiveMQ redelivers with
 * backoff, then dead-letters it after its limit.
 */
export function subscribeReviewQueue(stomp: StompSession, prefetch: number, deps: StageDeps): void {
  stomp.subscribe(QUEUES.review, { prefetch }, async (message) => {
    const parsed = parseEvent(reviewMessageSchema, message.body);
    if (parsed.ok) {
      await stageRegistration(parsed.event, deps);
    } else {
      await stomp.send(QUEUES.reviewDeadLetter, message.body, {
        'dlq-reason': parsed.reason.slice(0, 1000),
        'dlq-failed-at': new Date().toISOString(),
      });
      deps.logger.error({ reason: parsed.reason }, 'invalid review message dead-lettered');
    }
    message.ack();
  });
}
