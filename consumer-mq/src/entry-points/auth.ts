import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppError } from '@regflow/common';
import { documented, type ApiInfo, type Operation } from '@regflow/common/http';
import type { Session, SessionStore } from '../data-access/session-store';
import { roleAllows, type Role } from '../domain/roles';

export const SESSION_COOKIE = 'regflow_session';
const CSRF_HEADER = 'x-csrf-token';

/** The admin API's two credentials, for its OpenAPI document. */
export const securitySchemes: ApiInfo['securitySchemes'] = {
  session: {
    type: 'apiKey',
    in: 'cookie',
    name: SESSION_COOKIE,
    description: 'Set by POST /admin/session (HttpOnly, SameSite=Strict).',
  },
  csrf: {
    type: 'apiKey',
    in: 'header',
    name: CSRF_HEADER,
    description: "The session's csrfToken (from POST or GET /admin/session); every state-changing request sends it.",
  },
};
/** What `requireSession` asks of a GET: the session cookie. */
export const signedIn = { security: [{ session: [] }] } satisfies Partial<Operation>;
/** What `requireSession` asks of a state-changing request: the cookie and the CSRF token. */
export const signedInWithCsrf = { security: [{ session: [], csrf: [] }] } satisfies Partial<Operation>;

/** The OpenAPI extension on each signed-in operation naming the least role it needs. */
export const REQUIRED_ROLE = 'x-required-role';

/** An admin API operation: documented, and declaring the least role it needs. */
export type GuardedOperation = Operation & { [REQUIRED_ROLE]: Role };

/** For an operation's definition: `...needs('admin')`. */
export function needs(role: Role): { [REQUIRED_ROLE]: Role } {
  return { [REQUIRED_ROLE]: role };
}

/**
 * The route's OpenAPI operation (as `documented` from common/http) AND the check of the role it
 * declares, in one handler, so a route's documented role and the role it enforces cannot differ.
 * It runs after `requireSession`; a session without a role (from before roles) counts as a reviewer.
 */
export function guarded(operation: GuardedOperation): RequestHandler {
  const needed = operation[REQUIRED_ROLE];
  const marker = documented(operation);
  const check: RequestHandler = (req, res, next) => {
    const session = req.session;
    if (!session) throw new AppError('AUTH.REQUIRED', 401, 'Sign in to continue.');
    if (!roleAllows(session.role ?? 'reviewer', needed)) {
      throw new AppError('AUTH.FORBIDDEN', 403, `This needs the ${needed} role.`, { requiredRole: needed });
    }
    void marker(req, res, next);
  };
  // The marker's operation rides on the check, where listRoutes (and the OpenAPI document) find it.
  return Object.assign(check, marker);
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      session?: Session & { id: string };
    }
  }
}

/** Every admin route: a live session, and for state-changing methods the session's CSRF token. */
export function requireSession(sessions: SessionStore): RequestHandler {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const id = req.cookies?.[SESSION_COOKIE] as string | undefined;
    const session = id ? await sessions.touch(id) : null;
    if (!session || !id) throw new AppError('AUTH.REQUIRED', 401, 'Sign in to continue.');
    if (!['GET', 'HEAD', 'OPTIONS'].includes(req.method) && req.get(CSRF_HEADER) !== session.csrfToken) {
      throw new AppError('AUTH.CSRF', 403, 'Missing or wrong x-csrf-token header.');
    }
    req.session = { ...session, id };
    next();
  };
}

export function cookieOptions(req: Request, maxAgeMs: number) {
  return { httpOnly: true, sameSite: 'strict' as const, secure: req.secure, path: '/', maxAge: maxAgeMs };
}

/** The 403 of an admin-only operation, for its `problems(...)`. */
export const ADMIN_ONLY_403 =
  "AUTH.FORBIDDEN: the session's role is reviewer; this needs admin (`requiredRole`). AUTH.CSRF: the x-csrf-token header is missing or not the session's.";
