import { useLocation, useNavigate } from '@tanstack/react-router';
import { useEffect, useEffectEvent, type ReactNode } from 'react';
import { ErrorState, LoadingState } from '@/components/ui/states';
import { signInPath } from '@/lib/navigation';
import { useSession } from '../api/get-session';

/** Signed-out visitors see only the sign-in page, and come back here afterwards. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const session = useSession();
  const here = useLocation({ select: (location) => location.href });
  const navigate = useNavigate();
  const signedOut = session.isSuccess && session.data === null;
  // Once, from where the reviewer was: while the router moves to sign-in, `here` is already /login.
  const goToSignIn = useEffectEvent(() => void navigate({ href: signInPath(here), replace: true }));

  useEffect(() => {
    if (signedOut) goToSignIn();
  }, [signedOut]);

  if (session.isPending) {
    return (
      <main className="page-center">
        <LoadingState label="Checking your session…" />
      </main>
    );
  }
  if (session.isError) {
    return (
      <main className="page-center">
        <ErrorState
          title="Cannot reach the review service"
          error={session.error}
          onRetry={() => void session.refetch()}
        />
      </main>
    );
  }
  if (signedOut) return null;
  return <>{children}</>;
}
