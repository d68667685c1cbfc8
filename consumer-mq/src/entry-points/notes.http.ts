import { Router, json } from 'express';
import { z } from 'zod';
import { ValidationError, plainText } from '@regflow/common';
import {
  fieldErrors,
  jsonBody,
  jsonResponse,
  logFields,
  orUnavailable,
  problems,
  requireJson,
  uuidParam,
} from '@regflow/common/http';
import type { NotesRepository } from '../data-access/notes-repository';
import type { SessionStore } from '../data-access/session-store';
import { addNote, editNote, type NotesDeps } from '../domain/registration-notes';
import { guarded, needs, requireSession, signedInWithCsrf, type GuardedOperation } from './auth';

export interface NotesRouteDeps extends NotesDeps {
  sessions: SessionStore;
  notes: NotesRepository;
}

/** Stored in Postgres and shown in the console, so plain text (common/src/rules/text.ts). */
const noteBody = z.strictObject({ body: z.string().trim().pipe(plainText(2000)).pipe(z.string().min(1)) });

const timestamp = z.iso.datetime();
export const noteSchema = z.object({
  id: z.uuid(),
  author: z.string().meta({ description: "The author's sign-in email." }),
  body: z.string(),
  createdAt: timestamp,
  editedAt: timestamp.optional().meta({ description: 'When its author last edited it.' }),
});
const noteParams = z.object({ id: z.uuid(), noteId: z.uuid() });

const addNoteOp: GuardedOperation = {
  operationId: 'addNote',
  summary: 'Write a note on a registration',
  description: 'Internal to reviewers: the applicant never sees notes. Shown in the detail and its timeline.',
  tags: ['review'],
  ...signedInWithCsrf,
  ...needs('reviewer'),
  requestParams: { path: z.object({ id: z.uuid() }) },
  requestBody: jsonBody(noteBody),
  responses: {
    201: jsonResponse('The note, as stored.', noteSchema),
    ...problems({
      400: 'REQUEST.INVALID: the id is not a UUID, or the body is empty, too long or not plain text.',
      401: true,
      403: true,
      404: 'REGISTRATION.NOT_FOUND: known to no store.',
      413: 'REQUEST.TOO_LARGE: the body is over 16 KiB.',
      415: true,
      503: true,
    }),
  },
};
const editNoteOp: GuardedOperation = {
  operationId: 'editNote',
  summary: 'Edit a note (its author only)',
  tags: ['review'],
  ...signedInWithCsrf,
  ...needs('reviewer'),
  requestParams: { path: noteParams },
  requestBody: jsonBody(noteBody),
  responses: {
    200: jsonResponse('The note, as edited.', noteSchema),
    ...problems({
      400: 'REQUEST.INVALID: an id is not a UUID, or the body is invalid.',
      401: true,
      403: 'NOTE.NOT_AUTHOR: someone else wrote it (with `author`); or AUTH.CSRF.',
      404: 'NOTE.NOT_FOUND: no such note on this registration.',
      413: 'REQUEST.TOO_LARGE: the body is over 16 KiB.',
      415: true,
    }),
  },
};

/** Reviewers' notes on a registration; they are listed in its detail (GET /admin/users/{id}). */
export function notesRoutes(deps: NotesRouteDeps): Router {
  const router = Router();
  router.use('/admin/users/:id/notes', requireSession(deps.sessions));

  router.post('/admin/users/:id/notes', guarded(addNoteOp), requireJson, json({ limit: '16kb' }), async (req, res) => {
    const registrationId = uuidParam(req);
    const body = noteBody.safeParse(req.body);
    if (!body.success) throw new ValidationError(fieldErrors(body.error));
    const note = await orUnavailable(
      () => addNote({ registrationId, author: req.session!.email, body: body.data.body, correlationId: req.id }, deps),
      'Search is unavailable right now.',
    );
    logFields(res, { registrationId, noteId: note.id });
    const { registrationId: _r, ...visible } = note;
    res.status(201).json(visible satisfies z.input<typeof noteSchema>);
  });

  router.patch(
    '/admin/users/:id/notes/:noteId',
    guarded(editNoteOp),
    requireJson,
    json({ limit: '16kb' }),
    async (req, res) => {
      const registrationId = uuidParam(req);
      const noteId = uuidParam(req, 'noteId');
      const body = noteBody.safeParse(req.body);
      if (!body.success) throw new ValidationError(fieldErrors(body.error));
      const note = await editNote(
        { registrationId, noteId, author: req.session!.email, body: body.data.body, correlationId: req.id },
        deps,
      );
      logFields(res, { registrationId, noteId });
      const { registrationId: _r, ...visible } = note;
      res.json(visible satisfies z.input<typeof noteSchema>);
    },
  );

  return router;
}
