import { createHash, createHmac, randomBytes } from 'node:crypto';
import {
  AppError,
  ValidationError,
  signConfirmationToken,
  verifyConfirmationToken,
  type Locale,
} from '@regflow/common';
import { AUDIT_ACTIONS, type AuditAction, type AuditEntry } from './audit';
import type { OutgoingEmail } from './model';
import { hashPassword, passwordProblem } from './passwords';
import type { Role } from './roles';

/** A person who may use the console, as the use cases see them. */
export interface ConsoleAccount {
  id: string;
  email: string;
  passwordHash: string;
  role: Role;
  disabledAt: Date | null;
  createdAt: Date;
}

export interface ManageAccountsDeps {
  accounts: {
    findByEmail(email: string): Promise<ConsoleAccount | null>;
    findById(id: string): Promise<ConsoleAccount | null>;
    createIfMissing(email: string, passwordHash: string, role: Role): Promise<string | null>;
    update(id: string, change: { passwordHash?: string; role?: Role; disabledAt?: Date | null }): Promise<boolean>;
  };
  /** Ends every session of an account at once. */
  sessions: { destroyAllOf(accountId: string): Promise<number> };
  audit: { record(entry: AuditEntry): Promise<void> };
  templates: {
    render(kind: string, locale: Locale, vars: Record<string, unknown>): Omit<OutgoingEmail, 'to' | 'messageId'>;
  };
  mailer: { send(email: OutgoingEmail): Promise<void> };
  /** EMAIL_TOKEN_SECRET: the set-password links are signed under a key derived from it. */
  tokenSecret: string;
  /** Where the console runs: the link lands on its /set-password page. */
  consoleOrigin: string;
  /** How long a set-password link works. */
  linkHours: number;
}

/** Who acts: the signed-in admin, and the request's correlation id. */
export interface Actor {
  email: string;
  id?: string;
  correlationId: string;
}

/**
 * The set-password link's token: the confirmation token's format and helper (common/rules), under a
 * key of its own (so neither kind of link passes for the other), with the account as subject and, as
 * nonce, a fingerprint of the account's password hash at the time. Setting a password changes the hash,
 * so a link works once; a newer reset makes every older link void the same way. No state to store.
 */
function linkKey(secret: string): string {
  return createHmac('sha256', secret).update('regflow.set-password.v1').digest('base64url');
}
function fingerprint(passwordHash: string): string {
  return createHash('sha256').update(passwordHash).digest('base64url').slice(0, 22);
}
/** A hash of random bytes nobody knows: an invited or reset account has no usable password until set. */
async function unusablePassword(): Promise<string> {
  return hashPassword(randomBytes(32).toString('base64url'));
}

async function sendLink(
  kind: 'account-invitation' | 'password-reset',
  account: { id: string; email: string; passwordHash: string; role: Role },
  by: Actor,
  deps: ManageAccountsDeps,
): Promise<void> {
  const expiresAt = Date.now() + deps.linkHours * 3600_000;
  const token = signConfirmationToken(
    { userId: account.id, email: account.email, expiresAt, nonce: fingerprint(account.passwordHash) },
    linkKey(deps.tokenSecret),
  );
  const link = `${deps.consoleOrigin}/set-password?token=${encodeURIComponent(token)}`;
  const rendered = deps.templates.render(kind, 'en', {
    link,
    role: account.role,
    invitedBy: by.email,
    expiresAt: new Date(expiresAt).toISOString().replace('T', ' ').slice(0, 16),
  });
  await deps.mailer.send({
    ...rendered,
    to: account.email,
    messageId: `<${randomBytes(12).toString('hex')}.${kind}@regflow>`,
    headers: { 'X-Regflow-Kind': kind, 'X-Correlation-Id': by.correlationId },
  });
}

const record = (deps: ManageAccountsDeps, by: Actor, action: AuditAction, detail: Record<string, unknown>) =>
  deps.audit.record({ actor: by.email, actorId: by.id ?? null, action, correlationId: by.correlationId, detail });

const notFound = () => new AppError('ACCOUNT.NOT_FOUND', 404, 'No account with this id.');

/** Invites a person by email, with a role: the account exists at once, usable once they set a password. */
export async function inviteAccount(
  input: { email: string; role: Role },
  by: Actor,
  deps: ManageAccountsDeps,
): Promise<{ id: string }> {
  const passwordHash = await unusablePassword();
  const id = await deps.accounts.createIfMissing(input.email, passwordHash, input.role);
  if (!id) throw new AppError('ACCOUNT.EXISTS', 409, 'An account with this email exists already.', { field: 'email' });
  await record(deps, by, AUDIT_ACTIONS.accountInvited, { accountId: id, role: input.role });
  // Sent after the account and its audit entry: if the mail server refuses, a reset sends it again.
  await sendLink('account-invitation', { id, email: input.email, passwordHash, role: input.role }, by, deps);
  return { id };
}

