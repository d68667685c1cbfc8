import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createClient } from 'redis';
import { newId } from '@regflow/common';
import { buildRegistration, eventually, signIn, startServices } from '../support/services';
import { clearThrottle, createTestAdmin, deleteTestAdmins, expectProblem, fromFetch, testAddress } from './support';

type Services = Awaited<ReturnType<typeof startServices>>;

/**
 * Every admin route, read from the route files themselves, so a route added later is covered without
 * anyone remembering to list it here.
 */
function adminRoutes(): Array<{ method: string; path: string }> {
  const dir = path.resolve(import.meta.dirname, '../../consumer-mq/src/entry-points');
  const routes: Array<{ method: string; path: string }> = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.http.ts'))) {
    const source = readFileSync(path.join(dir, file), 'utf8');
    for (const m of source.matchAll(/router\.(get|post|put|patch|delete)\(\s*'([^']+)'/g)) {
      routes.push({ method: m[1]!.toUpperCase(), path: m[2]! });
    }
  }
  // Signing in, and setting a password with an emailed link (its token is the credential), are open to anyone.
  return routes.filter((r) => !(r.method === 'POST' && ['/admin/session', '/admin/password'].includes(r.path)));
}

const ROUTES = adminRoutes();
const STATE_CHANGING = ROUTES.filter((r) => !['GET', 'HEAD', 'OPTIONS'].includes(r.method));
const SESSION_COOKIE = 'regflow_session';

