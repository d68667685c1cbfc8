import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseCli, usageError } from '../stack/lib/cli';
import { assertPortsFree } from '../stack/lib/net';
import { REPO_ROOT } from '../stack/stack';
import { AdminClient, Decider, type Replica } from './admin';
import { FaultStack } from './fault-stack';
import { FaultInjector, type FaultPlan } from './faults';
import { KafkaProxy } from './kafka-proxy';
import { Ledger, type FaultKind } from './ledger';
import { SignUpLoad } from './load';
import { acceptedDuringOutages, explainUnannounced, logErrors, outageAnswers, seconds, tally } from './report';
import { Rng, randomSeed } from './rng';
import { ServiceProcess, type Workspace } from './services';
import { assess, Checker, decideAll, type Assessment, type StoreView } from './verify';

/**
 * `npm run test:faults`: the whole system with two orchestrator and two consumer replicas, under a
 * steady load of sign-ups and decisions, while services are SIGKILLed, servers restarted (Kafka's
 * brokers too) and Kafka cut off; then, once quiet, every registration that got a 202 is checked in
 * every store.
 */

const ALL_KINDS: FaultKind[] = [
  'kill:access-api',
  'kill:orchestrator-api-1',
  'kill:orchestrator-api-2',
  'kill:consumer-mq-1',
  'kill:consumer-mq-2',
  'restart:activemq',
  'restart:redis',
  'restart:postgres',
  'kafka:refuse',
  'kafka:blackhole',
  'kafka:freeze',
  'kafka:kill',
  'kafka:stop',
  'kafka:kill-node',
];

/** Kinds that need a Kafka cluster of more than one node. */
const CLUSTER_KINDS: FaultKind[] = ['kafka:kill-node'];

interface Profile {
  plan: FaultPlan;
  rate: number;
  quietTimeoutMs: number;
  restartWaitMs: number;
  /** Kafka nodes (each broker and controller); topics get replication factor min(brokers, 3). */
  brokers: number;
}

const PROFILES: Record<'ci' | 'full', Profile> = {
  // About 3-4 minutes in all: ~30 s to start, ~2.5 min of load with a fault every ~10 s (or 2.5 s
  // after the last one recovered), the checks. One broker, so kafka:kill and kafka:stop take all of
  // Kafka down.
  ci: {
    plan: {
      kinds: ALL_KINDS.filter((k) => k !== 'kafka:freeze' && !CLUSTER_KINDS.includes(k)),
      intervalMs: 10_000,
      durationMs: 140_000,
      warmupMs: 6000,
    },
    rate: 20,
    quietTimeoutMs: 150_000,
    restartWaitMs: 15_000,
    brokers: 1,
  },
  // A three-node KRaft cluster (replication factor 3, min.insync.replicas 2): one node killed or
  // frozen while the others carry on, and the whole cluster killed or stopped.
  full: {
    plan: { kinds: ALL_KINDS, intervalMs: 20_000, durationMs: 600_000, warmupMs: 10_000 },
    rate: 25,
    quietTimeoutMs: 300_000,
    restartWaitMs: 30_000,
    brokers: 3,
  },
};

const ADMIN = { email: 'admin@faults.local', password: 'Faults-Admin-Passw0rd' };

const CLI = {
  usage: 'npm run test:faults -- [options]   (or npx tsx scripts/faults/run.ts [options])',
  about:
    'The fault-injection suite: the whole system under load while services and servers are killed; see docs/faults.md.',
  options: {
    profile: { type: 'string', value: 'NAME', default: 'ci', choices: ['ci', 'full'], help: 'how long and how hard' },
    seed: { type: 'string', value: 'N', help: "the faults' random seed, to replay a run (default: a new one)" },
    rate: { type: 'string', value: 'N', help: "sign-ups per second (default: the profile's)" },
    duration: { type: 'string', value: 'S', help: "seconds of load (default: the profile's)" },
    interval: { type: 'string', value: 'S', help: "seconds between faults (default: the profile's)" },
    kinds: { type: 'string', value: 'K1,K2', help: `the fault kinds to inject, of ${ALL_KINDS.join(', ')}` },
    brokers: { type: 'string', value: 'N', help: "Kafka nodes (default: the profile's; kafka:kill-node needs 3)" },
    'crash-servers': { type: 'boolean', default: false, help: 'restart servers with SIGKILL, not a normal shutdown' },
    'base-port': { type: 'string', value: 'P', default: '3201', help: 'the first of the ports the services use' },
  },
} as const;
const { values: args } = parseCli(CLI);

