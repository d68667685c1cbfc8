import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventPublisher, createKafka, type Kafka } from '@regflow/common/kafka';
import { findJava } from '../stack/lib/programs';
import { PRODUCE, type KafkaProxy } from './kafka-proxy';
import { brokerBehindProxy } from './test-broker';

const quiet = pino({ level: 'silent' });

/** The product's publisher (common/src/kafka) against a real broker, under faults the suite injects. */
describe.runIf(findJava())('the event publisher when a broker appended a request whose answer was lost', () => {
  let broker: string;
  let proxy: KafkaProxy;
  let stop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ broker, proxy, stop } = await brokerBehindProxy('publisher-test'));
  }, 180_000);

  afterAll(async () => {
    await stop?.();
  }, 60_000);

  it('when kafkajs gave up on it, then the next records are stored, not acknowledged as its duplicates, and publishing goes on', async () => {
    const topic = `publisher-test.${Date.now()}`;
    const publisher = new EventPublisher(
      createKafka({ clientId: 'publisher-test', brokers: proxy.address.split(','), logger: quiet }),
      quiet,
      {
        timeoutMs: 6000,
        topics: [{ topic, partitions: 1, replicationFactor: 1 }],
      },
    );
    try {
      await publisher.publish(topic, { key: 'k', value: 'a' });

      // "b" reaches the broker and is appended; its answer never comes back, and every retry is refused.
      const lost = proxy.loseNextAnswer(PRODUCE);
      const b = publisher.publish(topic, { key: 'k', value: 'b' });
      await lost;
      await proxy.setMode('refuse');
      await expect(b).rejects.toMatchObject({ outcome: 'unknown' });
      await proxy.setMode('up');

      // One record, as "b" was: under b's sequence number the broker would take it for b's retry.
      await publisher.publish(topic, { key: 'k', value: 'c' });
      // Two at once: past b's sequence number the broker would answer "out of order", forever.
      await Promise.all([
        publisher.publish(topic, { key: 'k', value: 'd1' }),
        publisher.publish(topic, { key: 'k', value: 'd2' }),
      ]);
    } finally {
      await publisher.close();
    }
    expect(
      await readAll(createKafka({ clientId: 'publisher-test-reader', brokers: [broker], logger: quiet }), topic),
    ).toEqual(['a', 'b', 'c', 'd1', 'd2']);
  });
});

/** Every value of a one-partition topic, in order, read straight from the broker. */
async function readAll(kafka: Kafka, topic: string): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  const [end] = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const high = Number(end?.high ?? 0);
  const values: string[] = [];
  if (high === 0) return values;
  const consumer = kafka.consumer({ groupId: `reader-${Date.now()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          values.push(message.value?.toString() ?? '');
          if (Number(message.offset) + 1 >= high) resolve();
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return values;
}
