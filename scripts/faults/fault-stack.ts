import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureInstalled } from '../stack/install';
import { findPostgresBinDir, which } from '../stack/lib/programs';
import { lockDataDir, runCommand, startProcess, stopLeftovers, type ManagedProcess } from '../stack/lib/processes';
import { HOST, stompConnect } from '../stack/lib/net';
import { createContext } from '../stack/servers/context';
import { startActiveMq } from '../stack/servers/activemq';
import { startElasticsearch } from '../stack/servers/elasticsearch';
import { startKafka } from '../stack/servers/kafka';
import { startMail } from '../stack/servers/mail';
import { startPostgres } from '../stack/servers/postgres';
import { startRedis } from '../stack/servers/redis';
import { REPO_ROOT, type ServerName, type StackEnv } from '../stack/stack';

export type RestartableServer = 'postgres' | 'redis' | 'activemq';

/** Kafka's line once a (re)started node serves clients. */
const KAFKA_STARTED = /Kafka Server started/;

/**
 * The same servers as scripts/stack (its server modules do the work), but keeping hold of each
 * server process so one can be stopped and started again. startStack() only hands back a stop()
 * for all of them, and each server module picks a fresh port on start; a restarted server must come
 * back on the SAME port and data dir, or every service would lose its URL. The restart re-runs the
 * exact command line of the first start, whose generated config already pins the port. Kafka may be
 * a cluster of several nodes (`kafka-1`..`kafka-N`), each restartable on its own.
 */
export class FaultStack {
  private stopping: Promise<void> | null = null;

  private constructor(
    readonly env: StackEnv,
    private readonly procs: Map<string, ManagedProcess>,
    private readonly releaseLock: () => void,
    private readonly log: (line: string) => void,
  ) {}

  static async start(
    dataDir: string,
    log: (line: string) => void,
    opts: { kafkaBrokers?: number } = {},
  ): Promise<FaultStack> {
    fs.mkdirSync(dataDir, { recursive: true });
    const releaseLock = lockDataDir(dataDir);
    const procs = new Map<string, ManagedProcess>();
    const stack = new FaultStack(
      {
        DATABASE_URL: '',
        REDIS_URL: '',
        KAFKA_BROKERS: '',
        STOMP_URL: '',
        ELASTICSEARCH_URL: '',
        SMTP_URL: '',
        MAIL_INBOX_URL: '',
      },
      procs,
      releaseLock,
      log,
    );
    try {
      await stopLeftovers(path.join(dataDir, 'run'), log);
      // Every run starts from empty stores, so the final counts are about this run only.
      for (const dir of ['postgres', 'redis', 'activemq', 'kafka', 'elasticsearch', 'mail', 'logs'])
        fs.rmSync(path.join(dataDir, dir), { recursive: true, force: true });
      fs.mkdirSync(path.join(dataDir, 'logs'), { recursive: true });
      const names: ServerName[] = ['postgres', 'redis', 'activemq', 'kafka', 'elasticsearch', 'mail'];
      await ensureInstalled(names, { log, logFile: path.join(dataDir, 'logs', 'install.log') });
      const ctx = createContext({ dataDir, repoRoot: REPO_ROOT, log, track: (proc) => procs.set(proc.name, proc) });
      const starters = {
        postgres: startPostgres,
        redis: startRedis,
        activemq: startActiveMq,
        kafka: (c: typeof ctx) => startKafka(c, { brokers: opts.kafkaBrokers ?? 1 }),
        elasticsearch: startElasticsearch,
        mail: async (c: typeof ctx) => {
          const mail = await startMail(c);
          stack.env.MAIL_INBOX_URL = mail.MAIL_INBOX_URL;
          return mail.SMTP_URL;
        },
      };
      const keys = {
        postgres: 'DATABASE_URL',
        redis: 'REDIS_URL',
        activemq: 'STOMP_URL',
        kafka: 'KAFKA_BROKERS',
        elasticsearch: 'ELASTICSEARCH_URL',
        mail: 'SMTP_URL',
      } as const;
      const results = await Promise.allSettled(
        names.map(async (name) => {
          stack.env[keys[name]] = await starters[name](ctx);
          log(`${name}: ready at ${stack.env[keys[name]]}`);
        }),
      );
      const failures = results.flatMap((r) =>
        r.status === 'rejected' ? [r.reason instanceof Error ? r.reason.message : String(r.reason)] : [],
      );
      if (failures.length > 0) throw new Error(`The fault-suite stack did not start:\n\n${failures.join('\n\n')}`);
      return stack;
    } catch (err) {
      await stack.stop();
      throw err;
    }
  }

  /** The Kafka nodes' process names: `kafka` for a single broker, `kafka-1`..`kafka-N` for a cluster. */
  get kafkaNodes(): string[] {
    return [...this.procs.keys()].filter((name) => /^kafka(-\d+)?$/.test(name)).sort();
  }

