import { QueryClient } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { AppProvider } from '@/app/provider';
import { createAppRouter } from '@/app/router';
import { Toaster } from '@/components/ui/toaster';

export function createTestQueryClient() {
  return new QueryClient({
    defaultOptions: { queries: { retry: false, gcTime: Number.POSITIVE_INFINITY }, mutations: { retry: false } },
  });
}

/** The whole console at `path`, as a reviewer would open it. */
export function renderApp(path = '/', queryClient = createTestQueryClient()) {
  window.history.replaceState(null, '', path);
  const user = userEvent.setup();
  const result = render(
    <div id="root">
      <AppProvider queryClient={queryClient}>
        <RouterProvider router={createAppRouter()} />
        <Toaster />
      </AppProvider>
    </div>,
  );
  return { ...result, user, queryClient };
}
