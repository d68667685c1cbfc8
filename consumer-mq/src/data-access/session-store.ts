import { randomBytes } from 'node:crypto';
import type { RedisClientType } from 'redis';
import type { Role } from '../domain/roles';

export interface Session {
  /** The account's id (absent in sessions from before roles: they count as reviewers). */
  accountId?: string;
  email: string;
  role?: Role;
  csrfToken: string;
  createdAt: number;
}

const sessionKey = (id: string) => `regflow:session:${id}`;
/** The ids of an account's sessions, so disabling it or resetting its password ends them all at once. */
const accountSessionsKey = (accountId: string) => `regflow:account-sessions:${accountId}`;

/**
 * Server-side sessions in Redis. The cookie holds only a random id. Each use slides the idle expiry;
 * the absolute expiry, counted from sign-in, never moves.
 */
export class SessionStore {
  constructor(
    private readonly redis: RedisClientType,
    private readonly idleSeconds: number,
    private readonly absoluteSeconds: number,
  ) {}

  async create(account: { id: string; email: string; role: Role }): Promise<{ id: string; session: Session }> {
    const id = randomBytes(32).toString('base64url');
    const session: Session = {
      accountId: account.id,
      email: account.email,
      role: account.role,
      csrfToken: randomBytes(24).toString('base64url'),
      createdAt: Date.now(),
    };
    // The index lives as long as the longest session in it can (each sign-in pushes it back).
    await this.redis
      .multi()
      .set(sessionKey(id), JSON.stringify(session), { EX: this.idleSeconds })
      .sAdd(accountSessionsKey(account.id), id)
      .expire(accountSessionsKey(account.id), this.absoluteSeconds)
      .exec();
    return { id, session };
  }

  /** Ends every session of the account at once (disabled, password reset, role changed); returns how many. */
  async destroyAllOf(accountId: string): Promise<number> {
    const ids = await this.redis.sMembers(accountSessionsKey(accountId));
    const multi = this.redis.multi();
    for (const id of ids) multi.del(sessionKey(id));
    multi.del(accountSessionsKey(accountId));
    const results = await multi.exec();
    return results.slice(0, ids.length).reduce<number>((n, r) => n + Number(r), 0);
  }

  async touch(id: string): Promise<Session | null> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(id)) return null;
    // Read and slide the idle expiry in one round trip: every admin request pays for this.
    const json = await this.redis.getEx(sessionKey(id), { type: 'EX', value: this.idleSeconds });
    if (!json) return null;
    const session = JSON.parse(json) as Session;
    const left = this.absoluteSeconds - Math.floor((Date.now() - session.createdAt) / 1000);
    if (left <= 0) {
      await this.redis.del(sessionKey(id));
      return null;
    }
    // Within the last idle period of its absolute lifetime the key must not outlive the absolute
    // expiry (the check above refuses such a session anyway; this lets Redis drop it on time).
    if (left < this.idleSeconds) await this.redis.expire(sessionKey(id), left);
    return session;
  }

  async destroy(id: string, accountId?: string): Promise<void> {
    const multi = this.redis.multi().del(sessionKey(id));
    if (accountId) multi.sRem(accountSessionsKey(accountId), id);
    await multi.exec();
  }
}

/** The counters of failed sign-ins for an account and for a client address (tests clear their own). */
export function signInFailureKeys(email: string, address: string) {
  return [`regflow:signin-fail:acct:${email}`, `regflow:signin-fail:addr:${address}`] as const;
}

/** Set by the first refusal of a blocked window (the one audited); it expires with the window. */
export const refusalMarkerKey = (failureKey: string) => `${failureKey}:refused`;

/**
 * Counts failed sign-ins per account and per address in fixed windows; past the limit, sign-in is
 * refused with the seconds left until the window ends.
 */
export class SignInThrottle {
  constructor(
    private readonly redis: RedisClientType,
    private readonly limits = { perAccount: 5, perAddress: 20, windowSeconds: 900 },
  ) {}

  private keys(email: string, address: string) {
    return signInFailureKeys(email, address);
  }

  /**
   * Null when a sign-in may be tried; otherwise the seconds to wait, what is blocked (the account or
   * the address), and whether this is the first refusal of the window (the one the audit trail keeps:
   * one entry per blocked window, not one per refused try, so a flood cannot flood the trail).
   */
  async refusal(
    email: string,
    address: string,
  ): Promise<{ retryAfter: number; blocked: 'account' | 'address'; first: boolean } | null> {
    const [acct, addr] = this.keys(email, address);
    const [a, b] = await Promise.all([this.redis.get(acct), this.redis.get(addr)]);
    const blocked =
      Number(a ?? 0) >= this.limits.perAccount ? acct : Number(b ?? 0) >= this.limits.perAddress ? addr : null;
    if (!blocked) return null;
    const retryAfter = Math.max(1, await this.redis.ttl(blocked));
    const first = (await this.redis.set(refusalMarkerKey(blocked), '1', { NX: true, EX: retryAfter })) === 'OK';
    return { retryAfter, blocked: blocked === acct ? 'account' : 'address', first };
  }

  async recordFailure(email: string, address: string): Promise<void> {
    // The count and its expiry in one transaction: a crash between the two would block for good.
    const multi = this.redis.multi();
    for (const key of this.keys(email, address)) multi.incr(key).expire(key, this.limits.windowSeconds, 'NX');
    await multi.exec();
  }

  async reset(email: string): Promise<void> {
    await this.redis.del(this.keys(email, '')[0]);
  }
}
