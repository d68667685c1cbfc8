import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from '../../scripts/system';
import { buildRegistration, eventually, signIn } from '../support/services';

/**
 * What `npm start`, a burst of sign-ups, Ctrl-C and `npm start` again does to a user's registrations:
 * the whole system as `npm start` runs it (real servers, the services' bundles), stopped as Ctrl-C
 * stops it, started again on the same data folder.
 */
const PORTS = { access: 3511, orchestrator: 3512, consumer: 3513 };
/** Set by `npm test` for its own stack; a system started with them would reuse those servers, not start (and stop) its own. */
const SERVER_VARIABLES = [
  'DATABASE_URL',
  'REDIS_URL',
  'KAFKA_BROKERS',
  'STOMP_URL',
  'ELASTICSEARCH_URL',
  'SMTP_URL',
  'MAIL_INBOX_URL',
  'ADMIN_EMAIL',
  'ADMIN_PASSWORD',
] as const;
const BURST = 100;

async function signUp(system: RunningSystem): Promise<string> {
  const res = await fetch(`${system.urls.access}/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(buildRegistration()),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

async function pendingIds(system: RunningSystem, admin: Record<string, string>): Promise<Set<string>> {
  const ids = new Set<string>();
  for (let cursor: string | null = null; ;) {
    const url: string = `${system.urls.consumer}/admin/pending?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = (await (await fetch(url, { headers: admin })).json()) as {
      items: { id: string }[];
      nextCursor: string | null;
    };
    for (const item of page.items) ids.add(item.id);
    if (!page.nextCursor) return ids;
    cursor = page.nextCursor;
  }
}

describe('npm start, sign-ups, Ctrl-C, npm start again', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'regflow-restart-'));
  let system: RunningSystem | undefined;
  const options = {
    dataDir,
    ports: PORTS,
    console: false,
    log: () => undefined,
    // About what a restart keeps on the way to review: sign-ups go straight there (no one to confirm).
    serviceEnv: { RATE_LIMIT_PER_MINUTE: '100000', LOG_LEVEL: 'info', EMAIL_CONFIRMATION: 'off' },
  };

  const saved: Partial<Record<(typeof SERVER_VARIABLES)[number], string>> = {};

  beforeAll(() => {
    for (const key of SERVER_VARIABLES) {
      saved[key] = process.env[key];
      delete process.env[key];
    }
  });

  afterAll(async () => {
    await system?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    for (const key of SERVER_VARIABLES) if (saved[key] !== undefined) process.env[key] = saved[key];
  });

  it('when the system stops while registrations are still only in Kafka, then after a restart every accepted one reaches the review queue, once', async () => {
    system = await startSystem(options);
    // Its own servers, in its own folder: what Ctrl-C stops and npm start starts again.
    expect(fs.readdirSync(path.join(dataDir, 'run')).sort()).toEqual([
      'activemq.pid',
      'elasticsearch.pid',
      'kafka.pid',
      'mail.pid',
      'postgres.pid',
      'redis.pid',
    ]);
    const accepted: string[] = [];
    // Half while everything runs, half with the orchestrator stopped: those are in Kafka and nowhere else.
    for (let i = 0; i < BURST / 2; i++) accepted.push(await signUp(system));
    await system.services.get('orchestrator-api')!.stop();
    const onlyInKafka = await Promise.all(Array.from({ length: BURST / 2 }, () => signUp(system!)));
    accepted.push(...onlyInKafka);
    const before = await pendingIds(system, await signIn(system.urls.consumer, system.admin));
    expect(onlyInKafka.filter((id) => before.has(id))).toEqual([]);
    await system.stop(); // what Ctrl-C does
    system = undefined;

    system = await startSystem(options);
    const admin = await signIn(system.urls.consumer, system.admin);
    const after = await eventually(
      async () => {
        const ids = await pendingIds(system!, admin);
        return accepted.every((id) => ids.has(id)) && ids;
      },
      120_000,
      `all ${BURST} accepted registrations in the review queue`,
    );
    expect(after.size).toBe(BURST);
    const stats = (await (await fetch(`${system.urls.consumer}/admin/stats`, { headers: admin })).json()) as {
      pending: number;
    };
    expect(stats.pending).toBe(BURST);
  }, 600_000);
});
