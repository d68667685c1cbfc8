import { createBrowserHistory } from '@tanstack/react-router';

/**
 * The console's one browser history. The router (src/app/router.tsx) renders from it, and code outside
 * React uses it too: the api-client sends a signed-out reviewer to sign-in through it.
 */
export const history = createBrowserHistory();

export const SIGN_IN_PATH = '/login';

/** Where to send a signed-out user so that signing in brings them back to `from`. */
export function signInPath(from: string = history.location.href): string {
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
  if (history.location.pathname === SIGN_IN_PATH) return;
  history.replace(signInPath());
}
