import { Link, useMatchRoute, useNavigate } from '@tanstack/react-router';
import { useState, type FormEvent, type ReactNode } from 'react';
import { ShortcutsHelpDialog, openShortcutsHelp } from '@/components/shortcuts-help';
import { useSession, useSignOut } from '@/features/auth';
import { LiveIndicator } from '@/features/live';
import { searchFor } from '@/features/search';
import { StatsSummary } from '@/features/stats';
import { useShortcut } from '@/lib/hotkeys';
import { useLiveUpdates } from './live-updates';

function focusSearch() {
  const inputs = Array.from(document.querySelectorAll<HTMLInputElement>('[data-shortcut-search]'));
  // The page's own search box wins over the header's when both exist.
  const target = inputs[inputs.length - 1];
  target?.focus();
  target?.select();
}

/** Which page the shell frames, for the header and the main region's class. */
function usePageName(): 'queue' | 'search' | 'user' | 'not-found' {
  const matchRoute = useMatchRoute();
  if (matchRoute({ to: '/' })) return 'queue';
  if (matchRoute({ to: '/search' })) return 'search';
  if (matchRoute({ to: '/users/$id' })) return 'user';
  return 'not-found';
}

function HeaderSearch() {
  const [q, setQ] = useState('');
  const navigate = useNavigate();
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void navigate({ to: '/search', search: searchFor({ q: q.trim() }) });
    setQ('');
  };
  return (
    <form role="search" className="header-search" onSubmit={onSubmit} aria-label="Registrations">
      <label htmlFor="header-search" className="sr-only">
        Search registrations by name, email or CPF
      </label>
      <input
        id="header-search"
        type="search"
        data-shortcut-search=""
        placeholder="Name, email or CPF"
        value={q}
        onChange={(e) => setQ(e.target.value)}
        autoComplete="off"
      />
      <kbd className="header-search-key" aria-hidden="true">
        /
      </kbd>
    </form>
  );
}

export function AppShell({ children }: { children: ReactNode }) {
  const page = usePageName();
  const session = useSession();
  const signOut = useSignOut();
  useLiveUpdates(Boolean(session.data));
  useShortcut('/', focusSearch);
  useShortcut('?', openShortcutsHelp);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <header className="app-header">
        <Link to="/" activeOptions={{ exact: true }} className="brand" aria-label="Regflow Review, go to the queue">
          <span className="brand-mark" aria-hidden="true" />
          Regflow <span className="brand-sub">Review</span>
        </Link>
        <nav aria-label="Main" className="main-nav">
          <Link to="/" activeOptions={{ exact: true }}>
            Queue
          </Link>
          <Link to="/search">Search</Link>
          <Link to="/reasons">Reasons</Link>
        </nav>
        {page !== 'search' ? <HeaderSearch /> : <span className="header-spacer" />}
        <StatsSummary />
        <LiveIndicator />
        <div className="account">
          <span className="account-email" title={session.data?.email}>
            {session.data?.email}
          </span>
          <button
            type="button"
            className="btn btn-quiet"
            onClick={() => signOut.mutate()}
            disabled={signOut.isPending}
            title={session.data ? `Signed in as ${session.data.email}` : undefined}
          >
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1} className={`main main-${page}`}>
        {children}
      </main>
      <ShortcutsHelpDialog />
    </div>
  );
}