describe('admin API authentication and authorization', () => {
  let sys: Services;
  let db: pg.Client;
  let redis: ReturnType<typeof createClient>;
  const adminEmails: string[] = [];
  const addresses: string[] = [];

  const newAdmin = async (label: string) => {
    const admin = await createTestAdmin(sys.env.DATABASE_URL, label);
    adminEmails.push(admin.email);
    return admin;
  };
  const newAddress = () => {
    const address = testAddress();
    addresses.push(address);
    return address;
  };
  const call = async (route: { method: string; path: string }, headers: Record<string, string> = {}) => {
    const hasBody = route.method !== 'GET' && route.method !== 'DELETE';
    const res = await fetch(`${sys.consumer.url}${route.path.replace(/:id\b/g, newId())}`, {
      method: route.method,
      headers: { ...headers, ...(hasBody ? { 'content-type': 'application/json' } : {}) },
      body: hasBody ? '{}' : undefined,
    });
    return fromFetch(res);
  };
  const attempt = (email: string, password: string, address: string) =>
    fetch(`${sys.consumer.url}/admin/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
      body: JSON.stringify({ email, password }),
    });
  const sessionIdOf = (headers: Record<string, string>) => headers.cookie!.slice(`${SESSION_COOKIE}=`.length);

  beforeAll(async () => {
    // Trusting X-Forwarded-For lets each test sign in from its own address, so per-address throttling stays inside it.
    sys = await startServices({ EMAIL_CONFIRMATION: 'off', TRUST_PROXY: 'true' });
    db = new pg.Client({ connectionString: sys.env.DATABASE_URL });
    await db.connect();
    redis = createClient({ url: sys.env.REDIS_URL });
    redis.on('error', () => {});
    await redis.connect();
  });

  afterAll(async () => {
    if (redis) await clearThrottle(redis, adminEmails, addresses);
    await sys?.stop();
    if (sys) await deleteTestAdmins(sys.env.DATABASE_URL, adminEmails);
    await db?.end();
    await redis?.close();
  });

  it('when the route files are read, then they list every admin route (a sanity check on the list the other tests use)', () => {
    const names = ROUTES.map((r) => `${r.method} ${r.path}`);
    for (const known of [
      'GET /admin/pending',
      'GET /admin/stats',
      'GET /admin/users/:id',
      'POST /admin/users/:id/approve',
      'POST /admin/users/:id/reject',
      'POST /admin/decisions',
      'GET /admin/search',
      'GET /admin/events',
      'POST /admin/users/:id/notes',
      'PATCH /admin/users/:id/notes/:noteId',
      'GET /admin/reasons',
      'POST /admin/reasons',
      'PATCH /admin/reasons/:id',
      'GET /admin/session',
      'DELETE /admin/session',
    ]) {
      expect(names).toContain(known);
    }
    expect(STATE_CHANGING.length).toBeGreaterThanOrEqual(4);
  });

  it('when any admin route is called without a session, then it answers 401 problem+json AUTH.REQUIRED', async () => {
    for (const route of ROUTES) {
      const res = await call(route);
      expect(expectProblem(res, [401]).code, `${route.method} ${route.path}`).toBe('AUTH.REQUIRED');
    }
  });

  it('when any admin route is called with a forged session cookie, then it answers 401', async () => {
    const forged = [
      randomBytes(32).toString('base64url'), // the right shape, never issued
      'A'.repeat(43),
      '*',
      'regflow:session:*',
      '../../etc/passwd',
      `${randomBytes(32).toString('base64url')}; ${SESSION_COOKIE}=x`,
      '',
    ];
    for (const route of ROUTES) {
      for (const value of forged) {
        const res = await call(route, { cookie: `${SESSION_COOKIE}=${encodeURIComponent(value)}` });
        expect(expectProblem(res, [401]).code, `${route.method} ${route.path} with ${value}`).toBe('AUTH.REQUIRED');
      }
    }
  });

  it('when a session has expired (idle timeout passed, absolute lifetime passed, or signed out), then every admin route answers 401', async () => {
    const admin = await newAdmin('expiry');

    // Idle: the key's time-to-live is the idle timeout; let it run out for real.
    const idle = await signIn(sys.consumer.url, admin);
    const idleKey = `regflow:session:${sessionIdOf(idle)}`;
    const ttl = await redis.ttl(idleKey);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(30 * 60);
    await redis.expire(idleKey, 1);
    await eventually(async () => (await redis.exists(idleKey)) === 0, 10_000, 'the idle session to expire');
    for (const route of ROUTES) expect((await call(route, idle)).status, `${route.method} ${route.path}`).toBe(401);

    // Each use slides the idle expiry back to the full timeout.
    const sliding = await signIn(sys.consumer.url, admin);
    const slidingKey = `regflow:session:${sessionIdOf(sliding)}`;
    await redis.expire(slidingKey, 5);
    expect((await fetch(`${sys.consumer.url}/admin/stats`, { headers: sliding })).status).toBe(200);
    expect(await redis.ttl(slidingKey)).toBeGreaterThan(60);

    // Absolute: a session older than SESSION_ABSOLUTE_HOURS (12) is refused however recently it was used.
    const old = await signIn(sys.consumer.url, admin);
    const oldKey = `regflow:session:${sessionIdOf(old)}`;
    const stored = JSON.parse((await redis.get(oldKey))!) as { createdAt: number };
    await redis.set(oldKey, JSON.stringify({ ...stored, createdAt: Date.now() - 12 * 3600_000 - 1000 }), {
      expiration: 'KEEPTTL',
    });
    for (const route of ROUTES) expect((await call(route, old)).status, `${route.method} ${route.path}`).toBe(401);
    expect(await redis.exists(oldKey)).toBe(0);

    // Signed out: the server forgets the session and tells the browser to drop the cookie.
    const out = await signIn(sys.consumer.url, admin);
    const bye = await fetch(`${sys.consumer.url}/admin/session`, { method: 'DELETE', headers: out });
    expect(bye.status).toBe(204);
    expect(bye.headers.get('set-cookie')).toMatch(new RegExp(`^${SESSION_COOKIE}=;.*Expires=Thu, 01 Jan 1970`, 'i'));
    expect(await redis.exists(`regflow:session:${sessionIdOf(out)}`)).toBe(0);
    for (const route of ROUTES) expect((await call(route, out)).status, `${route.method} ${route.path}`).toBe(401);
  });

  it('when a state-changing request carries a valid session cookie but a missing or wrong x-csrf-token, then it answers 403 and changes nothing', async () => {
    const admin = await newAdmin('csrf');
    const other = await newAdmin('csrf-other');
    const session = await signIn(sys.consumer.url, admin);
    const otherSession = await signIn(sys.consumer.url, other);
    const cookieOnly = { cookie: session.cookie! };
    for (const route of STATE_CHANGING) {
      for (const headers of [
        cookieOnly,
        { ...cookieOnly, 'x-csrf-token': '' },
        { ...cookieOnly, 'x-csrf-token': 'not-the-token' },
        { ...cookieOnly, 'x-csrf-token': otherSession['x-csrf-token']! }, // a real token, of another session
        { ...cookieOnly, 'x-csrf-token': session['x-csrf-token']!.toUpperCase() },
      ]) {
        const res = await call(route, headers);
        expect(expectProblem(res, [403]).code, `${route.method} ${route.path}`).toBe('AUTH.CSRF');
      }
    }
    // A cross-site form post (no preflight, no custom header) is refused the same way.
    const form = await fetch(`${sys.consumer.url}/admin/decisions`, {
      method: 'POST',
      headers: { ...cookieOnly, 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      body: `ids=${newId()}&outcome=approved`,
    });
    expect(form.status).toBe(403);
    // The session survived the refusals: with its token the same session works.
    expect((await fetch(`${sys.consumer.url}/admin/session`, { method: 'DELETE', headers: session })).status).toBe(204);
  });

  it('when another origin asks, then CORS grants nothing; the console origin alone gets credentials', async () => {
    const preflight = (origin: string) =>
      fetch(`${sys.consumer.url}/admin/decisions`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-csrf-token',
        },
      });
    const evil = await preflight('https://evil.example');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    expect(evil.headers.get('access-control-allow-credentials')).toBeNull();
    const console_ = await preflight('http://localhost:8080');
    expect(console_.headers.get('access-control-allow-origin')).toBe('http://localhost:8080');
    expect(console_.headers.get('access-control-allow-credentials')).toBe('true');
    const read = await fetch(`${sys.consumer.url}/healthz`, { headers: { origin: 'null' } });
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('when one account gets 6 wrong passwords, then the 6th answers 429 with Retry-After, and even the right password waits', async () => {
    const admin = await newAdmin('brute');
    const address = newAddress();
    for (let i = 1; i <= 5; i++) {
      const res = await fromFetch(await attempt(admin.email, `wrong-${i}`, address));
      expect(expectProblem(res, [401]).code, `attempt ${i}`).toBe('AUTH.INVALID_CREDENTIALS');
    }
    const sixth = await fromFetch(await attempt(admin.email, 'wrong-6', address));
    expect(expectProblem(sixth, [429]).code).toBe('AUTH.THROTTLED');
    const wait = Number(sixth.headers['retry-after']);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(15 * 60);
    // Per account: a fresh address does not help, and neither does the right password.
    const right = await fromFetch(await attempt(admin.email, admin.password, newAddress()));
    expect(expectProblem(right, [429]).code).toBe('AUTH.THROTTLED');
    // Case and look-alike spellings are the same account.
    const shouted = await fromFetch(await attempt(admin.email.toUpperCase(), admin.password, newAddress()));
    expect(shouted.status).toBe(429);
    // The audit trail keeps the block once (its first refusal), not each of the three refusals.
    const { rows } = await db.query(
      "select actor, detail from audit_log where action = 'session.sign-in-throttled' and actor = $1",
      [admin.email],
    );
    expect(rows).toEqual([{ actor: admin.email, detail: { blocked: 'account', retryAfterSeconds: wait } }]);
  });

  it('when one address fails 20 sign-ins across many accounts, then that address is refused even with right credentials, and others are not', async () => {
    const admin = await newAdmin('spray');
    const address = newAddress();
    const sprayed: string[] = [];
    for (let i = 0; i < 20; i++) {
      const email = `nobody.${i}.${randomBytes(3).toString('hex')}@security.test`;
      sprayed.push(email);
      expect((await attempt(email, 'Guess-1234567', address)).status).toBe(401);
    }
    adminEmails.push(...sprayed); // their failure counters are cleared after the run
    const blocked = await fromFetch(await attempt(admin.email, admin.password, address));
    expect(expectProblem(blocked, [429]).code).toBe('AUTH.THROTTLED');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect((await attempt(admin.email, admin.password, newAddress())).status).toBe(200);
  });

  it('when a sign-in fails, then an unknown account and a wrong password get the same answer', async () => {
    const admin = await newAdmin('enum');
    const address = newAddress();
    const wrongPassword = await fromFetch(await attempt(admin.email, 'Wrong-Password-1', address));
    const unknown = await fromFetch(
      await attempt(`nobody.${randomBytes(3).toString('hex')}@security.test`, 'Wrong-Password-1', address),
    );
    expect(wrongPassword.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(unknown.body).toBe(wrongPassword.body);
  });

  it('when an admin signs in, then the cookie is HttpOnly, SameSite=Strict, Path=/, holds only a fresh random id, and is Secure behind HTTPS', async () => {
    const admin = await newAdmin('cookie');
    const planted = randomBytes(32).toString('base64url');
    const res = await fetch(`${sys.consumer.url}/admin/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `${SESSION_COOKIE}=${planted}` },
      body: JSON.stringify(admin),
    });
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie')!;
    const attributes = cookie.split(';').map((a) => a.trim().toLowerCase());
    expect(attributes).toContain('httponly');
    expect(attributes).toContain('samesite=strict');
    expect(attributes).toContain('path=/');
    expect(attributes.some((a) => a.startsWith('max-age='))).toBe(true);
    expect(attributes).not.toContain('secure'); // plain HTTP on loopback
    const id = /^regflow_session=([^;]*)/.exec(cookie)![1]!;
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(id).not.toBe(planted); // no session fixation: a planted id is never adopted
    const body = (await res.json()) as Record<string, unknown>;
    expect(JSON.stringify(body)).not.toContain(id);
    expect(body.email).toBe(admin.email);
    const again = await signIn(sys.consumer.url, admin);
    expect(sessionIdOf(again)).not.toBe(id);

    const https = await fetch(`${sys.consumer.url}/admin/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
      body: JSON.stringify(admin),
    });
    expect(
      https.headers
        .get('set-cookie')!
        .split(';')
        .map((a) => a.trim().toLowerCase()),
    ).toContain('secure');
  });

  it('when an admin decides, then the decision records that admin, and a second admin is told who decided first', async () => {
    const first = await newAdmin('decider');
    const second = await newAdmin('late');
    const a = await signIn(sys.consumer.url, first);
    const b = await signIn(sys.consumer.url, second);
    const posted = await fetch(`${sys.access.url}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(buildRegistration()),
    });
    expect(posted.status).toBe(202);
    const { id } = (await posted.json()) as { id: string };
    await eventually(
      async () => {
        const res = await fetch(`${sys.consumer.url}/admin/users/${id}`, { headers: a });
        return (
          res.status === 200 && Boolean(((await res.json()) as { timeline: { stagedAt?: string } }).timeline.stagedAt)
        );
      },
      60_000,
      'the registration to be staged',
    );

    // A CSRF-less approve did nothing: the registration is still there to decide.
    expect(
      (await fetch(`${sys.consumer.url}/admin/users/${id}/approve`, { method: 'POST', headers: { cookie: a.cookie! } }))
        .status,
    ).toBe(403);

    const approved = await fetch(`${sys.consumer.url}/admin/users/${id}/approve`, { method: 'POST', headers: a });
    expect(approved.status).toBe(200);
    expect(await approved.json()).toMatchObject({ id, status: 'approved', decidedBy: first.email });
    expect((await db.query('select decided_by from decisions where user_id = $1', [id])).rows).toEqual([
      { decided_by: first.email },
    ]);
    expect((await db.query('select approved_by from approved_users where id = $1', [id])).rows).toEqual([
      { approved_by: first.email },
    ]);

    const late = await fromFetch(
      await fetch(`${sys.consumer.url}/admin/users/${id}/reject`, {
        method: 'POST',
        headers: { ...b, 'content-type': 'application/json' },
        body: '{}',
      }),
    );
    expect(expectProblem(late, [409]).code).toBe('REGISTRATION.ALREADY_DECIDED');
    expect(JSON.parse(late.body)).toMatchObject({ decidedBy: first.email, outcome: 'approved' });
  });

  it('when any service answers, then it carries the helmet security headers and no x-powered-by', async () => {
    for (const url of [
      `${sys.access.url}/users/${newId()}`,
      `${sys.orchestrator.url}/users/search`,
      `${sys.consumer.url}/admin/pending`,
    ]) {
      const res = await fetch(url);
      expect(res.headers.get('x-content-type-options'), url).toBe('nosniff');
      expect(res.headers.get('content-security-policy'), url).toContain("default-src 'self'");
      expect(res.headers.get('x-frame-options'), url).toBe('SAMEORIGIN');
      expect(res.headers.get('strict-transport-security'), url).toMatch(/max-age=\d+/);
      expect(res.headers.get('x-powered-by'), url).toBeNull();
    }
  });
});
