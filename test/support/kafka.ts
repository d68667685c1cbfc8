import type { Kafka } from '@regflow/common/kafka';
import { poll } from '../../scripts/stack/lib/processes';

/**
 * The positive signal that a consumer group is done with a topic: its committed offsets have reached the
 * end of every partition. A consumer handles a record before its batch commits, so once this holds, what
 * it handled is final, and a test can assert that something did not happen (a duplicate) without a
 * sleep that guesses how long it would take.
 */
export async function committedToEnd(kafka: Kafka, groupId: string, topic: string, timeoutMs = 60_000): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await poll(
      async () => {
        const ends = await admin.fetchTopicOffsets(topic);
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
        const done = (end: { partition: number; high: string }) =>
          end.high === '0' || committed?.partitions.find((p) => p.partition === end.partition)?.offset === end.high;
        return ends.every(done);
      },
      {
        timeoutMs,
        intervalMs: 50,
        onTimeout: (last) =>
          new Error(
            `group ${groupId} did not commit the end of ${topic} within ${timeoutMs} ms${last ? ` (${String(last)})` : ''}`,
          ),
      },
    );
  } finally {
    await admin.disconnect();
  }
}
