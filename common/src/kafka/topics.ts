import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from 'pino';

export interface TopicSpec {
  topic: string;
  partitions: number;
  replicationFactor: number;
}

/** The settings every service reads to create the topics it owns (the brokers never auto-create). */
export interface TopicSettings {
  KAFKA_TOPIC_PARTITIONS: number;
  KAFKA_REPLICATION_FACTOR: number;
}

export function topicSpecs(topics: readonly string[], settings: TopicSettings): TopicSpec[] {
  return topics.map((topic) => ({
    topic,
    partitions: settings.KAFKA_TOPIC_PARTITIONS,
    replicationFactor: settings.KAFKA_REPLICATION_FACTOR,
  }));
}

/**
 * Creates each topic that does not exist yet and waits for its partition leaders. An existing topic is
 * kept as it is (Kafka cannot shrink partitions; an operator's choice wins); a different partition
 * count is only logged.
 */
export async function ensureTopics(admin: Admin, specs: readonly TopicSpec[], logger: Logger): Promise<void> {
  if (specs.length === 0) return;
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.topic));
  // Another service may create the same topic meanwhile: createTopics then answers false for it, fine.
  if (
    missing.length > 0 &&
    (await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((s) => ({
        topic: s.topic,
        numPartitions: s.partitions,
        replicationFactor: s.replicationFactor,
      })),
    }))
  ) {
    logger.info({ topics: missing.map((s) => s.topic) }, 'kafka topics created');
  }
  const present = specs.filter((s) => existing.has(s.topic));
  if (present.length === 0) return;
  const { topics } = await admin.fetchTopicMetadata({ topics: present.map((s) => s.topic) });
  for (const spec of present) {
    const found = topics.find((t) => t.name === spec.topic);
    if (found && found.partitions.length !== spec.partitions) {
      logger.warn(
        { topic: spec.topic, partitions: found.partitions.length, configured: spec.partitions },
        'kafka topic exists with another partition count; kept as it is',
      );
    }
  }
}

/** ensureTopics for callers without a publisher of their own (tests, tools): an admin for the call. */
export async function createTopics(kafka: Kafka, specs: readonly TopicSpec[], logger: Logger): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, specs, logger);
  } finally {
    await admin.disconnect();
  }
}
