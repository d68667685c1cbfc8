import { useState, type FormEvent, type ReactNode } from 'react';
import { ShortcutsHelpDialog, openShortcutsHelp } from '@/components/shortcuts-help';
import { Link } from '@/components/ui/link';
import { useSession, useSignOut } from '@/features/auth';
import { LiveIndicator } from '@/features/live';
import { searchPath } from '@/features/search';
import { StatsSummary } from '@/features/stats';
import { useHotkeys } from '@/lib/hotkeys';
import { navigate } from '@/lib/navigation';
import { useLiveUpdates } from './live-updates';
import type { RouteMatch } from './router';

function focusSearch() {
  const inputs = Array.from(document.querySelectorAll<HTMLInputElement>('[data-shortcut-search]'));
  // The page's own search box wins over the header's when both exist.
  const target = inputs[inputs.length - 1];
  target?.focus();
  target?.select();
}

function HeaderSearch() {
  const [q, setQ] = useState('');
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    navigate(searchPath({ q: q.trim() }));
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

export function AppShell({ route, children }: { route: RouteMatch; children: ReactNode }) {
  const session = useSession();
  const signOut = useSignOut();
  useLiveUpdates(Boolean(session.data));
  useHotkeys({ '/': focusSearch, '?': openShortcutsHelp });

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <header className="app-header">
        <Link href="/" className="brand" aria-label="Regflow Review, go to the queue">
          <span className="brand-mark" aria-hidden="true" />
          Regflow <span className="brand-sub">Review</span>
        </Link>
        <nav aria-label="Main" className="main-nav">
          <Link href="/" aria-current={route.name === 'queue' ? 'page' : undefined}>
            Queue
          </Link>
          <Link href="/search" aria-current={route.name === 'search' ? 'page' : undefined}>
            Search
          </Link>
        </nav>
        {route.name !== 'search' ? <HeaderSearch /> : <span className="header-spacer" />}
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
      <main id="main" tabIndex={-1} className={`main main-${route.name}`}>
        {children}
      </main>
      <ShortcutsHelpDialog />
    </div>
  );
}
