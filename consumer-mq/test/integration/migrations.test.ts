import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { createLogger } from '@regflow/common';
import { MIGRATIONS_FOLDER } from '../../src/config';
import { createDatabase, migrateWithLock } from '../../src/data-access/db/database';

/** Every migration in the repo, as drizzle-kit listed them. */
const MIGRATIONS = (
  JSON.parse(fs.readFileSync(path.join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as {
    entries: unknown[];
  }
).entries.length;

describe('database migrations', () => {
  const logger = createLogger('test', 'silent');
  const name = `regflow_migrations_${Date.now()}`;
  let admin: pg.Client;
  let url: string;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: inject('stackEnv').DATABASE_URL });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const u = new URL(inject('stackEnv').DATABASE_URL);
    u.pathname = `/${name}`;
    url = u.toString();
  });

  afterAll(async () => {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  });

  it('when four replicas migrate an empty database at once, then all succeed and each migration is applied once', async () => {
    const dbs = Array.from({ length: 4 }, () => createDatabase(url, logger));
    try {
      await Promise.all(dbs.map(({ pool }) => migrateWithLock(pool, logger)));
      const { rows } = await dbs[0]!.pool.query(
        'select count(*)::int as n, count(distinct hash)::int as d from drizzle.__drizzle_migrations',
      );
      expect(MIGRATIONS).toBeGreaterThanOrEqual(4);
      expect(rows[0]).toEqual({ n: MIGRATIONS, d: MIGRATIONS });
      const tables = await dbs[0]!.pool.query(
        "select count(*)::int as n from information_schema.tables where table_name in ('decisions','outbox','approved_users','admins','dead_letters')",
      );
      expect(tables.rows[0].n).toBe(5);
    } finally {
      await Promise.all(dbs.map(({ pool }) => pool.end()));
    }
  });

  it('when an older migration is missing from the record, then start-up fails naming it', async () => {
    const { pool } = createDatabase(url, logger);
    try {
      await pool.query(
        'delete from drizzle.__drizzle_migrations where created_at = (select min(created_at) from drizzle.__drizzle_migrations)',
      );
      await expect(migrateWithLock(pool, logger)).rejects.toThrow(/migrations were skipped: 0000_init/);
    } finally {
      await pool.end();
    }
  });
});
