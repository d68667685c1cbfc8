import path from 'node:path';
import pg from 'pg';
import { Client } from '@elastic/elasticsearch';
import { createLogger, newId, type Logger } from '@regflow/common';
import { EventPublisher, createKafka, runConsumer } from '@regflow/common/kafka';
import { StompSession } from '@regflow/common/stomp';
import { createDatabase, migrateWithLock } from '../../consumer-mq/src/data-access/db/database';
import { DecisionsRepository } from '../../consumer-mq/src/data-access/decisions-repository';
import { StagingStore, type StagedUser } from '../../consumer-mq/src/data-access/staging-store';
import { decisionEvent } from '../../consumer-mq/src/domain/decide-registration';
import { UsersIndex } from '../../orchestrator-api/src/data-access/users-index';
import { startProcess } from '../../scripts/stack/lib/processes';
import { ROOT } from '../../scripts/system';
import { cannon, summarizeCannon, type HttpLoadResult } from '../lib/http-load';
import { load1 } from '../lib/machine';
import { RegistrationFactory } from '../lib/registrations';
import { closedLoop, round, summarize } from '../lib/stats';

/**
 * The raw limit of each hop, measured alone with the client libraries and the settings the services
 * use, on the same servers, before the services start. Each uses its own topic, queue, Redis database,
 * Postgres database or index, so nothing here reaches the pipeline.
 */

export interface HopFigure {
  /** Operations per second (messages, transactions, requests). */
  perSecond: number;
  count: number;
  seconds: number;
  concurrency: number;
  p50?: number;
  p99?: number;
  load1: number;
  note: string;
}

export interface HopOptions {
  durationMs: number;
  /** Where the bare Express server's output goes. */
  logsDir: string;
  log: (line: string) => void;
  tag: string;
}

const quietLogger = (): Logger => createLogger('bench', 'error');

export async function bareExpress(
  port: number,
  connections: number,
  opts: HopOptions,
): Promise<HopFigure & { http: HttpLoadResult }> {
  const server = startProcess({
    name: 'bare-express',
    command: process.execPath,
    args: ['--import', 'tsx', path.join(ROOT, 'bench/hops/bare-express-server.ts'), '--port', String(port)],
    cwd: ROOT,
    logFile: path.join(opts.logsDir, 'bare-express.log'),
  });
  try {
    await server.waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000);
    const body = new RegistrationFactory().next();
    const load = load1();
    const result = summarizeCannon(
      await cannon({
        url: `http://127.0.0.1:${port}/users`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        connections,
        duration: opts.durationMs / 1000,
      }),
    );
    if (result.errors || result.non2xx)
      throw new Error(`bare express: ${result.errors} errors, ${result.non2xx} non-2xx`);
    return {
      perSecond: result.perSecond,
      count: result.requests,
      seconds: result.seconds,
      concurrency: connections,
      p50: result.p50,
      p99: result.p99,
      load1: load,
      note: 'Express 5, POST answered 202 with no work; autocannon, same body and headers as POST /users',
      http: result,
    };
  } finally {
    await server.stop();
  }
}

/** Produce through EventPublisher (acks -1, linger batching, one request in flight), then consume with runConsumer. */
export async function kafka(
  brokers: string,
  concurrency: number,
  opts: HopOptions & { maxRecords: number },
): Promise<{ produce: HopFigure; consume: HopFigure }> {
  const logger = quietLogger();
  const client = createKafka({ clientId: 'bench', brokers: brokers.split(','), logger });
  const topic = `bench.raw.${opts.tag}`;
  // 4 partitions, as the services' topics (KAFKA_TOPIC_PARTITIONS); the linger is the access API's default.
  const publisher = new EventPublisher(client, logger, {
    lingerMs: Number(process.env.KAFKA_LINGER_MS ?? 2),
    topics: [{ topic, partitions: 4, replicationFactor: 1 }],
  });
  await publisher.connect();
  // The producer id and the partitions' metadata are fetched by the first send; do it before the clock starts.
  await publisher.publish(topic, { key: 'warm-up', value: '{}' });
  const body = new RegistrationFactory();
  const value = JSON.stringify({
    type: 'UserRegistrationRequested',
    version: 1,
    eventId: newId(),
    occurredAt: new Date().toISOString(),
    correlationId: newId(),
    data: JSON.parse(body.next()) as object,
  });
  let load = load1();
  // Bounded, so the consume phase that follows reads a known number of records.
  const produced = await closedLoop({
    concurrency,
    durationMs: opts.durationMs,
    total: opts.maxRecords,
    task: (i) =>
      publisher.publish(topic, {
        key: `user${i}@example.com`,
        value,
        headers: { 'event-type': 'UserRegistrationRequested', 'schema-version': '1', 'correlation-id': newId() },
      }),
  });
  await publisher.close();
  const lat = summarize(produced.latencies);
  const produce: HopFigure = {
    perSecond: produced.perSecond,
    count: produced.done,
    seconds: produced.seconds,
    concurrency,
    p50: lat.p50,
    p99: lat.p99,
    load1: load,
    note: 'EventPublisher (acks -1, linger, 1 request in flight), concurrent publishers',
  };

  const expected = produced.done + 1;
  let seen = 0;
  let first = 0;
  let last = 0;
  load = load1();
  let allSeen: () => void = () => undefined;
  const seenAll = new Promise<void>((resolve) => {
    allSeen = resolve;
  });
  const running = await runConsumer({
    kafka: client,
    groupId: `bench-raw-${opts.tag}`,
    topics: [topic],
    logger,
    partitionsConsumedConcurrently: 4,
    handler: async () => {
      if (seen === 0) first = performance.now();
      seen++;
      last = performance.now();
      if (seen >= expected) allSeen();
    },
  });
  try {
    await withTimeout(seenAll, 120_000, () => `kafka consume: ${seen} of ${expected} records`);
  } finally {
    await running.stop();
  }
  const seconds = (last - first) / 1000;
  const consume: HopFigure = {
    perSecond: Math.round(seen / seconds),
    count: seen,
    seconds: round(seconds, 2),
    concurrency: 4,
    load1: load,
    note: 'runConsumer (eachBatch, offsets resolved per record, 4 partitions at once), no-op handler',
  };
  return { produce, consume };
}

