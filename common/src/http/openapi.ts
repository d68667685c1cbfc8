import express, { Router, type Express, type RequestHandler } from 'express';
import getSwaggerUiPath from 'swagger-ui-dist/absolute-path.js';
import { z } from 'zod';
import {
  createDocument,
  type ZodOpenApiComponentsObject,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponseObject,
  type ZodOpenApiResponsesObject,
} from 'zod-openapi';
import { PROBLEM_CONTENT_TYPE, problemSchema } from './problem';

/**
 * OpenAPI 3.1 for a service, generated from the zod schemas its routes validate with (zod-openapi), so
 * there is no second copy to drift. Each route carries its own operation, written beside it:
 *
 *   router.post('/users', documented({ summary, requestBody: jsonBody(schema), responses }), handler)
 *
 * `createServiceApp` walks the app's routes once they are mounted and builds the document from the
 * operations it finds; it serves it at GET /openapi.json and browsable at GET /docs (Swagger UI, served
 * from swagger-ui-dist in node_modules: no CDN). test/e2e/openapi-contract.test.ts fails on a route that
 * has no operation.
 */
export type Operation = ZodOpenApiOperationObject;
export type OpenApiDocument = ReturnType<typeof createDocument>;

const OPERATION = Symbol('regflow.openapi.operation');
type DocumentedHandler = RequestHandler & { [OPERATION]: Operation };
const NOT_AN_OPERATION = Symbol('regflow.openapi.notAnOperation');

/** A route that is not an operation of the API (the 405 answer for the methods a path does not take). */
export function notAnOperation(handler: RequestHandler): RequestHandler {
  return Object.assign(handler, { [NOT_AN_OPERATION]: true });
}

/**
 * The route's OpenAPI operation, as the first handler of the route. It does nothing at request time
 * (calls next); `listRoutes` finds the operation on it.
 */
export function documented(operation: Operation): RequestHandler {
  const marker: RequestHandler = (_req, _res, next) => next();
  return Object.assign(marker, { [OPERATION]: operation }) satisfies DocumentedHandler;
}

export interface RouteInfo {
  method: string;
  /** In OpenAPI form: `/users/{id}`. */
  path: string;
  /** As express matches it: `/users/:id`. */
  expressPath: string;
  operation?: Operation;
}

interface LayerLike {
  route?: { path: unknown; methods: Record<string, boolean>; stack: Array<{ handle: unknown }> };
  handle: { stack?: LayerLike[] };
  rawPath?: unknown;
  slash?: boolean;
}

/**
 * Every route the app answers, found by walking express's router stack (routers mounted on a plain
 * path prefix included), with the operation `documented()` attached to it, if any.
 */
export function listRoutes(app: Express): RouteInfo[] {
  const out: RouteInfo[] = [];
  const walk = (stack: LayerLike[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const { path, methods, stack: handlers } = layer.route;
        if (handlers.some((h) => (h.handle as { [NOT_AN_OPERATION]?: boolean })[NOT_AN_OPERATION])) continue;
        if (typeof path !== 'string') throw new Error(`listRoutes: route path ${String(path)} is not a plain string`);
        const marker = handlers.map((h) => h.handle as Partial<DocumentedHandler>).find((h) => h[OPERATION]);
        for (const method of Object.keys(methods).filter((m) => methods[m])) {
          const expressPath = prefix + path;
          out.push({ method, path: toOpenApiPath(expressPath), expressPath, operation: marker?.[OPERATION] });
        }
      } else if (Array.isArray(layer.handle.stack)) {
        if (!layer.slash && typeof layer.rawPath !== 'string')
          throw new Error(`listRoutes: a router mounted on ${String(layer.rawPath)} (only plain paths are walked)`);
        walk(layer.handle.stack, layer.slash ? prefix : prefix + String(layer.rawPath));
      }
    }
  };
  walk((app as unknown as { router: { stack: LayerLike[] } }).router.stack, '');
  return out;
}

/** `/users/:id` → `/users/{id}`; a path with wildcards or optional parts has no OpenAPI form. */
function toOpenApiPath(path: string): string {
  if (/[*?(){}]/.test(path)) throw new Error(`listRoutes: ${path} has no plain OpenAPI form`);
  return path.replace(/:(\w+)/g, '{$1}');
}

export interface ApiInfo {
  title: string;
  description: string;
  /** Security schemes the operations name in `security`. */
  securitySchemes?: ZodOpenApiComponentsObject['securitySchemes'];
}

/** The OpenAPI 3.1 document of every documented route of `app`. */
export function buildOpenApiDocument(app: Express, info: ApiInfo): OpenApiDocument {
  const paths: ZodOpenApiPathsObject = {};
  for (const route of listRoutes(app)) {
    if (!route.operation) continue;
    paths[route.path] = { ...paths[route.path], [route.method]: route.operation };
  }
  return createDocument({
    openapi: '3.1.0',
    info: { title: info.title, version: '1', description: info.description },
    paths,
    components: info.securitySchemes ? { securitySchemes: info.securitySchemes } : undefined,
  });
}

// --- building blocks for operations ---------------------------------------------------------------------

/** A required JSON request body validated by `schema` (documented as what it accepts: its input). */
export function jsonBody(schema: z.ZodType, description?: string): NonNullable<Operation['requestBody']> {
  return { required: true, description, content: { 'application/json': { schema } } };
}

