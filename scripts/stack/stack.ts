import fs from 'node:fs';
import path from 'node:path';
import { ensureInstalled, type ServerName } from './install';
import { lockDataDir, stopLeftovers, type ManagedProcess } from './lib/processes';
import { REPO_ROOT } from './lib/repo-root';
import { createContext, type ServerContext } from './servers/context';
import { startActiveMq } from './servers/activemq';
import { startElasticsearch } from './servers/elasticsearch';
import { startKafka } from './servers/kafka';
import { startMail } from './servers/mail';
import { startPostgres } from './servers/postgres';
import { startRedis } from './servers/redis';

export type { ServerName } from './install';

export interface StackEnv {
  DATABASE_URL: string;
  REDIS_URL: string;
  KAFKA_BROKERS: string;
  STOMP_URL: string;
  ELASTICSEARCH_URL: string;
  SMTP_URL: string;
  /** The mail server's web inbox and its HTTP API (read by the tests); set together with SMTP_URL. */
  MAIL_INBOX_URL: string;
}

export interface StackOptions {
  /** Where every server keeps its data, logs (logs/) and pid files (run/). */
  dataDir: string;
  log?: (line: string) => void;
  /** Servers not to start; their variable is '' unless already set in process.env. */
  skip?: Partial<Record<ServerName, boolean>>;
}

export interface Stack {
  env: StackEnv;
  /** Stops every server this stack started; safe to call more than once. */
  stop(): Promise<void>;
}

export const SERVERS: readonly ServerName[] = ['postgres', 'redis', 'activemq', 'kafka', 'elasticsearch', 'mail'];

export const ENV_VAR: Record<ServerName, keyof StackEnv> = {
  postgres: 'DATABASE_URL',
  redis: 'REDIS_URL',
  activemq: 'STOMP_URL',
  kafka: 'KAFKA_BROKERS',
  elasticsearch: 'ELASTICSEARCH_URL',
  mail: 'SMTP_URL',
};

/** Variables a server sets beside its own (ENV_VAR): given together, or not at all. */
const COMPANION_VARS: Partial<Record<ServerName, (keyof StackEnv)[]>> = { mail: ['MAIL_INBOX_URL'] };

/** Each starter answers its variable's value, or every variable it sets (the mail server: SMTP and inbox). */
const STARTERS: Record<ServerName, (ctx: ServerContext) => Promise<string | Partial<StackEnv>>> = {
  postgres: startPostgres,
  redis: startRedis,
  activemq: startActiveMq,
  kafka: startKafka,
  elasticsearch: startElasticsearch,
  mail: startMail,
};

export { REPO_ROOT };
export const DEFAULT_DATA_DIR = path.join(REPO_ROOT, '.local');

export async function startStack(opts: StackOptions): Promise<Stack> {
  const log = opts.log ?? ((): void => undefined);
  const dataDir = path.resolve(opts.dataDir);
  const env: StackEnv = {
    DATABASE_URL: '',
    REDIS_URL: '',
    KAFKA_BROKERS: '',
    STOMP_URL: '',
    ELASTICSEARCH_URL: '',
    SMTP_URL: '',
    MAIL_INBOX_URL: '',
  };
  const toStart: ServerName[] = [];
  for (const name of SERVERS) {
    const key = ENV_VAR[name];
    const given = process.env[key];
    if (given) {
      env[key] = given;
      for (const companion of COMPANION_VARS[name] ?? []) env[companion] = process.env[companion] ?? '';
      log(`${name}: not started, ${key} is set (${given})`);
    } else if (opts.skip?.[name]) {
      log(`${name}: skipped`);
    } else {
      toStart.push(name);
    }
  }
  if (toStart.length === 0) return { env, stop: async () => undefined };

  fs.mkdirSync(path.join(dataDir, 'logs'), { recursive: true });
  const releaseLock = lockDataDir(dataDir);
  const procs: ManagedProcess[] = [];
  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await Promise.all(procs.map((proc) => proc.stop()));
      releaseLock();
    })();
    return stopping;
  };

  try {
    await stopLeftovers(path.join(dataDir, 'run'), log);
    await ensureInstalled(toStart, { log, logFile: path.join(dataDir, 'logs', 'install.log') });
  } catch (error) {
    releaseLock();
    throw error;
  }

  const ctx = createContext({ dataDir, repoRoot: REPO_ROOT, log, track: (proc) => procs.push(proc) });
  const t0 = Date.now();
  const results = await Promise.allSettled(
    toStart.map(async (name) => {
      const started = Date.now();
      log(`${name}: starting`);
      const answer = await STARTERS[name](ctx);
      const vars = typeof answer === 'string' ? { [ENV_VAR[name]]: answer } : answer;
      Object.assign(env, vars);
      const url = vars[ENV_VAR[name]] ?? '';
      log(`${name}: ready at ${url} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }),
  );
  const failures = results.flatMap((result) =>
    result.status === 'rejected'
      ? [result.reason instanceof Error ? result.reason.message : String(result.reason)]
      : [],
  );
  if (failures.length > 0) {
    await stop();
    throw new Error(`The local stack did not start:\n\n${failures.join('\n\n')}`);
  }
  log(`all servers ready after ${((Date.now() - t0) / 1000).toFixed(1)} s (data and logs in ${dataDir})`);
  return { env, stop };
}
