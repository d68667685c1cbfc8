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
  const hasAllTools = (dir: string): boolean =>
    PG_TOOLS.every((tool) => fs.existsSync(path.join(dir, tool)));
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
  return which('java') ?? (fs.existsSync('/usr/lib/jvm/default-java/bin/java') ? '/usr/lib/jvm/default-java/bin/java' : null);
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
