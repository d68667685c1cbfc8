import { and, eq, gte, inArray, isNull, sql } from 'drizzle-orm';
import type { Decision, Registration } from '@regflow/common';
import type { Database } from './db/database';
import { approvedUsers, decisions, outbox } from './db/schema';

export interface StoredDecision extends Decision {
  registration: Registration & Record<string, unknown>;
}

export interface OutboxEvent {
  topic: string;
  key: string;
  value: string;
  headers: Record<string, string>;
}

export class DecisionsRepository {
  constructor(private readonly db: Database) {}

  /**
   * Records a decision, the approved user (when approved) and its event in ONE transaction. The
   * decisions primary key makes the first writer win: a second decision for the same user inserts
   * nothing and gets the winner back instead.
   */
  async record(
    decision: Decision,
    registration: Registration & Record<string, unknown>,
    event: OutboxEvent,
    correlationId: string,
  ): Promise<{ won: true } | { won: false; existing: StoredDecision }> {
    return this.db.transaction(async (tx) => {
      const inserted = await tx
        .insert(decisions)
        .values({
          userId: decision.userId,
          outcome: decision.outcome,
          reason: decision.reason ?? null,
          decidedBy: decision.decidedBy,
          decidedAt: new Date(decision.decidedAt),
          registration,
          correlationId,
        })
        .onConflictDoNothing()
        .returning({ userId: decisions.userId });
      if (inserted.length === 0) {
        const [row] = await tx.select().from(decisions).where(eq(decisions.userId, decision.userId));
        return { won: false as const, existing: toStored(row!) };
      }
      if (decision.outcome === 'approved') {
        await tx.insert(approvedUsers).values({
          id: registration.id,
          name: registration.name,
          email: registration.email,
          cpf: registration.cpf ?? null,
          phone: registration.phone ?? null,
          note: registration.note ?? null,
          registeredAt: new Date(registration.registeredAt),
          approvedAt: new Date(decision.decidedAt),
          approvedBy: decision.decidedBy,
        });
      }
      await tx.insert(outbox).values(event);
      return { won: true as const };
    });
  }

  async find(userId: string): Promise<StoredDecision | null> {
    const [row] = await this.db.select().from(decisions).where(eq(decisions.userId, userId));
    return row ? toStored(row) : null;
  }

  async findMany(userIds: string[]): Promise<StoredDecision[]> {
    if (userIds.length === 0) return [];
    const rows = await this.db.select().from(decisions).where(inArray(decisions.userId, userIds));
    return rows.map(toStored);
  }

  /** Queues an event for the relay on its own (reconciliation re-announcing a decision). */
  async enqueue(event: OutboxEvent): Promise<void> {
    await this.db.insert(outbox).values(event);
  }

  async countsSince(since: Date): Promise<{ approved: number; rejected: number }> {
    const rows = await this.db
      .select({ outcome: decisions.outcome, n: sql<number>`count(*)::int` })
      .from(decisions)
      .where(gte(decisions.decidedAt, since))
      .groupBy(decisions.outcome);
    return {
      approved: rows.find((r) => r.outcome === 'approved')?.n ?? 0,
      rejected: rows.find((r) => r.outcome === 'rejected')?.n ?? 0,
    };
  }

  /**
   * Hands unpublished outbox rows to `publish` and marks them published, inside one transaction with
   * the rows locked (SKIP LOCKED, so replicas share the work without publishing a row twice at once).
   * If publishing fails the transaction rolls back and the rows stay for the next round.
   */
  async relayBatch(limit: number, publish: (events: OutboxEvent[]) => Promise<void>): Promise<number> {
    return this.db.transaction(async (tx) => {
      const rows = await tx
        .select()
        .from(outbox)
        .where(isNull(outbox.publishedAt))
        .orderBy(outbox.id)
        .limit(limit)
        .for('update', { skipLocked: true });
      if (rows.length === 0) return 0;
      await publish(rows.map(({ topic, key, value, headers }) => ({ topic, key, value, headers })));
      const ids = rows.map((r) => r.id);
      await tx
        .update(outbox)
        .set({ publishedAt: new Date() })
        .where(and(isNull(outbox.publishedAt), sql`${outbox.id} = any(${sql.raw(`array[${ids.join(',')}]::bigint[]`)})`));
      return rows.length;
    });
  }
}

function toStored(row: typeof decisions.$inferSelect): StoredDecision {
  return {
    userId: row.userId,
    outcome: row.outcome,
    ...(row.reason ? { reason: row.reason } : {}),
    decidedBy: row.decidedBy,
    decidedAt: row.decidedAt.toISOString(),
    registration: row.registration as StoredDecision['registration'],
  };
}
