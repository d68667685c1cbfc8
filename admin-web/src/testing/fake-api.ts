import { vi } from 'vitest';
import type { PendingUser, Stats } from '@/types/api';

/** Our own admin HTTP API, faked at the fetch boundary for component tests. */
export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  headers: Record<string, string>;
}

type Handler = (request: FakeRequest, params: string[], index: number) => Response | Promise<Response>;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers },
  });
}

export function problem(status: number, code: string, title: string, extra: Record<string, unknown> = {}): Response {
  return json(status, { type: 'about:blank', title, status, code, ...extra });
}

export function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

export function createFakeApi() {
  const routes: Array<{ method: string; pattern: RegExp; handler: Handler; spent?: boolean }> = [];
  const calls: FakeRequest[] = [];

  // Later registrations win, so a test can override a default route.
  const dispatch = (request: FakeRequest, below = routes.length): Response | Promise<Response> => {
    for (let i = below - 1; i >= 0; i -= 1) {
      const route = routes[i];
      if (!route || route.spent || route.method !== request.method) continue;
      const match = route.pattern.exec(request.path);
      if (match) return route.handler(request, match.slice(1), i);
    }
    return problem(404, 'TEST.NO_ROUTE', `No fake route for ${request.method} ${request.path}`);
  };
  const toPattern = (path: string | RegExp) =>
    typeof path === 'string' ? new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : path;

  const fetchImpl = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), 'http://console.test');
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, key) => {
      headers[key] = value;
    });
    const request: FakeRequest = {
      method: (init.method ?? 'GET').toUpperCase(),
      path: url.pathname.replace(/^\/api/, ''),
      query: url.searchParams,
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
      headers,
    };
    calls.push(request);
    return dispatch(request);
  });

  const api = {
    calls,
    fetch: fetchImpl,
    on(method: string, path: string | RegExp, handler: Handler) {
      routes.push({ method, pattern: toPattern(path), handler });
      return api;
    },
    /**
     * The next matching request is answered by the routes as they stand now, but the answer is held
     * until `release()`: a response the server computed before something happened, arriving after it.
     */
    holdNext(method: string, path: string | RegExp) {
      const gate = deferred<void>();
      const hold = { requested: false, release: () => gate.resolve() };
      const route = {
        method,
        pattern: toPattern(path),
        spent: false,
        handler: async (request: FakeRequest, _params: string[], index: number) => {
          route.spent = true;
          hold.requested = true;
          const answer = await dispatch(request, index);
          await gate.promise;
          return answer;
        },
      };
      routes.push(route);
      return hold;
    },
    callsTo(method: string, path: string | RegExp) {
      return calls.filter(
        (c) => c.method === method && (typeof path === 'string' ? c.path === path : path.test(c.path)),
      );
    },
    install() {
      vi.stubGlobal('fetch', fetchImpl);
      return api;
    },
  };
  return api;
}

export type FakeApi = ReturnType<typeof createFakeApi>;

export const ADMIN = 'reviewer@regflow.test';

export function makePendingUsers(count: number, start = 0): PendingUser[] {
  const base = Date.parse('2025-11-20T09:00:00.000Z');
  return Array.from({ length: count }, (_, i) => {
    const n = start + i;
    return {
      id: `user-${String(n).padStart(5, '0')}`,
      name: `Person ${n}`,
      email: `person${n}@example.com`,
      cpf: String(12345678900 + n).slice(0, 11),
      phone: `+55119${String(87650000 + n).slice(0, 8)}`,
      note: n % 2 === 0 ? `Note for person ${n}` : undefined,
      registeredAt: new Date(base + n * 60_000).toISOString(),
      stagedAt: new Date(base + n * 60_000 + 2_000).toISOString(),
    };
  });
}

/**
 * A signed-in reviewer with a queue: session, pending (cursor = offset), stats. The pending list is
 * mutable so tests can shape what the "server" returns next; a test that emits a live event changes it
 * first, as the real server stages or decides before it publishes.
 */
/** The catalogue of rejection reasons every signed-in fake API serves. */
export const REASONS = [
  { id: 'reason-dup', label: 'Duplicate account', text: 'You already have an account with us.', shared: true },
  { id: 'reason-id', label: 'Identity not verified', text: 'Internal: documents mismatch.', shared: false },
];

export function signedInApi(options: { pending?: PendingUser[]; stats?: Stats; pageSize?: number } = {}) {
  const state = {
    signedIn: true,
    pending: [...(options.pending ?? makePendingUsers(5))],
    stats: options.stats ?? {
      pending: (options.pending ?? makePendingUsers(5)).length,
      approvedToday: 4,
      rejectedToday: 1,
    },
  };
  const api = createFakeApi()
    .on('GET', '/admin/session', () =>
      state.signedIn
        ? json(200, { email: ADMIN, csrfToken: 'csrf-1' })
        : problem(401, 'AUTH.UNAUTHENTICATED', 'Sign in required'),
    )
    .on('POST', '/admin/session', (req) => {
      const body = req.body as { email: string; password: string };
      if (body.password !== 'correct horse') return problem(401, 'AUTH.INVALID_CREDENTIALS', 'Invalid credentials');
      state.signedIn = true;
      return json(200, { email: body.email, csrfToken: 'csrf-2' });
    })
    .on('DELETE', '/admin/session', () => {
      state.signedIn = false;
      return new Response(null, { status: 204 });
    })
    .on('GET', '/admin/pending', (req) => {
      const limit = options.pageSize ?? Number(req.query.get('limit') ?? 50);
      const offset = Number(req.query.get('cursor') ?? 0);
      const items = state.pending.slice(offset, offset + limit);
      const next = offset + limit < state.pending.length ? String(offset + limit) : null;
      return json(200, { items, nextCursor: next, total: state.pending.length });
    })
    // Like the real API, the pending count is the size of the queue it would list.
    .on('GET', '/admin/stats', () => json(200, { ...state.stats, pending: state.pending.length }))
    .on('GET', '/admin/reasons', () => json(200, { items: REASONS }));
  return { api: api.install(), state };
}
