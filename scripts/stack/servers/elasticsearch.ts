import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findJdk, which, type Jdk } from '../lib/programs';
import { runToLog } from '../lib/processes';
import { HOST, startFailure, StartError, waitUntil } from '../lib/net';
import type { ServerContext } from './context';

/**
 * A real Elasticsearch node built from Maven Central's jars (docs/adr/0002-local-elasticsearch-from-maven.md):
 * scripts/stack/elasticsearch/pom.xml names the server and its HTTP transport, resolved once into
 * .local/cache/elasticsearch/<version>/lib; the launcher (src/org/elasticsearch/node/LocalNode.java) is
 * compiled once into a jar beside them, and a class-data archive joins them after the first stop. Later
 * starts are offline. Data in DATA_DIR/elasticsearch, kept across restarts.
 */

export const ES_DIR = path.join('scripts', 'stack', 'elasticsearch');
export const MIN_JAVA = 21;
const HEAP = '512m';
const START_TIMEOUT_MS = 120_000;
const READY = /regflow-es listening on (http:\/\/127\.0\.0\.1:\d+) after (\d+) ms/;

export function elasticsearchVersion(repoRoot: string): string {
  const pom = fs.readFileSync(path.join(repoRoot, ES_DIR, 'pom.xml'), 'utf8');
  const version = /<elasticsearch\.version>([^<]+)<\/elasticsearch\.version>/.exec(pom)?.[1];
  if (!version) throw new Error(`no <elasticsearch.version> in ${path.join(ES_DIR, 'pom.xml')}`);
  return version;
}

function cacheDir(repoRoot: string): string {
  return path.join(repoRoot, '.local', 'cache', 'elasticsearch', elasticsearchVersion(repoRoot));
}

/** True once the jars are in the cache: from then on nothing is downloaded and mvn is not needed. */
export function elasticsearchJarsCached(repoRoot: string): boolean {
  return fs.existsSync(path.join(cacheDir(repoRoot), 'lib'));
}

export function javaMissingMessage(repoRoot: string): string {
  return (
    `Elasticsearch ${elasticsearchVersion(repoRoot)} needs a Java ${MIN_JAVA} or newer JDK (java and javac), ` +
    `and there is none in JAVA_HOME or /usr/lib/jvm (Debian 12's own OpenJDK is 17). Install one, e.g. ` +
    `Eclipse Temurin ${MIN_JAVA} (package temurin-${MIN_JAVA}-jdk from Adoptium's apt repository) or, on ` +
    `Debian 13, openjdk-${MIN_JAVA}-jdk-headless, and set JAVA_HOME if it is not under /usr/lib/jvm. Or run ` +
    'everything with `docker compose up --build`, or set ELASTICSEARCH_URL to an Elasticsearch 9 you run.'
  );
}

