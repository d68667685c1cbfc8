import { describe, expect, inject, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createLogger } from '../../src/logger';
import { createKafka, EventPublisher } from '../../src/kafka';

const logger = createLogger('topics-test', 'silent');

/** The brokers never auto-create topics: a service's publisher creates the topics it is given. */
describe('topics on the real broker', () => {
  const kafka = () =>
    createKafka({ clientId: 'topics-test', brokers: inject('stackEnv').KAFKA_BROKERS.split(','), logger });

  async function partitions(topic: string): Promise<number | undefined> {
    const admin = kafka().admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      return topics[0]?.partitions.length;
    } finally {
      await admin.disconnect();
    }
  }

  it('when a publisher connects, then the topics it owns exist with their partition count, and a second start keeps them as they are', async () => {
    const topic = `test.topics.${randomUUID()}`;
    const first = new EventPublisher(kafka(), logger, { topics: [{ topic, partitions: 3, replicationFactor: 1 }] });
    await first.connect();
    await first.publish(topic, { key: 'k', value: 'v' });
    await first.close();
    expect(await partitions(topic)).toBe(3);

    // Kafka cannot shrink a topic; another setting on a later start changes nothing and fails nothing.
    const second = new EventPublisher(kafka(), logger, { topics: [{ topic, partitions: 5, replicationFactor: 1 }] });
    await second.connect();
    await second.publish(topic, { key: 'k', value: 'v2' });
    await second.close();
    expect(await partitions(topic)).toBe(3);
  });

  it('when a record goes to a topic nobody created, then the publish fails instead of creating it', async () => {
    const topic = `test.topics.missing.${randomUUID()}`;
    const publisher = new EventPublisher(kafka(), logger, { timeoutMs: 3000 });
    try {
      await expect(publisher.publish(topic, { key: 'k', value: 'v' })).rejects.toThrow(/did not acknowledge/);
    } finally {
      await publisher.close();
    }
    expect(await partitions(topic).catch(() => undefined)).toBeUndefined();
  });
});
