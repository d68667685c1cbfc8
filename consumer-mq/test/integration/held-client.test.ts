import { afterAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { withHeldClient } from '../../src/data-access/db/held-client';
import { tryWithAdvisoryLock } from '../../src/data-access/db/advisory-lock';

/**
 * A Postgres restart ends every session with an error the server sends on its own. On a client held
 * outside the pool (a relay transaction waiting for Kafka, an advisory lock), pg-pool listens for
 * nothing, so without our listener that error is an unhandled 'error' event: the process exits (and
 * vitest reports an uncaught error for this file).
 */
describe('a pooled client held for a while, when the server ends its session', () => {
  const pool = new pg.Pool({ connectionString: inject('stackEnv').DATABASE_URL, max: 3 });
  pool.on('error', () => undefined);

  afterAll(async () => {
    await pool.end();
  });

  const terminate = async (pid: number) => {
    const other = new pg.Client({ connectionString: inject('stackEnv').DATABASE_URL });
    await other.connect();
    try {
      await other.query('select pg_terminate_backend($1)', [pid]);
    } finally {
      await other.end();
    }
  };

  it('when it is terminated mid-work, then the work fails, the process lives and the pool hands out a new connection', async () => {
    let errorEvents = 0;
    await expect(
      withHeldClient(pool, async (client) => {
        client.on('error', () => (errorEvents += 1));
        const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
        await terminate(rows[0]!.pid);
        // The server's notice arrives as an 'error' event; wait for it, then the next query fails too.
        while (errorEvents === 0) await new Promise((r) => setTimeout(r, 20));
        await client.query('select 1');
      }),
    ).rejects.toThrow();
    expect(errorEvents).toBeGreaterThan(0);
    expect((await pool.query<{ one: number }>('select 1 as one')).rows).toEqual([{ one: 1 }]);
  });

  it('when the session holding an advisory lock is terminated, then the lock is free again', async () => {
    await expect(
      tryWithAdvisoryLock(pool, 727_999, async (client) => {
        const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
        await terminate(rows[0]!.pid);
        await client.query('select pg_sleep(5)');
      }),
    ).rejects.toThrow();
    const again = await tryWithAdvisoryLock(pool, 727_999, async () => 'held');
    expect(again).toEqual({ acquired: true, value: 'held' });
  });
});