/** Puts the result of `build(tmp)` at `target` atomically, so concurrent stacks never see half of it. */
async function buildOnce(target: string, build: (tmp: string) => Promise<void>): Promise<void> {
  if (fs.existsSync(target)) return;
  const tmp = `${target}.tmp-${process.pid}-${Date.now()}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  try {
    await build(tmp);
    try {
      fs.renameSync(tmp, target);
    } catch (error) {
      // Another stack got there first; its copy is as good as ours.
      if (!fs.existsSync(target)) throw error;
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function ensureJars(ctx: ServerContext, version: string, lib: string): Promise<void> {
  if (fs.existsSync(lib)) return;
  const mvn = which('mvn');
  if (!mvn) throw new StartError('elasticsearch: mvn not found (Debian package maven), needed once to fetch the jars');
  const logFile = ctx.logFile('elasticsearch-download');
  ctx.log(
    `elasticsearch: downloading Elasticsearch ${version} from Maven Central, once (about 45 MB) into ${lib} (log: ${logFile})`,
  );
  const started = Date.now();
  await buildOnce(lib, async (tmp) => {
    const pom = path.join(ctx.repoRoot, ES_DIR, 'pom.xml');
    const args = [
      '-B',
      '--no-transfer-progress',
      '-f',
      pom,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${tmp}`,
    ];
    const code = await runToLog(mvn, args, { logFile, cwd: ctx.repoRoot });
    if (code !== 0) {
      throw new StartError(
        `elasticsearch: mvn could not fetch Elasticsearch ${version} (exit ${String(code)}); see ${logFile}`,
      );
    }
  });
  ctx.log(`elasticsearch: jars fetched in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** Compiles the launcher once per version and source into a jar (class-data sharing wants jars only); returns it. */
async function ensureLauncher(ctx: ServerContext, jdk: Jdk, cache: string, lib: string): Promise<string> {
  const srcRoot = path.join(ctx.repoRoot, ES_DIR, 'src');
  const sources = (fs.readdirSync(srcRoot, { recursive: true }) as string[])
    .filter((file) => file.endsWith('.java'))
    .sort()
    .map((file) => path.join(srcRoot, file));
  // The build's own shape is part of the key, so a cache left by an older start is not mistaken for this one.
  const hash = crypto.createHash('sha256').update(`launcher.jar, --release ${MIN_JAVA}`);
  for (const file of sources) hash.update(file.slice(srcRoot.length)).update(fs.readFileSync(file));
  const dir = path.join(cache, `launcher-${hash.digest('hex').slice(0, 12)}`);
  await buildOnce(dir, async (tmp) => {
    const logFile = ctx.logFile('elasticsearch-download');
    const classes = path.join(tmp, 'classes');
    const javac = await runToLog(
      jdk.javac,
      ['-d', classes, '-cp', path.join(lib, '*'), '--release', String(MIN_JAVA), ...sources],
      { logFile },
    );
    const jar =
      javac === 0
        ? await runToLog(
            path.join(jdk.home, 'bin', 'jar'),
            ['cf', path.join(tmp, 'launcher.jar'), '-C', classes, '.'],
            { logFile },
          )
        : null;
    if (jar !== 0)
      throw new StartError(
        `elasticsearch: could not compile the launcher (javac exit ${String(javac)}, jar exit ${String(jar)}); see ${logFile}`,
      );
    fs.rmSync(classes, { recursive: true });
  });
  return path.join(dir, 'launcher.jar');
}

/**
 * Class-data sharing: the first start on a JDK writes an archive of the classes it loaded (about 80 MB,
 * at exit); later starts map it instead of loading and verifying some 20,000 classes again, which cuts
 * the node's start-up by half or more on a busy machine. The JVM rebuilds it when the JDK or the
 * classpath changes, and with VerifySharedSpaces ignores (then rebuilds) a damaged one.
 */
function classDataSharing(cache: string, jdk: Jdk): string[] {
  const key = crypto.createHash('sha256').update(jdk.home).digest('hex').slice(0, 8);
  return [
    `-XX:SharedArchiveFile=${path.join(cache, `classes-java${jdk.major}-${key}.jsa`)}`,
    '-XX:+AutoCreateSharedArchive',
    '-XX:+VerifySharedSpaces',
    // Writing the archive warns about every class it cannot keep (proxies, failed verifications).
    '-Xlog:cds=off',
    '-Xlog:cds+dynamic=off',
  ];
}

// ES's own layout needs a pattern with the node name; the node's log goes to the stack's log file.
const LOG4J2 = `status = error
appender.console.type = Console
appender.console.name = console
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d{ISO8601}][%-5p][%c{1.}] [%node_name]%marker %m%n
rootLogger.level = info
rootLogger.appenderRef.console.ref = console
# The native libraries (zstd, vector helpers) ship only in the distribution's lib/platform; without them
# the node falls back to Java code and says so with a stack trace on every start (docs/adr/0002).
logger.nativeaccess.name = org.elasticsearch.nativeaccess
logger.nativeaccess.level = error
`;

const JVM_FLAGS = [
  `-Xms${HEAP}`,
  `-Xmx${HEAP}`,
  // The same system properties as the distribution's jvm.options, where they apply here.
  '-Dfile.encoding=UTF-8',
  '-Djava.locale.providers=CLDR',
  '-Dio.netty.noUnsafe=true',
  '-Dio.netty.noKeySetOptimization=true',
  '-Dio.netty.recycler.maxCapacityPerThread=0',
  '-Dlog4j.shutdownHookEnabled=false',
  '-Dlog4j2.disable.jmx=true',
  '-Dlog4j2.formatMsgNoLookups=true',
  // Lucene and ES call native code through the FFM API; without this, Java 22+ warns on stderr.
  '--enable-native-access=ALL-UNNAMED',
];

async function clusterHealthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/_cluster/health?wait_for_status=yellow&timeout=1s`, {
      signal: AbortSignal.timeout(5_000),
    });
    if (!res.ok) return false;
    const body = (await res.json()) as { status?: string };
    return body.status === 'yellow' || body.status === 'green';
  } catch {
    return false;
  }
}

