import type pg from 'pg';
import type { AuditEntry } from '../domain/audit';

export type { AuditEntry };

/** Where an entry is written: the pool (on its own) or a client inside the caller's transaction. */
export type AuditExecutor = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

const INSERT_SQL = `insert into audit_log (actor, actor_id, action, registration_id, correlation_id, detail)
  values ($1, $2, $3, $4, $5, $6) returning id, at`;

/**
 * Records one audit entry. Pass the pool to record it on its own, or the client of a transaction in
 * flight (`begin` ... `commit` on a held client) to record it with what it tells: the entry then
 * commits or rolls back with the change. The table is append-only (the database refuses UPDATE,
 * DELETE and TRUNCATE), so nothing written here is ever changed.
 */
export async function recordAudit(executor: AuditExecutor, entry: AuditEntry): Promise<{ id: number; at: Date }> {
  const { rows } = await executor.query<{ id: string; at: Date }>({
    name: 'audit_log.record',
    text: INSERT_SQL,
    values: [
      entry.actor,
      entry.actorId ?? null,
      entry.action,
      entry.registrationId ?? null,
      entry.correlationId ?? null,
      JSON.stringify(entry.detail ?? {}),
    ],
  });
  const row = rows[0]!;
  return { id: Number(row.id), at: row.at };
}