/** A JSON answer whose body `schema` describes; `headers` as a zod object of header names. */
export function jsonResponse(
  description: string,
  schema: z.ZodType,
  headers?: ZodOpenApiResponseObject['headers'],
): ZodOpenApiResponseObject {
  return { description, headers, content: { 'application/json': { schema } } };
}

/** A problem+json answer (RFC 9457, `Problem`). */
export function problemResponse(
  description: string,
  headers?: ZodOpenApiResponseObject['headers'],
): ZodOpenApiResponseObject {
  return { description, headers, content: { [PROBLEM_CONTENT_TYPE]: { schema: problemSchema } } };
}

const retryAfter = z.object({
  'retry-after': z.string().regex(/^\d+$/).meta({ description: 'Seconds to wait before trying again.' }),
});
const maybeRetryAfter = retryAfter.partial();

/** The refusals every service answers the same way, with what each means. */
const STANDARD_PROBLEMS = {
  400: problemResponse(
    'REQUEST.INVALID: `errors` names each bad field, unknown fields included. REQUEST.MALFORMED_JSON: the body is not JSON; REQUEST.MALFORMED_URL: the path is not valid percent-encoded UTF-8.',
  ),
  401: problemResponse('AUTH.REQUIRED: no live session; sign in with POST /admin/session.'),
  403: problemResponse("AUTH.CSRF: the x-csrf-token header is missing or not the session's."),
  404: problemResponse('Not found.'),
  409: problemResponse('Conflict.'),
  410: problemResponse('Gone.'),
  413: problemResponse('REQUEST.TOO_LARGE: the body is larger than this route takes.'),
  415: problemResponse(
    'REQUEST.UNSUPPORTED_MEDIA_TYPE: send the body as application/json; REQUEST.UNSUPPORTED_ENCODING: an unsupported content-encoding or charset.',
  ),
  429: problemResponse('Too many requests; wait as long as Retry-After says, when it is given.', maybeRetryAfter),
  503: problemResponse(
    'DEPENDENCY.UNAVAILABLE: a server this request needs does not answer; nothing was changed. Try again after Retry-After seconds.',
    retryAfter,
  ),
} satisfies Record<number, ZodOpenApiResponseObject>;
export type ProblemStatus = keyof typeof STANDARD_PROBLEMS;

/**
 * Problem answers by status: `true` for the standard meaning, or a description of what this route
 * means by it (`{ 404: 'REGISTRATION.NOT_FOUND: …' }`); the headers stay those of the status.
 */
export function problems(statuses: Partial<Record<ProblemStatus, true | string>>): ZodOpenApiResponsesObject {
  return Object.fromEntries(
    Object.entries(statuses).map(([status, meaning]) => {
      const standard = STANDARD_PROBLEMS[Number(status) as ProblemStatus];
      return [status, typeof meaning === 'string' ? { ...standard, description: meaning } : standard];
    }),
  );
}

// --- the document and the docs page, served by every service that has an `openapi` description ---------

// Swagger UI's own page, with its script in a file (the services' CSP allows no inline script) and
// without the validator badge, which would fetch an image from the internet.
const DOCS_PAGE = (title: string) => `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${title}</title>
    <link rel="stylesheet" href="swagger-ui.css" />
    <link rel="stylesheet" href="index.css" />
    <link rel="icon" type="image/png" href="favicon-32x32.png" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="swagger-ui-bundle.js"></script>
    <script src="docs-init.js"></script>
  </body>
</html>
`;
const DOCS_INIT = `window.ui = SwaggerUIBundle({
  url: new URL('../openapi.json', window.location.href).href,
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
});
`;

const textResponse = (description: string, type: string) => ({
  description,
  content: { [type]: { schema: z.string() } },
});

/**
 * GET /openapi.json (the document) and GET /docs (Swagger UI, its assets under /docs/). `document` is
 * read on each request: the app builds it once its routes are mounted, after this router.
 */
export function openApiRoutes(title: string, document: () => OpenApiDocument): Router {
  const router = Router();
  router.get(
    '/openapi.json',
    documented({
      operationId: 'openapi',
      summary: 'This OpenAPI 3.1 document',
      tags: ['documentation'],
      responses: { 200: jsonResponse('The document.', z.looseObject({ openapi: z.string() })) },
    }),
    (_req, res) => {
      res.json(document());
    },
  );
  router.get(
    '/docs',
    documented({
      operationId: 'docs',
      summary: 'This API in Swagger UI',
      tags: ['documentation'],
      responses: {
        200: textResponse('The page (its assets load from /docs/).', 'text/html'),
        301: { description: 'To /docs/, so the page loads its assets relative to itself.' },
      },
    }),
    (req, res) => {
      // Relative asset paths work under any prefix a proxy adds (the console's /api), from /docs/ only.
      if (!req.originalUrl.split('?')[0]!.endsWith('/')) {
        res
          .status(301)
          .location(`${req.path.split('/').pop()}/`)
          .end();
        return;
      }
      res.type('html').send(DOCS_PAGE(title));
    },
  );
  // Middleware, not routes: the page's assets are not operations of the API.
  router.use('/docs', (req, res, next) => {
    if (req.path !== '/docs-init.js') return next();
    res.type('js').send(DOCS_INIT);
  });
  router.use('/docs', express.static(getSwaggerUiPath(), { index: false, maxAge: '1h' }));
  return router;
}
