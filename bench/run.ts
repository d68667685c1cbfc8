import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createClient, type RedisClientType } from 'redis';
import { startStack, type Stack } from '../scripts/stack/stack';
import { parseCli, usageError } from '../scripts/stack/lib/cli';
import { stopLeftovers } from '../scripts/stack/lib/processes';
import { ROOT, startService, type ManagedProcess } from '../scripts/system';
import * as hops from './hops/raw-hops';
import { cpuBetween, cpuSnapshot, waitForQuietMachine } from './lib/cpu';
import { load1, machine, RssSampler, servicePid } from './lib/machine';
import { renderMarkdown, updateDoc, type BenchResults } from './lib/report';
import { ratio } from './lib/stats';
import { acceptedCount, accessApi, approvals, endToEnd, waitForQueue } from './phases/pipeline';

/**
 * `npm run bench [-- --profile smoke]`: the raw limit of each hop, then the services on the same
 * servers. It starts its own stack in .local/bench (wiped first, so every run starts empty) and its
 * own service processes on ports 3401-3404, so it never meets `npm start` (3001-3003, .local/dev).
 */

const PROFILES = {
  // maxRecords and accessMax bound the records each phase leaves behind, and so how long the run takes.
  full: {
    hopMs: 10_000,
    maxRecords: 20_000,
    accessMs: 10_000,
    accessMax: 20_000,
    n: 5000,
    approvals: 2000,
    settleMs: 3000,
    stallMs: 60_000,
  },
  // For trying a change: short raw hops, a mid-sized pipeline run.
  quick: {
    hopMs: 1500,
    maxRecords: 5000,
    accessMs: 5000,
    accessMax: 8000,
    n: 2000,
    approvals: 500,
    settleMs: 1000,
    stallMs: 60_000,
  },
  smoke: {
    hopMs: 1000,
    maxRecords: 3000,
    accessMs: 2000,
    accessMax: 300,
    n: 150,
    approvals: 60,
    settleMs: 0,
    stallMs: 60_000,
  },
} as const;
type ProfileName = keyof typeof PROFILES;

const CONNECTIONS = 64;
const ADMIN_CONNECTIONS = 8;
const PORTS = { access: 3401, orchestrator: 3402, consumer: 3403, bareExpress: 3404 };

const EXPERIMENTS = ['tcp-nodelay', 'cpu-profile'] as const;

const CLI = {
  usage: 'npm run bench -- [options]   (or npx tsx bench/run.ts [options])',
  about:
    'The raw limit of each hop, then the services on the same servers; a full run without experiments updates docs/benchmarks.md.',
  options: {
    profile: {
      type: 'string',
      value: 'NAME',
      default: 'full',
      choices: Object.keys(PROFILES),
      help: 'how long each phase runs',
    },
    'no-docs': { type: 'boolean', default: false, help: 'leave docs/benchmarks.md as it is' },
    'wait-quiet': {
      type: 'string',
      value: 'SECONDS',
      help: 'first wait up to this long until other processes use less than 25 % of a core',
    },
    experiment: {
      type: 'string',
      value: 'NAME',
      multiple: true,
      choices: EXPERIMENTS,
      help: 'measure with an experiment loaded into the services',
    },
    'service-node-options': {
      type: 'string',
      value: 'FLAGS',
      help: 'node flags for the three services (heap sizes, say); counts as an experiment',
    },
  },
} as const;

function parseArgs(): { profile: ProfileName; docs: boolean; experiments: string[]; waitQuietSeconds: number } {
  const { values } = parseCli(CLI);
  const profile = values.profile as ProfileName;
  const waitQuietSeconds = values['wait-quiet'] === undefined ? 0 : Number(values['wait-quiet']);
  if (!(waitQuietSeconds >= 0)) usageError(CLI, `--wait-quiet takes seconds (got ${values['wait-quiet']})`);
  const experiments: string[] = [...(values.experiment ?? [])];
  if (values['service-node-options']) experiments.push(`node-options:${values['service-node-options']}`);
  // A run with an experiment measures something that is not the code as it is: never the docs' figures.
  const docs = !values['no-docs'] && profile === 'full' && experiments.length === 0;
  return { profile, docs, experiments, waitQuietSeconds };
}

