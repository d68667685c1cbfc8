import { useId, useState, type FormEvent } from 'react';
import { useSession } from '@/features/auth';
import { describeError } from '@/lib/api-client';
import { formatDateTime } from '@/lib/format';
import type { RegistrationNote } from '@/types/api';
import { useAddNote, useEditNote } from '../api/registration-notes';

const MAX_NOTE = 2000;

/** Reviewers' notes on a registration: everyone reads them, only a note's author edits it. */
export function NotesPanel({ registrationId, notes }: { registrationId: string; notes: RegistrationNote[] }) {
  const session = useSession();
  const me = session.data?.email;
  return (
    <section aria-labelledby="detail-notes" className="panel notes-panel">
      <h2 id="detail-notes">Notes</h2>
      <p className="muted small">Internal to reviewers: the applicant never sees them.</p>
      {notes.length === 0 ? (
        <p className="muted">No notes yet.</p>
      ) : (
        <ul className="notes-list" aria-label="Notes">
          {notes.map((note) => (
            <NoteItem key={note.id} registrationId={registrationId} note={note} mine={note.author === me} />
          ))}
        </ul>
      )}
      <AddNoteForm registrationId={registrationId} />
    </section>
  );
}

function NoteItem({ registrationId, note, mine }: { registrationId: string; note: RegistrationNote; mine: boolean }) {
  const [editing, setEditing] = useState(false);
  const edit = useEditNote(registrationId);
  return (
    <li className="note">
      <p className="note-meta small">
        <strong>{note.author}</strong> <time dateTime={note.createdAt}>{formatDateTime(note.createdAt)}</time>
        {note.editedAt ? <span className="muted"> (edited)</span> : null}
      </p>
      {editing ? (
        <NoteForm
          label="Edit note"
          initial={note.body}
          submitLabel="Save note"
          pending={edit.isPending}
          error={edit.error}
          onCancel={() => setEditing(false)}
          onSubmit={(body) => edit.mutate({ noteId: note.id, body }, { onSuccess: () => setEditing(false) })}
        />
      ) : (
        <>
          <p className="prewrap">{note.body}</p>
          {mine ? (
            <button type="button" className="btn btn-quiet" onClick={() => setEditing(true)}>
              Edit
            </button>
          ) : null}
        </>
      )}
    </li>
  );
}

function AddNoteForm({ registrationId }: { registrationId: string }) {
  const add = useAddNote(registrationId);
  const [key, setKey] = useState(0);
  return (
    <NoteForm
      key={key}
      label="New note"
      initial=""
      submitLabel="Add note"
      pending={add.isPending}
      error={add.error}
      onSubmit={(body) => add.mutate(body, { onSuccess: () => setKey((k) => k + 1) })}
    />
  );
}

function NoteForm(props: {
  label: string;
  initial: string;
  submitLabel: string;
  pending: boolean;
  error: unknown;
  onSubmit: (body: string) => void;
  onCancel?: () => void;
}) {
  const id = useId();
  const [body, setBody] = useState(props.initial);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (body.trim()) props.onSubmit(body.trim());
  };
  return (
    <form className="note-form" onSubmit={submit}>
      <label htmlFor={id} className="field-label">
        {props.label}
      </label>
      <textarea id={id} value={body} maxLength={MAX_NOTE} rows={3} onChange={(e) => setBody(e.target.value)} />
      {props.error ? (
        <p role="alert" className="form-error small">
          {describeError(props.error)}
        </p>
      ) : null}
      <div className="note-actions">
        <button type="submit" className="btn btn-primary" disabled={props.pending || !body.trim()}>
          {props.pending ? 'Saving…' : props.submitLabel}
        </button>
        {props.onCancel ? (
          <button type="button" className="btn" onClick={props.onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}
