import { useMemo, useSyncExternalStore } from 'react';

/**
 * A router needs only this: the History API plus a way to tell React the URL changed.
 * Kept outside React so the api-client can send a signed-out user to /login.
 */
const listeners = new Set<() => void>();

function notify() {
  for (const listener of listeners) listener();
}

export function currentPath(): string {
  return window.location.pathname + window.location.search;
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === currentPath() + window.location.hash) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  notify();
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

export interface AppLocation {
  pathname: string;
  search: string;
  searchParams: URLSearchParams;
  path: string;
}

export function useLocation(): AppLocation {
  const path = useSyncExternalStore(subscribe, currentPath, () => '/');
  return useMemo(() => {
    const url = new URL(path, 'http://console.invalid');
    return { pathname: url.pathname, search: url.search, searchParams: url.searchParams, path };
  }, [path]);
}

export const SIGN_IN_PATH = '/login';

/** Where to send a signed-out user so that signing in brings them back to `from`. */
export function signInPath(from: string = currentPath()): string {
  if (from === '/' || from.startsWith(SIGN_IN_PATH)) return SIGN_IN_PATH;
  return `${SIGN_IN_PATH}?next=${encodeURIComponent(from)}`;
}

/** Only same-origin app paths are accepted, so ?next= cannot bounce the user to another site. */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  if (next === SIGN_IN_PATH || next.startsWith(`${SIGN_IN_PATH}?`)) return '/';
  return next;
}

export function redirectToSignIn(): void {
  if (window.location.pathname === SIGN_IN_PATH) return;
  navigate(signInPath(), { replace: true });
}