const profileName = args.profile as 'ci' | 'full';
const profile = PROFILES[profileName];
/** A whole number of at least `min` from an option, or a usage error naming it. */
const intOption = (name: string, value: string, min: number): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    usageError(CLI, `--${name} must be an integer of at least ${min} (got ${value})`);
  return n;
};
if (args.rate) profile.rate = intOption('rate', args.rate, 1);
if (args.duration) profile.plan.durationMs = intOption('duration', args.duration, 1) * 1000;
if (args.interval) profile.plan.intervalMs = intOption('interval', args.interval, 1) * 1000;
if (args.brokers) profile.brokers = intOption('brokers', args.brokers, 1);
if (profile.brokers === 1) profile.plan.kinds = profile.plan.kinds.filter((k) => !CLUSTER_KINDS.includes(k));
if (args.kinds) {
  const kinds = args.kinds.split(',').map((k) => k.trim());
  const unknown = kinds.filter((k) => !ALL_KINDS.includes(k as FaultKind));
  if (unknown.length) usageError(CLI, `unknown fault kind(s): ${unknown.join(', ')}; known: ${ALL_KINDS.join(', ')}`);
  const needCluster = kinds.filter((k) => CLUSTER_KINDS.includes(k as FaultKind));
  if (needCluster.length && profile.brokers === 1)
    usageError(CLI, `${needCluster.join(', ')} need a Kafka cluster: add --brokers 3`);
  profile.plan.kinds = kinds as FaultKind[];
}
const seed = args.seed !== undefined ? intOption('seed', args.seed, 0) : randomSeed();
const basePort = intOption('base-port', args['base-port'], 1);
const dataDir = path.join(REPO_ROOT, '.local', 'faults');
const logsDir = path.join(dataDir, 'logs');

