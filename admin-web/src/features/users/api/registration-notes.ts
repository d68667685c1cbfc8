import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { registrationNoteSchema, type RegistrationDetail, type RegistrationNote } from '@/types/api';
import { registrationQueryKey } from './get-registration';

const notesPath = (registrationId: string) => `/admin/users/${encodeURIComponent(registrationId)}/notes`;

export function addNote(registrationId: string, body: string): Promise<RegistrationNote> {
  return api.post(notesPath(registrationId), { body }, registrationNoteSchema);
}

export function editNote(registrationId: string, noteId: string, body: string): Promise<RegistrationNote> {
  return api.patch(`${notesPath(registrationId)}/${encodeURIComponent(noteId)}`, { body }, registrationNoteSchema);
}

/** Puts the stored note into the open detail (added at the end, or replacing its old version). */
function withNote(detail: RegistrationDetail | undefined, note: RegistrationNote): RegistrationDetail | undefined {
  if (!detail) return detail;
  const others = detail.notes.filter((n) => n.id !== note.id);
  const index = detail.notes.findIndex((n) => n.id === note.id);
  const notes = index === -1 ? [...others, note] : detail.notes.map((n) => (n.id === note.id ? note : n));
  return { ...detail, notes };
}

export function useAddNote(registrationId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: string) => addNote(registrationId, body),
    onSuccess: (note) =>
      queryClient.setQueryData<RegistrationDetail>(registrationQueryKey(registrationId), (d) => withNote(d, note)),
  });
}

export function useEditNote(registrationId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ noteId, body }: { noteId: string; body: string }) => editNote(registrationId, noteId, body),
    onSuccess: (note) =>
      queryClient.setQueryData<RegistrationDetail>(registrationQueryKey(registrationId), (d) => withNote(d, note)),
  });
}
