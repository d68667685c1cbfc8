import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { inject } from 'vitest';
import { createLogger, newId } from '@regflow/common';
import type { OpenApiDocument } from '@regflow/common/http';
import { loadAccessApiConfig } from '../../access-api/src/config';
import { startAccessApi } from '../../access-api/src/service';
import { linkIn, messagesTo } from '../support/mail-inbox';
import { contractChecker } from '../support/openapi';
import {
  ADMIN,
  EMAIL_TOKEN_SECRET,
  buildRegistration,
  eventually,
  signIn,
  startServices,
  warmUp,
} from '../support/services';
import { clearThrottle, deleteTestAdmins, testAddress } from '../security/support';

type Services = Awaited<ReturnType<typeof startServices>>;
type Checker = ReturnType<typeof contractChecker>;

/**
 * The services' answers against their own OpenAPI documents, on the real servers: each main flow's
 * answers (successes and refusals) are checked for a documented status, content type, headers and a
 * body that matches the schema. At the end, every documented operation must have been seen succeeding,
 * so a route added later fails here until its flow is checked too.
 */
describe('the access, admin and search APIs answer as their OpenAPI documents say', () => {
  let sys: Services;
  let access: Checker;
  let admin: Checker;
  let search: Checker;
  let adminHeaders: Record<string, string>;
  let redis: ReturnType<typeof createClient>;
  const address = testAddress();
  const JSON_TYPE = { 'content-type': 'application/json' };

  const document = async (url: string) => (await (await fetch(`${url}/openapi.json`)).json()) as OpenApiDocument;
  /** Calls the access API and checks the answer against the operation `method path` (a template). */
  const callAccess = (method: string, path: string, url: string, init: RequestInit = {}) =>
    fetch(`${sys.access.url}${url}`, { method, redirect: 'manual', ...init }).then((res) =>
      access.check(method, path, res),
    );
  const callSearch = (method: string, path: string, url: string) =>
    fetch(`${sys.orchestrator.url}${url}`, { method, redirect: 'manual' }).then((res) =>
      search.check(method, path, res),
    );
  const callAdmin = (method: string, path: string, url: string, init: RequestInit = {}) =>
    fetch(`${sys.consumer.url}${url}`, {
      method,
      redirect: 'manual',
      ...init,
      headers: { ...adminHeaders, ...(init.headers as Record<string, string>) },
    }).then((res) => admin.check(method, path, res));
  const postJson = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { ...JSON_TYPE, ...headers },
  });

  beforeAll(async () => {
    // Sign-in refusals count against a documentation-range address of this test's own.
    // Sign-ups go straight to review here; the confirmation flow below signs up through an access API
    // of its own that asks for confirmation.
    sys = await startServices({ TRUST_PROXY: 'true', EMAIL_CONFIRMATION: 'off' });
    access = contractChecker(await document(sys.access.url));
    admin = contractChecker(await document(sys.consumer.url));
    search = contractChecker(await document(sys.orchestrator.url));
    adminHeaders = await signIn(sys.consumer.url);
    redis = createClient({ url: sys.env.REDIS_URL });
    redis.on('error', () => {});
    await redis.connect();
    await warmUp(sys, adminHeaders);
  });

  afterAll(async () => {
    await clearThrottle(redis, ['nobody@example.com'], [address]);
    await redis?.close();
    await sys?.stop();
  });

  it('when the operational and documentation routes are called, then each answers as documented', async () => {
    for (const [check, call] of [
      [access, callAccess],
      [admin, callAdmin],
      [search, callSearch],
    ] as const) {
      expect(await call('GET', '/healthz', '/healthz')).toEqual({ status: 'ok' });
      expect(await call('GET', '/readyz', '/readyz')).toMatchObject({ status: 'ready' });
      expect(await call('GET', '/metrics', '/metrics')).toContain('http_requests_total');
      expect(await call('GET', '/openapi.json', '/openapi.json')).toMatchObject({ openapi: '3.1.0' });
      await call('GET', '/docs', '/docs');
      expect(await call('GET', '/docs', '/docs/')).toContain('swagger-ui-bundle.js');
      expect([...check.covered]).toContain('GET /docs 301');
    }
    // The page's assets come from the service itself (no CDN): the bundle and the script that starts it.
    for (const asset of ['swagger-ui-bundle.js', 'swagger-ui.css', 'docs-init.js']) {
      expect((await fetch(`${sys.access.url}/docs/${asset}`)).status, asset).toBe(200);
    }
  });

  it('when an applicant signs up, then 202, the status, and every refusal answer as documented', async () => {
    const body = (await callAccess('POST', '/users', '/users', postJson(buildRegistration()))) as { id: string };
    // 404 until it is indexed, then 200: both checked (a violation is retried, then reported as the last error).
    await eventually(
      async () => {
        const res = await fetch(`${sys.access.url}/users/${body.id}`);
        await access.check('GET', '/users/{id}', res);
        return res.status === 200;
      },
      30_000,
      'the registration to be indexed',
    );
    expect([...access.covered]).toContain('GET /users/{id} 200');

    const invalid = (await callAccess('POST', '/users', '/users', postJson({ name: '', email: 'x', extra: 1 }))) as {
      errors: Array<{ field: string }>;
    };
    expect(invalid.errors.map((e) => e.field).sort()).toEqual(['email', 'extra', 'name']);
    await callAccess('POST', '/users', '/users', postJson('{"name":'));
    await callAccess('POST', '/users', '/users', { body: 'name=x', headers: { 'content-type': 'text/plain' } });
    await callAccess('POST', '/users', '/users', postJson({ ...buildRegistration(), note: 'x'.repeat(17_000) }));
    await callAccess('GET', '/users/{id}', '/users/not-a-uuid');
    await callAccess('GET', '/users/{id}', `/users/${newId()}`);
    expect([...access.covered]).toEqual(
      expect.arrayContaining(['POST /users 202', 'POST /users 400', 'POST /users 415', 'POST /users 413']),
    );
    expect([...access.covered]).toContain('GET /users/{id} 404');
  });

  it('when the search API is asked for a registration and searched, then every answer is as documented', async () => {
    const registration = buildRegistration();
    const { id } = (await callAccess('POST', '/users', '/users', postJson(registration))) as { id: string };
    const indexed = await eventually(
      async () => {
        const res = await fetch(`${sys.orchestrator.url}/users/${id}`);
        const body = (await search.check('GET', '/users/{id}', res)) as { status?: string };
        return res.status === 200 ? body : undefined;
      },
      30_000,
      'the registration to be indexed',
    );
    expect(indexed).toMatchObject({ id, email: registration.email, status: 'pending' });
    // A get is real-time; a search sees the document after the index's next refresh (about a second).
    await eventually(
      async () => {
        const page = (await callSearch(
          'GET',
          '/users/search',
          `/users/search?q=${encodeURIComponent(registration.email)}`,
        )) as { items: Array<{ id: string }> };
        return page.items.some((item) => item.id === id);
      },
      10_000,
      'the registration in the search results',
    );
    await callSearch('GET', '/users/search', '/users/search?size=20&from=9990');
    await callSearch('GET', '/users/search', '/users/search?status=nonsense');
    await callSearch('GET', '/users/{id}', '/users/not-a-uuid');
    await callSearch('GET', '/users/{id}', `/users/${newId()}`);
    expect([...search.covered]).toEqual(
      expect.arrayContaining([
        'GET /users/{id} 200',
        'GET /users/{id} 400',
        'GET /users/{id} 404',
        'GET /users/search 200',
        'GET /users/search 400',
      ]),
    );
  });

  it('when an address signs up too often, or the search index cannot be reached, then 429 and 503 answer as documented', async () => {
    const env = { ...inject('stackEnv'), EMAIL_TOKEN_SECRET, PORT: '0', LOG_LEVEL: 'silent' };
    const limited = await startAccessApi(
      loadAccessApiConfig({ ...env, RATE_LIMIT_PER_MINUTE: '1', ORCHESTRATOR_URL: 'http://127.0.0.1:1' }),
      createLogger('access-api', 'silent'),
    );
    try {
      const call = (method: string, path: string, url: string, init: RequestInit = {}) =>
        fetch(`${limited.url}${url}`, { method, ...init }).then((res) => access.check(method, path, res));
      await call('POST', '/users', '/users', postJson(buildRegistration()));
      const refused = (await call('POST', '/users', '/users', postJson(buildRegistration()))) as { code: string };
      expect(refused.code).toBe('REQUEST.RATE_LIMITED');
      const unavailable = (await call('GET', '/users/{id}', `/users/${newId()}`)) as { code: string };
      expect(unavailable.code).toBe('DEPENDENCY.UNAVAILABLE');
    } finally {
      await limited.stop();
    }
    expect([...access.covered]).toEqual(expect.arrayContaining(['POST /users 429', 'GET /users/{id} 503']));
  });

  it('when an applicant confirms their email, follows the link twice and asks for the email again, then every answer is as documented', async () => {
    const env = { ...inject('stackEnv'), PORT: '0', LOG_LEVEL: 'silent' };
    const confirming = await startAccessApi(
      loadAccessApiConfig({
        ...env,
        ...sys.env,
        PORT: '0',
        EMAIL_CONFIRMATION: 'required',
        RATE_LIMIT_PER_MINUTE: '100000',
        ORCHESTRATOR_URL: sys.orchestrator.url,
      }),
      createLogger('access-api', 'silent'),
    );
    try {
      const call = (method: string, path: string, url: string, init: RequestInit = {}) =>
        fetch(`${confirming.url}${url}`, { method, redirect: 'manual', ...init }).then((res) =>
          access.check(method, path, res),
        );
      const signUp = async () => {
        const registration = buildRegistration();
        const { id, status } = (await call('POST', '/users', '/users', postJson(registration))) as {
          id: string;
          status: string;
        };
        expect(status).toBe('unconfirmed');
        // The link is signed by consumer-mq and points at the suite's access API (PUBLIC_ACCESS_API_URL).
        const link = await eventually(
          async () => {
            const [message] = await messagesTo(sys.env.MAIL_INBOX_URL, registration.email);
            return message && linkIn(message, `${sys.access.url}/confirmations/`);
          },
          30_000,
          'the confirmation email',
        );
        return { id, path: new URL(link).pathname };
      };

      const first = await signUp();
      await eventually(
        async () => (await fetch(`${confirming.url}/users/${first.id}`)).status === 200,
        30_000,
        'the unconfirmed registration to be indexed',
      );
      // Asked for again while unconfirmed: 202; from the link's own resend form: a page, 202 too.
      expect(await call('POST', '/users/{id}/confirmation-email', `/users/${first.id}/confirmation-email`)).toEqual({
        id: first.id,
        status: 'unconfirmed',
      });
      expect(await call('POST', '/confirmations/{token}/resend', `${first.path}/resend`)).toContain('<html');
      // Followed: confirmed; followed again: already confirmed (200 both); then asking for it again is 409.
      await call('GET', '/confirmations/{token}', first.path);
      await call('GET', '/confirmations/{token}', first.path);
      await eventually(
        async () => {
          const res = await fetch(`${confirming.url}/users/${first.id}/confirmation-email`, { method: 'POST' });
          await access.check('POST', '/users/{id}/confirmation-email', res);
          return res.status === 409;
        },
        30_000,
        'the confirmation to reach the index',
      );
      await call('GET', '/confirmations/{token}', '/confirmations/not-a-token');
      await call('POST', '/users/{id}/confirmation-email', `/users/${newId()}/confirmation-email`);
      expect([...access.covered]).toEqual(
        expect.arrayContaining([
          'GET /confirmations/{token} 200',
          'GET /confirmations/{token} 400',
          'POST /confirmations/{token}/resend 202',
          'POST /users/{id}/confirmation-email 202',
          'POST /users/{id}/confirmation-email 404',
          'POST /users/{id}/confirmation-email 409',
        ]),
      );
    } finally {
      await confirming.stop();
    }
  });

  it('when an admin signs in, reads the queue and decides, then every answer is as documented', async () => {
    // Sessions.
    const signInAs = (body: unknown, headers: Record<string, string> = {}) =>
      callAdmin('POST', '/admin/session', '/admin/session', postJson(body, { 'x-forwarded-for': address, ...headers }));
    expect(await signInAs(ADMIN)).toMatchObject({ email: ADMIN.email });
    expect(await signInAs({ email: 'nobody@example.com', password: 'wrong' })).toMatchObject({
      code: 'AUTH.INVALID_CREDENTIALS',
    });
    await signInAs({ email: 1 });
    await callAdmin('POST', '/admin/session', '/admin/session', {
      body: 'x',
      headers: { 'content-type': 'text/plain' },
    });
    for (let i = 0; i < 5; i++) await signInAs({ email: 'nobody@example.com', password: 'wrong' });
    expect([...admin.covered]).toContain('POST /admin/session 429');
    expect(await callAdmin('GET', '/admin/session', '/admin/session')).toMatchObject({ email: ADMIN.email });
    await callAdmin('GET', '/admin/session', '/admin/session', { headers: { cookie: '' } });

    // A registration in the review queue.
    const posted = await fetch(`${sys.access.url}/users`, { method: 'POST', ...postJson(buildRegistration()) });
    const { id } = (await posted.json()) as { id: string };
    const other = (await (
      await fetch(`${sys.access.url}/users`, { method: 'POST', ...postJson(buildRegistration()) })
    ).json()) as { id: string };
    await eventually(
      async () => {
        const page = (await callAdmin('GET', '/admin/pending', '/admin/pending?limit=500')) as {
          items: Array<{ id: string }>;
        };
        const ids = page.items.map((i) => i.id);
        return ids.includes(id) && ids.includes(other.id);
      },
      60_000,
      'both registrations to be staged',
    );
    await callAdmin('GET', '/admin/pending', '/admin/pending?limit=1');
    await callAdmin('GET', '/admin/pending', '/admin/pending?limit=0');
    await callAdmin('GET', '/admin/pending', '/admin/pending?cursor=nonsense');
    await callAdmin('GET', '/admin/stats', '/admin/stats');
    expect(await callAdmin('GET', '/admin/users/{id}', `/admin/users/${id}`)).toMatchObject({ status: 'pending' });
    await callAdmin('GET', '/admin/users/{id}', `/admin/users/${newId()}`);
    await callAdmin('GET', '/admin/users/{id}', '/admin/users/42');

    // Notes on it.
    const notesPath = '/admin/users/{id}/notes';
    const notePath = '/admin/users/{id}/notes/{noteId}';
    const note = (await callAdmin('POST', notesPath, `/admin/users/${id}/notes`, postJson({ body: 'Checked.' }))) as {
      id: string;
    };
    await callAdmin('POST', notesPath, `/admin/users/${id}/notes`, postJson({ body: '' }));
    expect(
      await callAdmin('PATCH', notePath, `/admin/users/${id}/notes/${note.id}`, postJson({ body: 'Checked twice.' })),
    ).toMatchObject({ body: 'Checked twice.', editedAt: expect.any(String) });
    await callAdmin('PATCH', notePath, `/admin/users/${id}/notes/${newId()}`, postJson({ body: 'x' }));
    expect(await callAdmin('GET', '/admin/users/{id}', `/admin/users/${id}`)).toMatchObject({
      notes: [{ id: note.id }],
    });

    // The catalogue of rejection reasons.
    const catalogue = (await callAdmin(
      'POST',
      '/admin/reasons',
      '/admin/reasons',
      postJson({ label: 'Incomplete', text: 'Some details were missing.', shared: true }),
    )) as { id: string };
    await callAdmin('POST', '/admin/reasons', '/admin/reasons', postJson({ label: '', text: 'x', shared: true }));
    await callAdmin('GET', '/admin/reasons', '/admin/reasons');
    await callAdmin('GET', '/admin/reasons', '/admin/reasons?include=everything');
    await callAdmin('PATCH', '/admin/reasons/{id}', `/admin/reasons/${catalogue.id}`, postJson({ shared: true }));
    await callAdmin('PATCH', '/admin/reasons/{id}', `/admin/reasons/${newId()}`, postJson({ shared: true }));

    // Decisions.
    const decide = (action: 'approve' | 'reject', userId: string, init: RequestInit = {}) =>
      callAdmin('POST', `/admin/users/{id}/${action}`, `/admin/users/${userId}/${action}`, init);
    await decide('approve', id, { headers: { 'x-csrf-token': 'wrong' } });
    await decide('approve', id, { headers: { cookie: '' } });
    expect(await decide('reject', id, postJson({ reason: 'Incomplete', reasonId: catalogue.id }))).toMatchObject({
      reason: 'Incomplete',
      catalogueReason: { id: catalogue.id },
    });
    expect(await decide('approve', id)).toMatchObject({ code: 'REGISTRATION.ALREADY_DECIDED', outcome: 'rejected' });
    await decide('approve', newId());
    await decide('reject', other.id, postJson({ reason: 'x'.repeat(5000) }));
    await decide('reject', other.id, postJson({ reason: 'bad\u0000' }));
    expect(await decide('approve', other.id)).toMatchObject({ status: 'approved' });
    await decide('reject', newId());
    const batch = (await callAdmin(
      'POST',
      '/admin/decisions',
      '/admin/decisions',
      postJson({ ids: [id, newId()], outcome: 'approved' }),
    )) as { results: Array<{ ok: boolean }> };
    expect(batch.results.map((r) => r.ok)).toEqual([false, false]);
    await callAdmin('POST', '/admin/decisions', '/admin/decisions', postJson({ ids: [], outcome: 'maybe' }));
    await callAdmin('POST', '/admin/decisions', '/admin/decisions', {
      body: 'x',
      headers: { 'content-type': 'text/plain' },
    });

    // Search, through the orchestrator.
    await callAdmin('GET', '/admin/search', '/admin/search?size=5');
    await callAdmin('GET', '/admin/search', '/admin/search?from=9990&size=100');
    await callAdmin('GET', '/admin/search', '/admin/search?status=unknown');
    expect([...admin.covered]).toEqual(
      expect.arrayContaining([
        'POST /admin/session 200',
        'POST /admin/session 400',
        'POST /admin/session 401',
        'POST /admin/session 415',
        'GET /admin/session 401',
        'GET /admin/pending 400',
        'GET /admin/users/{id} 404',
        'GET /admin/users/{id} 400',
        'POST /admin/users/{id}/notes 201',
        'POST /admin/users/{id}/notes 400',
        'PATCH /admin/users/{id}/notes/{noteId} 200',
        'PATCH /admin/users/{id}/notes/{noteId} 404',
        'POST /admin/reasons 201',
        'POST /admin/reasons 400',
        'GET /admin/reasons 400',
        'PATCH /admin/reasons/{id} 200',
        'PATCH /admin/reasons/{id} 404',
        'POST /admin/users/{id}/approve 403',
        'POST /admin/users/{id}/approve 401',
        'POST /admin/users/{id}/approve 409',
        'POST /admin/users/{id}/approve 404',
        'POST /admin/users/{id}/reject 413',
        'POST /admin/users/{id}/reject 400',
        'POST /admin/users/{id}/reject 404',
        'POST /admin/decisions 400',
        'POST /admin/decisions 415',
        'GET /admin/search 200',
        'GET /admin/search 400',
      ]),
    );
  });

  it("when an admin opens the live events, uses the operators' tools and signs out, then every answer is as documented", async () => {
    // The stream: its status and content type; the body never ends, so it is cut.
    const abort = new AbortController();
    const stream = await fetch(`${sys.consumer.url}/admin/events`, { headers: adminHeaders, signal: abort.signal });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toBe('text/event-stream');
    abort.abort();
    await callAdmin('GET', '/admin/events', '/admin/events', { headers: { cookie: '' } });
    admin.covered.add('GET /admin/events 200');

    const list = (await callAdmin('GET', '/admin/dead-letters', '/admin/dead-letters?status=all&limit=5')) as {
      waiting: number;
    };
    expect(list.waiting).toBeGreaterThanOrEqual(0);
    await callAdmin('GET', '/admin/dead-letters', '/admin/dead-letters?status=lost');
    const replayPath = '/admin/dead-letters/replay';
    expect(await callAdmin('POST', replayPath, replayPath, postJson({ ids: [2 ** 31 - 1] }))).toEqual({
      replayed: [],
      failed: [],
    });
    await callAdmin('POST', replayPath, replayPath, postJson({ ids: [], all: false }));
    const report = await eventually(
      async () => {
        const res = await fetch(`${sys.consumer.url}/admin/reconcile`, { method: 'POST', headers: adminHeaders });
        return res.status === 200 ? admin.check('POST', '/admin/reconcile', res) : null;
      },
      30_000,
      'a reconciliation of its own',
    );
    expect(report).toMatchObject({ checked: expect.any(Object) });
    await callAdmin('POST', '/admin/reconcile', '/admin/reconcile', { headers: { 'x-csrf-token': '' } });
    expect(await callAdmin('GET', '/admin/reconcile', '/admin/reconcile')).toMatchObject({
      tookMs: expect.any(Number),
    });

    // People: invite (the link arrives by email), set the password with it, disable, enable, reset, role.
    const person = `contract.${newId().slice(0, 8)}@security.test`;
    try {
      const { id: accountId } = (await callAdmin(
        'POST',
        '/admin/accounts',
        '/admin/accounts',
        postJson({ email: person, role: 'reviewer' }),
      )) as { id: string };
      await callAdmin('POST', '/admin/accounts', '/admin/accounts', postJson({ email: person, role: 'reviewer' }));
      await callAdmin('POST', '/admin/accounts', '/admin/accounts', postJson({ email: 'not an email', role: 'boss' }));
      await callAdmin('GET', '/admin/accounts', '/admin/accounts');
      const [invitation] = await eventually(
        async () => {
          const messages = await messagesTo(sys.env.MAIL_INBOX_URL, person);
          return messages.length > 0 ? messages : undefined;
        },
        15_000,
        'the invitation email',
      );
      const token = decodeURIComponent(/set-password\?token=(\S+)/.exec(invitation!.text)![1]!);
      const setPassword = (body: unknown) => callAdmin('POST', '/admin/password', '/admin/password', postJson(body));
      await setPassword({ token, password: 'weak' });
      await setPassword({ token, password: 'Contract-Passw0rd!' });
      await setPassword({ token, password: 'Contract-Passw0rd!' });
      const byId = (action: string, init: RequestInit = {}) =>
        callAdmin('POST', `/admin/accounts/{id}/${action}`, `/admin/accounts/${accountId}/${action}`, init);
      expect(await byId('disable')).toEqual({ sessionsEnded: 0 });
      await byId('enable');
      await byId('reset-password');
      await callAdmin('POST', '/admin/accounts/{id}/disable', `/admin/accounts/${newId()}/disable`);
      await callAdmin('PUT', '/admin/accounts/{id}/role', `/admin/accounts/${accountId}/role`, {
        ...postJson({ role: 'admin' }),
        method: 'PUT',
      });
    } finally {
      await deleteTestAdmins(sys.env.DATABASE_URL, [person]);
    }

    // The audit trail: a page, a refused filter, and the CSV export of one admin's entries.
    const auditPage = (await callAdmin(
      'GET',
      '/admin/audit',
      `/admin/audit?actor=${encodeURIComponent(ADMIN.email)}&limit=2`,
    )) as {
      items: unknown[];
    };
    expect(auditPage.items.length).toBeGreaterThan(0);
    await callAdmin('GET', '/admin/audit', '/admin/audit?cursor=abc');
    await callAdmin('GET', '/admin/audit/export', `/admin/audit/export?actor=${encodeURIComponent(ADMIN.email)}`);
    await callAdmin('GET', '/admin/audit/export', '/admin/audit/export?registrationId=42');

    const own = await signIn(sys.consumer.url);
    await callAdmin('DELETE', '/admin/session', '/admin/session', { headers: { ...own, 'x-csrf-token': 'wrong' } });
    await callAdmin('DELETE', '/admin/session', '/admin/session', { headers: own });
    await callAdmin('DELETE', '/admin/session', '/admin/session', { headers: own });
    expect([...admin.covered]).toEqual(
      expect.arrayContaining([
        'GET /admin/events 401',
        'GET /admin/dead-letters 400',
        'POST /admin/dead-letters/replay 400',
        'POST /admin/reconcile 403',
        'DELETE /admin/session 403',
        'DELETE /admin/session 204',
        'DELETE /admin/session 401',
      ]),
    );
  });

  it('when all flows ran, then every documented operation was seen succeeding', () => {
    for (const checker of [access, admin, search]) {
      const seen = [...checker.covered].filter((c) => /\s2\d\d$/.test(c)).map((c) => c.replace(/\s\d+$/, ''));
      const operations = Object.entries(checker.document.paths ?? {}).flatMap(([path, item]) =>
        Object.keys(item as object).map((method) => `${method.toUpperCase()} ${path}`),
      );
      expect(operations.filter((op) => !seen.includes(op))).toEqual([]);
    }
  });
});
