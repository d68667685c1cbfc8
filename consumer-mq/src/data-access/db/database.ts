import { readFileSync } from 'node:fs';
import path from 'node:path';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import type { Logger } from '@regflow/common';
import { MIGRATIONS_FOLDER } from '../../config';
import { ADVISORY_LOCKS, withAdvisoryLock } from './advisory-lock';
import * as schema from './schema';

/** With the pool: the decision hot path talks to it directly (one named statement per decision). */
export type Database = NodePgDatabase<typeof schema> & { $client: pg.Pool };

export function createDatabase(url: string, logger: Logger): { pool: pg.Pool; db: Database } {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
  });
  // Without a listener an idle client's dropped connection would crash the process.
  pool.on('error', (err) => logger.warn({ err: err.message }, 'postgres idle client error'));
  return { pool, db: drizzle(pool, { schema }) };
}

/**
 * drizzle's migrate() takes no lock: several replicas starting at once would race. An advisory lock
 * serialises them; the second replica finds nothing to do.
 */
export async function migrateWithLock(pool: pg.Pool, logger: Logger): Promise<void> {
  await withAdvisoryLock(pool, ADVISORY_LOCKS.migrations, async (client) => {
    await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_FOLDER });
    await assertNoneSkipped(client);
    logger.info('database migrations applied');
  });
}

/**
 * drizzle applies only migrations newer than the last one recorded, so a migration merged late with an
 * older timestamp would be skipped without a word. Every migration in the repo must be recorded.
 */
async function assertNoneSkipped(client: pg.PoolClient): Promise<void> {
  const { rows } = await client.query<{ hash: string }>('select hash from drizzle.__drizzle_migrations');
  const applied = new Set(rows.map((r) => r.hash));
  const files = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER });
  const journal = JSON.parse(readFileSync(path.join(MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8')) as {
    entries: { tag: string }[];
  };
  const skipped = files
    .map((m, i) => ({ m, tag: journal.entries[i]?.tag ?? `#${i}` }))
    .filter(({ m }) => !applied.has(m.hash));
  if (skipped.length > 0) {
    throw new Error(
      `database migrations were skipped: ${skipped.map((s) => s.tag).join(', ')}. They are older than the newest applied migration ` +
        '(or were edited after being applied). Regenerate them with a newer timestamp (npm run db:generate -w consumer-mq) or apply them by hand.',
    );
  }
}
