import { useEffect, type ReactNode } from 'react';
import { ErrorState, LoadingState } from '@/components/ui/states';
import { navigate, signInPath, useLocation } from '@/lib/navigation';
import { useSession } from '../api/get-session';

/** Signed-out visitors see only the sign-in page, and come back here afterwards. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  const signedOut = session.isSuccess && session.data === null;

  useEffect(() => {
    if (signedOut) navigate(signInPath(location.path), { replace: true });
  }, [signedOut, location.path]);

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
        <ErrorState title="Cannot reach the review service" error={session.error} onRetry={() => void session.refetch()} />
      </main>
    );
  }
  if (signedOut) return null;
  return <>{children}</>;
}
