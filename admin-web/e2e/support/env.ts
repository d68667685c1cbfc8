import { fileURLToPath } from 'node:url';

export const consoleUrl = process.env.CONSOLE_URL ?? 'http://127.0.0.1:8080';
export const accessApiUrl = process.env.ACCESS_API_URL ?? 'http://127.0.0.1:3001';

/** The mail server's inbox (maildev): its HTTP API gives the confirmation emails (npm test passes it; npm start prints it). */
export function mailInboxUrl(): string {
  const url = process.env.MAIL_INBOX_URL;
  if (!url) throw new Error('Set MAIL_INBOX_URL to the inbox of the mail server the running consumer-mq sends to.');
  return url;
}

const resultsDir = fileURLToPath(new URL('../../test-results/', import.meta.url));
/** Signed-in browser state written by auth.setup.ts (git-ignored with the rest of test-results/). */
export const STORAGE_STATE = `${resultsDir}.auth/admin.json`;
export const SCREENSHOT_DIR = `${resultsDir}screenshots/`;
/** Figures measured by the suite (not asserted), for the benchmark report. */
export const PERF_FILE = `${resultsDir}perf.json`;

export function adminCredentials(): { email: string; password: string } {
  const email = process.env.ADMIN_EMAIL;
  const password = process.env.ADMIN_PASSWORD;
  if (!email || !password) {
    throw new Error('Set ADMIN_EMAIL and ADMIN_PASSWORD to the admin account the console signs in with.');
  }
  return { email, password };
}

/** The review queue's Redis, for specs that seed it directly (the same format the consumer writes). */
export function redisUrl(): string {
  const url = process.env.REDIS_URL;
  if (!url) {
    throw new Error(
      'Set REDIS_URL to the Redis the running consumer-mq uses (npm test passes it; start-system prints it): ' +
        'the 10,000-registration queue spec seeds it directly, as posting 10,000 sign-ups through the pipeline is too slow.',
    );
  }
  return url;
}
