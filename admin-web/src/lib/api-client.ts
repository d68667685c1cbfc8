import type { z } from 'zod';
import { env } from '@/config/env';
import { redirectToSignIn } from './navigation';

/** RFC 9457 problem details as the admin API sends them. */
export interface ProblemDetails {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  instance?: string;
  [extra: string]: unknown;
}

const KNOWN_PROBLEM_FIELDS = new Set(['type', 'title', 'status', 'detail', 'code', 'instance']);

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly type: string | undefined;
  /** Problem members beyond the standard ones, e.g. `{outcome, decidedBy, decidedAt}` on a 409. */
  readonly extra: Readonly<Record<string, unknown>>;
  /** From Retry-After, when the server throttles. */
  readonly retryAfterSeconds: number | undefined;

  constructor(init: {
    status: number;
    code: string;
    title: string;
    detail?: string | undefined;
    type?: string | undefined;
    extra?: Record<string, unknown>;
    retryAfterSeconds?: number | undefined;
  }) {
    super(init.detail ? `${init.title}: ${init.detail}` : init.title);
    this.status = init.status;
    this.code = init.code;
    this.title = init.title;
    this.detail = init.detail;
    this.type = init.type;
    this.extra = init.extra ?? {};
    this.retryAfterSeconds = init.retryAfterSeconds;
  }

  /** Builds an ApiError from a problem object, e.g. one embedded in a batch result. */
  static fromProblem(problem: unknown, fallbackStatus = 500, retryAfterSeconds?: number): ApiError {
    const body = isRecord(problem) ? problem : {};
    const status = typeof body.status === 'number' ? body.status : fallbackStatus;
    const extra: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(body)) {
      if (!KNOWN_PROBLEM_FIELDS.has(key)) extra[key] = value;
    }
    return new ApiError({
      status,
      code: typeof body.code === 'string' ? body.code : `HTTP.${status}`,
      title: typeof body.title === 'string' ? body.title : defaultTitle(status),
      detail: typeof body.detail === 'string' ? body.detail : undefined,
      type: typeof body.type === 'string' ? body.type : undefined,
      extra,
      retryAfterSeconds,
    });
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function defaultTitle(status: number): string {
  if (status >= 500) return 'The server had a problem';
  if (status === 404) return 'Not found';
  if (status === 403) return 'Not allowed';
  return `Request failed (${status})`;
}

// --- session-bound state -------------------------------------------------------------------------

let csrfToken: string | null = null;

/** Set from the session response; sent back on every state-changing request. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function getCsrfToken(): string | null {
  return csrfToken;
}

type UnauthorizedListener = () => void;
const unauthorizedListeners = new Set<UnauthorizedListener>();

/** Lets the app drop cached session data before the redirect to sign-in happens. */
export function addUnauthorizedListener(listener: UnauthorizedListener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

function handleUnauthorized() {
  csrfToken = null;
  for (const listener of unauthorizedListeners) listener();
  // Drafts are already persisted as they are typed (lib/drafts), and the current path travels in ?next=.
  redirectToSignIn();
}

// --- requests --------------------------------------------------------------------------------------

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  method?: Method;
  body?: unknown;
  query?: Record<string, string | number | boolean | null | undefined>;
  signal?: AbortSignal | undefined;
  /** Off for the session endpoints themselves, where 401 is an answer, not an expiry. */
  redirectOn401?: boolean;
}

export function buildUrl(path: string, query?: RequestOptions['query']): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return `${env.apiBaseUrl}${path}${qs ? `?${qs}` : ''}`;
}

async function send(path: string, options: RequestOptions): Promise<Response> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  try {
    return await fetch(buildUrl(path, options.query), {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? null : JSON.stringify(options.body),
      signal: options.signal ?? null,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError({
      status: 0,
      code: 'NETWORK.UNREACHABLE',
      title: 'Cannot reach the server',
      detail: 'Check your connection; the console retries on its own.',
    });
  }
}

async function errorFromResponse(response: Response): Promise<ApiError> {
  const retryAfter = Number.parseInt(response.headers.get('retry-after') ?? '', 10);
  const retryAfterSeconds = Number.isFinite(retryAfter) ? retryAfter : undefined;
  const type = response.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    try {
      return ApiError.fromProblem(await response.json(), response.status, retryAfterSeconds);
    } catch {
      // Fall through: a broken body still deserves the status-based error.
    }
  }
  return ApiError.fromProblem({}, response.status, retryAfterSeconds);
}

function isCsrfRejection(error: ApiError): boolean {
  return error.status === 403 && /csrf/i.test(error.code);
}

async function refreshCsrfToken(): Promise<boolean> {
  const response = await send('/admin/session', { method: 'GET' });
  if (!response.ok) return false;
  const body: unknown = await response.json().catch(() => null);
  if (isRecord(body) && typeof body.csrfToken === 'string') {
    csrfToken = body.csrfToken;
    return true;
  }
  return false;
}

/**
 * The single fetch wrapper: JSON in and out, cookies same-origin, CSRF header on writes, problem+json
 * turned into ApiError, and a 401 turned into a trip to sign-in that keeps where the user was.
 */
export async function apiRequest<S extends z.ZodType>(
  path: string,
  schema: S | null,
  options: RequestOptions = {},
): Promise<z.output<S>> {
  let response = await send(path, options);

  if (!response.ok) {
    let error = await errorFromResponse(response);
    // A rotated token (e.g. after the session was renewed elsewhere) deserves one silent retry.
    if (isCsrfRejection(error) && (await refreshCsrfToken())) {
      response = await send(path, options);
      error = response.ok ? error : await errorFromResponse(response);
    }
    if (!response.ok) {
      if (error.status === 401 && options.redirectOn401 !== false) handleUnauthorized();
      throw error;
    }
  }

  if (schema === null || response.status === 204) return undefined as z.output<S>;
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new ApiError({
      status: response.status,
      code: 'RESPONSE.INVALID',
      title: 'The server sent an unreadable response',
    });
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new ApiError({
      status: response.status,
      code: 'RESPONSE.INVALID',
      title: 'The server sent an unexpected response',
      detail: parsed.error.issues
        .slice(0, 3)
        .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
        .join('; '),
    });
  }
  return parsed.data;
}

export const api = {
  get: <S extends z.ZodType>(path: string, schema: S, options: Omit<RequestOptions, 'method' | 'body'> = {}) =>
    apiRequest(path, schema, { ...options, method: 'GET' }),
  post: <S extends z.ZodType>(
    path: string,
    body: unknown,
    schema: S | null,
    options: Omit<RequestOptions, 'method' | 'body'> = {},
  ) => apiRequest(path, schema, { ...options, method: 'POST', body }),
  patch: <S extends z.ZodType>(
    path: string,
    body: unknown,
    schema: S | null,
    options: Omit<RequestOptions, 'method' | 'body'> = {},
  ) => apiRequest(path, schema, { ...options, method: 'PATCH', body }),
  delete: (path: string, options: Omit<RequestOptions, 'method' | 'body'> = {}) =>
    apiRequest(path, null, { ...options, method: 'DELETE' }),
};

/** A sentence a reviewer can act on, for any error the console shows. */
export function describeError(error: unknown): string {
  if (isApiError(error)) {
    if (error.status === 0) return 'Cannot reach the server. Check your connection and try again.';
    const title = error.title.replace(/[.!]$/, '');
    return error.detail ? `${title}. ${error.detail}` : `${title}.`;
  }
  return error instanceof Error ? error.message : 'Something went wrong.';
}