/** Persistent SEND with receipt on one StompSession (as the orchestrator), then client-individual acks with the consumer's prefetch. */
export async function stomp(
  url: string,
  concurrency: number,
  prefetch: number,
  opts: HopOptions,
): Promise<{ send: HopFigure; sendOneAtATime: HopFigure; receive: HopFigure }> {
  const logger = quietLogger();
  const destination = `/queue/bench.raw.${opts.tag}`;
  const sender = new StompSession(url, logger);
  sender.start();
  const body = JSON.stringify({
    type: 'RegistrationQueuedForReview',
    data: JSON.parse(new RegistrationFactory().next()) as object,
    pad: 'x'.repeat(200),
  });
  await sender.send(destination, body);
  let load = load1();
  const sendTask = () =>
    sender.send(destination, body, { 'event-type': 'RegistrationQueuedForReview', 'correlation-id': newId() });
  const sent = await closedLoop({ concurrency, durationMs: opts.durationMs, task: sendTask });
  const lat = summarize(sent.latencies);
  const send: HopFigure = {
    perSecond: sent.perSecond,
    count: sent.done,
    seconds: sent.seconds,
    concurrency,
    p50: lat.p50,
    p99: lat.p99,
    load1: load,
    note: 'StompSession.send: persistent, resolved on the broker RECEIPT, one connection',
  };
  // The orchestrator sends one at a time (orchestrator-api/src/data-access/review-queue-sender.ts).
  load = load1();
  const serial = await closedLoop({ concurrency: 1, durationMs: opts.durationMs / 2, task: sendTask });
  await sender.close();
  const serialLat = summarize(serial.latencies);
  const sendOneAtATime: HopFigure = {
    perSecond: serial.perSecond,
    count: serial.done,
    seconds: serial.seconds,
    concurrency: 1,
    p50: serialLat.p50,
    p99: serialLat.p99,
    load1: load,
    note: 'as above, one send at a time, as the orchestrator sends',
  };

  const expected = sent.done + serial.done + 1;
  const receiver = new StompSession(url, logger);
  let seen = 0;
  let first = 0;
  let last = 0;
  load = load1();
  const allSeen = new Promise<void>((resolve) => {
    receiver.subscribe(destination, { prefetch }, async (message) => {
      if (seen === 0) first = performance.now();
      message.ack();
      seen++;
      last = performance.now();
      if (seen >= expected) resolve();
    });
  });
  receiver.start();
  await withTimeout(allSeen, 120_000, () => `stomp receive: ${seen} of ${expected} messages`);
  await receiver.close();
  const seconds = (last - first) / 1000;
  const receive: HopFigure = {
    perSecond: Math.round(seen / seconds),
    count: seen,
    seconds: round(seconds, 2),
    concurrency: prefetch,
    load1: load,
    note: `client-individual ack, prefetch ${prefetch}, one connection`,
  };
  return { send, sendOneAtATime, receive };
}

