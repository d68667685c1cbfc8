import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { decodeHeaders } from './client';
import type { EventPublisher } from './publisher';

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  /** 1 on the first try; counts retries of this record within this process. */
  attempt: number;
}

/** Thrown (or returned by `isPoison`) for a record that can never succeed: dead-lettered at once. */
export class PoisonMessageError extends Error {
  override name = 'PoisonMessageError';
}

export interface ConsumerHooks {
  /** After each batch: how many records of this partition are still behind the high watermark. */
  onLag?(topic: string, partition: number, lag: number): void;
  onProcessed?(record: ConsumedRecord): void;
  onRetry?(record: ConsumedRecord, err: unknown, delayMs: number): void;
  onDeadLetter?(record: ConsumedRecord, err: unknown): void;
}

export interface RunConsumerOptions {
  kafka: Kafka;
  groupId: string;
  topics: string[];
  logger: Logger;
  handler: (record: ConsumedRecord) => Promise<void>;
  /** Where records that cannot be processed go; without it they are logged and skipped. */
  deadLetter?: { topic: string; publisher: EventPublisher };
  maxAttempts?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** Partitions processed at once; records of one partition are always handled in order. */
  partitionsConsumedConcurrently?: number;
  /** A member silent this long is evicted and its partitions reassigned (kafkajs' default is 30 s). */
  sessionTimeoutMs?: number;
  hooks?: ConsumerHooks;
}

export interface RunningConsumer {
  consumer: Consumer;
  /** Finishes the record in hand, commits what was processed, leaves the group. */
  stop(): Promise<void>;
}

/**
 * Consumes with at-least-once semantics: a record's offset is resolved only after its handler
 * succeeded (or it was dead-lettered), and committed after the batch. A handler failure pauses that
 * partition for an exponential, jittered backoff instead of spinning; kafkajs then fetches again from
 * the first unresolved offset. After `maxAttempts`, or at once for a PoisonMessageError, the record is
 * copied to the dead-letter topic with the error, attempt count and origin in headers, and the
 * partition moves on.
 */
export async function runConsumer(opts: RunConsumerOptions): Promise<RunningConsumer> {
  const maxAttempts = opts.maxAttempts ?? 8;
  const base = opts.baseBackoffMs ?? 200;
  const cap = opts.maxBackoffMs ?? 15_000;
  const attempts = new Map<string, number>();
  const resumeTimers = new Set<NodeJS.Timeout>();
  const consumer = opts.kafka.consumer({
    groupId: opts.groupId,
    allowAutoTopicCreation: true,
    sessionTimeout: opts.sessionTimeoutMs ?? 12_000,
    // How long a rebalance waits for members to rejoin: short, because batches are small and fast.
    rebalanceTimeout: (opts.sessionTimeoutMs ?? 12_000) + 3000,
    heartbeatInterval: 1000,
    maxWaitTimeInMs: 100,
  });

  const deadLetter = async (record: ConsumedRecord, err: unknown) => {
    const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    if (!opts.deadLetter) {
      opts.logger.error({ topic: record.topic, partition: record.partition, offset: record.offset, err }, 'record skipped: it cannot be processed');
      return;
    }
    await opts.deadLetter.publisher.publish(opts.deadLetter.topic, {
      key: record.key ?? '',
      value: record.value ?? '',
      headers: {
        ...record.headers,
        'dlq-error': error.slice(0, 1000),
        'dlq-attempts': String(record.attempt),
        'dlq-original-topic': record.topic,
        'dlq-original-partition': String(record.partition),
        'dlq-original-offset': record.offset,
        'dlq-consumer-group': opts.groupId,
        'dlq-failed-at': new Date().toISOString(),
      },
    });
    opts.hooks?.onDeadLetter?.(record, err);
    opts.logger.error({ topic: record.topic, partition: record.partition, offset: record.offset, attempt: record.attempt, err }, 'record dead-lettered');
  };

  const eachBatch = async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale, pause }: EachBatchPayload) => {
    for (const message of batch.messages) {
      if (!isRunning() || isStale()) break;
      const key = `${batch.topic}:${batch.partition}:${message.offset}`;
      const record = toRecord(batch.topic, batch.partition, message, (attempts.get(key) ?? 0) + 1);
      try {
        await opts.handler(record);
        attempts.delete(key);
        opts.hooks?.onProcessed?.(record);
      } catch (err) {
        if (err instanceof PoisonMessageError || record.attempt >= maxAttempts) {
          await deadLetter(record, err); // if this throws, the batch fails and the record comes back
          attempts.delete(key);
        } else {
          attempts.set(key, record.attempt);
          const delay = backoff(record.attempt, base, cap);
          opts.hooks?.onRetry?.(record, err, delay);
          opts.logger.warn({ topic: batch.topic, partition: batch.partition, offset: message.offset, attempt: record.attempt, delayMs: delay, err }, 'record failed; pausing partition before retry');
          const resume = pause();
          const timer = setTimeout(() => {
            resumeTimers.delete(timer);
            resume();
          }, delay);
          resumeTimers.add(timer);
          break;
        }
      }
      resolveOffset(message.offset);
      await heartbeat();
    }
    await commitOffsetsIfNecessary();
    const last = batch.messages[batch.messages.length - 1];
    if (last) opts.hooks?.onLag?.(batch.topic, batch.partition, Math.max(0, Number(batch.highWatermark) - Number(last.offset) - 1));
  };

  await consumer.connect();
  await consumer.subscribe({ topics: opts.topics, fromBeginning: true });
  await consumer.run({
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently ?? 1,
    eachBatch,
  });

  return {
    consumer,
    stop: async () => {
      for (const timer of resumeTimers) clearTimeout(timer);
      // kafkajs waits for the running batch, commits resolved offsets and leaves the group.
      await consumer.disconnect();
    },
  };
}

function toRecord(topic: string, partition: number, message: KafkaMessage, attempt: number): ConsumedRecord {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key ? message.key.toString('utf8') : null,
    value: message.value ? message.value.toString('utf8') : null,
    headers: decodeHeaders(message.headers as Record<string, unknown> | undefined),
    attempt,
  };
}

/** Equal jitter: between half and all of base * 2^(attempt-1), capped. */
export function backoff(attempt: number, base: number, cap: number): number {
  const ceiling = Math.min(cap, base * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}
