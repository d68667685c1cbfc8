import fs from 'node:fs';
import { ACTIVEMQ_JAR, findJava, findJdk, findPostgresBinDir, isRoot, which } from './lib/programs';
import { readLogTail, runToLog, type Log } from './lib/processes';
import { elasticsearchJarsCached, javaMissingMessage, MIN_JAVA } from './servers/elasticsearch';
import { kafkaJarsCached } from './servers/kafka';
import { REPO_ROOT } from './lib/repo-root';

/** `mail` (maildev) is an npm package of the repo: nothing to install from Debian. */
export type ServerName = 'postgres' | 'redis' | 'activemq' | 'kafka' | 'elasticsearch' | 'mail';

interface Requirement {
  server: ServerName;
  program: string;
  debianPackage: string;
  present: () => boolean;
}

const REQUIREMENTS: Requirement[] = [
  {
    server: 'postgres',
    program: 'postgres/initdb/pg_isready/psql',
    debianPackage: 'postgresql',
    present: () => findPostgresBinDir() !== null,
  },
  {
    server: 'redis',
    program: 'redis-server',
    debianPackage: 'redis-server',
    present: () => which('redis-server') !== null,
  },
  { server: 'redis', program: 'redis-cli', debianPackage: 'redis-tools', present: () => which('redis-cli') !== null },
  { server: 'activemq', program: ACTIVEMQ_JAR, debianPackage: 'activemq', present: () => fs.existsSync(ACTIVEMQ_JAR) },
  { server: 'activemq', program: 'java', debianPackage: 'default-jre-headless', present: () => findJava() !== null },
  { server: 'kafka', program: 'java', debianPackage: 'default-jre-headless', present: () => findJava() !== null },
  // Only until the broker's jars are cached (.local/cache/kafka): later starts are offline.
  {
    server: 'kafka',
    program: 'mvn',
    debianPackage: 'maven',
    present: () => kafkaJarsCached(REPO_ROOT) || which('mvn') !== null,
  },
  // Only until the jars are cached (.local/cache/elasticsearch): later starts are offline.
  {
    server: 'elasticsearch',
    program: 'mvn',
    debianPackage: 'maven',
    present: () => elasticsearchJarsCached(REPO_ROOT) || which('mvn') !== null,
  },
];

/** Debian 12 packages no Java 21, so a missing one cannot be installed here; the message says what to do. */
function javaProblem(servers: readonly ServerName[]): string | null {
  if (!servers.includes('elasticsearch') || findJdk(MIN_JAVA) !== null) return null;
  return javaMissingMessage(REPO_ROOT);
}

export const ENV_HINT =
  'Alternatives: run everything in containers with `docker compose up --build`, or point the ' +
  'services at servers you already run by setting DATABASE_URL, REDIS_URL, KAFKA_BROKERS, ' +
  'STOMP_URL, ELASTICSEARCH_URL and SMTP_URL with MAIL_INBOX_URL (a server whose variable is set is not started).';

export function missingRequirements(servers: readonly ServerName[]): Requirement[] {
  return REQUIREMENTS.filter((req) => servers.includes(req.server) && !req.present());
}

function describe(missing: Requirement[]): string {
  return missing.map((req) => `${req.program} (Debian package ${req.debianPackage}, for ${req.server})`).join(', ');
}

const APT_ENV = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
// npm start and npm test may install at the same time; wait for the dpkg lock instead of failing.
const APT_OPTS = ['-o', 'DPkg::Lock::Timeout=300'];

/**
 * `apt-get install` of packages, output to opts.logFile; when it fails, once more after an `apt-get
 * update`. The exit code; null without apt-get.
 */
export async function aptInstall(packages: string[], opts: { log: Log; logFile: string }): Promise<number | null> {
  const apt = which('apt-get');
  if (!apt) return null;
  opts.log(`installing Debian packages: ${packages.join(' ')} (output in ${opts.logFile})`);
  const install = (): Promise<number | null> =>
    runToLog(apt, [...APT_OPTS, 'install', '-y', '--no-install-recommends', ...packages], {
      logFile: opts.logFile,
      env: APT_ENV,
    });
  let code = await install();
  if (code !== 0) {
    // Usually missing or stale package lists ("Unable to locate package"); refresh them once.
    opts.log('apt-get install failed; running apt-get update once and retrying');
    await runToLog(apt, [...APT_OPTS, 'update'], { logFile: opts.logFile, env: APT_ENV });
    code = await install();
  }
  return code;
}

/**
 * Installs the Debian packages the requested servers need. Throws, naming what is missing, where
 * it cannot install (not root, or no apt-get).
 */
export async function ensureInstalled(
  servers: readonly ServerName[],
  opts: { log: Log; logFile: string },
): Promise<void> {
  const noJava = javaProblem(servers);
  if (noJava) throw new Error(`${noJava}\n${ENV_HINT}`);
  const missing = missingRequirements(servers);
  if (missing.length === 0) return;
  const apt = which('apt-get');
  if (!apt || !isRoot()) {
    const why = !apt ? 'this is not a Debian-like system (no apt-get)' : 'installing needs root';
    const packages = [...new Set(missing.map((req) => req.debianPackage))].join(' ');
    throw new Error(
      `The local stack needs programs that are not installed: ${describe(missing)}. ` +
        `They cannot be installed automatically because ${why}` +
        (apt ? `; run as root: apt-get install -y ${packages}` : '') +
        `. ${ENV_HINT}`,
    );
  }
  const packages = [...new Set(missing.map((req) => req.debianPackage))];
  const code = await aptInstall(packages, opts);
  const stillMissing = missingRequirements(servers);
  if (code !== 0 || stillMissing.length > 0) {
    throw new Error(
      `apt-get install ${packages.join(' ')} failed (exit ${String(code)})` +
        (stillMissing.length ? `; still missing: ${describe(stillMissing)}` : '') +
        `. Last lines of ${opts.logFile}:\n${readLogTail(opts.logFile)}\n${ENV_HINT}`,
    );
  }
}
