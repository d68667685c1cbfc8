import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createClient } from 'redis';
import pino from 'pino';
import { EventPublisher, createKafka, runConsumer } from '@regflow/common/kafka';
import { isAlive } from './lib/processes';
import { findJdk } from './lib/programs';
import { javaMissingMessage } from './servers/elasticsearch';
import { REPO_ROOT, startStack, type Stack, type StackEnv } from './stack';

const ENV_KEYS: (keyof StackEnv)[] = [
  'DATABASE_URL',
  'REDIS_URL',
  'KAFKA_BROKERS',
  'STOMP_URL',
  'ELASTICSEARCH_URL',
  'SMTP_URL',
  'MAIL_INBOX_URL',
];
const PERSISTENT_QUEUE = '/queue/stack-test.persistent';
const KAFKA_TOPIC = 'stack-test.persistent';
const quietLogger = pino({ level: 'silent' });

function portOf(url: string): number {
  return Number(url.includes('://') ? new URL(url).port : url.split(':')[1]);
}

function tcpAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.setTimeout(1_000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Just enough STOMP 1.2 to talk to the broker without the application's adapter. */
async function openStomp(port: number): Promise<{
  write: (command: string, headers: Record<string, string>, body?: string) => void;
  next: (timeoutMs?: number) => Promise<string>;
  close: () => void;
}> {
  const socket = net.connect({ port, host: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  let buffer = '';
  const frames: string[] = [];
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    for (let end = buffer.indexOf('\0'); end >= 0; end = buffer.indexOf('\0')) {
      frames.push(buffer.slice(0, end).replace(/^\n+/, ''));
      buffer = buffer.slice(end + 1);
    }
  });
  const write = (command: string, headers: Record<string, string>, body = ''): void => {
    const lines = Object.entries(headers).map(([key, value]) => `${key}:${value}`);
    socket.write(`${command}\n${lines.join('\n')}\n\n${body}\0`);
  };
  const next = async (timeoutMs = 10_000): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    while (frames.length === 0) {
      if (Date.now() > deadline) throw new Error('no STOMP frame arrived');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return frames.shift() ?? '';
  };
  return { write, next, close: () => socket.destroy() };
}

/** One message over plain SMTP, without the application's mailer: the server is what is tested. */
async function sendSmtp(port: number, to: string, subject: string): Promise<void> {
  const socket = net.connect({ port, host: '127.0.0.1' });
  let buffer = '';
  const reply = (code: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const lines = buffer.split('\r\n').filter(Boolean);
        const last = lines[lines.length - 1];
        if (!last || last[3] === '-') return;
        socket.off('data', onData);
        buffer = '';
        if (last.startsWith(code)) resolve();
        else reject(new Error(`SMTP answered ${last}, expected ${code}`));
      };
      const onData = (chunk: Buffer): void => {
        buffer += chunk.toString('utf8');
        check();
      };
      socket.on('data', onData);
      check();
    });
  const say = (line: string, code: string): Promise<void> => {
    const answered = reply(code);
    socket.write(`${line}\r\n`);
    return answered;
  };
  try {
    await reply('220');
    await say('EHLO stack-test', '250');
    await say('MAIL FROM:<stack-test@regflow.local>', '250');
    await say(`RCPT TO:<${to}>`, '250');
    await say('DATA', '354');
    await say(`From: stack-test@regflow.local\r\nTo: ${to}\r\nSubject: ${subject}\r\n\r\nkept\r\n.`, '250');
    await say('QUIT', '221');
  } finally {
    socket.destroy();
  }
}

async function stompSession(port: number): Promise<Awaited<ReturnType<typeof openStomp>>> {
  const stomp = await openStomp(port);
  stomp.write('CONNECT', { 'accept-version': '1.2', host: 'localhost' });
  expect(await stomp.next()).toMatch(/^CONNECTED\n/);
  return stomp;
}

function runPids(dataDir: string): number[] {
  const runDir = path.join(dataDir, 'run');
  if (!fs.existsSync(runDir)) return [];
  return fs
    .readdirSync(runDir)
    .map((file) => (JSON.parse(fs.readFileSync(path.join(runDir, file), 'utf8')) as { pid: number }).pid);
}