async function main(): Promise<void> {
  const { profile, docs, experiments, waitQuietSeconds } = parseArgs();
  const P = PROFILES[profile];
  const started = Date.now();
  const log = (line: string) =>
    console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
  const tag = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const dataDir = path.join(ROOT, '.local', 'bench');
  const pause = () => new Promise((r) => setTimeout(r, P.settleMs));

  // A fresh stack each run: a queue, an index or a review set left by an earlier run would change the counts.
  await stopLeftovers(path.join(dataDir, 'run'), log);
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(path.join(dataDir, 'logs'), { recursive: true });
  log(`profile ${profile}; starting the servers in ${path.relative(ROOT, dataDir)}`);
  const stack: Stack = await startStack({ dataDir, log: (line) => log(`stack: ${line}`) });
  const services = new Map<string, ManagedProcess>();
  const sampler = new RssSampler();
  let redis: RedisClientType | undefined;
  try {
    if (waitQuietSeconds > 0) await waitForQuietMachine(25, waitQuietSeconds * 1000, log);
    const env = { ...stack.env };
    const opts = { durationMs: P.hopMs, logsDir: path.join(dataDir, 'logs'), log, tag };
    log('raw hops: bare Express');
    const express = await hops.bareExpress(PORTS.bareExpress, CONNECTIONS, opts);
    await pause();
    log('raw hops: Kafka produce + consume');
    const kafka = await hops.kafka(env.KAFKA_BROKERS, CONNECTIONS, { ...opts, maxRecords: P.maxRecords });
    await pause();
    log('raw hops: ActiveMQ send + receive');
    const stomp = await hops.stomp(env.STOMP_URL, CONNECTIONS, 100, opts);
    await pause();
    log('raw hops: Redis staging script');
    const redisHop = await hops.redis(env.REDIS_URL, 100, opts);
    await pause();
    log('raw hops: Postgres approve transaction');
    const postgres = await hops.postgres(env.DATABASE_URL, ADMIN_CONNECTIONS, opts);
    await pause();
    log('raw hops: Elasticsearch document create');
    const elasticsearch = await hops.elasticsearch(env.ELASTICSEARCH_URL, CONNECTIONS, opts);
    const raw = {
      expressPost: express,
      kafkaProduce: kafka.produce,
      kafkaConsume: kafka.consume,
      stompSend: stomp.send,
      stompSendOneAtATime: stomp.sendOneAtATime,
      stompReceive: stomp.receive,
      redisStage: redisHop,
      postgresApprove: postgres,
      elasticsearchCreate: elasticsearch,
    };
    // The hops a registration crosses on its way to the review queue (the issue's list).
    const pathHops = [
      'expressPost',
      'kafkaProduce',
      'kafkaConsume',
      'stompSend',
      'stompReceive',
      'redisStage',
    ] as const;
    const slowest = pathHops.reduce((a, b) => (raw[b].perSecond < raw[a].perSecond ? b : a));

    const admin = { email: 'admin@bench.local', password: `Bench-${randomBytes(9).toString('base64url')}9a` };
    const serviceEnv: Record<string, string> = {
      ...env,
      ORCHESTRATOR_URL: `http://127.0.0.1:${PORTS.orchestrator}`,
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
      CONSOLE_ORIGIN: 'http://127.0.0.1:8080',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
      // All load comes from 127.0.0.1; the per-address limit (120/min) would otherwise answer 429.
      RATE_LIMIT_PER_MINUTE: '1000000000',
      // The benchmark measures the path to the review queue; confirming by email would need an inbox per
      // sign-up (docs/benchmarks.md).
      EMAIL_CONFIRMATION: 'off',
      EMAIL_TOKEN_SECRET: randomBytes(24).toString('hex'),
      ...nodeOptions(experiments),
    };
    const track = (name: string, proc: ManagedProcess) => {
      services.set(name, proc);
      const pid = servicePid(proc.pid!, `${name}/dist/main.js`) ?? servicePid(proc.pid!, `${name}/src/main.ts`);
      if (pid) sampler.track(name, pid);
    };
    sampler.start();
    const esPid = readPid(path.join(dataDir, 'run', 'elasticsearch.pid'));
    const esLeaf = esPid ? servicePid(esPid, 'org.elasticsearch.node.LocalNode') : null;
    if (esLeaf) sampler.track('elasticsearch (stack)', esLeaf);
    // The broker is a JVM with a fixed heap (512 MB): its RSS says what the local stack costs, not a target.
    const kafkaPid = readPid(path.join(dataDir, 'run', 'kafka.pid'));
    if (kafkaPid) sampler.track('kafka broker (stack)', kafkaPid);

    // POST /users is measured with the access API alone (downstream not started), like bare Express:
    // the ratio compares the two on the same idle machine. The backlog it leaves is drained next.
    log('services: access-api');
    track('access-api', await startService('access-api', PORTS.access, serviceEnv, dataDir));
    const accessUrl = `http://127.0.0.1:${PORTS.access}`;
    await warmUp(accessUrl);
    log(`access API: POST /users, ${CONNECTIONS} connections, ${P.accessMs / 1000} s`);
    const cpu: Record<string, Record<string, number>> = {};
    let mark = cpuSnapshot();
    const cpuOf = (phase: string) => {
      const now = cpuSnapshot();
      cpu[phase] = cpuBetween(mark, now);
      mark = now;
    };
    const access = await accessApi(accessUrl, CONNECTIONS, P.accessMs, P.accessMax);
    cpuOf('POST /users');
    await new Promise((r) => setTimeout(r, 1000)); // requests still in flight when autocannon stopped finish
    const backlog = await acceptedCount(accessUrl); // the warm-up and the requests in flight when the run stopped count too

    log(`services: orchestrator-api and consumer-mq; draining the ${backlog} registrations accepted so far`);
    const drainStart = Date.now();
    const [orchestrator, consumer] = await Promise.all([
      startService('orchestrator-api', PORTS.orchestrator, serviceEnv, dataDir),
      startService('consumer-mq', PORTS.consumer, serviceEnv, dataDir),
    ]);
    track('orchestrator-api', orchestrator);
    track('consumer-mq', consumer);
    redis = createClient({ url: env.REDIS_URL });
    await redis.connect();
    mark = cpuSnapshot();
    const drained = await waitForQueue(redis, backlog, P.stallMs);
    cpuOf('backlog drain');
    const drainSeconds = (drained.doneAt - drained.firstSeenAt) / 1000;
    const drain = {
      registrations: backlog,
      perSecond: Math.round(backlog / drainSeconds),
      seconds: Math.round(drainSeconds * 100) / 100,
      secondsFromStart: Math.round((drained.doneAt - drainStart) / 100) / 10,
      load1: load1(),
    };
    await pause();

    log(`end to end: ${P.n} registrations as fast as accepted`);
    mark = cpuSnapshot();
    const fast = await endToEnd({ url: accessUrl, redis, n: P.n, connections: CONNECTIONS, stallMs: P.stallMs });
    cpuOf('end to end');
    await pause();
    const halfRate = Math.max(1, Math.round(fast.perSecond / 2));
    const halfN = Math.max(50, Math.round(P.n / 2));
    log(`end to end: ${halfN} registrations paced at ${halfRate}/s (half the measured rate)`);
    mark = cpuSnapshot();
    const half = await endToEnd({
      url: accessUrl,
      redis,
      n: halfN,
      connections: CONNECTIONS,
      rate: halfRate,
      stallMs: P.stallMs,
    });
    cpuOf('end to end, half rate');
    await pause();

    const toApprove = fast.ids.slice(0, P.approvals);
    log(`decisions: ${toApprove.length} approvals through the admin API, ${ADMIN_CONNECTIONS} at a time`);
    mark = cpuSnapshot();
    const approved = await approvals({
      consumerUrl: `http://127.0.0.1:${PORTS.consumer}`,
      account: admin,
      ids: toApprove,
      connections: ADMIN_CONNECTIONS,
      rawPerSecond: postgres.perSecond,
    });
    cpuOf('approvals');

    const memory = sampler.stop();
    const { ids: _fastIds, ...fastFigure } = fast;
    const { ids: _halfIds, ...halfFigure } = half;
    const results: BenchResults = {
      profile,
      finishedAt: new Date().toISOString(),
      command:
        profile === 'full'
          ? 'npm run bench'
          : profile === 'smoke'
            ? 'npm run bench:smoke'
            : `npm run bench -- --profile ${profile}`,
      machine: machine(),
      settings: {
        experiments: experiments.join(',') || 'none',
        connections: CONNECTIONS,
        adminConnections: ADMIN_CONNECTIONS,
        hopSeconds: P.hopMs / 1000,
        accessSeconds: P.accessMs / 1000,
        n: P.n,
        logLevel: serviceEnv.LOG_LEVEL!,
        kafkaLingerMs: process.env.KAFKA_LINGER_MS ?? 'default',
      },
      raw,
      slowestRawHop: { name: slowest, perSecond: raw[slowest].perSecond },
      accessApi: { ...access, connections: CONNECTIONS, ratioToExpress: ratio(access.perSecond, express.perSecond) },
      drain,
      endToEnd: { ...fastFigure, ratioToSlowestHop: ratio(fast.perSecond, raw[slowest].perSecond) },
      endToEndHalfRate: halfFigure,
      approvals: approved,
      memory,
      cpu,
      durationSeconds: Math.round((Date.now() - started) / 1000),
    };
    const outDir = path.join(ROOT, 'bench-results');
    mkdirSync(outDir, { recursive: true });
    const base = profile === 'full' ? 'latest' : profile;
    const markdown = renderMarkdown(results);
    writeFileSync(path.join(outDir, `${base}.json`), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(path.join(outDir, `${base}.md`), markdown);
    console.log(`\n${markdown}`);
    if (docs) {
      updateDoc(path.join(ROOT, 'docs', 'benchmarks.md'), results, markdown);
      log('docs/benchmarks.md updated');
    }
    log(`figures in bench-results/${base}.json and .md`);
  } finally {
    await redis?.close().catch(() => undefined);
    await Promise.allSettled([...services.values()].reverse().map((s) => s.stop()));
    await stack.stop();
  }
}

function nodeOptions(experiments: string[]): { NODE_OPTIONS?: string } {
  const flags = [
    ...experiments
      .filter(
        (e) => !e.startsWith('node-options:') && (e.endsWith('.mjs') || ['tcp-nodelay', 'cpu-profile'].includes(e)),
      )
      .map((e) => `--import ${path.join(ROOT, 'bench/experiments', `${e}.mjs`)}`),
    ...experiments.filter((e) => e.startsWith('node-options:')).map((e) => e.slice('node-options:'.length)),
  ];
  return flags.length ? { NODE_OPTIONS: flags.join(' ') } : {};
}

/** A few requests first, so connection set-up and lazy initialisation are not in the figure. */
async function warmUp(url: string): Promise<void> {
  const { RegistrationFactory } = await import('./lib/registrations');
  const factory = new RegistrationFactory();
  for (let i = 0; i < 20; i++) {
    const res = await fetch(`${url}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: factory.next(),
    });
    if (res.status !== 202) throw new Error(`warm-up POST /users answered ${res.status}: ${await res.text()}`);
  }
}

function readPid(file: string): number | null {
  if (!existsSync(file)) return null;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { pid: number }).pid;
  } catch {
    return null;
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
