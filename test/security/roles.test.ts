import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger, newId } from '@regflow/common';
import { loadConsumerConfig } from '../../consumer-mq/src/config';
import { startConsumer, type ConsumerService } from '../../consumer-mq/src/service';
import { signIn } from '../support/services';
import { createTestAdmin, deleteTestAdmins, expectProblem, type RawResponse } from './support';

interface DocumentedOperation {
  method: string;
  path: string;
  security?: unknown[];
  role?: string;
}

/**
 * Every operation of the admin API declares the least role it needs (`x-required-role` in its OpenAPI
 * document, from the same handler that enforces it), and each admin-only operation refuses a reviewer
 * with 403 problem+json, the way auth.test.ts proves 401 for every route. The operations are read from
 * the served document, so an operation added later is covered without anyone listing it here.
 */
describe('admin API roles', () => {
  let service: ConsumerService;
  let operations: DocumentedOperation[];
  const emails: string[] = [];

  const sessionOf = async (role: 'reviewer' | 'admin') => {
    const account = await createTestAdmin(inject('stackEnv').DATABASE_URL, `role-${role}`, role);
    emails.push(account.email);
    return signIn(service.url, account);
  };

  /** The status, headers and body; a stream (live events) is read no further than its headers. */
  const call = async (op: DocumentedOperation, headers: Record<string, string>): Promise<RawResponse> => {
    const hasBody = !['get', 'delete'].includes(op.method);
    const controller = new AbortController();
    const res = await fetch(`${service.url}${op.path.replace(/\{\w+\}/g, newId())}`, {
      method: op.method.toUpperCase(),
      headers: { ...headers, ...(hasBody ? { 'content-type': 'application/json' } : {}) },
      body: hasBody ? '{}' : undefined,
      signal: controller.signal,
    });
    const streaming = res.headers.get('content-type')?.startsWith('text/event-stream');
    const body = streaming ? '' : await res.text();
    if (streaming) controller.abort();
    return { status: res.status, headers: Object.fromEntries(res.headers), body };
  };

  beforeAll(async () => {
    const env = inject('stackEnv');
    service = await startConsumer(
      loadConsumerConfig({
        ...env,
        PORT: '0',
        EMAIL_TOKEN_SECRET: 'test-email-token-secret-0123456789abcdef',
        ORCHESTRATOR_URL: 'http://127.0.0.1:9',
        RECONCILE_INTERVAL_SECONDS: '0',
      }),
      createLogger('consumer-mq', 'silent'),
    );
    const doc = (await (await fetch(`${service.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { security?: unknown[]; 'x-required-role'?: string }>>;
    };
    operations = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/admin'))
      .flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, op]) => ({
          method,
          path,
          security: op.security,
          role: op['x-required-role'],
        })),
      );
  });

  afterAll(async () => {
    await service?.stop();
    await deleteTestAdmins(inject('stackEnv').DATABASE_URL, emails);
  });

  it('when the document is read, then every signed-in operation declares reviewer or admin, and the admin tools need admin', () => {
    const signedIn = operations.filter((op) => (op.security ?? [1]).length > 0);
    expect(signedIn.length).toBeGreaterThanOrEqual(12);
    for (const op of signedIn) expect(['reviewer', 'admin'], `${op.method} ${op.path}`).toContain(op.role);
    const role = (method: string, path: string) => operations.find((o) => o.method === method && o.path === path)?.role;
    expect(role('get', '/admin/dead-letters')).toBe('admin');
    expect(role('post', '/admin/dead-letters/replay')).toBe('admin');
    expect(role('post', '/admin/reconcile')).toBe('admin');
    expect(role('post', '/admin/users/{id}/approve')).toBe('reviewer');
    expect(role('get', '/admin/pending')).toBe('reviewer');
    for (const path of ['/admin/accounts', '/admin/accounts/{id}/disable', '/admin/accounts/{id}/reset-password'])
      expect(role(path === '/admin/accounts' ? 'get' : 'post', path), path).toBe('admin');
    // Signing in, and setting a password with an emailed link (the token is the credential), are open to anyone.
    expect(operations.filter((op) => op.security?.length === 0).map((op) => `${op.method} ${op.path}`)).toEqual([
      'post /admin/session',
      'post /admin/password',
    ]);
  });

  it('when a reviewer calls any admin-only operation, then it answers 403 problem+json AUTH.FORBIDDEN naming the role; an admin is let through', async () => {
    const reviewer = await sessionOf('reviewer');
    const admin = await sessionOf('admin');
    const adminOnly = operations.filter((op) => op.role === 'admin');
    expect(adminOnly.length).toBeGreaterThanOrEqual(4);
    for (const op of adminOnly) {
      const refused = await call(op, reviewer);
      expect(expectProblem(refused, [403]).code, `${op.method} ${op.path}`).toBe('AUTH.FORBIDDEN');
      expect(JSON.parse(refused.body)).toMatchObject({ requiredRole: 'admin' });
      const allowed = await call(op, admin);
      expect([401, 403], `${op.method} ${op.path} as admin: ${allowed.status} ${allowed.body}`).not.toContain(
        allowed.status,
      );
    }
  });

  it('when a reviewer calls the operations a reviewer may use, then none is refused for its role', async () => {
    const reviewer = await sessionOf('reviewer');
    const reviewerOps = operations.filter(
      (op) => op.role === 'reviewer' && !(op.method === 'delete' && op.path === '/admin/session'),
    );
    expect(reviewerOps.length).toBeGreaterThanOrEqual(8);
    for (const op of reviewerOps) {
      const res = await call(op, reviewer);
      expect([401, 403], `${op.method} ${op.path}: ${res.status} ${res.body}`).not.toContain(res.status);
    }
    const me = await fetch(`${service.url}/admin/session`, { headers: reviewer });
    expect(await me.json()).toMatchObject({ role: 'reviewer' });
  });
});
