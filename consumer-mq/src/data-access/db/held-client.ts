import type pg from 'pg';

/**
 * A pooled client held for a stretch of work (a transaction around a Kafka publish, a session-level
 * advisory lock). pg-pool takes its own `error` listener off a client while it is checked out, so an
 * error the server sends meanwhile (a restart's "terminating connection due to administrator command")
 * would be an unhandled `error` event and end the process. Here it is caught: the query in progress
 * fails with it anyway, and `release()` then discards the client instead of returning it to the pool.
 */
export async function withHeldClient<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient, discard: (err: Error) => void) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let lost: Error | undefined;
  const onError = (err: Error): void => {
    lost ??= err;
  };
  client.on('error', onError);
  try {
    return await fn(client, (err) => {
      lost ??= err;
    });
  } finally {
    client.off('error', onError);
    client.release(lost);
  }
}
