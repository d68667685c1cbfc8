import { createRootRoute, createRoute, createRouter, Link, Outlet, useLocation } from '@tanstack/react-router';
import { Suspense, useEffect, useRef } from 'react';
import { z } from 'zod';
import { EmptyState, LoadingState } from '@/components/ui/states';
import { LoginPage, RequireAuth } from '@/features/auth';
import { QueuePage, RegistrationDecision } from '@/features/queue';
import { ReasonsPage } from '@/features/reasons';
import { SearchPage, searchParamsSchema } from '@/features/search';
import { RegistrationPage } from '@/features/users';
import { history } from '@/lib/navigation';
import { AppShell } from './app-shell';

/** Moves focus to the new page's main region so screen-reader users hear the navigation happen. */
function useFocusMainOnNavigate() {
  const pathname = useLocation({ select: (location) => location.pathname });
  const shown = useRef(pathname);
  useEffect(() => {
    if (shown.current === pathname) return;
    shown.current = pathname;
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [pathname]);
}

/** Every page but sign-in: the session is checked first, then the page is shown inside the shell. */
function SignedInLayout() {
  useFocusMainOnNavigate();
  return (
    <RequireAuth>
      <AppShell>
        <Suspense fallback={<LoadingState label="Loading…" />}>
          <Outlet />
        </Suspense>
      </AppShell>
    </RequireAuth>
  );
}

function NotFoundPage() {
  return (
    <div className="page">
      <EmptyState title="Page not found">
        <p>
          <Link to="/" activeOptions={{ exact: true }}>
            Go to the review queue
          </Link>
        </p>
      </EmptyState>
    </div>
  );
}

const rootRoute = createRootRoute();

const loginRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/login',
  validateSearch: z.object({ next: z.string().optional().catch(undefined) }),
  component: LoginPage,
});

const signedInRoute = createRoute({ getParentRoute: () => rootRoute, id: 'signed-in', component: SignedInLayout });

// The queue is the landing page and ships in the entry chunk; search and registration pages load on
// first visit (their features export them lazily).
const queueRoute = createRoute({ getParentRoute: () => signedInRoute, path: '/', component: QueuePage });

const searchRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/search',
  validateSearch: searchParamsSchema,
  component: SearchPage,
});

const reasonsRoute = createRoute({ getParentRoute: () => signedInRoute, path: '/reasons', component: ReasonsPage });

const registrationRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/users/$id',
  component: function RegistrationRoute() {
    const { id } = registrationRoute.useParams();
    return <RegistrationPage key={id} id={id} renderDecision={(detail) => <RegistrationDecision detail={detail} />} />;
  },
});

const notFoundRoute = createRoute({ getParentRoute: () => signedInRoute, path: '$', component: NotFoundPage });

const routeTree = rootRoute.addChildren([
  loginRoute,
  signedInRoute.addChildren([queueRoute, searchRoute, reasonsRoute, registrationRoute, notFoundRoute]),
]);

/** Query strings stay plain (`?q=ana&page=2`): shareable, and what the API and the tests expect. */
function parseSearch(search: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(search));
}

function stringifySearch(search: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(search)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const query = params.toString();
  return query ? `?${query}` : '';
}

export function createAppRouter() {
  return createRouter({
    routeTree,
    history,
    parseSearch,
    stringifySearch,
    // The console scrolls inside its panes (the queue keeps its own place), never the window.
    scrollRestoration: () => false,
  });
}

declare module '@tanstack/react-router' {
  interface Register {
    router: ReturnType<typeof createAppRouter>;
  }
}
