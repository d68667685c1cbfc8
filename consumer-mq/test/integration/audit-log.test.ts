import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { createLogger, newId } from '@regflow/common';
import { createDatabase, migrateWithLock } from '../../src/data-access/db/database';
import { recordAudit } from '../../src/data-access/audit-log';
import { AUDIT_ACTIONS } from '../../src/domain/audit';

/** The audit trail on a real Postgres: recorded on its own or with a transaction, and never changed. */
describe('audit log', () => {
  let pool: pg.Pool;

  beforeAll(async () => {
    const logger = createLogger('test', 'silent');
    ({ pool } = createDatabase(inject('stackEnv').DATABASE_URL, logger));
    await migrateWithLock(pool, logger);
  });

  afterAll(async () => {
    await pool?.end();
  });

  const entriesFor = async (registrationId: string) =>
    (
      await pool.query(
        'select actor, actor_id, action, registration_id, correlation_id, detail from audit_log where registration_id = $1 order by id',
        [registrationId],
      )
    ).rows;

  it('when an entry is recorded on its own, then it is stored with who, when, what, which registration and the correlation id', async () => {
    const registrationId = newId();
    const actorId = newId();
    const before = Date.now();
    const { id, at } = await recordAudit(pool, {
      actor: 'reviewer@test.local',
      actorId,
      action: AUDIT_ACTIONS.decisionApproved,
      registrationId,
      correlationId: 'corr-1',
      detail: { batch: false },
    });
    expect(id).toBeGreaterThan(0);
    expect(at.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(await entriesFor(registrationId)).toEqual([
      {
        actor: 'reviewer@test.local',
        actor_id: actorId,
        action: 'decision.approved',
        registration_id: registrationId,
        correlation_id: 'corr-1',
        detail: { batch: false },
      },
    ]);
  });

  it('when an entry is recorded in a transaction that rolls back, then it is gone with it; when the transaction commits, then it stays', async () => {
    const registrationId = newId();
    const client = await pool.connect();
    try {
      await client.query('begin');
      await recordAudit(client, { actor: 'system', action: 'note.added', registrationId });
      await client.query('rollback');
      expect(await entriesFor(registrationId)).toEqual([]);

      await client.query('begin');
      await recordAudit(client, { actor: 'system', action: 'note.added', registrationId });
      await client.query('commit');
    } finally {
      client.release();
    }
    expect(await entriesFor(registrationId)).toMatchObject([{ actor: 'system', action: 'note.added', detail: {} }]);
  });

  it('when anyone updates, deletes or truncates the audit log, then the database refuses and the entry is unchanged', async () => {
    const registrationId = newId();
    await recordAudit(pool, { actor: 'admin@test.local', action: 'registration.erased', registrationId });
    await expect(
      pool.query("update audit_log set actor = 'someone else' where registration_id = $1", [registrationId]),
    ).rejects.toThrow(/audit_log is append-only/);
    await expect(pool.query('delete from audit_log where registration_id = $1', [registrationId])).rejects.toThrow(
      /audit_log is append-only/,
    );
    await expect(pool.query('truncate audit_log')).rejects.toThrow(/audit_log is append-only/);
    expect(await entriesFor(registrationId)).toMatchObject([
      { actor: 'admin@test.local', action: 'registration.erased' },
    ]);
  });
});
