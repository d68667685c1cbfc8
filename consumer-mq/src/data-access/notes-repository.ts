import { and, asc, eq } from 'drizzle-orm';
import type pg from 'pg';
import { newId } from '@regflow/common';
import { AUDIT_ACTIONS } from '../domain/audit';
import type { RegistrationNote } from '../domain/model';
import { recordAudit } from './audit-log';
import type { Database } from './db/database';
import { withHeldClient } from './db/held-client';
import { registrationNotes } from './db/schema';

interface NoteRow {
  id: string;
  registration_id: string;
  author: string;
  body: string;
  created_at: Date;
  edited_at: Date | null;
}
const RETURNING = 'returning id, registration_id, author, body, created_at, edited_at';

/**
 * Notes, each write with its audit entry (note.added, note.edited) in the same transaction: a note
 * is never there without its entry, nor the entry without it. The entry carries the note's id, never
 * its text (which may name the applicant).
 */
export class NotesRepository {
  constructor(private readonly db: Database) {}

  async add(registrationId: string, author: string, body: string, correlationId: string): Promise<RegistrationNote> {
    return this.inTransaction(async (client) => {
      const { rows } = await client.query<NoteRow>(
        `insert into registration_notes (id, registration_id, author, body) values ($1, $2, $3, $4) ${RETURNING}`,
        [newId(), registrationId, author, body],
      );
      const note = fromRow(rows[0]!);
      await recordAudit(client, {
        actor: author,
        action: AUDIT_ACTIONS.noteAdded,
        registrationId,
        correlationId,
        detail: { noteId: note.id },
      });
      return note;
    });
  }

  /** Oldest first, as they read in the timeline. */
  async list(registrationId: string): Promise<RegistrationNote[]> {
    const rows = await this.db
      .select()
      .from(registrationNotes)
      .where(eq(registrationNotes.registrationId, registrationId))
      .orderBy(asc(registrationNotes.createdAt), asc(registrationNotes.id));
    return rows.map((r) =>
      fromRow({
        id: r.id,
        registration_id: r.registrationId,
        author: r.author,
        body: r.body,
        created_at: r.createdAt,
        edited_at: r.editedAt,
      }),
    );
  }

  async find(registrationId: string, noteId: string): Promise<RegistrationNote | null> {
    const [row] = await this.db
      .select()
      .from(registrationNotes)
      .where(and(eq(registrationNotes.id, noteId), eq(registrationNotes.registrationId, registrationId)));
    return row
      ? fromRow({
          id: row.id,
          registration_id: row.registrationId,
          author: row.author,
          body: row.body,
          created_at: row.createdAt,
          edited_at: row.editedAt,
        })
      : null;
  }

  /**
   * Rewrites the note only if `author` wrote it (in the statement itself, so no check-then-act race);
   * null when it did not (no such note, or someone else's).
   */
  async edit(
    registrationId: string,
    noteId: string,
    author: string,
    body: string,
    correlationId: string,
  ): Promise<RegistrationNote | null> {
    return this.inTransaction(async (client) => {
      const { rows } = await client.query<NoteRow>(
        `update registration_notes set body = $4, edited_at = now()
          where id = $1 and registration_id = $2 and author = $3 ${RETURNING}`,
        [noteId, registrationId, author, body],
      );
      if (!rows[0]) return null;
      await recordAudit(client, {
        actor: author,
        action: AUDIT_ACTIONS.noteEdited,
        registrationId,
        correlationId,
        detail: { noteId },
      });
      return fromRow(rows[0]);
    });
  }

  private inTransaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return withHeldClient(this.db.$client, async (client) => {
      await client.query('begin');
      try {
        const result = await fn(client);
        await client.query('commit');
        return result;
      } catch (err) {
        await client.query('rollback').catch(() => {});
        throw err;
      }
    });
  }
}

function fromRow(row: NoteRow): RegistrationNote {
  return {
    id: row.id,
    registrationId: row.registration_id,
    author: row.author,
    body: row.body,
    createdAt: row.created_at.toISOString(),
    ...(row.edited_at ? { editedAt: row.edited_at.toISOString() } : {}),
  };
}
