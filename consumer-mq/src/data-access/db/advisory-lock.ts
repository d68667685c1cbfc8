import type pg from 'pg';
import { withHeldClient } from './held-client';

/** Advisory lock ids: constants shared by all replicas, one for each thing done by one replica at a time. */
export const ADVISORY_LOCKS = { migrations: 727_001, reconciliation: 727_002, retention: 727_003 } as const;

/**
 * Runs `fn` while holding a session-level Postgres advisory lock, on a connection of its own for the
 * whole run (the lock belongs to that session), waiting for the lock while another replica holds it.
 */
export async function withAdvisoryLock<T>(
  pool: pg.Pool,
  lock: number,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const outcome = await holding(pool, lock, true, fn);
  if (!outcome.acquired) throw new Error(`advisory lock ${lock} was not acquired`);
  return outcome.value;
}

/** As withAdvisoryLock, but gives up at once when another replica holds the lock. */
export function tryWithAdvisoryLock<T>(
  pool: pg.Pool,
  lock: number,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<{ acquired: true; value: T } | { acquired: false }> {
  return holding(pool, lock, false, fn);
}

async function holding<T>(
  pool: pg.Pool,
  lock: number,
  wait: boolean,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<{ acquired: true; value: T } | { acquired: false }> {
  return withHeldClient(pool, async (client) => {
    if (wait) {
      await client.query('select pg_advisory_lock($1)', [lock]);
    } else {
      const { rows } = await client.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [lock]);
      if (!rows[0]?.locked) return { acquired: false };
    }
    try {
      return { acquired: true, value: await fn(client) };
    } finally {
      await client.query('select pg_advisory_unlock($1)', [lock]);
    }
  });
}
