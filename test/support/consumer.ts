import { Writable } from 'node:stream';
import { inject } from 'vitest';
import { createLogger, type Logger } from '@regflow/common';
import { loadConsumerConfig } from '../../consumer-mq/src/config';
import { startConsumer } from '../../consumer-mq/src/service';
import { ADMIN, EMAIL_TOKEN_SECRET } from './services';

/**
 * consumer-mq alone, in this process on a free port, against the stack's real servers: no orchestrator
 * (its URL answers nothing), reconciliation on request only, the suites' admin account and token secret.
 * `extraEnv` overrides any of it.
 */
export function startConsumerAlone(
  extraEnv: Record<string, string> = {},
  logger: Logger = createLogger('consumer-mq', 'silent'),
) {
  return startConsumer(
    loadConsumerConfig({
      ...inject('stackEnv'),
      PORT: '0',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      EMAIL_TOKEN_SECRET,
      ORCHESTRATOR_URL: 'http://127.0.0.1:9',
      RECONCILE_INTERVAL_SECONDS: '0',
      ...extraEnv,
    }),
    logger,
  );
}

/** A logger at `info` that keeps each JSON line it writes in `lines`, for tests that read the logs. */
export function capturingLogger(name: string, lines: Array<Record<string, unknown>>): Logger {
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n'))
        if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return createLogger(name, 'info', destination);
}