  pid(name: ServerName | string): number | undefined {
    return this.procs.get(name)?.pid;
  }

  logTail(name: ServerName | string, lines: number): string {
    return this.procs.get(name)?.logTail(lines) ?? '';
  }

  isRunning(name: ServerName | string): boolean {
    return this.procs.get(name)?.isRunning ?? false;
  }

  /**
   * Stops the server (its normal shutdown signal, or SIGKILL to the whole group when `crash`), then
   * starts the same command line again and waits until it answers on its old port.
   */
  async restart(name: RestartableServer | string, opts: { crash: boolean; downMs?: number }): Promise<void> {
    await this.down(name, opts.crash);
    if (opts.downMs) await sleep(opts.downMs);
    await this.up(name);
  }

  /** Stops a server and leaves it down (normal shutdown, or SIGKILL to its group when `crash`). */
  async down(name: string, crash: boolean): Promise<void> {
    const old = this.procs.get(name);
    if (!old) throw new Error(`${name} was not started by this stack`);
    await (crash ? old.kill() : old.stop());
  }

  /** Starts a server that is down again, from the command line of its first start, and waits until it is ready. */
  async up(name: string, old = this.procs.get(name), onSpawned?: () => void): Promise<void> {
    if (!old) throw new Error(`${name} was not started by this stack`);
    if (old.isRunning) throw new Error(`${name} is still running`);
    let lastError: unknown;
    // A listening port can be briefly unavailable (an outgoing connection got it as its ephemeral
    // port); a few tries get past that.
    for (let attempt = 1; attempt <= 4; attempt++) {
      let kafkaStarted = false;
      const spec = isKafkaNode(name)
        ? { ...old.spec, onLine: (line: string) => (kafkaStarted ||= KAFKA_STARTED.test(line)) }
        : old.spec;
      const proc = startProcess(spec);
      this.procs.set(name, proc);
      if (attempt === 1) onSpawned?.();
      try {
        await proc.waitUntil(
          'ready after a restart',
          isKafkaNode(name) ? async () => kafkaStarted : await this.readinessCheck(name as RestartableServer),
          name === 'activemq' ? 120_000 : 60_000,
        );
        return;
      } catch (err) {
        lastError = err;
        this.log(`${name}: restart attempt ${attempt} failed: ${err instanceof Error ? err.message : String(err)}`);
        await proc.stop();
        await sleep(1000 * attempt);
      }
    }
    throw new Error(
      `${name} did not come back on its port: ${lastError instanceof Error ? lastError.message : String(lastError)}`,
    );
  }

  /** SIGSTOP (freeze) or SIGCONT (thaw) to a server's main process: it keeps its state and sockets but answers nothing. */
  signal(name: string, signal: 'SIGSTOP' | 'SIGCONT'): number {
    const pid = this.procs.get(name)?.pid;
    if (pid === undefined) throw new Error(`${name}: pid unknown`);
    process.kill(pid, signal);
    return pid;
  }

  private async readinessCheck(name: RestartableServer): Promise<() => Promise<boolean>> {
    switch (name) {
      case 'postgres': {
        const bin = findPostgresBinDir();
        if (!bin) throw new Error('postgres binaries not found');
        const port = new URL(this.env.DATABASE_URL).port;
        return async () =>
          (
            await runCommand(
              path.join(bin, 'pg_isready'),
              ['-h', HOST, '-p', port, '-U', 'postgres', '-d', 'postgres', '-t', '1'],
              { env: { PATH: process.env.PATH } },
            )
          ).code === 0;
      }
      case 'redis': {
        const cli = which('redis-cli');
        if (!cli) throw new Error('redis-cli not found');
        const port = new URL(this.env.REDIS_URL).port;
        // PING answers LOADING until the append-only file is replayed.
        return async () =>
          (await runCommand(cli, ['-h', HOST, '-p', port, 'ping'], { timeoutMs: 3000 })).stdout.trim() === 'PONG';
      }
      case 'activemq': {
        const port = Number(new URL(this.env.STOMP_URL).port);
        return async () => (await stompConnect(port)).startsWith('CONNECTED');
      }
    }
  }

  /**
   * Stops every server; safe to call more than once. Kafka nodes get SIGKILL: the next run wipes
   * their data anyway, and a cluster stopped all at once can leave its last controller waiting for a
   * quorum that is gone until its stop timeout (30 s).
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await Promise.allSettled(
        [...this.procs.entries()].map(([name, p]) => (isKafkaNode(name) ? this.down(name, true) : p.stop())),
      );
      this.releaseLock();
    })();
    return this.stopping;
  }
}

function isKafkaNode(name: string): boolean {
  return /^kafka(-\d+)?$/.test(name);
}
