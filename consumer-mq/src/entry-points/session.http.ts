import { Router, json } from 'express';
import { z } from 'zod';
import { AppError, NO_CONTROL_CHARACTERS, ValidationError, maskEmail, type Logger } from '@regflow/common';
import {
  documented,
  fieldErrors,
  jsonBody,
  jsonResponse,
  problems,
  requireJson,
  type Operation,
} from '@regflow/common/http';
import type { AdminsRepository } from '../data-access/admins-repository';
import type { AuditLog } from '../data-access/audit-log';
import { AUDIT_ACTIONS } from '../domain/audit';
import { ROLES } from '../domain/roles';
import type { SessionStore, SignInThrottle } from '../data-access/session-store';
import { verifyPassword } from '../domain/passwords';
import {
  SESSION_COOKIE,
  cookieOptions,
  guarded,
  needs,
  type GuardedOperation,
  requireSession,
  signedIn,
  signedInWithCsrf,
} from './auth';

const signInSchema = z
  .strictObject({
    // NUL cannot reach Postgres in a query parameter; no email holds control characters anyway.
    email: z
      .string()
      .max(320)
      .regex(NO_CONTROL_CHARACTERS, 'Must not contain control characters.')
      .transform((s) => s.normalize('NFKC').trim().toLowerCase()),
    password: z.string().min(1).max(1024),
  })
  .meta({ example: { email: 'admin@example.com', password: 'its password' } });

const sessionView = z.object({
  email: z.string(),
  role: z.enum(ROLES).meta({ description: 'What the console may show: reviewer, or admin (everything).' }),
  csrfToken: z.string().meta({ description: 'Send it as x-csrf-token on every state-changing request.' }),
});

const signIn: Operation = {
  operationId: 'signIn',
  summary: 'Sign in',
  description: `Sets the ${SESSION_COOKIE} cookie. Failed sign-ins are throttled per account and per client address.`,
  tags: ['session'],
  security: [],
  requestBody: jsonBody(signInSchema),
  responses: {
    200: jsonResponse(
      'Signed in: the session cookie is set; `csrfToken` goes with every state-changing request.',
      sessionView,
      z.object({ 'set-cookie': z.string() }),
    ),
    ...problems({
      400: true,
      401: 'AUTH.INVALID_CREDENTIALS: wrong email or password.',
      413: 'REQUEST.TOO_LARGE: the body is over 4 KiB.',
      415: true,
      429: 'AUTH.THROTTLED: too many failed sign-ins for this account or address; Retry-After says how long to wait.',
    }),
  },
};
const currentSession: GuardedOperation = {
  operationId: 'currentSession',
  summary: 'The current session',
  description: 'Who is signed in, and the CSRF token again (after a page reload, for instance).',
  tags: ['session'],
  ...signedIn,
  ...needs('reviewer'),
  responses: { 200: jsonResponse('Signed in.', sessionView), ...problems({ 401: true }) },
};
const signOut: GuardedOperation = {
  operationId: 'signOut',
  summary: 'Sign out',
  tags: ['session'],
  ...signedInWithCsrf,
  ...needs('reviewer'),
  responses: {
    204: { description: 'Signed out: the session is gone and its cookie cleared.' },
    ...problems({ 401: true, 403: true }),
  },
};

export interface SessionRouteDeps {
  admins: AdminsRepository;
  audit: AuditLog;
  sessions: SessionStore;
  throttle: SignInThrottle;
  absoluteSeconds: number;
  logger: Logger;
}

// A fixed hash to verify against when the account does not exist, so timing does not reveal it.
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

export function sessionRoutes(deps: SessionRouteDeps): Router {
  const router = Router();

  router.post('/admin/session', documented(signIn), requireJson, json({ limit: '4kb' }), async (req, res) => {
    const parsed = signInSchema.safeParse(req.body);
    if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error));
    const { email, password } = parsed.data;
    const address = req.ip ?? 'unknown';
    const refusal = await deps.throttle.refusal(email, address);
    if (refusal) {
      if (refusal.first)
        await deps.audit.record({
          actor: email,
          actorId: null,
          action: AUDIT_ACTIONS.signInThrottled,
          correlationId: req.id,
          detail: { blocked: refusal.blocked, retryAfterSeconds: refusal.retryAfter },
        });
      throw new AppError(
        'AUTH.THROTTLED',
        429,
        `Too many failed sign-ins. Try again in ${refusal.retryAfter} seconds.`,
        {},
        { 'retry-after': String(refusal.retryAfter) },
      );
    }
    const admin = await deps.admins.findByEmail(email);
    const ok = await verifyPassword(password, admin?.passwordHash ?? DUMMY_HASH);
    // A disabled account answers exactly as a wrong password does: the refusal tells nothing.
    if (!admin || !ok || admin.disabledAt) {
      await deps.throttle.recordFailure(email, address);
      await deps.audit.record({
        actor: email,
        actorId: admin?.id ?? null,
        action: AUDIT_ACTIONS.signInFailed,
        correlationId: req.id,
        detail: { reason: !admin ? 'unknown-account' : !ok ? 'wrong-password' : 'disabled' },
      });
      req.log.warn({ email: maskEmail(email) }, 'failed sign-in');
      throw new AppError('AUTH.INVALID_CREDENTIALS', 401, 'Wrong email or password.');
    }
    await deps.throttle.reset(email);
    const { id, session } = await deps.sessions.create(admin);
    await deps.audit.record({
      actor: admin.email,
      actorId: admin.id,
      action: AUDIT_ACTIONS.signInSucceeded,
      correlationId: req.id,
      detail: { role: admin.role },
    });
    res.cookie(SESSION_COOKIE, id, cookieOptions(req, deps.absoluteSeconds * 1000));
    req.log.info({ admin: maskEmail(admin.email) }, 'admin signed in');
    res.json({ email: session.email, role: session.role, csrfToken: session.csrfToken });
  });

  router.get('/admin/session', requireSession(deps.sessions), guarded(currentSession), (req, res) => {
    res.json({ email: req.session!.email, role: req.session!.role ?? 'reviewer', csrfToken: req.session!.csrfToken });
  });

  router.delete('/admin/session', requireSession(deps.sessions), guarded(signOut), async (req, res) => {
    await deps.sessions.destroy(req.session!.id, req.session!.accountId);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });

  return router;
}
