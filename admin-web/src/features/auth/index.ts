export { sessionQueryKey, useSession } from './api/get-session';
export { useSignOut } from './api/sign-out';
export { LoginPage } from './components/login-page';
export { RequireAuth } from './components/require-auth';
