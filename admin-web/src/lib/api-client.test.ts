import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createFakeApi, json, problem } from '@/testing/fake-api';
import { addUnauthorizedListener, api, ApiError, setCsrfToken } from './api-client';
import { loadDraft, saveDraft } from './drafts';

const okSchema = z.object({ ok: z.boolean() });

describe('api-client', () => {
  it('when a write request is sent, then it carries the CSRF token, JSON body and same-origin credentials', async () => {
    const fake = createFakeApi()
      .on('POST', '/admin/things', () => json(200, { ok: true }))
      .install();
    setCsrfToken('token-123');

    await expect(api.post('/admin/things', { a: 1 }, okSchema)).resolves.toEqual({ ok: true });

    const [url, init] = fake.fetch.mock.calls[0] as [string, RequestInit];
    expect(url).toBe('/api/admin/things');
    expect(init.credentials).toBe('same-origin');
    expect(init.method).toBe('POST');
    expect(init.body).toBe('{"a":1}');
    const headers = new Headers(init.headers);
    expect(headers.get('x-csrf-token')).toBe('token-123');
    expect(headers.get('content-type')).toBe('application/json');
  });

  it('when a DELETE is sent, then it carries the CSRF token too', async () => {
    const fake = createFakeApi()
      .on('DELETE', '/admin/session', () => new Response(null, { status: 204 }))
      .install();
    setCsrfToken('token-9');
    await api.delete('/admin/session');
    expect(fake.calls[0]?.headers['x-csrf-token']).toBe('token-9');
  });

  it('when a GET is sent, then no CSRF header is attached and query values are encoded', async () => {
    const fake = createFakeApi()
      .on('GET', '/admin/search', () => json(200, { ok: true }))
      .install();
    setCsrfToken('token-123');
    await api.get('/admin/search', okSchema, { query: { q: 'ana & bia', status: '', from: 0 } });
    expect(fake.calls[0]?.headers['x-csrf-token']).toBeUndefined();
    expect(fake.calls[0]?.query.get('q')).toBe('ana & bia');
    expect(fake.calls[0]?.query.has('status')).toBe(false);
    expect(fake.calls[0]?.query.get('from')).toBe('0');
  });

  it('when the server answers problem+json, then ApiError exposes status, code, title, detail and the extra members', async () => {
    createFakeApi()
      .on('POST', '/admin/users/u1/approve', () =>
        problem(409, 'REGISTRATION.ALREADY_DECIDED', 'Already decided', {
          detail: 'Someone was faster',
          outcome: 'approved',
          decidedBy: 'bob@regflow.test',
          decidedAt: '2025-11-20T10:00:00.000Z',
        }),
      )
      .install();

    const error = await api.post('/admin/users/u1/approve', {}, okSchema).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApiError);
    const apiError = error as ApiError;
    expect(apiError.status).toBe(409);
    expect(apiError.code).toBe('REGISTRATION.ALREADY_DECIDED');
    expect(apiError.title).toBe('Already decided');
    expect(apiError.detail).toBe('Someone was faster');
    expect(apiError.extra).toEqual({
      outcome: 'approved',
      decidedBy: 'bob@regflow.test',
      decidedAt: '2025-11-20T10:00:00.000Z',
    });
  });

  it('when the error body is not JSON, then ApiError still carries the status', async () => {
    createFakeApi()
      .on(
        'GET',
        '/admin/stats',
        () => new Response('<html>Bad gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } }),
      )
      .install();
    const error = (await api.get('/admin/stats', okSchema).catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(502);
    expect(error.code).toBe('HTTP.502');
  });

  it('when throttled with Retry-After, then the wait is exposed in seconds', async () => {
    createFakeApi()
      .on('POST', '/admin/session', () => problem(429, 'AUTH.THROTTLED', 'Too many attempts'))
      .install();
    vi.mocked(fetch).mockResolvedValueOnce(
      new Response(JSON.stringify({ title: 'Too many attempts', status: 429, code: 'AUTH.THROTTLED' }), {
        status: 429,
        headers: { 'content-type': 'application/problem+json', 'retry-after': '42' },
      }),
    );
    const error = (await api
      .post('/admin/session', {}, okSchema, { redirectOn401: false })
      .catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe('AUTH.THROTTLED');
    expect(error.retryAfterSeconds).toBe(42);
  });

  it('when a request gets 401, then the browser goes to sign-in with the current page in ?next= and unsaved input is kept', async () => {
    createFakeApi()
      .on('GET', '/admin/pending', () => problem(401, 'AUTH.UNAUTHENTICATED', 'Sign in required'))
      .install();
    window.history.replaceState(null, '', '/search?q=ana&status=rejected');
    saveDraft('reject:/', { targets: [{ id: 'u1', name: 'Ana' }], reason: 'Half-typed reason' });
    setCsrfToken('stale');
    const listener = vi.fn();
    const stop = addUnauthorizedListener(listener);

    const error = (await api.get('/admin/pending', okSchema).catch((e: unknown) => e)) as ApiError;
    stop();

    expect(error.status).toBe(401);
    expect(window.location.pathname).toBe('/login');
    expect(new URLSearchParams(window.location.search).get('next')).toBe('/search?q=ana&status=rejected');
    expect(listener).toHaveBeenCalledTimes(1);
    expect(loadDraft('reject:/', z.object({ reason: z.string() }))).toEqual({ reason: 'Half-typed reason' });
  });

  it('when a 401 comes from a call that opts out (sign-in itself), then nobody is redirected', async () => {
    createFakeApi()
      .on('POST', '/admin/session', () => problem(401, 'AUTH.INVALID_CREDENTIALS', 'Invalid credentials'))
      .install();
    window.history.replaceState(null, '', '/login?next=%2Fsearch');
    const error = (await api
      .post('/admin/session', {}, okSchema, { redirectOn401: false })
      .catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe('AUTH.INVALID_CREDENTIALS');
    expect(window.location.search).toBe('?next=%2Fsearch');
  });

  it('when the CSRF token was rotated, then the write is retried once with the fresh token', async () => {
    let attempts = 0;
    const fake = createFakeApi()
      .on('GET', '/admin/session', () => json(200, { email: 'a@b.c', csrfToken: 'fresh' }))
      .on('POST', '/admin/things', (req) => {
        attempts += 1;
        return req.headers['x-csrf-token'] === 'fresh'
          ? json(200, { ok: true })
          : problem(403, 'AUTH.CSRF_INVALID', 'Bad token');
      })
      .install();
    setCsrfToken('old');
    await expect(api.post('/admin/things', {}, okSchema)).resolves.toEqual({ ok: true });
    expect(attempts).toBe(2);
    expect(fake.callsTo('POST', '/admin/things').map((c) => c.headers['x-csrf-token'])).toEqual(['old', 'fresh']);
  });

  it('when the network is down, then an ApiError with status 0 explains it', async () => {
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')));
    const error = (await api.get('/admin/stats', okSchema).catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(0);
    expect(error.code).toBe('NETWORK.UNREACHABLE');
  });

  it('when the body does not match the expected shape, then RESPONSE.INVALID names the field', async () => {
    createFakeApi()
      .on('GET', '/admin/stats', () => json(200, { ok: 'yes' }))
      .install();
    const error = (await api.get('/admin/stats', okSchema).catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe('RESPONSE.INVALID');
    expect(error.detail).toContain('ok');
  });
});