async function redIndices(url: string): Promise<string[]> {
  try {
    const res = await fetch(`${url}/_cluster/health?level=indices`, { signal: AbortSignal.timeout(5_000) });
    const body = (await res.json()) as { indices?: Record<string, { status: string }> };
    return Object.entries(body.indices ?? {}).flatMap(([name, index]) => (index.status === 'red' ? [name] : []));
  } catch {
    return [];
  }
}

export async function startElasticsearch(ctx: ServerContext): Promise<string> {
  const version = elasticsearchVersion(ctx.repoRoot);
  const jdk = findJdk(MIN_JAVA);
  if (!jdk) throw new StartError(`elasticsearch: ${javaMissingMessage(ctx.repoRoot)}`);
  const cache = cacheDir(ctx.repoRoot);
  const lib = path.join(cache, 'lib');
  await ensureJars(ctx, version, lib);
  const launcher = await ensureLauncher(ctx, jdk, cache, lib);

  const home = path.join(ctx.dataDir, 'elasticsearch');
  for (const dir of ['config', 'tmp']) fs.mkdirSync(path.join(home, dir), { recursive: true });
  fs.writeFileSync(path.join(home, 'config', 'log4j2.properties'), LOG4J2);
  // node.processors sizes the thread pools; the node shares the machine with the other servers and services.
  const processors = String(Math.min(2, os.availableParallelism()));
  let url: string | null = null;
  let startedMs = 0;
  const proc = ctx.spawn({
    name: 'elasticsearch',
    command: jdk.java,
    args: [
      ...JVM_FLAGS,
      ...classDataSharing(cache, jdk),
      `-Djava.io.tmpdir=${path.join(home, 'tmp')}`,
      `-Des.path.home=${home}`,
      '-cp',
      `${launcher}${path.delimiter}${path.join(lib, '*')}`,
      'org.elasticsearch.node.LocalNode',
      home,
      processors,
    ],
    cwd: home,
    // The first stop on a JDK also writes the class-data archive: seconds, more on a busy machine.
    stopTimeoutMs: 60_000,
    onLine: (line) => {
      const match = READY.exec(line);
      if (match && !url) {
        url = match[1]!;
        startedMs = Number(match[2]);
      }
    },
  });
  await waitUntil(proc, 'printing "regflow-es listening on ..."', async () => url !== null, START_TIMEOUT_MS, 100);
  const announced = url as string | null;
  if (!announced || new URL(announced).hostname !== HOST) throw startFailure(proc, 'announced no loopback address');
  try {
    await waitUntil(
      proc,
      `answering _cluster/health (yellow) on ${announced}`,
      () => clusterHealthy(announced),
      60_000,
      100,
    );
  } catch (error) {
    const red = await redIndices(announced);
    if (red.length === 0 || !(error instanceof Error)) throw error;
    // The node is up, but an index it holds cannot be opened, e.g. one created with a setting this node lacks.
    throw new StartError(
      `${error.message}\nThe node cannot open these indices: ${red.join(', ')} (a setting this node lacks, such as ` +
        `index.codec: best_compression? see docs/adr/0002). To reset the local data: rm -rf ${path.join(home, 'data')}`,
    );
  }
  ctx.log(
    `elasticsearch: ${version} on Java ${jdk.major} (${jdk.home}), node started in ${(startedMs / 1000).toFixed(1)} s`,
  );
  return announced;
}