/** The staging Lua script through StagingStore.stage, as many at once as the consumer's prefetch (node-redis pipelines them). */
export async function redis(url: string, concurrency: number, opts: HopOptions): Promise<HopFigure> {
  // Database 1: the service uses 0, so the raw figure never touches the review queue.
  const dbUrl = `${url.replace(/\/\d*$/, '')}/1`;
  const store = await StagingStore.connect(dbUrl, quietLogger());
  try {
    await store.redis.flushDb();
    const factory = new RegistrationFactory();
    const template = JSON.parse(factory.next()) as Omit<StagedUser, 'id' | 'registeredAt' | 'stagedAt'>;
    const load = load1();
    const staged = await closedLoop({
      concurrency,
      durationMs: opts.durationMs,
      task: async () => {
        const now = new Date().toISOString();
        const result = await store.stage({
          ...template,
          id: newId(),
          registeredAt: now,
          indexedAt: now,
          queuedAt: now,
          stagedAt: now,
          correlationId: newId(),
        });
        if (result !== 'staged') throw new Error(`redis stage answered ${result}`);
      },
    });
    const lat = summarize(staged.latencies);
    return {
      perSecond: staged.perSecond,
      count: staged.done,
      seconds: staged.seconds,
      concurrency,
      p50: lat.p50,
      p99: lat.p99,
      load1: load,
      note: 'StagingStore.stage (the staging Lua script), concurrent calls pipelined by node-redis',
    };
  } finally {
    await store.redis.flushDb().catch(() => undefined);
    await store.close();
  }
}

/** DecisionsRepository.record (decision + approved user + outbox row in one transaction) in a database of its own. */
export async function postgres(databaseUrl: string, concurrency: number, opts: HopOptions): Promise<HopFigure> {
  const logger = quietLogger();
  const dbName = `regflow_bench_raw_${opts.tag.replace(/\W/g, '_')}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${dbName}`);
  await admin.query(`create database ${dbName}`);
  const url = new URL(databaseUrl);
  url.pathname = `/${dbName}`;
  // The same pool settings as the service (createDatabase), migrated the same way.
  const { pool, db } = createDatabase(url.toString(), logger);
  try {
    await migrateWithLock(pool, logger);
    const repo = new DecisionsRepository(db);
    const template = JSON.parse(new RegistrationFactory().next()) as {
      name: string;
      email: string;
      cpf: string;
      note: string;
    };
    const load = load1();
    const recorded = await closedLoop({
      concurrency,
      durationMs: opts.durationMs,
      task: async () => {
        const id = newId();
        const now = new Date().toISOString();
        const decision = { userId: id, outcome: 'approved' as const, decidedBy: 'bench@regflow.local', decidedAt: now };
        const result = await repo.record(
          decision,
          { ...template, id, registeredAt: now },
          decisionEvent(decision, id),
          id,
        );
        if (!result.won) throw new Error('postgres: decision not recorded');
      },
    });
    const lat = summarize(recorded.latencies);
    return {
      perSecond: recorded.perSecond,
      count: recorded.done,
      seconds: recorded.seconds,
      concurrency,
      p50: lat.p50,
      p99: lat.p99,
      load1: load,
      note: 'DecisionsRepository.record: one approve transaction (decision, approved user, outbox), pool of 10',
    };
  } finally {
    await pool.end();
    await admin.query(`drop database if exists ${dbName}`).catch(() => undefined);
    await admin.end();
  }
}

/** Not a hop of the list, but on the path: document creates with the orchestrator's client (UsersIndex.connect). */
export async function elasticsearch(esUrl: string, concurrency: number, opts: HopOptions): Promise<HopFigure> {
  const logger = quietLogger();
  const indexName = `bench-raw-${opts.tag}`;
  const index = UsersIndex.connect({ url: esUrl }, logger, indexName);
  const admin = new Client({ node: esUrl });
  try {
    await index.ensureIndex();
    const template = JSON.parse(new RegistrationFactory().next()) as {
      name: string;
      email: string;
      cpf: string;
      note: string;
    };
    const load = load1();
    const created = await closedLoop({
      concurrency,
      durationMs: opts.durationMs,
      task: async () => {
        const now = new Date().toISOString();
        // The orchestrator's client and index; one create request per document (no batching), as a raw limit.
        const id = newId();
        await index.client.create({
          index: indexName,
          id,
          document: { ...template, id, status: 'pending', registeredAt: now, indexedAt: now },
        });
      },
    });
    const lat = summarize(created.latencies);
    return {
      perSecond: created.perSecond,
      count: created.done,
      seconds: created.seconds,
      concurrency,
      p50: lat.p50,
      p99: lat.p99,
      load1: load,
      note: "create (op_type create) with the orchestrator's client settings, one request per document",
    };
  } finally {
    await admin.indices.delete({ index: indexName }).catch(() => undefined);
    await admin.close();
    await index.close();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no progress: ${what()} after ${ms / 1000} s`)), ms);
    }),
  ]);
}
