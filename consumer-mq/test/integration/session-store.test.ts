import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createClient, type RedisClientType } from 'redis';
import { SessionStore } from '../../src/data-access/session-store';
import { newId } from '@regflow/common';

/** Idle and absolute expiry on a real Redis, with lifetimes of seconds so they can run out for real. */
describe('admin sessions on a real Redis', () => {
  let redis: RedisClientType;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const key = (id: string) => `regflow:session:${id}`;

  beforeAll(async () => {
    redis = createClient({ url: inject('stackEnv').REDIS_URL });
    await redis.connect();
  });

  afterAll(async () => {
    await redis?.close();
  });

  it('when a session is used more often than its idle timeout, then each use slides the expiry; when left unused longer, then it is refused', async () => {
    const sessions = new SessionStore(redis, 2, 3600);
    const { id, session } = await sessions.create({ id: newId(), email: 'idle@test.local', role: 'reviewer' });
    // Four uses 1.2 s apart: 3.6 s in all, longer than the 2 s idle timeout, so only sliding keeps it.
    for (let i = 0; i < 4; i++) {
      await sleep(1200);
      expect(await sessions.touch(id)).toEqual(session);
      expect(await redis.ttl(key(id))).toBe(2);
    }
    await sleep(2300);
    expect(await sessions.touch(id)).toBeNull();
    expect(await redis.exists(key(id))).toBe(0);
  });

  it('when a session nears its absolute lifetime, then a use does not extend it past that, and once passed it is refused and deleted', async () => {
    const sessions = new SessionStore(redis, 1800, 3600);
    const { id } = await sessions.create({ id: newId(), email: 'absolute@test.local', role: 'reviewer' });
    expect(await sessions.touch(id)).not.toBeNull();
    expect(await redis.ttl(key(id))).toBe(1800);

    // Signed in 59 minutes ago: 60 s of its absolute hour are left, less than the idle timeout.
    const old = { email: 'absolute@test.local', csrfToken: 'csrf', createdAt: Date.now() - 3540_000 };
    await redis.set(key(id), JSON.stringify(old), { EX: 1800 });
    expect(await sessions.touch(id)).toEqual(old);
    const ttl = await redis.ttl(key(id));
    expect(ttl).toBeGreaterThan(55);
    expect(ttl).toBeLessThanOrEqual(60);

    // Past the absolute lifetime, however recently used (the key itself is still there).
    await redis.set(key(id), JSON.stringify({ ...old, createdAt: Date.now() - 3601_000 }), { EX: 1800 });
    expect(await sessions.touch(id)).toBeNull();
    expect(await redis.exists(key(id))).toBe(0);
  });

  it('when an id is malformed, unknown or signed out, then it is refused', async () => {
    const sessions = new SessionStore(redis, 1800, 3600);
    const { id } = await sessions.create({ id: newId(), email: 'gone@test.local', role: 'reviewer' });
    expect(await sessions.touch('not-a-session-id')).toBeNull();
    expect(await sessions.touch('A'.repeat(43))).toBeNull();
    expect(await redis.exists(key('A'.repeat(43)))).toBe(0);
    await sessions.destroy(id);
    expect(await sessions.touch(id)).toBeNull();
  });

  it("when an account's sessions are all ended, then each of them is refused at once and another account's session lives on", async () => {
    const sessions = new SessionStore(redis, 1800, 3600);
    const account = { id: newId(), email: 'many@test.local', role: 'admin' as const };
    const mine = await Promise.all([1, 2, 3].map(() => sessions.create(account)));
    const other = await sessions.create({ id: newId(), email: 'other@test.local', role: 'reviewer' });
    for (const { id } of mine) expect(await sessions.touch(id)).not.toBeNull();
    expect(await sessions.destroyAllOf(account.id)).toBe(3);
    for (const { id } of mine) expect(await sessions.touch(id)).toBeNull();
    expect(await redis.exists(`regflow:account-sessions:${account.id}`)).toBe(0);
    expect(await sessions.touch(other.id)).toMatchObject({ email: 'other@test.local', role: 'reviewer' });
    expect(await sessions.destroyAllOf(account.id)).toBe(0);
  });
});
