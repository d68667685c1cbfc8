import { pipeline } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import type pg from 'pg';
import QueryStream from 'pg-query-stream';
import { stringify } from 'csv-stringify';
import type { AuditEntry, RecordedAuditEntry } from '../domain/audit';

export type { AuditEntry, RecordedAuditEntry };

/** What the audit page filters by; every part optional. Times are inclusive `from`, exclusive `to`. */
export interface AuditFilter {
  actor?: string;
  action?: string;
  registrationId?: string;
  from?: Date;
  to?: Date;
}

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

const COLUMNS = 'id, at, actor, actor_id, action, registration_id, correlation_id, detail';

/** The filter as SQL conditions and their values (numbered from 1). */
function where(filter: AuditFilter, before?: number): { sql: string; values: unknown[] } {
  const conditions: string[] = [];
  const values: unknown[] = [];
  const add = (condition: string, value: unknown) => {
    values.push(value);
    conditions.push(condition.replace('?', `$${values.length}`));
  };
  if (filter.actor) add('actor = ?', filter.actor);
  if (filter.action) add('action = ?', filter.action);
  if (filter.registrationId) add('registration_id = ?', filter.registrationId);
  if (filter.from) add('at >= ?', filter.from);
  if (filter.to) add('at < ?', filter.to);
  if (before !== undefined) add('id < ?', before);
  return { sql: conditions.length ? `where ${conditions.join(' and ')}` : '', values };
}

interface Row {
  id: string;
  at: Date;
  actor: string;
  actor_id: string | null;
  action: string;
  registration_id: string | null;
  correlation_id: string | null;
  detail: Record<string, unknown>;
}

/** What the entry points and use cases are given to record with (the pool, behind one call), and read. */
export class AuditLog {
  constructor(private readonly pool: pg.Pool) {}

  async record(entry: AuditEntry): Promise<void> {
    await recordAudit(this.pool, entry);
  }

  /**
   * A page, newest first, and the cursor for the next (the last id: keyset paging, so a page costs
   * the same however deep, and entries recorded meanwhile do not shift it).
   */
  async page(
    filter: AuditFilter,
    limit: number,
    before?: number,
  ): Promise<{ items: RecordedAuditEntry[]; nextCursor: string | null }> {
    const { sql, values } = where(filter, before);
    const { rows } = await this.pool.query<Row>(
      `select ${COLUMNS} from audit_log ${sql} order by id desc limit $${values.length + 1}`,
      [...values, limit + 1],
    );
    const items = rows.slice(0, limit).map((r) => ({
      id: Number(r.id),
      at: r.at,
      actor: r.actor,
      actorId: r.actor_id,
      action: r.action as RecordedAuditEntry['action'],
      registrationId: r.registration_id,
      correlationId: r.correlation_id,
      detail: r.detail,
    }));
    return { items, nextCursor: rows.length > limit ? String(items[items.length - 1]!.id) : null };
  }

  /**
   * Every entry matching the filter, oldest first, as CSV into `out`: read through a server-side
   * cursor (pg-query-stream, 1000 rows a fetch) and written with back-pressure (csv-stringify in a
   * pipeline), so memory stays flat whatever the size. The client is held for the whole export.
   */
  async exportCsv(filter: AuditFilter, out: Writable): Promise<void> {
    const { sql, values } = where(filter);
    const client = await this.pool.connect();
    let failed: Error | undefined;
    try {
      const rows = client.query(
        new QueryStream(`select ${COLUMNS} from audit_log ${sql} order by id`, values, { batchSize: 1000 }),
      );
      const csv = stringify({
        header: true,
        columns: ['id', 'at', 'actor', 'actor_id', 'action', 'registration_id', 'correlation_id', 'detail'],
        cast: {
          date: (d) => d.toISOString(),
          object: (o) => JSON.stringify(o),
        },
      });
      await pipeline(rows, csv, out);
    } catch (err) {
      failed = err instanceof Error ? err : new Error(String(err));
      throw err;
    } finally {
      // A connection whose cursor was cut off mid-stream (the client went away) is not reused.
      client.release(failed);
    }
  }
}
