import { QUEUES } from '@regflow/common';
import type { StompSession } from '@regflow/common/stomp';
import { stageRegistration, type StageDeps } from '../domain/stage-registration';

/** Subscribes to the review queue (client-individual acks) and stages each message. */
export function subscribeReviewQueue(stomp: StompSession, prefetch: number, deps: StageDeps): void {
  stomp.subscribe(QUEUES.review, { prefetch }, (message) => stageRegistration(message, deps));
}
