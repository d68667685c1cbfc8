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
  /** Partitions processed at once. */
  partitionsConsumedConcurrently?: number;
  /** Records of one partition's batch handled at once (default 16); records with the same key always in order. */
  recordsConcurrently?: number;
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
  const newConsumer = (): Consumer =>
    opts.kafka.consumer({
      groupId: opts.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: opts.sessionTimeoutMs ?? 12_000,
      // How long a rebalance waits for members to rejoin: short, because batches are small and fast.
      rebalanceTimeout: (opts.sessionTimeoutMs ?? 12_000) + 3000,
      heartbeatInterval: 1000,
      maxWaitTimeInMs: 100,
    });

  const deadLetter = async (record: ConsumedRecord, err: unknown) => {
    const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    if (!opts.deadLetter) {
      opts.logger.error(
        { topic: record.topic, partition: record.partition, offset: record.offset, err },
        'record skipped: it cannot be processed',
      );
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
    opts.logger.error(
      { topic: record.topic, partition: record.partition, offset: record.offset, attempt: record.attempt, err },
      'record dead-lettered',
    );
  };

  /**
   * Records of one batch are handled up to `recordsConcurrently` at a time, because each handler spends
   * most of its time waiting on other servers (Elasticsearch, ActiveMQ): in sequence, a partition's
   * throughput is one record per sum of round trips. Records with the same key (one person's events)
   * still run one after another, in offset order. Offsets are resolved only up to the first record
   * that is not done, so nothing is committed before its effects. After a failure the partition runs
   * one record at a time until a batch passes cleanly: retries, backoff and dead-lettering then
   * behave exactly as in sequence (an outage does not dead-letter a whole batch's worth at once).
   */
  const degraded = new Set<string>();

  /**
   * One OffsetCommit request at a time, shared by the partitions' batches: kafkajs would otherwise send
   * one per batch at once (with autoCommit), each a write to the group coordinator. A commit covers
   * every partition's resolved offsets, so batches finishing while one is in flight share the next one;
   * each batch still returns only after its offsets are committed.
   */
  let committing: Promise<void> | undefined;
  let nextCommit: Promise<void> | undefined;
  const commitResolved = (commit: () => Promise<void>): Promise<void> => {
    if (!committing) {
      committing = commit().finally(() => {
        committing = undefined;
      });
      return committing;
    }
    nextCommit ??= committing
      .catch(() => undefined)
      .then(() => {
        nextCommit = undefined;
        return commitResolved(commit);
      });
    return nextCommit;
  };
  /** Records done (handled or dead-lettered) but not yet resolvable because an earlier one failed: skipped when fetched again. */
  const doneAhead = new Set<string>();

  const eachBatch = async ({
    batch,
    resolveOffset,
    heartbeat,
    commitOffsetsIfNecessary,
    isRunning,
    isStale,
    pause,
  }: EachBatchPayload) => {
    const partitionKey = `${batch.topic}:${batch.partition}`;
    const concurrency = degraded.has(partitionKey) ? 1 : Math.max(1, opts.recordsConcurrently ?? 16);
    const status = new Map<string, 'done' | 'failed'>();
    let stopLaunching = false;
    let firstFailure: { record: ConsumedRecord; err: unknown } | undefined;
    let fatal: { err: unknown } | undefined;
    // Concurrent records share one heartbeat request instead of each sending its own.
    let beating: Promise<void> | undefined;
    const beat = () => (beating ??= heartbeat().finally(() => (beating = undefined)));

    /** Handles one record; false when it failed and its lane (and the batch) must stop launching. */
    const run = async (message: KafkaMessage): Promise<boolean> => {
      const key = `${partitionKey}:${message.offset}`;
      if (doneAhead.has(key)) {
        status.set(message.offset, 'done');
        return true;
      }
      const record = toRecord(batch.topic, batch.partition, message, (attempts.get(key) ?? 0) + 1);
      try {
        await opts.handler(record);
        attempts.delete(key);
        opts.hooks?.onProcessed?.(record);
      } catch (err) {
        if (err instanceof PoisonMessageError || record.attempt >= maxAttempts) {
          try {
            await deadLetter(record, err);
          } catch (dlqErr) {
            // The batch fails once the records in hand finish, and this record comes back.
            fatal ??= { err: dlqErr };
            return false;
          }
          attempts.delete(key);
        } else {
          attempts.set(key, record.attempt);
          status.set(message.offset, 'failed');
          if (!firstFailure || Number(message.offset) < Number(firstFailure.record.offset))
            firstFailure = { record, err };
          return false;
        }
      }
      status.set(message.offset, 'done');
      try {
        await beat();
      } catch (err) {
        // A rebalance, for instance: stop launching, let the records in hand finish, then fail the batch.
        fatal ??= { err };
        return false;
      }
      return true;
    };

    // One lane per key, in order of first appearance; a record without a key has no one to stay in order
    // with. One at a time, a single lane: strictly offset order, as a plain loop would do.
    const lanes = new Map<string, KafkaMessage[]>();
    for (const message of batch.messages) {
      const laneKey =
        concurrency === 1 ? '' : message.key ? `k:${message.key.toString('base64')}` : `o:${message.offset}`;
      const lane = lanes.get(laneKey);
      if (lane) lane.push(message);
      else lanes.set(laneKey, [message]);
    }
    const queue = [...lanes.values()];
    const worker = async () => {
      for (let lane = queue.shift(); lane; lane = queue.shift()) {
        for (const message of lane) {
          if (stopLaunching || !isRunning() || isStale()) return;
          if (!(await run(message))) {
            stopLaunching = true;
            return;
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));

    let resolvedUpTo: string | undefined;
    for (const message of batch.messages) {
      const key = `${partitionKey}:${message.offset}`;
      if (status.get(message.offset) !== 'done') break;
      resolvedUpTo = message.offset;
      doneAhead.delete(key);
    }
    if (resolvedUpTo !== undefined) resolveOffset(resolvedUpTo);
    // Done past the resolved prefix: remembered, so the refetch after the pause does not repeat them.
    for (const message of batch.messages) {
      if (resolvedUpTo !== undefined && Number(message.offset) <= Number(resolvedUpTo)) continue;
      if (status.get(message.offset) === 'done') doneAhead.add(`${partitionKey}:${message.offset}`);
    }
    if (fatal) {
      await commitResolved(() => commitOffsetsIfNecessary()).catch(() => undefined);
      throw fatal.err;
    }

    if (firstFailure) {
      degraded.add(partitionKey);
      const { record, err } = firstFailure;
      const delay = backoff(record.attempt, base, cap);
      opts.hooks?.onRetry?.(record, err, delay);
      opts.logger.warn(
        {
          topic: batch.topic,
          partition: batch.partition,
          offset: record.offset,
          attempt: record.attempt,
          delayMs: delay,
          err,
        },
        'record failed; pausing partition before retry',
      );
      const resume = pause();
      const timer = setTimeout(() => {
        resumeTimers.delete(timer);
        resume();
      }, delay);
      resumeTimers.add(timer);
    } else if (status.size === batch.messages.length) {
      degraded.delete(partitionKey);
    }
    await commitResolved(() => commitOffsetsIfNecessary());
    const last = batch.messages[batch.messages.length - 1];
    if (last)
      opts.hooks?.onLag?.(
        batch.topic,
        batch.partition,
        Math.max(0, Number(batch.highWatermark) - Number(last.offset) - 1),
      );
  };

  const start = async (consumer: Consumer): Promise<void> => {
    await consumer.connect();
    await consumer.subscribe({ topics: opts.topics, fromBeginning: true });
    await consumer.run({
      eachBatchAutoResolve: false,
      // Committed by eachBatch itself (commitResolved); threshold 1 = whenever anything is resolved.
      autoCommit: false,
      autoCommitThreshold: 1,
      partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently ?? 1,
      eachBatch,
    });
  };

  /**
   * kafkajs restarts a consumer that crashed on a retriable error, but one that crashed on an error it
   * calls non-retriable stays stopped for good, while the process lives on (seen in the fault suite: a
   * broker stopped during a rebalance gave "Failed to find group coordinator", and that group consumed
   * nothing more). Such a consumer is replaced by a new one of the same group, after a pause, until it
   * runs again; what it had not committed is fetched again, as after any restart.
   */
  let stopping = false;
  let current = newConsumer();
  let replacing: Promise<void> | undefined;
  const watch = (consumer: Consumer): void => {
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || stopping || consumer !== current) return;
      opts.logger.error(
        { groupId: opts.groupId, err: payload.error },
        'kafka consumer stopped for good by kafkajs; starting a new one',
      );
      replacing = (async () => {
        for (let attempt = 1; !stopping; attempt++) {
          await new Promise((resolve) => setTimeout(resolve, backoff(attempt, 1000, 15_000)));
          if (stopping) return;
          // The crashed one, or the last one that did not start.
          await current.disconnect().catch(() => undefined);
          const next = newConsumer();
          current = next;
          watch(next);
          try {
            await start(next);
            return;
          } catch (err) {
            opts.logger.warn({ groupId: opts.groupId, err, attempt }, 'new kafka consumer did not start; retrying');
          }
        }
      })();
    });
  };
  watch(current);
  await start(current);

  return {
    get consumer() {
      return current;
    },
    stop: async () => {
      stopping = true;
      for (const timer of resumeTimers) clearTimeout(timer);
      await replacing?.catch(() => undefined);
      // kafkajs waits for the running batch, commits resolved offsets and leaves the group.
      await current.disconnect();
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
