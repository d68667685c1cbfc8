import { inject } from 'vitest';
import { createLogger, type Logger } from '@regflow/common';
import { loadAccessApiConfig } from '../../access-api/src/config';
import { startAccessApi } from '../../access-api/src/service';
import { loadConsumerConfig } from '../../consumer-mq/src/config';
import { startConsumer } from '../../consumer-mq/src/service';
import { loadOrchestratorConfig } from '../../orchestrator-api/src/config';
import { startOrchestrator } from '../../orchestrator-api/src/service';
import { poll } from '../../scripts/stack/lib/processes';

export const ADMIN = { email: 'admin@test.local', password: 'Test-Admin-Passw0rd' };
/** Signs the confirmation links in the tests (consumer-mq) and checks them (access-api); a test may sign its own. */
export const EMAIL_TOKEN_SECRET = 'test-email-token-secret-0123456789abcdef';

/**
 * The three services in this process on free ports, against the real servers of the stack (the mail
 * server too). `logger` makes each service's logger (a test that reads the logs passes one writing to
 * memory). Email confirmation is the services' default (required) unless `EMAIL_CONFIRMATION` is given:
 * suites about something else than confirming pass 'off', so a sign-up goes straight to review.
 */
export async function startServices(extraEnv: Record<string, string> = {}, logger?: (service: string) => Logger) {
  const env = {
    ...inject('stackEnv'),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    PORT: '0',
    EMAIL_TOKEN_SECRET,
    // Some suites decide registrations they staged straight into Redis, never indexed: the orchestrator
    // retries such a decision before dead-lettering it, holding its partition. Four attempts (about
    // 1.5 s) instead of eight (12-25 s) keep that from stalling the next suite's warm-up.
    KAFKA_MAX_ATTEMPTS: '4',
    ...extraEnv,
  };
  logger ??= (name: string) => createLogger(name, env.LOG_LEVEL);
  const orchestrator = await startOrchestrator(loadOrchestratorConfig(env), logger('orchestrator-api'));
  const access = await startAccessApi(
    loadAccessApiConfig({ RATE_LIMIT_PER_MINUTE: '100000', ...env, ORCHESTRATOR_URL: orchestrator.url }),
    logger('access-api'),
  );
  // After the access API: the confirmation links point at it.
  const consumer = await startConsumer(
    loadConsumerConfig({
      ...env,
      ORCHESTRATOR_URL: orchestrator.url,
      PUBLIC_ACCESS_API_URL: access.url,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
    }),
    logger('consumer-mq'),
  );
  return {
    env,
    access,
    orchestrator,
    consumer,
    stop: async () => {
      await Promise.allSettled([access.stop(), consumer.stop(), orchestrator.stop()]);
    },
  };
}

/** Signs in and returns headers that carry the session cookie and the CSRF token. */
export async function signIn(consumerUrl: string, account = ADMIN): Promise<Record<string, string>> {
  const res = await fetch(`${consumerUrl}/admin/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(account),
  });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  return { cookie, 'x-csrf-token': csrfToken };
}

/** Polls fn every 100 ms until it returns something truthy, which it hands back. */
export function eventually<T>(
  fn: () => Promise<T | undefined | null | false>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  return poll(fn, {
    timeoutMs,
    intervalMs: 100,
    onTimeout: (last) =>
      new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`),
  }) as Promise<T>;
}

let counter = 0;
/** A valid registration, unique per call; override any field. */
export function buildRegistration(overrides: Record<string, unknown> = {}) {
  counter += 1;
  const tag = `${Date.now().toString(36)}${counter}`;
  return {
    name: `Maria Teste ${['Alves', 'Borges', 'Cunha', 'Dias'][counter % 4]}`,
    email: `maria.${tag}@example.com`,
    ...overrides,
  };
}

/**
 * Waits until both Kafka consumer groups of a fresh set of services have joined: a registration must
 * reach the queue (registrations group), and its approval must reach the search index (decisions group).
 * Joining can take a while on a loaded machine; after this, the flow runs at its normal speed.
 */
export async function warmUp(
  sys: { access: { url: string }; orchestrator: { url: string }; consumer: { url: string } },
  admin: Record<string, string>,
): Promise<void> {
  const res = await fetch(`${sys.access.url}/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(buildRegistration()),
  });
  const { id } = (await res.json()) as { id: string };
  await eventually(
    async () => {
      const page = await fetch(`${sys.consumer.url}/admin/pending?limit=500`, { headers: admin });
      return ((await page.json()) as { items: { id: string }[] }).items.some((i) => i.id === id);
    },
    90_000,
    'the warm-up registration to be staged',
  );
  const approved = await fetch(`${sys.consumer.url}/admin/users/${id}/approve`, { method: 'POST', headers: admin });
  if (approved.status !== 200) throw new Error(`warm-up approve answered ${approved.status}`);
  await eventually(
    async () => {
      const doc = await fetch(`${sys.orchestrator.url}/users/${id}`);
      return doc.ok && ((await doc.json()) as { status: string }).status === 'approved';
    },
    90_000,
    'the warm-up decision to reach the search index',
  );
}
