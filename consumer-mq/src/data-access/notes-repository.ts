import { and, asc, eq } from 'drizzle-orm';
import { newId } from '@regflow/common';
import type { RegistrationNote } from '../domain/model';
import type { Database } from './db/database';
import { registrationNotes } from './db/schema';

export class NotesRepository {
  constructor(private readonly db: Database) {}

  async add(registrationId: string, author: string, body: string): Promise<RegistrationNote> {
    const [row] = await this.db
      .insert(registrationNotes)
      .values({ id: newId(), registrationId, author, body })
      .returning();
    return toNote(row!);
  }

  /** Oldest first, as they read in the timeline. */
  async list(registrationId: string): Promise<RegistrationNote[]> {
    const rows = await this.db
      .select()
      .from(registrationNotes)
      .where(eq(registrationNotes.registrationId, registrationId))
      .orderBy(asc(registrationNotes.createdAt), asc(registrationNotes.id));
    return rows.map(toNote);
  }

  async find(registrationId: string, noteId: string): Promise<RegistrationNote | null> {
    const [row] = await this.db
      .select()
      .from(registrationNotes)
      .where(and(eq(registrationNotes.id, noteId), eq(registrationNotes.registrationId, registrationId)));
    return row ? toNote(row) : null;
  }

  /** Rewrites the note only if `author` wrote it (in the statement itself, so no check-then-act race). */
  async edit(registrationId: string, noteId: string, author: string, body: string): Promise<RegistrationNote | null> {
    const [row] = await this.db
      .update(registrationNotes)
      .set({ body, editedAt: new Date() })
      .where(
        and(
          eq(registrationNotes.id, noteId),
          eq(registrationNotes.registrationId, registrationId),
          eq(registrationNotes.author, author),
        ),
      )
      .returning();
    return row ? toNote(row) : null;
  }
}

function toNote(row: typeof registrationNotes.$inferSelect): RegistrationNote {
  return {
    id: row.id,
    registrationId: row.registrationId,
    author: row.author,
    body: row.body,
    createdAt: row.createdAt.toISOString(),
    ...(row.editedAt ? { editedAt: row.editedAt.toISOString() } : {}),
  };
}
