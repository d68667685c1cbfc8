import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomInt, randomUUID } from 'node:crypto';
import pg from 'pg';
import { createLogger, formatCpf, randomCpf, type Registration } from '@regflow/common';
import { createDatabase, migrateWithLock, type Database } from '../../src/data-access/db/database';
import { DecisionsRepository } from '../../src/data-access/decisions-repository';
import { ErasureRepository } from '../../src/data-access/erasure-repository';
import { StagingStore } from '../../src/data-access/staging-store';
import { eraseRegistration, type EraseRegistrationDeps } from '../../src/domain/erase-registration';

/**
 * The Postgres and Redis part of an erasure, on the real servers, in a database of its own: after it,
 * no table and no Redis value holds the person; someone else's rows are untouched; a crash between
 * stores resumes; asking twice erases and audits once.
 */
const logger = createLogger('erase-registration-test', 'silent');
const ADMIN = { id: randomUUID(), email: 'eraser@example.com' };

function person(): Registration {
  const tag = `${Date.now().toString(36)}${randomInt(1_000_000)}`;
  return {
    id: randomUUID(),
    name: `Erasable ${tag}`,
    email: `erasable.${tag}@example.com`,
    cpf: formatCpf(randomCpf()).replace(/\D/g, ''),
    phone: `+55219${randomInt(10_000_000, 99_999_999)}`,
    note: `note ${tag}`,
    registeredAt: new Date().toISOString(),
  };
}

/** Each piece of a person's data, as any store could hold it. */
const pieces = (p: Registration) => [p.id, p.name, p.email, p.cpf!, p.phone!, p.note!];

