import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ACTIVEMQ_HOME, ACTIVEMQ_JAR, findJava } from '../lib/programs';
import { freePort, HOST, stompConnect, StartError, tcpAccepts, waitUntil } from '../lib/net';
import type { ServerContext } from './context';

const START_TIMEOUT_MS = 90_000;

/**
 * The broker configuration docker-compose.yml mounts too: redelivery, dead letters, limits and connector
 * options are defined there only. What differs locally is passed as the system properties it reads.
 */
export const BROKER_XML = 'docker/activemq/activemq.xml';

// Debian's ActiveMQ logs through log4j 1.2; without a config it would print nothing at all.
const LOG4J = `log4j.rootLogger=INFO, stdout
log4j.logger.org.springframework=WARN
log4j.logger.org.apache.xbean=WARN
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=%d{ISO8601} %-5p [%t] %c{1} - %m%n
`;

// The same module openings as Debian's /usr/bin/activemq uses on Java 9+.
const JAVA_MODULE_FLAGS = [
  '--add-reads=java.xml=java.logging',
  '--add-opens',
  'java.base/java.security=ALL-UNNAMED',
  '--add-opens',
  'java.base/java.net=ALL-UNNAMED',
  '--add-opens',
  'java.base/java.lang=ALL-UNNAMED',
  '--add-opens',
  'java.base/java.util=ALL-UNNAMED',
  '--add-opens',
  'java.naming/javax.naming.spi=ALL-UNNAMED',
  '--add-opens',
  'java.rmi/sun.rmi.transport.tcp=ALL-UNNAMED',
  '--add-opens',
  'java.base/java.util.concurrent=ALL-UNNAMED',
  '--add-opens',
  'java.base/java.util.concurrent.atomic=ALL-UNNAMED',
];

export async function startActiveMq(ctx: ServerContext): Promise<string> {
  const java = findJava();
  if (!java) throw new StartError('activemq: java not found (Debian package default-jre-headless)');
  if (!fs.existsSync(ACTIVEMQ_JAR))
    throw new StartError(`activemq: ${ACTIVEMQ_JAR} not found (Debian package activemq)`);
  const base = path.join(ctx.dataDir, 'activemq');
  const dirs = { conf: path.join(base, 'conf'), data: path.join(base, 'data'), tmp: path.join(base, 'tmp') };
  for (const dir of Object.values(dirs)) fs.mkdirSync(dir, { recursive: true });
  const [stomp, openwire] = [await freePort(), await freePort()];
  const xmlFile = path.join(ctx.repoRoot, BROKER_XML);
  const log4jFile = path.join(dirs.conf, 'log4j.properties');
  fs.writeFileSync(log4jFile, LOG4J);

  const proc = ctx.spawn({
    name: 'activemq',
    command: java,
    args: [
      '-Xms64m',
      '-Xmx256m',
      '-Djava.awt.headless=true',
      `-Djava.io.tmpdir=${dirs.tmp}`,
      ...JAVA_MODULE_FLAGS,
      `-Dactivemq.classpath=${dirs.conf}`,
      `-Dactivemq.home=${ACTIVEMQ_HOME}`,
      `-Dactivemq.base=${base}`,
      `-Dactivemq.conf=${dirs.conf}`,
      `-Dactivemq.data=${dirs.data}`,
      `-Dlog4j.configuration=${pathToFileURL(log4jFile).href}`,
      // The placeholders of activemq.xml: loopback, free ports, and no login needed, like the other local servers.
      `-Dregflow.host=${HOST}`,
      `-Dregflow.stompPort=${stomp}`,
      `-Dregflow.openwirePort=${openwire}`,
      '-Dregflow.anonymousAccess=true',
      '-jar',
      ACTIVEMQ_JAR,
      // "start" runs the broker in the foreground; the daemonising is done by Debian's shell script.
      'start',
      `xbean:${pathToFileURL(xmlFile).href}`,
    ],
    cwd: base,
    // The file requires a password for its "admin" user; nobody logs in as admin locally, so a random one.
    env: { ...process.env, ACTIVEMQ_PASSWORD: randomBytes(24).toString('hex') },
    stopTimeoutMs: 30_000,
  });
  await waitUntil(
    proc,
    `answering a STOMP CONNECT on ${HOST}:${stomp}`,
    async () => {
      try {
        return (await stompConnect(stomp)).startsWith('CONNECTED');
      } catch {
        return false;
      }
    },
    START_TIMEOUT_MS,
    500,
  );
  await waitUntil(proc, `accepting OpenWire connections on ${HOST}:${openwire}`, () => tcpAccepts(openwire), 10_000);
  return `stomp://${HOST}:${stomp}`;
}
