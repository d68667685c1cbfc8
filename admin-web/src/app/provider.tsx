import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { useEffect, useState, type ReactNode } from 'react';
import { sessionQueryKey } from '@/features/auth';
import { RowStateProvider, type RowStateStore } from '@/features/queue';
import { addUnauthorizedListener } from '@/lib/api-client';
import { createQueryClient } from '@/lib/query-client';

function SessionExpiryBridge({ queryClient }: { queryClient: QueryClient }) {
  useEffect(
    () =>
      addUnauthorizedListener(() => {
        // The api-client sends the reviewer to sign-in; the cached session must agree, or /login bounces back.
        queryClient.setQueryData(sessionQueryKey, null);
      }),
    [queryClient],
  );
  return null;
}

export function AppProvider({
  children,
  queryClient: injected,
  rowStateStore,
}: {
  children: ReactNode;
  queryClient?: QueryClient;
  rowStateStore?: RowStateStore;
}) {
  const [queryClient] = useState(() => injected ?? createQueryClient());
  return (
    <QueryClientProvider client={queryClient}>
      <SessionExpiryBridge queryClient={queryClient} />
      <RowStateProvider {...(rowStateStore ? { store: rowStateStore } : {})}>{children}</RowStateProvider>
    </QueryClientProvider>
  );
}
