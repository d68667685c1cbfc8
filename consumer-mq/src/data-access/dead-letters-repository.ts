import { and, desc, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import type { DeadLetter, NewDeadLetter } from '../domain/model';
import type { Database } from './db/database';
import { deadLetters } from './db/schema';

export class DeadLettersRepository {
  constructor(private readonly db: Database) {}

  /** Archives a dead letter; the same message archived twice (a redelivery) is stored once. */
  async archive(entry: NewDeadLetter): Promise<void> {
    await this.db.insert(deadLetters).values(entry).onConflictDoNothing();
  }

  async list(opts: {
    status: 'waiting' | 'replayed' | 'all';
    limit: number;
  }): Promise<{ items: DeadLetter[]; waiting: number }> {
    const where =
      opts.status === 'waiting'
        ? isNull(deadLetters.replayedAt)
        : opts.status === 'replayed'
          ? isNotNull(deadLetters.replayedAt)
          : undefined;
    const [items, [count]] = await Promise.all([
      this.db.select().from(deadLetters).where(where).orderBy(desc(deadLetters.id)).limit(opts.limit),
      this.db
        .select({ n: sql<number>`count(*)::int` })
        .from(deadLetters)
        .where(isNull(deadLetters.replayedAt)),
    ]);
    return { items, waiting: count?.n ?? 0 };
  }

  async waiting(ids?: number[]): Promise<DeadLetter[]> {
    return this.db
      .select()
      .from(deadLetters)
      .where(ids ? and(isNull(deadLetters.replayedAt), inArray(deadLetters.id, ids)) : isNull(deadLetters.replayedAt))
      .orderBy(deadLetters.id)
      .limit(ids ? ids.length : 1000);
  }

  /** Marked only after the message is back at its source, so a replay that stops half way loses nothing. */
  async markReplayed(id: number, by: string): Promise<boolean> {
    const rows = await this.db
      .update(deadLetters)
      .set({ replayedAt: new Date(), replayedBy: by })
      .where(and(inArray(deadLetters.id, [id]), isNull(deadLetters.replayedAt)))
      .returning({ id: deadLetters.id });
    return rows.length > 0;
  }
}
