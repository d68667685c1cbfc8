import type pg from 'pg';
import type { ErasureRecord, ErasureStep } from '../domain/erase-registration';
import type { AuditEntry } from '../domain/audit';
import { recordAudit } from './audit-log';
import { withHeldClient } from './db/held-client';

const STEP_COLUMNS: Record<ErasureStep, string> = {
  postgres: 'postgres_erased_at',
  redis: 'redis_erased_at',
};

/**
 * The erasure requests and the Postgres part of an erasure (docs/privacy.md): every table that holds
 * the person, in one transaction with the step's mark, so the step is done entirely or not at all.
 */
export class ErasureRepository {
  constructor(private readonly pool: pg.Pool) {}

  /** Records the request (the first one wins: asking twice changes nothing) and returns it as stored. */
  async request(registrationId: string, requestedBy: string, correlationId: string | null): Promise<ErasureRecord> {
    await this.pool.query(
      `insert into erasures (registration_id, requested_by, correlation_id) values ($1, $2, $3)
       on conflict (registration_id) do nothing`,
      [registrationId, requestedBy, correlationId],
    );
    return (await this.find(registrationId))!;
  }

  async find(registrationId: string): Promise<ErasureRecord | null> {
    const { rows } = await this.pool.query<{
      registration_id: string;
      requested_by: string;
      requested_at: Date;
      postgres_erased_at: Date | null;
      redis_erased_at: Date | null;
      completed_at: Date | null;
    }>(`select * from erasures where registration_id = $1`, [registrationId]);
    const row = rows[0];
    if (!row) return null;
    return {
      registrationId: row.registration_id,
      requestedBy: row.requested_by,
      requestedAt: row.requested_at,
      done: { postgres: row.postgres_erased_at !== null, redis: row.redis_erased_at !== null },
      completedAt: row.completed_at,
    };
  }

  /**
   * Removes the person from Postgres: the approved user's row goes; the decision keeps its outcome,
   * time and reviewer but loses the snapshot of the registration and the reason (and owes no email
   * any more); sent_emails keep that an email went out, not to whom; published outbox rows of the
   * registration and every dead letter naming it (its id is in every event about it) are deleted.
   * An unpublished outbox row stays for the relay (a decision event holds no name, email or CPF) and
   * is pruned by retention. Returns how many rows each table lost or had scrubbed.
   */
  async erasePostgres(registrationId: string): Promise<Record<string, number>> {
    return this.inTransaction(async (client) => {
      const count = async (text: string) => (await client.query(text, [registrationId])).rowCount ?? 0;
      const counts = {
        approvedUsers: await count(`delete from approved_users where id = $1`),
        decisions: await count(
          `update decisions set registration = jsonb_build_object('id', user_id, 'erased', true),
             reason = null, reason_shared = false, email_applicant = false where user_id = $1`,
        ),
        sentEmails: await count(`update sent_emails set recipient = 'erased' where registration_id = $1`),
        outbox: await count(`delete from outbox where key = $1 and published_at is not null`),
        deadLetters: await count(
          `delete from dead_letters where key = $1 or strpos(payload, $1) > 0 or strpos(headers::text, $1) > 0`,
        ),
      };
      await client.query(`update erasures set postgres_erased_at = now() where registration_id = $1`, [registrationId]);
      return counts;
    });
  }

  async markDone(registrationId: string, step: ErasureStep): Promise<void> {
    await this.pool.query(`update erasures set ${STEP_COLUMNS[step]} = now() where registration_id = $1`, [
      registrationId,
    ]);
  }

  /** Marks the erasure complete and records it in the audit trail, together (once: a second call finds it complete). */
  async complete(registrationId: string, audit: AuditEntry): Promise<boolean> {
    return this.inTransaction(async (client) => {
      const { rowCount } = await client.query(
        `update erasures set completed_at = now() where registration_id = $1 and completed_at is null`,
        [registrationId],
      );
      if (!rowCount) return false;
      await recordAudit(client, audit);
      return true;
    });
  }

  private inTransaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return withHeldClient(this.pool, async (client, discard) => {
      await client.query('begin');
      try {
        const value = await fn(client);
        await client.query('commit');
        return value;
      } catch (err) {
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