const t0 = Date.now();
const log = (line: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${line}`);

const rng = new Rng(seed);
const ledger = new Ledger();
const services = new Map<string, ServiceProcess>();
let stack: FaultStack | undefined;
let proxy: KafkaProxy | undefined;
let load: SignUpLoad | undefined;
let decider: Decider | undefined;
let injector: FaultInjector | undefined;
let checker: Checker | undefined;

let cleaning: Promise<void> | null = null;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    injector?.stop();
    await load?.stop();
    await decider?.stop();
    await checker?.close();
    await Promise.allSettled([...services.values()].map((s) => s.stop(20_000)));
    await proxy?.close();
    await stack?.stop();
  })();
  return cleaning;
}

let interrupts = 0;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    log(`${signal}: stopping everything this run started (again to force)`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function main(): Promise<number> {
  console.log(
    `fault-injection suite: profile ${profileName}, seed ${seed} (replay with --seed ${seed}), ${profile.rate} sign-ups/s, data and logs in ${path.relative(REPO_ROOT, dataDir)}/`,
  );
  const ports = {
    access: basePort,
    orchestrator1: basePort + 1,
    orchestrator2: basePort + 2,
    consumer1: basePort + 3,
    consumer2: basePort + 4,
    kafkaProxy: basePort + 9,
  };
  const proxyPorts = Array.from({ length: profile.brokers }, (_, i) => ports.kafkaProxy + i);
  await assertPortsFree(
    { ...ports, ...Object.fromEntries(proxyPorts.map((port, i) => [`kafka proxy ${i + 1}`, port])) },
    () => 'pass --base-port',
  );

  const kafkaWhat = profile.brokers === 1 ? 'kafka (one broker)' : `kafka (${profile.brokers}-node KRaft cluster)`;
  log(`starting postgres, redis, activemq, ${kafkaWhat}, elasticsearch`);
  stack = await FaultStack.start(dataDir, (line) => log(`  ${line}`), { kafkaBrokers: profile.brokers });
  proxy = await KafkaProxy.start(stack.env.KAFKA_BROKERS, ports.kafkaProxy);
  log(`kafka proxy ${proxy.address} -> ${stack.env.KAFKA_BROKERS}`);

  const orchestrator1 = `http://127.0.0.1:${ports.orchestrator1}`;
  const orchestrator2 = `http://127.0.0.1:${ports.orchestrator2}`;
  const env: Record<string, string> = {
    ...stack.env,
    KAFKA_BROKERS: proxy.address,
    KAFKA_REPLICATION_FACTOR: String(Math.min(profile.brokers, 3)),
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    RATE_LIMIT_PER_MINUTE: '1000000',
    // The suite is about losing nothing under faults on the way to a decision; its load has no inbox to
    // confirm from, so sign-ups go straight to review (docs/faults.md). Confirmation has its own e2e tests.
    EMAIL_CONFIRMATION: 'off',
    EMAIL_TOKEN_SECRET: randomBytes(24).toString('hex'),
    LOG_LEVEL: 'info',
    CONSOLE_ORIGIN: `http://127.0.0.1:${basePort + 98}`,
  };
  const define = (name: string, workspace: Workspace, port: number, extra: Record<string, string> = {}) =>
    services.set(
      name,
      new ServiceProcess(name, workspace, port, { ...env, ...extra }, path.join(logsDir, `${name}.log`)),
    );
  define('orchestrator-api-1', 'orchestrator-api', ports.orchestrator1);
  define('orchestrator-api-2', 'orchestrator-api', ports.orchestrator2);
  define('consumer-mq-1', 'consumer-mq', ports.consumer1, { ORCHESTRATOR_URL: orchestrator1 });
  define('consumer-mq-2', 'consumer-mq', ports.consumer2, { ORCHESTRATOR_URL: orchestrator2 });
  define('access-api', 'access-api', ports.access, { ORCHESTRATOR_URL: orchestrator1 });
  log(`starting ${[...services.keys()].join(', ')}`);
  await Promise.all([...services.values()].map((s) => s.start()));
  const access = services.get('access-api') as ServiceProcess;
  const replicas: Replica[] = ['consumer-mq-1', 'consumer-mq-2'].map((name) => ({
    name,
    url: (services.get(name) as ServiceProcess).url,
  }));
  const client = new AdminClient(replicas, ADMIN);
  checker = new Checker({ ...stack.env });

  // Warm-up: one registration all the way to the review queue proves the consumer groups have joined.
  log('warm-up: one registration through the whole pipeline');
  const warm = await warmUp(access.url, client);
  log(`warm-up registration staged after ${seconds(warm)}`);

  const runTag = `${seed.toString(36)}${Date.now().toString(36)}`;
  load = new SignUpLoad({ accessUrl: access.url, rate: profile.rate, rng: rng.fork('load'), ledger, runTag });
  decider = new Decider(client, rng.fork('decider'), ledger);
  injector = new FaultInjector({
    stack,
    proxy,
    services,
    rng: rng.fork('faults'),
    ledger,
    log,
    crashServers: args['crash-servers'],
    restartWaitMs: profile.restartWaitMs,
  });
  const loadStartedAt = Date.now();
  log(
    `load: ${profile.rate} sign-ups/s and a decider on both consumer replicas; a fault every ~${seconds(profile.plan.intervalMs)}`,
  );
  load.start();
  decider.start();
  const supervisor = setInterval(() => (injector as FaultInjector).supervise(), 1000);
  const progress = setInterval(() => {
    const answered = ledger.signUps.filter((s) => s.status !== undefined);
    log(
      `  sign-ups ${tally(answered, (s) => String(s.status))}; decisions ${tally(ledger.decisions, (d) => String(d.status))}`,
    );
  }, 20_000);
  await injector.run(profile.plan, loadStartedAt);
  clearInterval(progress);
  clearInterval(supervisor);
  log('load: stopping');
  await load.stop();
  await decider.stop();
  const loadMs = Date.now() - loadStartedAt;
  await injector.settle();

  // Whatever a failed recovery left down comes back now, so the checks see a whole system.
  await proxy.setMode('up');
  for (const node of stack.kafkaNodes) {
    if (!stack.isRunning(node)) {
      log(`${node} is down after the faults; starting it`);
      await stack.up(node);
    }
  }
  for (const service of services.values()) {
    if (!service.isRunning) {
      log(`${service.name} is down after the faults; starting it`);
      await service.start();
    }
  }

  log('waiting for the system to be quiet (every accepted registration decided, duplicate, queued or dead-lettered)');
  const ids = ledger.acceptedIds();
  await waitQuiet(ids, true, profile.quietTimeoutMs);
  log('deciding everything still in the review queue');
  const finalDecided = await decideAll(client, rng.fork('final'), ledger, 120_000, log);
  log(`decided ${finalDecided}; waiting for quiet again`);
  await waitQuiet(ids, false, profile.quietTimeoutMs);

  let beforeReconcile: Assessment | null = null;
  let reconcileReport = 'POST /admin/reconcile not available';
  const reconcile = await client.request(replicas[0] as Replica, 'POST', '/admin/reconcile', undefined, 120_000);
  if (reconcile.status === 200 || reconcile.status === 202) {
    beforeReconcile = assess(ids, await checker.view(ids, 'index', true), ledger);
    reconcileReport = `POST /admin/reconcile ${reconcile.status}: ${JSON.stringify(reconcile.body)}`;
    log(reconcileReport);
    await waitQuiet(ids, false, 60_000);
  } else if (!(reconcile.status === 404 && JSON.stringify(reconcile.body).includes('ROUTE.NOT_FOUND'))) {
    reconcileReport = `POST /admin/reconcile answered ${reconcile.status}: ${JSON.stringify(reconcile.body).slice(0, 300)}`;
    log(reconcileReport);
  }

  log('final check: GET /users/{id} on the access API, Postgres, Redis, dead letters');
  const view = await checker.view(ids, (id) => statusViaAccess(access.url, id), true);
  const result = assess(ids, view, ledger);
  const unannounced = await checker.unannounced(ids);
  return printReport({ result, beforeReconcile, view, ids, loadMs, unannounced, reconcileReport });
}

