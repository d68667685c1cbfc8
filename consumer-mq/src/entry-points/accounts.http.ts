import { Router, json } from 'express';
import { z } from 'zod';
import { NO_CONTROL_CHARACTERS, ValidationError } from '@regflow/common';
import {
  documented,
  fieldErrors,
  jsonBody,
  jsonResponse,
  problems,
  requireJson,
  uuidParam,
  type Operation,
} from '@regflow/common/http';
import type { AdminsRepository } from '../data-access/admins-repository';
import type { SessionStore } from '../data-access/session-store';
import {
  changeRole,
  disableAccount,
  enableAccount,
  inviteAccount,
  resetPassword,
  setPasswordWithLink,
  type Actor,
  type ManageAccountsDeps,
} from '../domain/manage-accounts';
import { ROLES } from '../domain/roles';
import {
  ADMIN_ONLY_403,
  guarded,
  needs,
  requireSession,
  signedIn,
  signedInWithCsrf,
  type GuardedOperation,
} from './auth';

export interface AccountsRouteDeps extends Omit<ManageAccountsDeps, 'accounts'> {
  admins: AdminsRepository;
  sessions: SessionStore;
}

const email = z
  .email()
  .max(320)
  .regex(NO_CONTROL_CHARACTERS, 'Must not contain control characters.')
  .transform((s) => s.normalize('NFKC').trim().toLowerCase());
const role = z.enum(ROLES);
const inviteBody = z
  .strictObject({ email, role })
  .meta({ example: { email: 'new.reviewer@example.com', role: 'reviewer' } });
const roleBody = z.strictObject({ role });
const setPasswordBody = z.strictObject({ token: z.string().min(1).max(2048), password: z.string().min(1).max(1024) });

const account = z.object({
  id: z.uuid(),
  email: z.string(),
  role,
  disabled: z.boolean(),
  createdAt: z.iso.datetime(),
});
const sessionsEnded = z.object({ sessionsEnded: z.int().min(0) });

const admin = { tags: ['accounts'], ...needs('admin') };
const listAccounts: GuardedOperation = {
  operationId: 'listAccounts',
  summary: 'The people who use the console',
  ...admin,
  ...signedIn,
  responses: {
    200: jsonResponse('By email.', z.object({ items: z.array(account) })),
    ...problems({ 401: true, 403: ADMIN_ONLY_403 }),
  },
};
const invite: GuardedOperation = {
  operationId: 'inviteAccount',
  summary: 'Invite a person',
  description:
    "Creates the account with the role and emails a single-use, expiring link to the console's set-password page. Until the password is set the account cannot sign in. If the mail server refuses, the account stays: a password reset sends a new link.",
  ...admin,
  ...signedInWithCsrf,
  requestBody: jsonBody(inviteBody),
  responses: {
    201: jsonResponse('Invited.', z.object({ id: z.uuid() })),
    ...problems({
      400: true,
      401: true,
      403: ADMIN_ONLY_403,
      409: 'ACCOUNT.EXISTS: an account with this email exists.',
      415: true,
    }),
  },
};
const byId = (operationId: string, summary: string, description: string, body?: z.ZodType): GuardedOperation => ({
  operationId,
  summary,
  description,
  ...admin,
  ...signedInWithCsrf,
  requestParams: { path: z.object({ id: z.uuid() }) },
  ...(body ? { requestBody: jsonBody(body) } : {}),
  responses: {
    200: jsonResponse('Done.', sessionsEnded),
    ...problems({
      400: true,
      401: true,
      403: ADMIN_ONLY_403,
      404: 'ACCOUNT.NOT_FOUND',
      409: 'ACCOUNT.SELF: an admin cannot disable, reset or change the role of their own account.',
      // Only the operations that take a body refuse one that is not JSON or too large.
      ...(body ? { 413: true as const, 415: true as const } : {}),
    }),
  },
});
const disable = byId(
  'disableAccount',
  'Disable an account',
  'It can no longer sign in, and every session it has ends at once.',
);
const enable = byId('enableAccount', 'Enable an account again', 'It may sign in again (with its password).');
const reset = byId(
  'resetPassword',
  'Reset a password',
  'The old password stops working, every session ends at once, and a set-password link is emailed.',
);
const setRole = byId(
  'changeRole',
  'Change a role',
  "The account's sessions end (they carry the old role); the new role holds from the next sign-in.",
  roleBody,
);
const setPassword: Operation = {
  operationId: 'setPassword',
  summary: 'Set a password with an emailed link',
  description:
    "The console's set-password page sends the link's token and the new password. The link works once and expires; a newer reset voids it.",
  tags: ['accounts'],
  security: [],
  requestBody: jsonBody(setPasswordBody),
  responses: {
    204: { description: 'Set: sign in with it.' },
    ...problems({
      400: 'REQUEST.INVALID: `errors` names the field (a weak password names `password`).',
      410: 'ACCOUNT.LINK_INVALID: the link is invalid, used or expired.',
      415: true,
    }),
  },
};

export function accountsRoutes(deps: AccountsRouteDeps): Router {
  const router = Router();
  const useCases: ManageAccountsDeps = { ...deps, accounts: deps.admins };
  const actor = (req: Parameters<Parameters<typeof router.post>[1]>[0]): Actor => ({
    email: req.session!.email,
    id: req.session!.accountId,
    correlationId: req.id,
  });

  // Open to anyone: the link's token is the credential.
  router.post('/admin/password', documented(setPassword), requireJson, json({ limit: '4kb' }), async (req, res) => {
    const parsed = setPasswordBody.safeParse(req.body);
    if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error));
    await setPasswordWithLink(parsed.data.token, parsed.data.password, req.id, useCases);
    res.status(204).end();
  });

  router.use('/admin/accounts', requireSession(deps.sessions));

  router.get('/admin/accounts', guarded(listAccounts), async (_req, res) => {
    const items = (await deps.admins.list()).map((a) => ({
      id: a.id,
      email: a.email,
      role: a.role,
      disabled: a.disabledAt !== null,
      createdAt: a.createdAt.toISOString(),
    }));
    res.json({ items } satisfies { items: Array<z.input<typeof account>> });
  });

  router.post('/admin/accounts', guarded(invite), requireJson, json({ limit: '4kb' }), async (req, res) => {
    const parsed = inviteBody.safeParse(req.body);
    if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error));
    res.status(201).json(await inviteAccount(parsed.data, actor(req), useCases));
  });

  router.post('/admin/accounts/:id/disable', guarded(disable), async (req, res) => {
    res.json(await disableAccount(uuidParam(req), actor(req), useCases));
  });

  router.post('/admin/accounts/:id/enable', guarded(enable), async (req, res) => {
    await enableAccount(uuidParam(req), actor(req), useCases);
    res.json({ sessionsEnded: 0 });
  });

  router.post('/admin/accounts/:id/reset-password', guarded(reset), async (req, res) => {
    res.json(await resetPassword(uuidParam(req), actor(req), useCases));
  });

  router.put('/admin/accounts/:id/role', guarded(setRole), requireJson, json({ limit: '1kb' }), async (req, res) => {
    const id = uuidParam(req);
    const parsed = roleBody.safeParse(req.body);
    if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error));
    res.json(await changeRole(id, parsed.data.role, actor(req), useCases));
  });

  return router;
}
