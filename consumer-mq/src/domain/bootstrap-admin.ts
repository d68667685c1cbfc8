import { maskEmail, type Logger } from '@regflow/common';
import { hashPassword, passwordProblem } from './passwords';

export interface AdminAccounts {
  findByEmail(email: string): Promise<{ email: string } | null>;
  /** False when an admin with this email exists already. */
  createIfMissing(email: string, passwordHash: string): Promise<string | null>;
}

/** The first admin comes from ADMIN_EMAIL / ADMIN_PASSWORD; an existing admin is left as it is. */
export async function bootstrapAdmin(
  email: string | undefined,
  password: string | undefined,
  admins: AdminAccounts,
  logger: Logger,
): Promise<void> {
  if (!email || !password) {
    logger.info('ADMIN_EMAIL/ADMIN_PASSWORD not set; no admin created at start-up (use npm run admin:create)');
    return;
  }
  const problem = passwordProblem(password);
  if (problem) throw new Error(`ADMIN_PASSWORD is too weak: ${problem}`);
  if (await admins.findByEmail(email)) return;
  const created = await admins.createIfMissing(email, await hashPassword(password));
  if (created) logger.info({ admin: maskEmail(email) }, 'first admin created');
}
