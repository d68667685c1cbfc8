import { eq } from 'drizzle-orm';
import { newId } from '@regflow/common';
import type { Database } from './db/database';
import { admins } from './db/schema';

export class AdminsRepository {
  constructor(private readonly db: Database) {}

  async findByEmail(email: string): Promise<{ id: string; email: string; passwordHash: string } | null> {
    const rows = await this.db.select().from(admins).where(eq(admins.email, email)).limit(1);
    return rows[0] ?? null;
  }

  /** Creates the admin unless one with this email exists; returns whether it was created. */
  async createIfMissing(email: string, passwordHash: string): Promise<boolean> {
    const rows = await this.db
      .insert(admins)
      .values({ id: newId(), email, passwordHash })
      .onConflictDoNothing()
      .returning({ id: admins.id });
    return rows.length > 0;
  }

  async setPassword(email: string, passwordHash: string): Promise<void> {
    await this.db.update(admins).set({ passwordHash }).where(eq(admins.email, email));
  }
}
