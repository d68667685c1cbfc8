import { AppError } from '@regflow/common';
import type { RegistrationNote } from './model';
import { findRegistration, type RegistrationSources } from './registration-detail';

export interface NotesDeps extends RegistrationSources {
  notes: {
    /** Stores the note with its audit entry (note.added). */
    add(registrationId: string, author: string, body: string, correlationId: string): Promise<RegistrationNote>;
    find(registrationId: string, noteId: string): Promise<RegistrationNote | null>;
    /** Rewrites it, with its audit entry (note.edited), only if `author` wrote it; null otherwise. */
    edit(
      registrationId: string,
      noteId: string,
      author: string,
      body: string,
      correlationId: string,
    ): Promise<RegistrationNote | null>;
  };
}

/** A reviewer writes a note on a registration that some store knows (404 otherwise). */
export async function addNote(
  input: { registrationId: string; author: string; body: string; correlationId: string },
  deps: NotesDeps,
): Promise<RegistrationNote> {
  await findRegistration(input.registrationId, input.correlationId, deps);
  return deps.notes.add(input.registrationId, input.author, input.body, input.correlationId);
}

/** Only a note's author edits it: anyone else gets NOTE.NOT_AUTHOR (403). */
export async function editNote(
  input: { registrationId: string; noteId: string; author: string; body: string; correlationId: string },
  deps: Pick<NotesDeps, 'notes'>,
): Promise<RegistrationNote> {
  const edited = await deps.notes.edit(
    input.registrationId,
    input.noteId,
    input.author,
    input.body,
    input.correlationId,
  );
  if (edited) return edited;
  const existing = await deps.notes.find(input.registrationId, input.noteId);
  if (!existing) throw new AppError('NOTE.NOT_FOUND', 404, 'No note with this id on this registration.');
  throw new AppError('NOTE.NOT_AUTHOR', 403, 'Only the author of a note can edit it.', { author: existing.author });
}
