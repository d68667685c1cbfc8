import type { Kafka } from '@regflow/common/kafka';

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
    for (const deadline = Date.now() + timeoutMs; ;) {
      const ends = await admin.fetchTopicOffsets(topic);
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const done = (end: { partition: number; high: string }) =>
        end.high === '0' || committed?.partitions.find((p) => p.partition === end.partition)?.offset === end.high;
      if (ends.every(done)) return;
      if (Date.now() > deadline)
        throw new Error(`group ${groupId} did not commit the end of ${topic} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await admin.disconnect();
  }
}
