import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { api, setCsrfToken } from '@/lib/api-client';
import { clearAllDrafts } from '@/lib/drafts';
import { sessionQueryKey } from './get-session';

export async function signOut(): Promise<void> {
  await api.delete('/admin/session', { redirectOn401: false });
}

export function useSignOut() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return useMutation({
    mutationKey: ['sign-out'],
    mutationFn: signOut,
    // Even if the server call fails, this browser must not keep showing reviewer data.
    onSettled: () => {
      setCsrfToken(null);
      clearAllDrafts();
      queryClient.clear();
      queryClient.setQueryData(sessionQueryKey, null);
      void navigate({ to: '/login', replace: true });
    },
  });
}
