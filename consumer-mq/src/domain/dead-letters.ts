import { QUEUES, TOPICS, maskEmail, type Logger } from '@regflow/common';
import type { ConsumedRecord, EventPublisher } from '@regflow/common/kafka';
import type { IncomingMessage, StompSession } from '@regflow/common/stomp';
import type { DeadLetter, DeadLettersRepository } from '../data-access/dead-letters-repository';

export interface DeadLetterDeps {
  deadLetters: DeadLettersRepository;
  publisher: EventPublisher;
  stomp: StompSession;
  logger: Logger;
}

/** Headers our own pipeline or the broker add; a replay sends the message as it first was. */
const DROPPED_HEADERS = /^(dlq-|dlqDeliveryFailureCause$|message-id$|destination$|subscription$|ack$|redelivered$|expires$|timestamp$|priority$|persistent$|content-length$|content-type$|originalExpiration$|original-destination$)/;

function cleanHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !DROPPED_HEADERS.test(k)));
}

/** A record from the orchestrator's Kafka dead-letter topic, archived for the admins. */
export async function archiveKafkaDeadLetter(record: ConsumedRecord, deps: DeadLetterDeps): Promise<void> {
  const h = record.headers;
  await deps.deadLetters.archive({
    source: 'kafka',
    origin: `${h['dlq-original-topic'] ?? '?'}/${h['dlq-original-partition'] ?? '?'}/${h['dlq-original-offset'] ?? `dlq-${record.partition}-${record.offset}`}`,
    destination: h['dlq-original-topic'] ?? TOPICS.registrationRequested,
    key: record.key,
    payload: record.value ?? '',
    headers: h,
    reason: h['dlq-error'] ?? 'unknown',
    attempts: h['dlq-attempts'] ? Number(h['dlq-attempts']) : null,
    failedAt: new Date(h['dlq-failed-at'] ?? Date.now()),
  });
}

/** A message from ActiveMQ's dead-letter queue (invalid, or past its redelivery limit), archived then acked. */
export async function archiveQueueDeadLetter(message: IncomingMessage, deps: DeadLetterDeps): Promise<void> {
  const h = message.headers;
  await deps.deadLetters.archive({
    source: 'activemq',
    origin: h['message-id'] ?? `${Date.now()}-${Math.random()}`,
    destination: QUEUES.review,
    key: null,
    payload: message.body,
    headers: h,
    reason: h['dlq-reason'] ?? h.dlqDeliveryFailureCause ?? 'delivery failed more often than the redelivery policy allows',
    attempts: null,
    failedAt: new Date(h['dlq-failed-at'] ?? Date.now()),
  });
  message.ack();
}

/**
 * Sends dead letters back where they failed, one at a time, marking each only after its source has
 * it. The pipeline is idempotent by registration id, so replaying one that half-succeeded is safe.
 */
export async function replayDeadLetters(ids: number[] | 'all', admin: string, deps: DeadLetterDeps): Promise<{ replayed: number[]; failed: Array<{ id: number; error: string }> }> {
  const entries = await deps.deadLetters.waiting(ids === 'all' ? undefined : ids);
  const replayed: number[] = [];
  const failed: Array<{ id: number; error: string }> = [];
  for (const entry of entries) {
    try {
      await resend(entry, deps);
      if (await deps.deadLetters.markReplayed(entry.id, admin)) replayed.push(entry.id);
    } catch (err) {
      failed.push({ id: entry.id, error: err instanceof Error ? err.message : String(err) });
    }
  }
  deps.logger.info({ replayed: replayed.length, failed: failed.length, admin: maskEmail(admin) }, 'dead letters replayed');
  return { replayed, failed };
}

async function resend(entry: DeadLetter, deps: DeadLetterDeps): Promise<void> {
  const headers = cleanHeaders(entry.headers);
  if (entry.source === 'kafka') {
    await deps.publisher.publish(entry.destination, { key: entry.key ?? '', value: entry.payload, headers });
  } else {
    await deps.stomp.send(entry.destination, entry.payload, headers);
  }
}