/** A person may not lock themselves out: disabling, demoting or resetting oneself is refused. */
function notSelf(id: string, by: Actor): void {
  if (by.id === id) throw new AppError('ACCOUNT.SELF', 409, 'You cannot do this to your own account.');
}

export async function disableAccount(
  id: string,
  by: Actor,
  deps: ManageAccountsDeps,
): Promise<{ sessionsEnded: number }> {
  notSelf(id, by);
  if (!(await deps.accounts.update(id, { disabledAt: new Date() }))) throw notFound();
  // After the flag: a sign-in racing this finds it set; a session made before is ended here.
  const sessionsEnded = await deps.sessions.destroyAllOf(id);
  await record(deps, by, AUDIT_ACTIONS.accountDisabled, { accountId: id, sessionsEnded });
  return { sessionsEnded };
}

/**
 * Run at start-up: disabling an account sets its flag, then ends its sessions. A crash between the two
 * left those sessions alive, and the console shows the account as disabled, so nobody would ask again;
 * the restart that follows the crash ends them here. Returns how many sessions it ended.
 */
export async function endSessionsOfDisabledAccounts(
  deps: Pick<ManageAccountsDeps, 'sessions'> & { accounts: { list(): Promise<ConsoleAccount[]> } },
): Promise<number> {
  let ended = 0;
  for (const account of await deps.accounts.list())
    if (account.disabledAt) ended += await deps.sessions.destroyAllOf(account.id);
  return ended;
}

export async function enableAccount(id: string, by: Actor, deps: ManageAccountsDeps): Promise<void> {
  if (!(await deps.accounts.update(id, { disabledAt: null }))) throw notFound();
  await record(deps, by, AUDIT_ACTIONS.accountEnabled, { accountId: id });
}

/** The old password stops working at once, every session ends, and a set-password link is emailed. */
export async function resetPassword(
  id: string,
  by: Actor,
  deps: ManageAccountsDeps,
): Promise<{ sessionsEnded: number }> {
  notSelf(id, by);
  const account = await deps.accounts.findById(id);
  if (!account) throw notFound();
  const passwordHash = await unusablePassword();
  await deps.accounts.update(id, { passwordHash });
  const sessionsEnded = await deps.sessions.destroyAllOf(id);
  await record(deps, by, AUDIT_ACTIONS.passwordReset, { accountId: id, sessionsEnded });
  await sendLink('password-reset', { ...account, passwordHash }, by, deps);
  return { sessionsEnded };
}

/** A new role takes effect at the next sign-in: the account's sessions (carrying the old role) end. */
export async function changeRole(
  id: string,
  role: Role,
  by: Actor,
  deps: ManageAccountsDeps,
): Promise<{ sessionsEnded: number }> {
  notSelf(id, by);
  const account = await deps.accounts.findById(id);
  if (!account) throw notFound();
  if (account.role === role) return { sessionsEnded: 0 };
  await deps.accounts.update(id, { role });
  const sessionsEnded = await deps.sessions.destroyAllOf(id);
  await record(deps, by, AUDIT_ACTIONS.roleChanged, { accountId: id, from: account.role, to: role, sessionsEnded });
  return { sessionsEnded };
}

/** The set-password page's call: a valid, unused, unexpired link sets the password (once). */
export async function setPasswordWithLink(
  token: string,
  password: string,
  correlationId: string,
  deps: ManageAccountsDeps,
): Promise<void> {
  const invalid = () =>
    new AppError('ACCOUNT.LINK_INVALID', 410, 'This link is invalid, used or expired. Ask an admin for a new one.');
  const verified = verifyConfirmationToken(token, linkKey(deps.tokenSecret));
  if (!verified.ok || verified.expired) throw invalid();
  const account = await deps.accounts.findById(verified.claims.userId);
  if (
    !account ||
    account.email !== verified.claims.email ||
    fingerprint(account.passwordHash) !== verified.claims.nonce
  )
    throw invalid();
  const problem = passwordProblem(password);
  if (problem) throw new ValidationError([{ field: 'password', message: problem }]);
  await deps.accounts.update(account.id, { passwordHash: await hashPassword(password) });
  await deps.sessions.destroyAllOf(account.id);
  await deps.audit.record({
    actor: account.email,
    actorId: account.id,
    action: AUDIT_ACTIONS.passwordSet,
    correlationId,
    detail: {},
  });
}
