import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export function which(program: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, program);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not in this PATH entry
    }
  }
  return null;
}

const DEBIAN_PG_ROOT = '/usr/lib/postgresql';
const PG_TOOLS = ['postgres', 'initdb', 'pg_isready', 'psql'] as const;

/**
 * Debian keeps the server binaries out of PATH (only wrappers that target the system clusters
 * are on it), so look in /usr/lib/postgresql/<major>/bin first, newest major first.
 */
export function findPostgresBinDir(): string | null {
  const hasAllTools = (dir: string): boolean => PG_TOOLS.every((tool) => fs.existsSync(path.join(dir, tool)));
  if (fs.existsSync(DEBIAN_PG_ROOT)) {
    const majors = fs
      .readdirSync(DEBIAN_PG_ROOT)
      .filter((entry) => /^\d+$/.test(entry))
      .sort((a, b) => Number(b) - Number(a));
    for (const major of majors) {
      const dir = path.join(DEBIAN_PG_ROOT, major, 'bin');
      if (hasAllTools(dir)) return dir;
    }
  }
  const onPath = which('postgres');
  if (onPath && hasAllTools(path.dirname(onPath))) return path.dirname(onPath);
  return null;
}

export const ACTIVEMQ_HOME = '/usr/share/activemq';
export const ACTIVEMQ_JAR = path.join(ACTIVEMQ_HOME, 'bin', 'activemq.jar');

export function findJava(): string | null {
  return (
    which('java') ?? (fs.existsSync('/usr/lib/jvm/default-java/bin/java') ? '/usr/lib/jvm/default-java/bin/java' : null)
  );
}

export interface Jdk {
  home: string;
  java: string;
  javac: string;
  major: number;
  /** Where it was found: JAVA_HOME or the machine's JDK folder. */
  source: 'JAVA_HOME' | string;
}

const JVM_ROOT = '/usr/lib/jvm';

function jdkAt(home: string, source: string): Jdk | null {
  const java = path.join(home, 'bin', 'java');
  const javac = path.join(home, 'bin', 'javac');
  if (!fs.existsSync(java) || !fs.existsSync(javac)) return null;
  // Every JDK since 9 has a release file: JAVA_VERSION="21.0.5" (or "1.8.0_412" before).
  let version = '';
  try {
    version = /^JAVA_VERSION="([^"]+)"/m.exec(fs.readFileSync(path.join(home, 'release'), 'utf8'))?.[1] ?? '';
  } catch {
    return null;
  }
  const major = Number(version.startsWith('1.') ? version.split('.')[1] : version.split(/[.+-]/)[0]);
  return Number.isInteger(major) ? { home, java, javac, major, source } : null;
}

/**
 * A JDK (java and javac) of at least `minMajor`: JAVA_HOME first, then the newest under /usr/lib/jvm.
 * A JDK rather than a JRE because the Elasticsearch launcher is compiled on first use.
 */
export function findJdk(minMajor: number): Jdk | null {
  const fromEnv = process.env.JAVA_HOME ? jdkAt(process.env.JAVA_HOME, 'JAVA_HOME') : null;
  if (fromEnv && fromEnv.major >= minMajor) return fromEnv;
  let entries: string[] = [];
  try {
    entries = fs.readdirSync(JVM_ROOT);
  } catch {
    return null;
  }
  const found = entries
    .map((entry) => path.join(JVM_ROOT, entry))
    // Debian's java-1.17.0-openjdk-amd64 and default-java are links to folders also listed.
    .filter((dir) => !fs.lstatSync(dir).isSymbolicLink())
    .map((dir) => jdkAt(dir, dir))
    .filter((jdk): jdk is Jdk => jdk !== null && jdk.major >= minMajor)
    .sort((a, b) => b.major - a.major);
  return found[0] ?? null;
}

export interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

export function lookupUser(name: string): OsUser | null {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { name, uid, gid } : null;
  } catch {
    return null;
  }
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}
