import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from './logger';

/**
 * Calls `fn` until it succeeds: for start-up steps that wait on a server (an index to create, a consumer
 * group to join), since no start-up order between the servers and the services is assumed. Waits 500 ms,
 * 1 s, 2 s … at most 5 s between attempts and logs each failure. An aborted `signal` ends the waiting
 * (the promise rejects with the abort reason), so a service can stop while a dependency is still down.
 */
export async function retryUntilReady<T>(
  what: string,
  fn: () => Promise<T>,
  opts: { logger: Logger; signal?: AbortSignal },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    opts.signal?.throwIfAborted();
    try {
      return await fn();
    } catch (err) {
      const delayMs = Math.min(5000, 250 * 2 ** attempt);
      opts.logger.warn(
        { err: err instanceof Error ? err.message : err, attempt, delayMs },
        `${what} not ready; retrying`,
      );
      await sleep(delayMs, undefined, { signal: opts.signal });
    }
  }
}
