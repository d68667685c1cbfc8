import { Suspense, useEffect, useRef, type ReactNode } from 'react';
import { EmptyState, LoadingState } from '@/components/ui/states';
import { Link } from '@/components/ui/link';
import { LoginPage, RequireAuth } from '@/features/auth';
import { QueuePage, RegistrationDecision } from '@/features/queue';
import { SearchPage } from '@/features/search';
import { RegistrationPage } from '@/features/users';
import { useLocation } from '@/lib/navigation';
import { AppShell } from './app-shell';

// The queue is the landing page and ships in the entry chunk; search and registration pages load on
// first visit (their features export them lazily).

export type RouteMatch =
  | { name: 'login' }
  | { name: 'queue' }
  | { name: 'search' }
  | { name: 'user'; id: string }
  | { name: 'not-found' };

export function matchRoute(pathname: string): RouteMatch {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  if (path === '/login') return { name: 'login' };
  if (path === '/') return { name: 'queue' };
  if (path === '/search') return { name: 'search' };
  const user = /^\/users\/([^/]+)$/.exec(path);
  if (user?.[1]) {
    try {
      return { name: 'user', id: decodeURIComponent(user[1]) };
    } catch {
      return { name: 'not-found' };
    }
  }
  return { name: 'not-found' };
}

/** Moves focus to the new page's main region so screen-reader users hear the navigation happen. */
function FocusOnNavigate({ routeKey, children }: { routeKey: string; children: ReactNode }) {
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [routeKey]);
  return <>{children}</>;
}

export function AppRouter() {
  const location = useLocation();
  const route = matchRoute(location.pathname);

  if (route.name === 'login') return <LoginPage />;

  let page: ReactNode;
  switch (route.name) {
    case 'queue':
      page = <QueuePage />;
      break;
    case 'search':
      page = <SearchPage />;
      break;
    case 'user':
      page = <RegistrationPage key={route.id} id={route.id} renderDecision={(detail) => <RegistrationDecision detail={detail} />} />;
      break;
    default:
      page = (
        <div className="page">
          <EmptyState title="Page not found">
            <p>
              <Link href="/">Go to the review queue</Link>
            </p>
          </EmptyState>
        </div>
      );
  }

  return (
    <RequireAuth>
      <AppShell route={route}>
        <FocusOnNavigate routeKey={location.pathname}>
          <Suspense fallback={<LoadingState label="Loading…" />}>{page}</Suspense>
        </FocusOnNavigate>
      </AppShell>
    </RequireAuth>
  );
}