async function warmUp(accessUrl: string, client: AdminClient): Promise<number> {
  const started = Date.now();
  const deadline = started + 120_000;
  let id: string | undefined;
  while (!id && Date.now() < deadline) {
    const signUp = {
      seq: 0,
      kind: 'fresh' as const,
      email: `warm-up.${seed}@faults.example.com`,
      startedAt: Date.now(),
    };
    try {
      const res = await fetch(`${accessUrl}/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Warm Up', email: signUp.email }),
      });
      const body = (await res.json()) as { id?: string };
      if (res.status === 202 && body.id) {
        id = body.id;
        ledger.signUps.push({ ...signUp, endedAt: Date.now(), status: 202, id });
      }
    } catch {
      // Kafka may still be electing; try again
    }
    if (!id) await sleep(1000);
  }
  if (!id) throw new Error('warm-up: the access API never accepted a registration');
  while (Date.now() < deadline) {
    const page = await client.pending(client.replicas[0] as Replica, 10);
    if (page?.ids.includes(id)) return Date.now() - started;
    await sleep(500);
  }
  throw new Error(`warm-up: registration ${id} never reached the review queue; see ${logsDir}`);
}

async function statusViaAccess(accessUrl: string, id: string): Promise<string | null | undefined> {
  for (let attempt = 0; attempt < 6; attempt++) {
    try {
      const res = await fetch(`${accessUrl}/users/${id}`, { signal: AbortSignal.timeout(10_000) });
      if (res.status === 404) return null;
      if (res.ok) return ((await res.json()) as { status: string }).status;
    } catch {
      // retried below
    }
    await sleep(1000);
  }
  return undefined;
}

/**
 * Polls the stores until every accepted registration is in a final place (or, with allowPending, is
 * queued for review) and the outbox is empty; reports progress; gives up after timeoutMs.
 */
async function waitQuiet(ids: string[], allowPending: boolean, timeoutMs: number): Promise<boolean> {
  const c = checker as Checker;
  const started = Date.now();
  let lastLog = 0;
  let withDead = false;
  for (;;) {
    let view: StoreView;
    try {
      view = await c.view(ids, 'index', withDead);
    } catch (err) {
      log(`  quiet check could not read the stores: ${err instanceof Error ? err.message : String(err)}`);
      await c.close();
      await sleep(2000);
      continue;
    }
    const { counts, verdicts } = assess(ids, view, ledger);
    const open = counts.lost + counts.mismatched + (allowPending ? 0 : counts.pending);
    withDead = counts.lost > 0;
    const elapsed = Date.now() - started;
    if (open === 0 && view.outboxUnpublished === 0) {
      log(`  quiet after ${seconds(elapsed)}: ${summary(counts)}`);
      return true;
    }
    if (elapsed > timeoutMs) {
      const sample = [...verdicts.values()]
        .filter((v) => v.category === 'lost' || v.category === 'mismatched')
        .slice(0, 5);
      log(`  NOT quiet after ${seconds(elapsed)}: ${summary(counts)}, outbox unpublished ${view.outboxUnpublished}`);
      for (const v of sample) log(`    ${v.id} ${v.category}: ${v.problems.join('; ')}`);
      return false;
    }
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      log(`  not quiet yet (${seconds(elapsed)}): ${summary(counts)}, outbox unpublished ${view.outboxUnpublished}`);
    }
    await sleep(2000);
  }
}

function summary(counts: Record<string, number>): string {
  return Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
}

function printReport(r: {
  result: Assessment;
  beforeReconcile: Assessment | null;
  view: StoreView;
  ids: string[];
  loadMs: number;
  unannounced: Array<{ id: string; email: string; registeredAt: string; status: string }>;
  reconcileReport: string;
}): number {
  const { counts, verdicts, extraDuplicated, extraMismatched } = r.result;
  const lost = counts.lost;
  const duplicated = counts.duplicated + extraDuplicated.length;
  const mismatched = counts.mismatched + extraMismatched.length;
  const duringOutage = acceptedDuringOutages(ledger);
  const invalidAccepted = ledger.signUps.filter((s) => s.kind === 'invalid' && s.status === 202).length;
  const answered = ledger.signUps.filter((s) => s.kind !== 'invalid');
  const firstFault = ledger.faults[0]?.at ?? t0;

  const lines: string[] = [];
  const line = (text = '') => lines.push(text);
  line();
  line('='.repeat(78));
  line(`FAULT-INJECTION RESULT  profile ${profileName}, seed ${seed}`);
  line('='.repeat(78));
  line(`accepted (202)          ${r.ids.length}`);
  line(`approved                ${counts.approved}`);
  line(`rejected                ${counts.rejected}`);
  line(`duplicates refused      ${counts.duplicate}`);
  line(`dead-lettered           ${counts['dead-lettered']}`);
  line(`still pending           ${counts.pending}`);
  line(`lost                    ${lost}`);
  line(`duplicated              ${duplicated}`);
  line(`mismatched              ${mismatched}`);
  line(`202 while Kafka was cut ${duringOutage.length}`);
  line(`invalid accepted        ${invalidAccepted}`);
  line();
  line(
    `sign-ups sent           ${ledger.signUps.length} (valid: ${tally(answered, (s) => `${String(s.status)}${s.code ? ` ${s.code}` : ''}`)}; invalid: ${tally(
      ledger.signUps.filter((s) => s.kind === 'invalid'),
      (s) => String(s.status),
    )}${load?.skipped ? `; ${load.skipped} skipped, too many in flight` : ''})`,
  );
  line(
    `sign-up kinds           ${tally(
      ledger.signUps.filter((s) => s.status === 202),
      (s) => s.kind,
    )} (accepted)`,
  );
  line(
    `decision answers        ${tally(ledger.decisions, (d) => `${String(d.status)}`)} (${tally(ledger.decisions, (d) => d.scenario)})`,
  );
  line(
    `final round             ${
      tally(
        ledger.decisions.filter((d) => d.scenario === 'final'),
        (d) => String(d.status),
      ) || 'nothing left'
    } (a 409 here = a queue entry left behind by a decision whose clean-up a fault interrupted)`,
  );
  const transport = [...ledger.signUps, ...ledger.decisions].filter((x) => x.error);
  if (transport.length) line(`transport errors        ${tally(transport, (x) => x.error ?? '?')}`);
  line(
    `stored without a 202    ${r.unannounced.length} in the search index, of ${ledger.signUps.filter((s) => s.kind !== 'invalid' && (s.status === 'error' || s.status === 'timeout' || s.status === 503)).length} valid sign-ups answered 503/error/timeout`,
  );
  for (const cause of explainUnannounced(ledger, r.unannounced)) line(`  ${cause}`);
  const toldNothingSaved =
    r.unannounced.length > 0 &&
    explainUnannounced(ledger, r.unannounced).some((c) => c.includes('DEPENDENCY.UNAVAILABLE'));
  if (toldNothingSaved)
    line(
      '  WARNING: a 503 DEPENDENCY.UNAVAILABLE says "nothing was saved", yet these were stored (not counted as lost/duplicated/mismatched)',
    );
  line(`reconciliation          ${r.reconcileReport}`);
  if (r.beforeReconcile)
    line(
      `  before reconciliation: ${summary(r.beforeReconcile.counts)}; extra duplicated ${r.beforeReconcile.extraDuplicated.length}, extra mismatched ${r.beforeReconcile.extraMismatched.length}`,
    );
  if (r.view.deadLetterSourcesUnreadable.length)
    line(`dead-letter sources not read: ${r.view.deadLetterSourcesUnreadable.join('; ')}`);
  line();
  line(`faults injected         ${ledger.faults.length} (${tally(ledger.faults, (f) => f.kind)})`);
  for (const f of ledger.faults) {
    const took = f.recoveredAt ? `back after ${seconds(f.recoveredAt - f.at)}` : `NOT RECOVERED: ${f.error ?? '?'}`;
    line(`  +${seconds(f.at - firstFault).padStart(7)}  ${f.kind.padEnd(24)} ${f.detail}; ${took}`);
  }
  for (const o of outageAnswers(ledger)) line(`  sign-ups started during ${o}`);
  const crashes = [...services.values()].flatMap((s) => s.crashes.map((c) => ({ name: s.name, ...c })));
  if (crashes.length) {
    line();
    line(
      `services that exited on their own: ${crashes.length} (started again at once; not counted as lost/duplicated/mismatched)`,
    );
    for (const c of crashes) {
      const cause = c.tail.split('\n').find((l) => /^\w*Error\b|^error:|Unhandled|FATAL/.test(l.trim())) ?? '';
      line(
        `  +${seconds(c.at - firstFault).padStart(7)}  ${c.name} ${c.how}${cause ? `: ${cause.trim().slice(0, 160)}` : ''}`,
      );
    }
    line('  WARNING: a service crashed; see its log in .local/faults/logs/');
  }
  line();
  line('service logs (error/fatal lines):');
  for (const l of logErrors(logsDir, [...services.keys()])) line(`  ${l}`);

  const problems = [...verdicts.values()].filter(
    (v) =>
      v.category === 'lost' || v.category === 'duplicated' || v.category === 'mismatched' || v.category === 'pending',
  );
  const notes = [
    ...duringOutage.map((d) => `accepted while Kafka was cut: ${d}`),
    ...extraDuplicated,
    ...extraMismatched,
    ...ledger.violations,
  ];
  if (problems.length || notes.length) {
    line();
    line('problems (first 30):');
    for (const v of problems.slice(0, 30)) line(`  ${v.id} ${v.category}: ${v.problems.join('; ')}`);
    for (const n of notes.slice(0, 30)) line(`  ${n}`);
  }
  const failedRecoveries = ledger.faults.filter((f) => !f.recoveredAt).length;
  const dump = path.join(dataDir, 'ledger.json');
  fs.writeFileSync(
    dump,
    JSON.stringify(
      {
        seed,
        profile: profileName,
        ...ledger,
        problems,
        counts,
        extraDuplicated,
        extraMismatched,
        unannounced: r.unannounced,
      },
      null,
      1,
    ),
  );
  line(`every answer, fault and problem: ${path.relative(REPO_ROOT, dump)}`);
  const failed =
    lost +
      duplicated +
      mismatched +
      duringOutage.length +
      invalidAccepted +
      counts.pending +
      failedRecoveries +
      ledger.violations.length >
    0;
  line();
  line(`load ${seconds(r.loadMs)}, wall time ${seconds(Date.now() - t0)}`);
  line(failed ? 'FAILED' : 'PASSED: nothing lost, nothing duplicated, every store agrees');
  console.log(lines.join('\n'));
  return failed ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  log(`the suite could not run: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  code = 2;
}
log('stopping everything this run started');
await cleanup();
log(`done (wall time ${seconds(Date.now() - t0)})`);
process.exit(code);
