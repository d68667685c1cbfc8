import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Writable } from 'node:stream';
import pg from 'pg';
import { createLogger } from '@regflow/common';
import { ADVISORY_LOCKS } from '../../src/data-access/db/advisory-lock';
import { createDatabase, migrateWithLock } from '../../src/data-access/db/database';
import { RetentionRepository } from '../../src/data-access/retention-repository';
import { RetentionWorker } from '../../src/workers/retention.worker';

/**
 * Retention on the real Postgres, in a database of its own so no other test's rows are pruned: what
 * is old enough goes, what is not (or is still owed to Kafka) stays, and a replica that finds another
 * one sweeping skips its turn.
 */
const lines: string[] = [];
const logger = createLogger(
  'retention-test',
  'info',
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  }),
);

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('retention of outbox rows and dead letters on real Postgres', () => {
  const name = `regflow_retention_${Date.now()}`;
  let admin: pg.Client;
  let pool: pg.Pool;
  let worker: RetentionWorker;
  const now = new Date();

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: inject('stackEnv').DATABASE_URL });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const u = new URL(inject('stackEnv').DATABASE_URL);
    u.pathname = `/${name}`;
    pool = createDatabase(u.toString(), logger).pool;
    await migrateWithLock(pool, logger);
    worker = new RetentionWorker(
      pool,
      new RetentionRepository(pool),
      { outboxRetentionHours: 24, deadLetterRetentionDays: 7, intervalMs: 0 },
      logger,
    );
  });

  afterAll(async () => {
    await pool?.end();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  });

  const ago = (ms: number) => new Date(now.getTime() - ms);

  async function outboxRow(key: string, createdAt: Date, publishedAt: Date | null): Promise<void> {
    await pool.query(
      `insert into outbox (topic, key, value, headers, created_at, published_at) values ('t', $1, '{}', '{}', $2, $3)`,
      [key, createdAt, publishedAt],
    );
  }

  async function deadLetter(origin: string, failedAt: Date, replayedAt: Date | null): Promise<void> {
    await pool.query(
      `insert into dead_letters (source, origin, destination, payload, headers, reason, failed_at, replayed_at)
       values ('kafka', $1, 't', '{"email":"someone@example.com"}', '{}', 'test', $2, $3)`,
      [origin, failedAt, replayedAt],
    );
  }

  const keys = async (sql: string) => (await pool.query<{ k: string }>(sql)).rows.map((r) => r.k).sort();

  it('when the sweep runs, then published outbox rows and dead letters past their retention are deleted, and nothing else', async () => {
    await outboxRow('published-long-ago', ago(3 * DAY), ago(3 * DAY));
    await outboxRow('published-just-inside', ago(3 * DAY), ago(23 * HOUR));
    await outboxRow('unpublished-long-ago', ago(30 * DAY), null);
    await deadLetter('waiting-long-ago', ago(8 * DAY), null);
    await deadLetter('replayed-long-ago', ago(8 * DAY), ago(7.5 * DAY));
    await deadLetter('replayed-recently', ago(6 * DAY), ago(HOUR));

    expect(await worker.runNow(now)).toEqual({ outbox: 1, deadLetters: 2 });
    expect(await keys('select key as k from outbox')).toEqual(['published-just-inside', 'unpublished-long-ago']);
    expect(await keys('select origin as k from dead_letters')).toEqual(['replayed-recently']);
    // It says what it did, in counts only.
    const line = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === 'retention: old rows pruned');
    expect(line).toMatchObject({ outbox: 1, deadLetters: 2 });

    // Swept again: nothing more is old enough.
    expect(await worker.runNow(now)).toEqual({ outbox: 0, deadLetters: 0 });
  });

  it('when more rows are due than one batch holds, then all of them are deleted', async () => {
    await pool.query(
      `insert into outbox (topic, key, value, headers, created_at, published_at)
       select 't', 'bulk-' || i, '{}', '{}', $1, $1 from generate_series(1, 2500) i`,
      [ago(2 * DAY)],
    );
    expect(await new RetentionRepository(pool).pruneOutbox(ago(DAY), 1000)).toBe(2500);
    expect(await keys(`select key as k from outbox where key like 'bulk-%'`)).toEqual([]);
  });

  it('when another replica holds the retention lock, then this one skips its turn and deletes nothing', async () => {
    await outboxRow('due-while-locked', ago(3 * DAY), ago(3 * DAY));
    const other = await pool.connect();
    try {
      await other.query('select pg_advisory_lock($1)', [ADVISORY_LOCKS.retention]);
      expect(await worker.runNow(now)).toBeUndefined();
      expect(await keys(`select key as k from outbox where key = 'due-while-locked'`)).toEqual(['due-while-locked']);
    } finally {
      await other.query('select pg_advisory_unlock($1)', [ADVISORY_LOCKS.retention]);
      other.release();
    }
    expect(await worker.runNow(now)).toEqual({ outbox: 1, deadLetters: 0 });
  });
});
