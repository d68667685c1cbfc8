import { createClient, type RedisClientType } from 'redis';
import type { Logger } from '@regflow/common';
import type { StagedUser, StageResult } from '../domain/model';

export type { StagedUser, StageResult };

const PENDING = 'regflow:pending';
const userKey = (id: string) => `regflow:user:${id}`;
const decidedKey = (id: string) => `regflow:decided:${id}`;
/** How long a decided registration's tombstone keeps late duplicates out of the queue. */
const TOMBSTONE_SECONDS = 30 * 24 * 3600;

/**
 * Stages atomically: unless a tombstone says the user was already decided, write the hash and add the
 * id to the time-ordered set (NX keeps the first score). Staging the same user twice changes nothing.
 */
const STAGE_SCRIPT = `
if redis.call('EXISTS', KEYS[3]) == 1 then return -1 end
local added = redis.call('ZADD', KEYS[1], 'NX', ARGV[1], ARGV[2])
if added == 1 then
  redis.call('HSET', KEYS[2], 'json', ARGV[3])
end
return added
`;

const UNSTAGE_SCRIPT = `
redis.call('SET', KEYS[3], ARGV[2], 'EX', ARGV[3])
redis.call('ZREM', KEYS[1], ARGV[1])
return redis.call('DEL', KEYS[2])
`;

export class StagingStore {
  constructor(
    readonly redis: RedisClientType,
    private readonly logger: Logger,
  ) {}

  static async connect(url: string, logger: Logger): Promise<StagingStore> {
    const redis: RedisClientType = createClient({
      url,
      socket: { reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 3000), connectTimeout: 5000 },
    });
    // Without an 'error' listener a dropped connection crashes the process; the client reconnects.
    redis.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis error'));
    await redis.connect();
    return new StagingStore(redis, logger);
  }

  async stage(user: StagedUser): Promise<StageResult> {
    const result = Number(
      await this.redis.eval(STAGE_SCRIPT, {
        keys: [PENDING, userKey(user.id), decidedKey(user.id)],
        arguments: [String(Date.parse(user.registeredAt)), user.id, JSON.stringify(user)],
      }),
    );
    return result === 1 ? 'staged' : result === 0 ? 'already-staged' : 'already-decided';
  }

  async get(id: string): Promise<StagedUser | null> {
    const json = await this.redis.hGet(userKey(id), 'json');
    return json ? (JSON.parse(json) as StagedUser) : null;
  }

  /** Removes a decided user from the queue and leaves a tombstone so a late duplicate is not staged. */
  async unstage(id: string, outcome: string): Promise<void> {
    await this.redis.eval(UNSTAGE_SCRIPT, {
      keys: [PENDING, userKey(id), decidedKey(id)],
      arguments: [id, outcome, String(TOMBSTONE_SECONDS)],
    });
  }

  async pendingIds(): Promise<string[]> {
    return this.redis.zRange(PENDING, 0, -1);
  }

  async countPending(): Promise<number> {
    return this.redis.zCard(PENDING);
  }

  /**
   * Oldest first. The cursor is the last item's (score, id): ids sharing a score (same millisecond)
   * are ordered by id, as Redis orders them, so paging never skips or repeats one.
   */
  async listPending(
    limit: number,
    cursor?: { score: number; id: string },
  ): Promise<{ items: StagedUser[]; next: { score: number; id: string } | null }> {
    const min = cursor ? String(cursor.score) : '-inf';
    const entries = await this.redis.zRangeWithScores(PENDING, min, '+inf', {
      BY: 'SCORE',
      LIMIT: { offset: 0, count: limit + 1 + (cursor ? 64 : 0) },
    });
    const after = cursor
      ? entries.filter((e) => e.score > cursor.score || (e.score === cursor.score && e.value > cursor.id))
      : entries;
    const page = after.slice(0, limit);
    const multi = this.redis.multi();
    for (const e of page) multi.hGet(userKey(e.value), 'json');
    const rows = page.length ? ((await multi.exec()) as unknown as Array<string | null>) : [];
    const items = rows.filter((r): r is string => typeof r === 'string').map((r) => JSON.parse(r) as StagedUser);
    const last = page[page.length - 1];
    const next = after.length > limit && last ? { score: last.score, id: last.value } : null;
    return { items, next };
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    await this.redis.close();
  }
}
