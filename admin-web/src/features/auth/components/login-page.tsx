import { getRouteApi } from '@tanstack/react-router';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { isApiError, describeError } from '@/lib/api-client';
import { safeNextPath } from '@/lib/navigation';
import { useSession } from '../api/get-session';
import { useSignIn } from '../api/sign-in';

function signInErrorMessage(error: unknown): string {
  if (isApiError(error)) {
    if (error.status === 401) return 'That email and password do not match an admin account.';
    if (error.status === 429) {
      const wait = error.retryAfterSeconds;
      return wait
        ? `Too many attempts. Try again in ${wait} second${wait === 1 ? '' : 's'}.`
        : 'Too many attempts. Wait a moment and try again.';
    }
  }
  return describeError(error);
}

const route = getRouteApi('/login');

export function LoginPage() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const next = safeNextPath(search.next);
  const session = useSession();
  const signIn = useSignIn();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const errorRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    document.title = 'Sign in · Regflow Review';
  }, []);

  useEffect(() => {
    if (session.data) void navigate({ href: next, replace: true });
  }, [session.data, next, navigate]);

  useEffect(() => {
    if (signIn.isError) errorRef.current?.focus();
  }, [signIn.isError, signIn.failureCount]);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    signIn.mutate({ email: email.trim(), password });
  };

  const resumed = search.next !== undefined;

  return (
    <main className="login-page" id="main">
      <div className="login-card">
        <p className="brand brand-large" aria-hidden="true">
          <span className="brand-mark" />
          Regflow <span className="brand-sub">Review</span>
        </p>
        <h1 className="login-title">Sign in to review registrations</h1>
        {resumed ? <p className="login-hint">Sign in to continue where you left off.</p> : null}
        <form onSubmit={onSubmit} noValidate={false} className="login-form">
          {signIn.isError ? (
            <div ref={errorRef} tabIndex={-1} role="alert" className="form-error">
              {signInErrorMessage(signIn.error)}
            </div>
          ) : null}
          <div className="field">
            <label htmlFor="login-email">Email</label>
            <input
              id="login-email"
              name="email"
              type="email"
              autoComplete="username"
              required
              autoFocus
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="login-password">Password</label>
            <input
              id="login-password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </div>
          <button type="submit" className="btn btn-primary btn-block" disabled={signIn.isPending}>
            {signIn.isPending ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      </div>
    </main>
  );
}
