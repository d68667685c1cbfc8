import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { findJava, which } from '../lib/programs';
import { freePort, HOST, startFailure, StartError, tcpAccepts, waitUntil } from '../lib/net';
import { runToLog } from '../lib/processes';
import type { ServerContext } from './context';

const START_TIMEOUT_MS = 90_000;
const HEAP = ['-Xms256m', '-Xmx512m'];
const KAFKA_DIR = path.join('scripts', 'stack', 'kafka');
const STARTED = /Kafka Server started/;

export interface KafkaOptions {
  /** Brokers in the KRaft cluster, each also a controller (default 1). */
  brokers?: number;
}

/**
 * A real Apache Kafka broker in KRaft mode, from Maven Central's artifacts (Debian packages none).
 * The jars are resolved once per POM into .local/cache/kafka/; each node's storage is formatted once
 * and kept in <dataDir>/kafka/, so registrations in Kafka survive a restart of the stack. Each node's
 * generated config pins its ports, so a node started again from the same command line comes back on
 * the same address (the fault suite restarts brokers that way).
 */
export async function startKafka(ctx: ServerContext, opts: KafkaOptions = {}): Promise<string> {
  const java = findJava();
  if (!java) throw new StartError('kafka: java not found (Debian package default-jre-headless)');
  const classpath = await resolveBroker(ctx);
  const count = opts.brokers ?? 1;
  const dir = path.join(ctx.dataDir, 'kafka');
  fs.mkdirSync(dir, { recursive: true });
  const clusterIdFile = path.join(dir, 'cluster-id');
  if (!fs.existsSync(clusterIdFile)) fs.writeFileSync(clusterIdFile, kraftClusterId());
  const clusterId = fs.readFileSync(clusterIdFile, 'utf8').trim();

  const nodes = await Promise.all(
    Array.from({ length: count }, async (_, i) => ({
      id: i + 1,
      port: await freePort(),
      controllerPort: await freePort(),
    })),
  );
  const voters = nodes.map((n) => `${n.id}@${HOST}:${n.controllerPort}`).join(',');
  const replication = Math.min(count, 3);
  const javaArgs = [
    ...HEAP,
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${path.join(ctx.repoRoot, KAFKA_DIR, 'log4j2.properties')}`,
    '-cp',
    classpath,
  ];

  await Promise.all(
    nodes.map(async (node) => {
      const name = count === 1 ? 'kafka' : `kafka-${node.id}`;
      const logDir = path.join(dir, `node-${node.id}`);
      const config = path.join(dir, `node-${node.id}.properties`);
      // Regenerated on each start because the ports change; the data stays.
      fs.writeFileSync(
        config,
        [
          'process.roles=broker,controller',
          `node.id=${node.id}`,
          `controller.quorum.voters=${voters}`,
          `listeners=PLAINTEXT://${HOST}:${node.port},CONTROLLER://${HOST}:${node.controllerPort}`,
          `advertised.listeners=PLAINTEXT://${HOST}:${node.port}`,
          'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
          'controller.listener.names=CONTROLLER',
          'inter.broker.listener.name=PLAINTEXT',
          `log.dirs=${logDir}`,
          // Topics are created by the services that own them, with their partitions and replication.
          'auto.create.topics.enable=false',
          `default.replication.factor=${replication}`,
          `min.insync.replicas=${replication > 1 ? 2 : 1}`,
          `offsets.topic.replication.factor=${replication}`,
          `transaction.state.log.replication.factor=${replication}`,
          `transaction.state.log.min.isr=${replication > 1 ? 2 : 1}`,
          'group.initial.rebalance.delay.ms=0',
          '',
        ].join('\n'),
      );
      if (!fs.existsSync(path.join(logDir, 'meta.properties'))) {
        const logFile = ctx.logFile(name);
        const code = await runToLog(
          java,
          [...javaArgs, 'kafka.tools.StorageTool', 'format', '--cluster-id', clusterId, '--config', config],
          { logFile },
        );
        if (code !== 0)
          throw new StartError(`${name}: formatting its storage failed (exit ${String(code)}); see ${logFile}`);
      }
      let started = false;
      const proc = ctx.spawn({
        name,
        command: java,
        args: [...javaArgs, 'kafka.Kafka', config],
        cwd: dir,
        stopTimeoutMs: 30_000,
        onLine: (line) => {
          started ||= STARTED.test(line);
        },
      });
      await waitUntil(proc, 'logging "Kafka Server started"', async () => started, START_TIMEOUT_MS, 100);
      if (!(await tcpAccepts(node.port))) throw startFailure(proc, `is not accepting TCP on ${HOST}:${node.port}`);
    }),
  );
  return nodes.map((n) => `${HOST}:${n.port}`).join(',');
}

/**
 * The broker's classpath: the jars the POM names, copied once into .local/cache/kafka/<hash of the POM>
 * by Maven. Later starts use the cache and need no network. Concurrent first starts (npm start and
 * npm test) each resolve into their own folder and the first rename wins.
 */
function cachedLib(repoRoot: string): string {
  const pom = path.join(repoRoot, KAFKA_DIR, 'pom.xml');
  const hash = crypto.createHash('sha256').update(fs.readFileSync(pom)).digest('hex').slice(0, 12);
  return path.join(repoRoot, '.local', 'cache', 'kafka', hash, 'lib');
}

/** True once the broker's jars for the current POM are cached: starting then needs neither Maven nor network. */
export function kafkaJarsCached(repoRoot: string): boolean {
  return fs.existsSync(cachedLib(repoRoot));
}

async function resolveBroker(ctx: ServerContext): Promise<string> {
  const pom = path.join(ctx.repoRoot, KAFKA_DIR, 'pom.xml');
  const lib = cachedLib(ctx.repoRoot);
  const cache = path.dirname(lib);
  if (!fs.existsSync(lib)) {
    const mvn = which('mvn');
    if (!mvn)
      throw new StartError(
        'kafka: mvn not found (Debian package maven); it fetches the broker from Maven Central once',
      );
    const tmp = `${lib}.tmp-${process.pid}`;
    const logFile = ctx.logFile('kafka-resolve');
    ctx.log(
      `kafka: fetching the broker's jars from Maven Central once (about 45 MB, into ${cache}; output in ${logFile})`,
    );
    const code = await runToLog(
      mvn,
      ['-B', '-q', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${tmp}`, '-DincludeScope=runtime'],
      { logFile },
    );
    if (code !== 0) {
      fs.rmSync(tmp, { recursive: true, force: true });
      throw new StartError(`kafka: Maven could not fetch the broker (exit ${String(code)}); see ${logFile}`);
    }
    try {
      fs.renameSync(tmp, lib);
    } catch {
      fs.rmSync(tmp, { recursive: true, force: true }); // another start got there first
    }
  }
  return path.join(lib, '*');
}

/**
 * A KRaft cluster id: 16 random bytes, base64url without padding, as `kafka-storage random-uuid` prints
 * it, and like Kafka's own Uuid.randomUuid() never starting with '-' (the storage tool would read
 * `--cluster-id -abc…` as an option and fail).
 */
export function kraftClusterId(): string {
  for (;;) {
    const id = crypto.randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
