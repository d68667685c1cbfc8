import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@regflow/common';
import { createMetrics, listRoutes, type OpenApiDocument } from '@regflow/common/http';
import { createApp as createAccessApp } from '../../access-api/src/app';
import { registrationInputSchema } from '../../access-api/src/domain/registration-input';
import { createApp as createConsumerApp } from '../../consumer-mq/src/app';

/**
 * The OpenAPI documents against the apps themselves: every route express has (found by walking its
 * router stack) is documented, the document holds nothing else, it is valid OpenAPI 3.1, and the
 * refusals every client must handle are in it. No server is needed: the routes are only mounted.
 */
const base = () => ({
  logger: createLogger('test', 'silent'),
  metrics: createMetrics('test'),
  readiness: {},
  isShuttingDown: () => false,
});
// Route handlers are closures over their dependencies; mounting them calls none of them.
const apps = {
  'access-api': createAccessApp({
    ...base(),
    publisher: {} as never,
    statusClient: {} as never,
    rateLimitPerMinute: 1,
    emailConfirmation: 'required',
    tokenSecret: 'a-secret-for-mounting-only-0123456789',
    resendLimitPerHour: 1,
  }),
  'consumer-mq': createConsumerApp({ ...base(), consoleOrigin: 'http://127.0.0.1:8080' } as never),
};

async function documentOf(app: (typeof apps)[keyof typeof apps]): Promise<OpenApiDocument> {
  const { default: request } = await import('supertest');
  const res = await request(app).get('/openapi.json');
  expect(res.status).toBe(200);
  return res.body as OpenApiDocument;
}

type Operation = { security?: unknown[]; responses: Record<string, { content?: Record<string, unknown> }> };
const operations = (doc: OpenApiDocument) =>
  Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
    Object.entries(item as Record<string, Operation>).map(([method, op]) => ({ method, path, op })),
  );

describe.each(Object.entries(apps))('the OpenAPI document of %s', (_name, app) => {
  it('when express has a route, then the document has its operation, and nothing else', async () => {
    const routes = listRoutes(app);
    expect(routes.length).toBeGreaterThan(5);
    const undocumented = routes.filter((r) => !r.operation).map((r) => `${r.method.toUpperCase()} ${r.path}`);
    expect(undocumented, 'add documented({...}) as the first handler of each of these routes').toEqual([]);
    const doc = await documentOf(app);
    const inDocument = operations(doc).map(({ method, path }) => `${method} ${path}`);
    expect(inDocument.sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('when validated against the OpenAPI 3.1 schema, then it is valid, with an id for each operation', async () => {
    const doc = await documentOf(app);
    const validator = new Validator();
    const result = await validator.validate(doc as unknown as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(validator.version).toBe('3.1');
    const ids = operations(doc).map(({ op }) => (op as { operationId?: string }).operationId);
    expect(ids.every(Boolean)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('when a served path is asked with a method it does not take, then 405 with Allow; an unknown path is 404', async () => {
    const { default: request } = await import('supertest');
    for (const method of ['put', 'patch', 'delete', 'trace'] as const) {
      const res = await request(app)[method]('/healthz');
      expect(res.status, method).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD');
      expect(res.type).toBe('application/problem+json');
      expect(res.body).toMatchObject({ code: 'REQUEST.METHOD_NOT_ALLOWED' });
    }
    expect((await request(app).head('/healthz')).status).toBe(200);
    expect((await request(app).options('/healthz')).headers.allow).toBe('GET, HEAD');
    expect((await request(app).get('/no-such-path')).status).toBe(404);
    // Before an admin route's session check: the method is wrong whoever asks.
    const session = await request(app).put('/admin/session');
    if (app === apps['consumer-mq'])
      expect([session.status, session.headers.allow]).toEqual([405, 'POST, GET, HEAD, DELETE']);
  });

  it('when a JSON operation refuses (4xx, 5xx), then the refusal is problem+json', async () => {
    const doc = await documentOf(app);
    // A page a person opens (text/html) may refuse with a page too; /readyz's 503 is its report.
    const json = operations(doc).filter(({ op }) => !Object.values(op.responses).some((r) => r.content?.['text/html']));
    const wrong = json.flatMap(({ method, path, op }) =>
      Object.entries(op.responses)
        .filter(([status]) => /^[45]/.test(status) && !(path === '/readyz' && status === '503'))
        .filter(([, r]) => Object.keys(r.content ?? {}).join() !== 'application/problem+json')
        .map(([status]) => `${method} ${path} ${status}`),
    );
    expect(wrong).toEqual([]);
  });
});

describe('what the documents promise', () => {
  it('when a client signs up or signs in too often, then the 429 it gets is documented', async () => {
    const access = await documentOf(apps['access-api']);
    const consumer = await documentOf(apps['consumer-mq']);
    expect(
      Object.keys(operations(access).find((o) => o.path === '/users' && o.method === 'post')!.op.responses),
    ).toEqual(expect.arrayContaining(['202', '400', '413', '415', '429', '503']));
    expect(
      Object.keys(operations(consumer).find((o) => o.path === '/admin/session' && o.method === 'post')!.op.responses),
    ).toEqual(expect.arrayContaining(['200', '400', '401', '429']));
  });

  it('when an admin route is documented, then it names its credentials and the 401 (and 403 for writes)', async () => {
    const doc = await documentOf(apps['consumer-mq']);
    const admin = operations(doc).filter(
      // Signing in and setting a password from an emailed link are the two public ones.
      ({ path, method }) =>
        path.startsWith('/admin/') && !(['/admin/session', '/admin/password'].includes(path) && method === 'post'),
    );
    expect(admin.length).toBeGreaterThan(10);
    for (const { method, path, op } of admin) {
      const write = method !== 'get';
      expect(op.security, `${method} ${path}`).toEqual([write ? { session: [], csrf: [] } : { session: [] }]);
      expect(Object.keys(op.responses), `${method} ${path}`).toEqual(
        expect.arrayContaining(write ? ['401', '403'] : ['401']),
      );
    }
    expect(Object.keys((doc.components as { securitySchemes: object }).securitySchemes)).toEqual(['session', 'csrf']);
  });

  it('when a request schema is documented, then it is the one the route validates with', async () => {
    const doc = await documentOf(apps['access-api']);
    type Body = { properties: object; additionalProperties: boolean; required: string[]; example: object };
    const post = (doc.paths?.['/users'] as { post: { requestBody: { content: Record<string, { schema: Body }> } } })
      .post;
    const body = post.requestBody.content['application/json']!.schema;
    expect(Object.keys(body.properties)).toEqual(['name', 'email', 'cpf', 'phone', 'note']);
    expect(body.required).toEqual(['name', 'email']);
    expect(body.additionalProperties).toBe(false);
    // The example is a sign-up the route accepts (schemathesis sends it first).
    expect(registrationInputSchema.safeParse(body.example).success).toBe(true);
  });
});
