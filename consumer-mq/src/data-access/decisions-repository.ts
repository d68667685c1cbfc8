import { eq, gte, inArray, sql } from 'drizzle-orm';
import type { Decision, Registration } from '@regflow/common';
import type { DecisionRecordOptions, OutboxEvent, StoredDecision } from '../domain/model';
import type { Database } from './db/database';
import { withHeldClient } from './db/held-client';
import { decisions, outbox } from './db/schema';

export type { DecisionRecordOptions, OutboxEvent, StoredDecision };

export class DecisionsRepository {
  constructor(private readonly db: Database) {}

  /**
   * Records a decision, the approved user (when approved) and its event in ONE statement, so in one
   * transaction: the decision insert feeds the other two through `returning`, so they insert nothing
   * unless it did. The decisions primary key makes the first writer win: a second decision for the
   * same user inserts nothing at all and gets the winner back instead. Every decision recorded here
   * owes the applicant a decision email (`email_applicant`). Its audit entry ('decision.approved' or
   * 'decision.rejected', by the decider) is written by the same statement: no decision without it.
   */
  async record(
    decision: Decision,
    registration: Registration & Record<string, unknown>,
    event: OutboxEvent,
    correlationId: string,
    options: DecisionRecordOptions = {},
  ): Promise<{ won: true } | { won: false; existing: StoredDecision }> {
    // A single round trip instead of begin, three inserts and commit (five), and a named statement so
    // Postgres parses and plans it once per connection: this is the hot path of every decision.
    const { rows } = await this.db.$client.query<{ won: number }>({
      name: 'decisions.record',
      text: RECORD_SQL,
      values: [
        decision.userId,
        decision.outcome,
        decision.reason ?? null,
        decision.decidedBy,
        new Date(decision.decidedAt).toISOString(),
        JSON.stringify(registration),
        correlationId,
        registration.id,
        registration.name,
        registration.email,
        registration.cpf ?? null,
        registration.phone ?? null,
        registration.note ?? null,
        new Date(registration.registeredAt).toISOString(),
        event.topic,
        event.key,
        event.value,
        JSON.stringify(event.headers),
        options.reasonShared === true && decision.reason !== undefined,
        options.catalogueReason?.id ?? null,
        options.catalogueReason?.label ?? null,
        options.catalogueReason?.text ?? null,
        options.catalogueReason?.shared ?? false,
        options.audit?.actorId ?? null,
        options.audit?.correlationId ?? correlationId,
        JSON.stringify(options.audit?.detail ?? {}),
      ],
    });
    if (rows[0]?.won === 1) return { won: true as const };
    // Read in a statement of its own: under read committed it sees the winner once that committed
    // (the insert above waited for it if it was still in flight).
    const existing = await this.find(decision.userId);
    if (!existing) throw new Error(`decision for ${decision.userId} neither inserted nor found`);
    return { won: false as const, existing };
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
   * Hands unpublished outbox rows to `publish`, inside one transaction that has locked them (SKIP
   * LOCKED, so replicas share the work without publishing a row twice at once) and marked them
   * published: the mark commits only after `publish` resolved. If publishing fails the transaction
   * rolls back and the rows stay for the next round.
   */
  async relayBatch(limit: number, publish: (events: OutboxEvent[]) => Promise<void>): Promise<number> {
    return withHeldClient(this.db.$client, async (client, discard) => {
      try {
        await client.query('begin');
        // Lock and mark in one statement (three round trips per round instead of four).
        const { rows } = await client.query<OutboxEvent & { id: string }>({
          name: 'outbox.claim',
          text: CLAIM_SQL,
          values: [limit],
        });
        if (rows.length > 0) {
          // `returning` does not keep the subquery's order; per-key order on the topic needs it.
          rows.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
          await publish(rows.map(({ topic, key, value, headers }) => ({ topic, key, value, headers })));
        }
        await client.query('commit');
        return rows.length;
      } catch (err) {
        // A connection that cannot even roll back goes, instead of back to the pool.
        await client
          .query('rollback')
          .catch((rollbackErr: unknown) =>
            discard(rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr))),
          );
        throw err;
      }
    });
  }
}

const RECORD_SQL = `
with d as (
  insert into decisions (user_id, outcome, reason, decided_by, decided_at, registration, correlation_id, reason_shared, email_applicant,
                         catalogue_reason_id, catalogue_reason_label, catalogue_reason_text, catalogue_reason_shared)
  values ($1, $2, $3, $4, $5, $6, $7, $19, true, $20, $21, $22, $23)
  on conflict do nothing
  returning user_id
), a as (
  insert into approved_users (id, name, email, cpf, phone, note, registered_at, approved_at, approved_by)
  select $8, $9, $10, $11, $12, $13, $14, $5, $4 from d where $2::text = 'approved'
), o as (
  insert into outbox (topic, key, value, headers)
  select $15, $16, $17, $18 from d
), l as (
  insert into audit_log (actor, actor_id, action, registration_id, correlation_id, detail)
  select $4, $24, 'decision.' || $2, $1, $25, $26 from d
)
select count(*)::int as won from d`;

const CLAIM_SQL = `
update outbox set published_at = now()
where id in (select id from outbox where published_at is null order by id limit $1 for update skip locked)
returning id::text as id, topic, key, value, headers`;

function toStored(row: typeof decisions.$inferSelect): StoredDecision {
  return {
    userId: row.userId,
    outcome: row.outcome,
    ...(row.reason ? { reason: row.reason } : {}),
    decidedBy: row.decidedBy,
    decidedAt: row.decidedAt.toISOString(),
    registration: row.registration as StoredDecision['registration'],
    reasonShared: row.reasonShared,
    emailApplicant: row.emailApplicant,
    ...(row.catalogueReasonId
      ? {
          catalogueReason: {
            id: row.catalogueReasonId,
            label: row.catalogueReasonLabel ?? '',
            text: row.catalogueReasonText ?? '',
            shared: row.catalogueReasonShared,
          },
        }
      : {}),
  };
}
