import { asc, eq } from 'drizzle-orm';
import { newId } from '@regflow/common';
import type { Role } from '../domain/roles';
import type { Database } from './db/database';
import { admins } from './db/schema';

/** A person who may use the console, as the repository returns them. */
export interface Account {
  id: string;
  email: string;
  passwordHash: string;
  role: Role;
  disabledAt: Date | null;
  createdAt: Date;
}

export class AdminsRepository {
  constructor(private readonly db: Database) {}

  async findByEmail(email: string): Promise<Account | null> {
    const rows = await this.db.select().from(admins).where(eq(admins.email, email)).limit(1);
    return rows[0] ?? null;
  }

  async findById(id: string): Promise<Account | null> {
    const rows = await this.db.select().from(admins).where(eq(admins.id, id)).limit(1);
    return rows[0] ?? null;
  }

  async list(): Promise<Account[]> {
    return this.db.select().from(admins).orderBy(asc(admins.email));
  }

  /**
   * Creates the account unless one with this email exists; returns its id when it was created. The
   * role defaults to admin: the first admin (environment, CLI) manages everyone else.
   */
  async createIfMissing(email: string, passwordHash: string, role: Role = 'admin'): Promise<string | null> {
    const rows = await this.db
      .insert(admins)
      .values({ id: newId(), email, passwordHash, role })
      .onConflictDoNothing()
      .returning({ id: admins.id });
    return rows[0]?.id ?? null;
  }

  async setPassword(email: string, passwordHash: string): Promise<void> {
    await this.db.update(admins).set({ passwordHash }).where(eq(admins.email, email));
  }

  async update(id: string, change: { passwordHash?: string; role?: Role; disabledAt?: Date | null }): Promise<boolean> {
    const rows = await this.db.update(admins).set(change).where(eq(admins.id, id)).returning({ id: admins.id });
    return rows.length > 0;
  }
}
