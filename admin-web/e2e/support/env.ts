import { fileURLToPath } from 'node:url';

export const consoleUrl = process.env.CONSOLE_URL ?? 'http://127.0.0.1:8080';
export const accessApiUrl = process.env.ACCESS_API_URL ?? 'http://127.0.0.1:3001';

const resultsDir = fileURLToPath(new URL('../../test-results/', import.meta.url));
/** Signed-in browser state written by auth.setup.ts (git-ignored with the rest of test-results/). */
export const STORAGE_STATE = `${resultsDir}.auth/admin.json`;
export const SCREENSHOT_DIR = `${resultsDir}screenshots/`;

export function adminCredentials(): { email: string; password: string } {
  const email = process.env.ADMIN_EMAIL;
  const password = process.env.ADMIN_PASSWORD;
  if (!email || !password) {
    throw new Error('Set ADMIN_EMAIL and ADMIN_PASSWORD to the admin account the console signs in with.');
  }
  return { email, password };
}
