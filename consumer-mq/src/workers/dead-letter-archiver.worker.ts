import { QUEUES, TOPICS, retryUntilReady, type Logger } from '@regflow/common';
import { runConsumer, type ConsumedRecord, type ListenerOptions, type RunningConsumer } from '@regflow/common/kafka';
import type { IncomingMessage, StompSession } from '@regflow/common/stomp';
import type { DeadLettersRepository } from '../data-access/dead-letters-repository';
import type { NewDeadLetter } from '../domain/model';

const GROUP_ID = 'consumer-mq-dead-letter-archive';

/**
 * Archives both kinds of dead letters in Postgres, so one admin tool lists and replays them: ActiveMQ's
 * dead-letter queue (each message archived, then acked) and the orchestrator's Kafka dead-letter topic
 * (its own consumer group, joined in the background so the admin API starts at once; a record that
 * cannot be archived yet is retried, never skipped). Archiving twice stores once.
 */
export class DeadLetterArchiver {
  private readonly stopping = new AbortController();
  private consumer: Promise<RunningConsumer | undefined> | undefined;

  constructor(
    private readonly deps: {
      deadLetters: DeadLettersRepository;
      stomp: StompSession;
      listener: ListenerOptions;
      logger: Logger;
    },
  ) {}

  start(): void {
    const { deadLetters, stomp, listener, logger } = this.deps;
    stomp.subscribe(QUEUES.reviewDeadLetter, { prefetch: 20 }, async (message) => {
      await deadLetters.archive(fromQueue(message));
      message.ack();
    });
    this.consumer = retryUntilReady(
      'kafka (dead-letter archive)',
      () =>
        runConsumer({
          ...listener,
          groupId: GROUP_ID,
          topics: [TOPICS.deadLetter],
          maxAttempts: Number.MAX_SAFE_INTEGER,
          handler: (record) => deadLetters.archive(fromKafka(record)),
        }),
      { logger, signal: this.stopping.signal },
    ).catch(() => undefined); // only an abort ends the retrying: stopped before Kafka was there
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await (await this.consumer)?.stop();
  }
}

/** A record of the dead-letter topic: the original record, with the orchestrator's dlq-* headers. */
function fromKafka(record: ConsumedRecord): NewDeadLetter {
  const h = record.headers;
  return storable({
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

/** A message of ActiveMQ's dead-letter queue: invalid (our dlq-reason), or past its redelivery limit (the broker's cause). */
function fromQueue(message: IncomingMessage): NewDeadLetter {
  const h = message.headers;
  return storable({
    source: 'activemq',
    origin: h['message-id'] ?? `${Date.now()}-${Math.random()}`,
    destination: QUEUES.review,
    key: null,
    payload: message.body,
    headers: h,
    reason:
      h['dlq-reason'] ?? h.dlqDeliveryFailureCause ?? 'delivery failed more often than the redelivery policy allows',
    attempts: null,
    failedAt: new Date(h['dlq-failed-at'] ?? Date.now()),
  });
}

/**
 * Postgres stores no NUL character in text or jsonb, and a dead letter is whatever someone wrote to a
 * topic: one holding NUL would fail its insert on every retry and stall its partition for good. It is
 * archived with each NUL replaced by U+FFFD instead (its reason says so), so that the archive stays
 * complete and the partition moves on; replaying it sends the replaced text.
 */
function storable(entry: NewDeadLetter): NewDeadLetter {
  const has = (s: string | null) => s !== null && s.includes('\0');
  if (
    ![
      entry.payload,
      entry.key,
      entry.reason,
      entry.origin,
      entry.destination,
      ...Object.entries(entry.headers).flat(),
    ].some(has)
  )
    return entry;
  const clean = (s: string) => s.replaceAll('\0', '\uFFFD');
  return {
    ...entry,
    origin: clean(entry.origin),
    destination: clean(entry.destination),
    key: entry.key === null ? null : clean(entry.key),
    payload: clean(entry.payload),
    headers: Object.fromEntries(Object.entries(entry.headers).map(([k, v]) => [clean(k), clean(v)])),
    reason: `${clean(entry.reason)} (archived with NUL characters replaced by U+FFFD)`,
  };
}
