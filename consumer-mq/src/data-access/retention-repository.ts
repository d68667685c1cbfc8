import type pg from 'pg';

/**
 * Deletes what is kept only for operations once it is old enough (docs/privacy.md#retention), in
 * batches of `batch` rows per statement so that a large backlog never holds one long transaction or
 * a lock on the whole table. Each statement deletes rows only by their own age, so two replicas
 * running it at once would delete each row once; the worker still runs one at a time (advisory lock).
 */
export class RetentionRepository {
  constructor(private readonly pool: pg.Pool) {}

  /** Outbox rows published before `cutoff`; unpublished ones stay (the relay still owes them to Kafka). */
  pruneOutbox(cutoff: Date, batch = 1000): Promise<number> {
    return this.inBatches(
      `delete from outbox where id in (
         select id from outbox where published_at is not null and published_at < $1 order by id limit $2)`,
      cutoff,
      batch,
    );
  }

  /** Dead letters archived before `cutoff`, replayed or not: an admin has the retention window to replay one. */
  pruneDeadLetters(cutoff: Date, batch = 1000): Promise<number> {
    return this.inBatches(
      `delete from dead_letters where id in (
         select id from dead_letters where failed_at < $1 order by id limit $2)`,
      cutoff,
      batch,
    );
  }

  private async inBatches(text: string, cutoff: Date, batch: number): Promise<number> {
    let total = 0;
    for (;;) {
      const { rowCount } = await this.pool.query(text, [cutoff, batch]);
      total += rowCount ?? 0;
      if ((rowCount ?? 0) < batch) return total;
    }
  }
}
