import net from 'node:net';
import pino from 'pino';
import type pg from 'pg';
import { QUEUES, TOPICS } from '@regflow/common';
import { createKafka } from '@regflow/common/kafka';

export interface DeadLettered {
  /** Registration id -> where it was found (postgres archive, kafka topic, activemq queue). */
  ids: Map<string, Set<string>>;
  /** Sources that could not be read (reported, not fatal). */
  unreadable: string[];
}

/**
 * Every registration that was dead-lettered anywhere: the admin archive in Postgres (if the
 * dead_letters table exists yet), the orchestrator's Kafka dead-letter topic, and ActiveMQ's
 * dead-letter queue (browsed, so nothing is consumed).
 */
export async function collectDeadLetters(opts: {
  db: pg.Client;
  kafkaBrokers: string;
  stompUrl: string;
}): Promise<DeadLettered> {
  const result: DeadLettered = { ids: new Map(), unreadable: [] };
  const add = (payload: string | null | undefined, where: string) => {
    const id = registrationIdOf(payload);
    if (!id) return;
    let set = result.ids.get(id);
    if (!set) result.ids.set(id, (set = new Set()));
    set.add(where);
  };
  const tasks: Array<[string, () => Promise<void>]> = [
    [
      'postgres dead_letters',
      async () => {
        const exists = await opts.db.query<{ t: string | null }>(
          `select to_regclass('public.dead_letters')::text as t`,
        );
        if (!exists.rows[0]?.t) return;
        const rows = await opts.db.query<{ payload: string; source: string; replayed_at: Date | null }>(
          'select payload, source, replayed_at from dead_letters',
        );
        for (const row of rows.rows) if (!row.replayed_at) add(row.payload, `archive:${row.source}`);
      },
    ],
    [
      'kafka dead-letter topic',
      () => readTopic(opts.kafkaBrokers, TOPICS.deadLetter, (value) => add(value, 'kafka-dlq')),
    ],
    [
      'activemq dead-letter queue',
      () => browseQueue(opts.stompUrl, QUEUES.reviewDeadLetter, (body) => add(body, 'activemq-dlq')),
    ],
  ];
  await Promise.all(
    tasks.map(async ([name, task]) => {
      try {
        await task();
      } catch (err) {
        result.unreadable.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }),
  );
  return result;
}

function registrationIdOf(payload: string | null | undefined): string | null {
  if (!payload) return null;
  try {
    const parsed = JSON.parse(payload) as { data?: { id?: unknown; userId?: unknown } };
    const id = parsed.data?.id ?? parsed.data?.userId;
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
}

/** Reads a topic from the beginning up to its current end, with a throw-away consumer group. */
async function readTopic(brokers: string, topic: string, onValue: (value: string | null) => void): Promise<void> {
  const kafka = createKafka({
    clientId: 'fault-suite',
    brokers: brokers.split(','),
    logger: pino({ level: 'silent' }),
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) return;
    const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
    const remaining = new Set([...ends].filter(([, high]) => high > 0).map(([p]) => p));
    if (remaining.size === 0) return;
    const consumer = kafka.consumer({
      groupId: `fault-suite-${Date.now()}-${Math.random().toString(36).slice(2)}`,
      maxWaitTimeInMs: 100,
    });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`did not reach the end of ${topic} within 30 s`)), 30_000);
        void consumer.run({
          eachMessage: async ({ partition, message }) => {
            onValue(message.value ? message.value.toString('utf8') : null);
            if (Number(message.offset) + 1 >= (ends.get(partition) ?? 0)) remaining.delete(partition);
            if (remaining.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        });
      });
    } finally {
      await consumer.disconnect();
    }
  } finally {
    await admin.disconnect();
  }
}

/** ActiveMQ queue browsing over STOMP (`browser:true`): the broker ends with a `browser:end` frame. */
function browseQueue(stompUrl: string, destination: string, onBody: (body: string) => void): Promise<void> {
  const url = new URL(stompUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: url.hostname, port: Number(url.port || 61613) });
    let buffer = '';
    const timer = setTimeout(() => finish(new Error('no browser:end within 20 s')), 20_000);
    const finish = (err?: Error) => {
      clearTimeout(timer);
      socket.end('DISCONNECT\n\n\0');
      socket.destroy();
      if (err) reject(err);
      else resolve();
    };
    socket.once('error', (err) => finish(err));
    socket.once('connect', () => {
      socket.write('CONNECT\naccept-version:1.2\nhost:localhost\n\n\0');
      socket.write(`SUBSCRIBE\nid:browse\ndestination:${destination}\nack:auto\nbrowser:true\n\n\0`);
    });
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (;;) {
        const end = buffer.indexOf('\0');
        if (end < 0) break;
        const frame = buffer.slice(0, end).replace(/^[\r\n]+/, '');
        buffer = buffer.slice(end + 1);
        const split = frame.indexOf('\n\n');
        const head = split < 0 ? frame : frame.slice(0, split);
        const body = split < 0 ? '' : frame.slice(split + 2);
        const [command, ...headerLines] = head.split('\n');
        if (command === 'ERROR') return finish(new Error(`broker error: ${head.replace(/\n/g, ' ')}`));
        if (command !== 'MESSAGE') continue;
        if (headerLines.some((h) => h === 'browser:end')) return finish();
        onBody(body);
      }
    });
  });
}
