import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createLogger } from '../../src/logger';
import {
  createKafka,
  createTopics,
  EventPublisher,
  runConsumer,
  type RunConsumerOptions,
  type RunningConsumer,
} from '../../src/kafka';
import { committedToEnd as committed } from '../../../test/support/kafka';

/**
 * runConsumer handles the records of a batch concurrently (recordsConcurrently); these tests pin what
 * that must never change: one person's records (one key) are handled one after another in offset
 * order, every record is handled once when nothing fails, a failed record is retried without
 * repeating the records done after it, and offsets are committed only for records whose handler
 * finished (a second member of the group sees nothing that was done, and everything that was not).
 */
const logger = createLogger('run-consumer-test', 'silent');
const KEYS = 12;
const PER_KEY = 25;

function brokers(): string[] {
  return inject('stackEnv').KAFKA_BROKERS.split(',');
}

async function produce(topic: string, publisher: EventPublisher): Promise<void> {
  // The broker never auto-creates topics; 4 partitions, as the services' own.
  await createTopics(
    createKafka({ clientId: 'run-consumer-test', brokers: brokers(), logger }),
    [{ topic, partitions: 4, replicationFactor: 1 }],
    logger,
  );
  const sends: Promise<void>[] = [];
  // Interleaved keys, so a batch holds many lanes and each lane several records.
  for (let seq = 0; seq < PER_KEY; seq++)
    for (let k = 0; k < KEYS; k++)
      sends.push(publisher.publish(topic, { key: `k${k}`, value: JSON.stringify({ k, seq }) }));
  await Promise.all(sends);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A member of `groupId` on `topic`, on a client of its own. */
const consume = (
  groupId: string,
  topic: string,
  options: Pick<RunConsumerOptions, 'handler'> & Partial<RunConsumerOptions>,
) =>
  runConsumer({
    kafka: createKafka({ clientId: 'run-consumer-test', brokers: brokers(), logger }),
    groupId,
    topics: [topic],
    logger,
    ...options,
  });

/** Every record of the topic handled and committed by the group (the signal the counts are final). */
const committedToEnd = (groupId: string, topic: string) =>
  committed(createKafka({ clientId: 'run-consumer-test', brokers: brokers(), logger }), groupId, topic, 90_000);

describe('runConsumer against the real broker', () => {
  let publisher: EventPublisher;
  const running: RunningConsumer[] = [];

  beforeAll(async () => {
    publisher = new EventPublisher(createKafka({ clientId: 'run-consumer-test', brokers: brokers(), logger }), logger, {
      lingerMs: 2,
    });
    await publisher.connect();
  });

  afterAll(async () => {
    await Promise.allSettled(running.map((c) => c.stop()));
    await publisher?.close();
  });

  it('when records of many keys arrive together, then each key is handled in offset order, every record once, and several at a time', async () => {
    const topic = `test.consumer.order.${randomUUID()}`;
    await produce(topic, publisher);
    const handled: { k: number; seq: number }[] = [];
    const active = new Map<string, number>();
    let maxInFlight = 0;
    let overlaps = 0;
    let inFlight = 0;
    const groupId = `test-order-${randomUUID()}`;
    const consumer = await consume(groupId, topic, {
      recordsConcurrently: 8,
      handler: async (record) => {
        const { k, seq } = JSON.parse(record.value!) as { k: number; seq: number };
        // Two records of one key at once would break the person's order (counted, not thrown: a throw is a retry).
        if ((active.get(record.key!) ?? 0) > 0) overlaps++;
        active.set(record.key!, 1);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await sleep(1 + ((k * 7 + seq * 3) % 5));
        inFlight--;
        active.set(record.key!, 0);
        handled.push({ k, seq });
      },
    });
    running.push(consumer);
    await committedToEnd(groupId, topic);

    expect(overlaps).toBe(0);
    expect(handled).toHaveLength(KEYS * PER_KEY);
    for (let k = 0; k < KEYS; k++) {
      expect(handled.filter((h) => h.k === k).map((h) => h.seq)).toEqual(Array.from({ length: PER_KEY }, (_, i) => i));
    }
    expect(maxInFlight).toBeGreaterThan(1);
  });

  it('when a record fails, then it is retried, the records done after it are not repeated, its key waits for it, and a new member after stop finds every offset committed', async () => {
    const topic = `test.consumer.retry.${randomUUID()}`;
    const groupId = `test-retry-${randomUUID()}`;
    await produce(topic, publisher);
    const successes = new Map<string, number>();
    const order = new Map<number, number[]>();
    const failedOnce = new Set<string>();
    let retries = 0;
    const consumer = await consume(groupId, topic, {
      recordsConcurrently: 8,
      baseBackoffMs: 20,
      maxBackoffMs: 100,
      hooks: { onRetry: () => retries++ },
      handler: async (record) => {
        const { k, seq } = JSON.parse(record.value!) as { k: number; seq: number };
        const id = `${k}:${seq}`;
        // Every fifth record of keys 0-3 fails on its first attempt.
        if (k < 4 && seq % 5 === 2 && !failedOnce.has(id)) {
          failedOnce.add(id);
          await sleep(2);
          throw new Error('transient');
        }
        await sleep(1);
        successes.set(id, (successes.get(id) ?? 0) + 1);
        order.set(k, [...(order.get(k) ?? []), seq]);
      },
    });
    running.push(consumer);
    await committedToEnd(groupId, topic);

    // One pause per batch that had failures (the earliest failure is the one reported).
    expect(retries).toBeGreaterThan(0);
    expect(failedOnce.size).toBe(4 * 5);
    expect([...successes.values()].every((n) => n === 1)).toBe(true);
    for (let k = 0; k < KEYS; k++) expect(order.get(k)).toEqual(Array.from({ length: PER_KEY }, (_, i) => i));

    await consumer.stop();
    running.splice(running.indexOf(consumer), 1);
    // A new member of the same group starts from the committed offsets: nothing is left to handle.
    const seen: string[] = [];
    const next = await consume(groupId, topic, {
      handler: async (record) => {
        seen.push(record.offset);
      },
    });
    running.push(next);
    // One more record proves the new member is consuming, and that it starts after the committed ones.
    await publisher.publish(topic, { key: 'k0', value: JSON.stringify({ k: 0, seq: PER_KEY }) });
    await committedToEnd(groupId, topic);
    expect(seen).toHaveLength(1);
  });
});