describe('erasing a registration from Postgres and Redis', () => {
  const name = `regflow_erasure_${Date.now()}`;
  let admin: pg.Client;
  let pool: pg.Pool;
  let db: Database;
  let store: StagingStore;
  let deps: EraseRegistrationDeps;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: inject('stackEnv').DATABASE_URL });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const u = new URL(inject('stackEnv').DATABASE_URL);
    u.pathname = `/${name}`;
    ({ pool, db } = createDatabase(u.toString(), logger));
    await migrateWithLock(pool, logger);
    store = await StagingStore.connect(inject('stackEnv').REDIS_URL, logger);
    deps = { erasures: new ErasureRepository(pool), staging: store, logger };
  });

  afterAll(async () => {
    await store?.close();
    await pool?.end();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  });

  /** Every row of every table in the database, as text: where a person's data could be found. */
  async function everyRow(): Promise<string[]> {
    const { rows: tables } = await pool.query<{ t: string }>(
      `select table_name as t from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`,
    );
    const out: string[] = [];
    for (const { t } of tables) {
      const { rows } = await pool.query<{ r: string }>(`select x::text as r from "${t}" x`);
      out.push(...rows.map((r) => `${t}: ${r.r}`));
    }
    return out;
  }

  /** Every regflow key in Redis with its value(s) as text. */
  async function everyRedisValue(): Promise<string[]> {
    const out: string[] = [];
    for await (const keys of store.redis.scanIterator({ MATCH: 'regflow:*', COUNT: 1000 })) {
      for (const key of Array.isArray(keys) ? keys : [keys]) {
        const type = await store.redis.type(key);
        const value =
          type === 'string'
            ? await store.redis.get(key)
            : type === 'hash'
              ? JSON.stringify(await store.redis.hGetAll(key))
              : type === 'zset'
                ? (await store.redis.zRange(key, 0, -1)).join(',')
                : type === 'set'
                  ? (await store.redis.sMembers(key)).join(',')
                  : type === 'list'
                    ? (await store.redis.lRange(key, 0, -1)).join(',')
                    : '';
        out.push(`${key}=${value}`);
      }
    }
    return out;
  }

  /** A person approved (approved_users, decisions, a published outbox row), emailed, and dead-lettered once. */
  async function approvedAndEverywhere(p: Registration): Promise<void> {
    await new DecisionsRepository(db).record(
      {
        userId: p.id,
        outcome: 'approved',
        reason: `approved ${p.name}`,
        decidedBy: ADMIN.email,
        decidedAt: new Date().toISOString(),
      },
      p,
      {
        topic: 'test.decided',
        key: p.id,
        value: JSON.stringify({ userId: p.id, reason: `approved ${p.name}` }),
        headers: {},
      },
      randomUUID(),
    );
    await pool.query(`update outbox set published_at = now() where key = $1`, [p.id]);
    await pool.query(
      `insert into sent_emails (kind, request_event_id, registration_id, recipient, locale, message_id, outcome)
       values ('confirmation', $1, $2, $3, 'en', $4, 'sent')`,
      [randomUUID(), p.id, p.email, `<${randomUUID()}.confirmation@regflow>`],
    );
    await pool.query(
      `insert into dead_letters (source, origin, destination, key, payload, headers, reason, failed_at)
       values ('kafka', $1, 't', $2, $3, '{}', 'test', now())`,
      [`t/0/${randomInt(1e9)}`, p.email, JSON.stringify({ type: 'UserRegistrationRequested', data: p })],
    );
  }

  const leaks = (haystack: string[], p: Registration, allowed: (line: string) => boolean = () => false) =>
    haystack.filter(
      (line) =>
        !allowed(line) &&
        pieces(p)
          .slice(1)
          .some((piece) => line.includes(piece)),
    );

  it('when an approved person is erased, then no table holds their data, the decision keeps outcome, time and reviewer, and someone else is untouched', async () => {
    const erased = person();
    const kept = person();
    await approvedAndEverywhere(erased);
    await approvedAndEverywhere(kept);
    const tablesHolding = async (p: Registration) =>
      [...new Set(leaks(await everyRow(), p).map((line) => line.split(':')[0]))].sort();
    // The data is there to be erased, in every table that can hold it.
    expect(await tablesHolding(erased)).toEqual([
      'approved_users',
      'dead_letters',
      'decisions',
      'outbox',
      'sent_emails',
    ]);

    const outcome = await eraseRegistration({ registrationId: erased.id, admin: ADMIN, correlationId: 'c-1' }, deps);

    expect(outcome.erased).toBe('now');
    expect(leaks(await everyRow(), erased)).toEqual([]);
    const { rows } = await pool.query(
      `select outcome, decided_by, decided_at is not null as dated, reason, email_applicant from decisions where user_id = $1`,
      [erased.id],
    );
    expect(rows).toEqual([
      { outcome: 'approved', decided_by: ADMIN.email, dated: true, reason: null, email_applicant: false },
    ]);
    // The other person's rows are all still there.
    expect(await tablesHolding(kept)).toEqual(['approved_users', 'dead_letters', 'decisions', 'outbox', 'sent_emails']);
    // The audit trail says who erased what, without the data (the decision has its own entry).
    const audit = await pool.query(
      `select actor, action, registration_id, detail::text from audit_log where registration_id = $1 and action = 'registration.erased'`,
      [erased.id],
    );
    expect(audit.rows).toMatchObject([
      { actor: ADMIN.email, action: 'registration.erased', registration_id: erased.id },
    ]);
    expect(
      leaks(
        audit.rows.map((r) => JSON.stringify(r)),
        erased,
      ),
    ).toEqual([]);
  });

  it('when a person waiting for review is erased, then Redis holds nothing of them but a tombstone, and a late redelivery is not staged', async () => {
    const waiting = person();
    await store.stage({ ...waiting, stagedAt: new Date().toISOString() });
    expect(leaks(await everyRedisValue(), waiting).length).toBeGreaterThan(0);

    await eraseRegistration({ registrationId: waiting.id, admin: ADMIN, correlationId: null }, deps);

    expect(leaks(await everyRedisValue(), waiting)).toEqual([]);
    expect(await store.pendingIds()).not.toContain(waiting.id);
    expect(await store.stage({ ...waiting, stagedAt: new Date().toISOString() })).toBe('already-decided');
    expect(leaks(await everyRedisValue(), waiting)).toEqual([]);
  });

  it('when the erasure crashes between stores, then asking again finishes it, and it is done and audited once', async () => {
    const p = person();
    await approvedAndEverywhere(p);
    await store.stage({ ...p, stagedAt: new Date().toISOString() });
    let failures = 1;
    const crashing: EraseRegistrationDeps = {
      ...deps,
      staging: {
        unstage: async (id, outcome) => {
          if (failures-- > 0) throw new Error('redis went away');
          await store.unstage(id, outcome);
        },
      },
    };

    await expect(
      eraseRegistration({ registrationId: p.id, admin: ADMIN, correlationId: 'c-2' }, crashing),
    ).rejects.toThrow('redis went away');
    // The request and the Postgres step are recorded; Redis still holds the person; nothing is audited yet.
    const { rows: recorded } = await pool.query(
      `select postgres_erased_at is not null as pg, redis_erased_at is not null as redis, completed_at from erasures where registration_id = $1`,
      [p.id],
    );
    expect(recorded).toEqual([{ pg: true, redis: false, completed_at: null }]);
    expect(leaks(await everyRow(), p)).toEqual([]);
    expect(leaks(await everyRedisValue(), p).length).toBeGreaterThan(0);
    expect(
      (
        await pool.query(`select 1 from audit_log where registration_id = $1 and action = 'registration.erased'`, [
          p.id,
        ])
      ).rowCount,
    ).toBe(0);

    expect(
      (await eraseRegistration({ registrationId: p.id, admin: ADMIN, correlationId: 'c-3' }, crashing)).erased,
    ).toBe('now');
    expect(leaks(await everyRedisValue(), p)).toEqual([]);
    expect((await eraseRegistration({ registrationId: p.id, admin: ADMIN, correlationId: 'c-4' }, deps)).erased).toBe(
      'already',
    );
    const audit = await pool.query<{ detail: { resumed: boolean } }>(
      `select detail from audit_log where registration_id = $1 and action = 'registration.erased'`,
      [p.id],
    );
    expect(audit.rows).toEqual([{ detail: expect.objectContaining({ resumed: true }) }]);
  });
});