describe('local server stack', () => {
  const savedEnv: Partial<Record<keyof StackEnv, string>> = {};
  let dataDir = '';
  let stack: Stack | null = null;
  let restarted: Stack | null = null;
  const timings: string[] = [];

  beforeAll(async () => {
    // The test is about starting servers, so variables from the caller must not short-circuit it.
    for (const key of ENV_KEYS) {
      savedEnv[key] = process.env[key];
      delete process.env[key];
    }
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'regflow-stack-test-'));
    const t0 = Date.now();
    stack = await startStack({ dataDir });
    timings.push(`first start (initdb included): ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    await restarted?.stop();
    for (const key of ENV_KEYS) {
      const value = savedEnv[key];
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    console.info(`stack timings: ${timings.join('; ')}`);
  }, 120_000);

  it('when started in an empty folder, then postgres accepts the regflow user on its own database', async () => {
    const env = stack?.env;
    expect(env?.DATABASE_URL).toMatch(/^postgres:\/\/regflow:regflow@127\.0\.0\.1:\d+\/regflow$/);
    const client = new pg.Client({ connectionString: env?.DATABASE_URL });
    await client.connect();
    try {
      const who = await client.query<{ u: string; d: string }>('select current_user as u, current_database() as d');
      expect(who.rows[0]).toEqual({ u: 'regflow', d: 'regflow' });
      await client.query('create table stack_probe (note text)');
      await client.query("insert into stack_probe values ('kept')");
    } finally {
      await client.end();
    }
  });

  it('when started in an empty folder, then redis answers PING and keeps an append-only file', async () => {
    const client = createClient({ url: stack?.env.REDIS_URL });
    await client.connect();
    try {
      expect(await client.ping()).toBe('PONG');
      await client.set('stack:probe', 'kept');
      expect(await client.configGet('appendonly')).toEqual({ appendonly: 'yes' });
    } finally {
      await client.quit();
    }
    expect(fs.existsSync(path.join(dataDir, 'redis', 'appendonlydir'))).toBe(true);
  });

  it('when started in an empty folder, then ActiveMQ answers STOMP and delivers a queued message', async () => {
    const port = portOf(stack?.env.STOMP_URL ?? '');
    const stomp = await stompSession(port);
    try {
      stomp.write('SEND', { destination: '/queue/stack-test.echo', 'content-type': 'text/plain' }, 'ping');
      stomp.write('SUBSCRIBE', { id: '1', destination: '/queue/stack-test.echo', ack: 'auto' });
      const message = await stomp.next();
      expect(message).toMatch(/^MESSAGE\n/);
      expect(message.endsWith('\n\nping')).toBe(true);
      // Kept for the restart test: proves the KahaDB store is on disk in the data dir.
      stomp.write('SEND', { destination: PERSISTENT_QUEUE, persistent: 'true', receipt: 'r1' }, 'survives');
      expect(await stomp.next()).toMatch(/^RECEIPT\nreceipt-id:r1/);
    } finally {
      stomp.close();
    }
  });

  it('when started in an empty folder, then the Kafka broker creates a topic and stores a message', async () => {
    const broker = stack?.env.KAFKA_BROKERS ?? '';
    expect(broker).toMatch(/^127\.0\.0\.1:\d+$/);
    const kafka = createKafka({ clientId: 'stack-test', brokers: [broker], logger: quietLogger });
    const publisher = new EventPublisher(kafka, quietLogger, {
      topics: [{ topic: KAFKA_TOPIC, partitions: 1, replicationFactor: 1 }],
    });
    try {
      // Kept for the restart test: proves the log is on disk in the data dir.
      await publisher.publish(KAFKA_TOPIC, { key: 'probe', value: 'survives' });
    } finally {
      await publisher.close();
    }
    expect(fs.existsSync(path.join(dataDir, 'kafka', 'node-1', `${KAFKA_TOPIC}-0`))).toBe(true);
  });

  it('when started in an empty folder, then Elasticsearch reports a healthy cluster and keeps a document', async () => {
    const url = stack?.env.ELASTICSEARCH_URL ?? '';
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = (await (await fetch(`${url}/_cluster/health`)).json()) as {
      status?: string;
      number_of_nodes?: number;
    };
    expect(health).toMatchObject({ status: 'green', number_of_nodes: 1 });
    const put = await fetch(`${url}/stack-probe/_doc/kept`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ note: 'kept' }),
    });
    expect(put.status).toBe(201);
    const nodes = (await (await fetch(`${url}/_nodes/_local`)).json()) as {
      nodes: Record<string, { version: string }>;
    };
    expect(Object.values(nodes.nodes)[0]?.version).toMatch(/^9\.\d+\.\d+$/);
    expect(fs.existsSync(path.join(dataDir, 'elasticsearch', 'data'))).toBe(true);
  });

  it('when started in an empty folder, then the mail server takes a message over SMTP and shows it in its inbox API', async () => {
    const env = stack?.env;
    expect(env?.SMTP_URL).toMatch(/^smtp:\/\/127\.0\.0\.1:\d+$/);
    await sendSmtp(portOf(env?.SMTP_URL ?? ''), 'someone@example.com', 'stack probe');
    const inbox = (await (await fetch(`${env?.MAIL_INBOX_URL}/api/email`)).json()) as { subject: string }[];
    expect(inbox.map((m) => m.subject)).toContain('stack probe');
  });

  it('when a second stack starts on a folder already in use, then it is refused', async () => {
    await expect(startStack({ dataDir })).rejects.toThrow(/in use by the stack of process/);
  });

  it('when stop() is called twice, then every port is closed and no server process is left', async () => {
    const env = stack?.env;
    const ports = ENV_KEYS.map((key) => portOf(env?.[key] ?? ''));
    const pids = runPids(dataDir);
    expect(pids).toHaveLength(6);
    for (const port of ports) expect(await tcpAccepts(port)).toBe(true);
    const t0 = Date.now();
    await Promise.all([stack?.stop(), stack?.stop()]);
    await stack?.stop();
    timings.push(`stop: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    for (const port of ports) expect(await tcpAccepts(port)).toBe(false);
    expect(pids.filter(isAlive)).toEqual([]);
  }, 60_000);

  it('when every variable is set, then no server is started and each value is passed through', async () => {
    const given = {
      DATABASE_URL: 'postgres://u@127.0.0.1:1/d',
      REDIS_URL: 'redis://127.0.0.1:1',
      KAFKA_BROKERS: '127.0.0.1:1',
      STOMP_URL: 'stomp://127.0.0.1:1',
      ELASTICSEARCH_URL: 'http://127.0.0.1:1',
      SMTP_URL: 'smtp://127.0.0.1:1',
      MAIL_INBOX_URL: 'http://127.0.0.1:2',
    };
    Object.assign(process.env, given);
    try {
      const passed = await startStack({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'regflow-stack-given-')) });
      expect(passed.env).toEqual(given);
      await passed.stop();
    } finally {
      for (const key of ENV_KEYS) delete process.env[key];
    }
  });

  it('when started again on the same folder, then every server kept its data', async () => {
    const t0 = Date.now();
    restarted = await startStack({ dataDir });
    timings.push(`restart on the same folder: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    expect(fs.readdirSync(path.join(dataDir, 'run')).sort()).toEqual([
      'activemq.pid',
      'elasticsearch.pid',
      'kafka.pid',
      'mail.pid',
      'postgres.pid',
      'redis.pid',
    ]);

    const kafka = createKafka({ clientId: 'stack-test', brokers: [restarted.env.KAFKA_BROKERS], logger: quietLogger });
    const received: string[] = [];
    let gotIt!: () => void;
    const arrived = new Promise<void>((resolve) => (gotIt = resolve));
    const consumer = await runConsumer({
      kafka,
      groupId: 'stack-test',
      topics: [KAFKA_TOPIC],
      logger: quietLogger,
      handler: async (record) => {
        received.push(record.value ?? '');
        gotIt();
      },
    });
    try {
      await arrived;
      expect(received).toEqual(['survives']);
    } finally {
      await consumer.stop();
    }

    // A get by id is real-time: no refresh needed to see the document written before the restart.
    const kept = (await (await fetch(`${restarted.env.ELASTICSEARCH_URL}/stack-probe/_doc/kept`)).json()) as {
      _source?: unknown;
    };
    expect(kept._source).toEqual({ note: 'kept' });

    const client = new pg.Client({ connectionString: restarted.env.DATABASE_URL });
    await client.connect();
    try {
      expect((await client.query<{ note: string }>('select note from stack_probe')).rows).toEqual([{ note: 'kept' }]);
    } finally {
      await client.end();
    }

    const redis = createClient({ url: restarted.env.REDIS_URL });
    await redis.connect();
    try {
      expect(await redis.get('stack:probe')).toBe('kept');
    } finally {
      await redis.quit();
    }

    const stomp = await stompSession(portOf(restarted.env.STOMP_URL));
    try {
      stomp.write('SUBSCRIBE', { id: '1', destination: PERSISTENT_QUEUE, ack: 'auto' });
      expect((await stomp.next()).endsWith('\n\nsurvives')).toBe(true);
    } finally {
      stomp.close();
    }

    const inbox = (await (await fetch(`${restarted.env.MAIL_INBOX_URL}/api/email`)).json()) as { subject: string }[];
    expect(inbox.map((m) => m.subject)).toContain('stack probe');
  }, 180_000);
});

describe('finding Java for Elasticsearch', () => {
  function fakeJdk(version: string): string {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'regflow-fake-jdk-'));
    fs.mkdirSync(path.join(home, 'bin'));
    for (const tool of ['java', 'javac']) fs.writeFileSync(path.join(home, 'bin', tool), '', { mode: 0o755 });
    fs.writeFileSync(path.join(home, 'release'), `IMPLEMENTOR="test"\nJAVA_VERSION="${version}"\n`);
    return home;
  }

  function withJavaHome<T>(value: string | undefined, run: () => T): T {
    const saved = process.env.JAVA_HOME;
    if (value === undefined) delete process.env.JAVA_HOME;
    else process.env.JAVA_HOME = value;
    try {
      return run();
    } finally {
      if (saved === undefined) delete process.env.JAVA_HOME;
      else process.env.JAVA_HOME = saved;
    }
  }

  it('when JAVA_HOME is a JDK new enough, then it is chosen over the machine JDKs', () => {
    const home = fakeJdk('99.0.1');
    try {
      expect(withJavaHome(home, () => findJdk(99))).toMatchObject({ home, major: 99, source: 'JAVA_HOME' });
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('when JAVA_HOME is too old and no machine JDK is new enough, then none is found and the message says what to install', () => {
    const home = fakeJdk('17.0.15');
    try {
      expect(withJavaHome(home, () => findJdk(99))).toBeNull();
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
    const message = javaMissingMessage(REPO_ROOT);
    expect(message).toMatch(/Java 21 or newer JDK/);
    expect(message).toMatch(/temurin-21-jdk/);
    expect(message).toMatch(/docker compose up --build/);
    expect(message).toMatch(/ELASTICSEARCH_URL/);
  });
});
