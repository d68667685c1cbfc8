import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { findPostgresBinDir, isRoot, lookupUser, type OsUser } from '../lib/programs';
import { runToLog, readLogTail } from '../lib/processes';
import { freePort, HOST, runCommand, startFailure, StartError, waitUntil } from '../lib/net';
import type { ServerContext } from './context';

const DB = 'regflow';
const START_TIMEOUT_MS = 60_000;
/** Linux limits a unix socket path to 107 bytes. */
const MAX_SOCKET_PATH = 100;

/** Client tools must not pick up a developer's PGHOST/PGOPTIONS/... meant for another server. */
function clientEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('PG')) env[key] = value;
  }
  env.PGCONNECT_TIMEOUT = '3';
  return env;
}

export async function startPostgres(ctx: ServerContext): Promise<string> {
  const bin = findPostgresBinDir();
  if (!bin) throw new StartError('postgres: server binaries not found (Debian package postgresql)');
  const pgDir = path.join(ctx.dataDir, 'postgres');
  const logFile = ctx.logFile('postgres');
  // postgres refuses to run as root, so as root every server binary runs as the postgres OS user.
  const user = isRoot() ? lookupUser('postgres') : null;
  if (isRoot() && !user)
    throw new StartError('postgres: the OS user "postgres" does not exist (it comes with the postgresql package)');

  fs.mkdirSync(pgDir, { recursive: true });
  if (user) {
    // The postgres user must be able to walk into the data dir (a mkdtemp folder is 0700).
    const st = fs.statSync(ctx.dataDir);
    fs.chmodSync(ctx.dataDir, (st.mode & 0o7777) | 0o011);
    fs.chownSync(pgDir, user.uid, user.gid);
  }
  fs.chmodSync(pgDir, 0o700);
  if (user) assertReachable(pgDir, user);

  if (!fs.existsSync(path.join(pgDir, 'PG_VERSION'))) {
    // initdb refuses a non-empty folder, and without PG_VERSION this is a half-finished initdb.
    for (const entry of fs.readdirSync(pgDir)) fs.rmSync(path.join(pgDir, entry), { recursive: true, force: true });
    ctx.log(`postgres: creating a new cluster in ${pgDir}`);
    const code = await runToLog(
      path.join(bin, 'initdb'),
      // Trust on loopback only: this is a throw-away local cluster with no other users.
      ['-D', pgDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync'],
      { logFile, cwd: pgDir, uid: user?.uid, gid: user?.gid, env: clientEnv() },
    );
    if (code !== 0) {
      throw new StartError(
        `postgres initdb failed (exit ${String(code)}). Last lines of ${logFile}:\n${readLogTail(logFile)}`,
      );
    }
  }

  const port = await freePort();
  const socketDir = `${pgDir}/.s.PGSQL.${port}`.length <= MAX_SOCKET_PATH ? pgDir : '';
  const proc = ctx.spawn({
    name: 'postgres',
    command: path.join(bin, 'postgres'),
    args: [
      '-D',
      pgDir,
      '-c',
      `listen_addresses=${HOST}`,
      '-c',
      `port=${port}`,
      '-c',
      `unix_socket_directories=${socketDir}`,
      '-c',
      'logging_collector=off',
      '-c',
      'shared_buffers=32MB',
      '-c',
      'max_connections=100',
    ],
    cwd: pgDir,
    uid: user?.uid,
    gid: user?.gid,
    env: clientEnv(),
    // SIGINT = "fast" shutdown; SIGTERM would wait for every client to disconnect.
    stopSignal: 'SIGINT',
    stopSignalToGroup: false,
    stopTimeoutMs: 30_000,
  });

  const env = clientEnv();
  const conn = ['-h', HOST, '-p', String(port)];
  await waitUntil(
    proc,
    'accepting connections',
    async () =>
      (
        await runCommand(path.join(bin, 'pg_isready'), [...conn, '-U', 'postgres', '-d', 'postgres', '-t', '1'], {
          env,
        })
      ).code === 0,
    START_TIMEOUT_MS,
  );

  const psql = async (user: string, db: string, sql: string): Promise<string> => {
    const result = await runCommand(
      path.join(bin, 'psql'),
      [...conn, '-U', user, '-d', db, '-v', 'ON_ERROR_STOP=1', '-qAtX', '-c', sql],
      { env },
    );
    if (result.code !== 0) throw startFailure(proc, `rejected "${sql}": ${result.stderr.trim()}`);
    return result.stdout.trim();
  };
  // Idempotent, so a re-used data dir and a fresh one end up the same.
  await psql(
    'postgres',
    'postgres',
    `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${DB}') THEN CREATE ROLE ${DB} LOGIN PASSWORD '${DB}'; END IF; END $$;`,
  );
  // Tests create throw-away databases (migrations from scratch); this server is local and ours.
  await psql('postgres', 'postgres', `ALTER ROLE ${DB} CREATEDB`);
  if ((await psql('postgres', 'postgres', `SELECT 1 FROM pg_database WHERE datname = '${DB}'`)) !== '1') {
    await psql('postgres', 'postgres', `CREATE DATABASE ${DB} OWNER ${DB}`);
  }
  if ((await psql(DB, DB, 'select 1')) !== '1') throw startFailure(proc, 'did not answer select 1');
  return `postgres://${DB}:${DB}@${HOST}:${port}/${DB}`;
}

function assertReachable(dir: string, user: OsUser): void {
  const probe = spawnSync('test', ['-w', dir, '-a', '-x', dir], { uid: user.uid, gid: user.gid });
  if (probe.status !== 0) {
    throw new StartError(
      `postgres: the OS user "${user.name}" cannot reach ${dir}. Every parent folder needs o+x ` +
        '(chmod o+x <folder>), or choose a data dir under /tmp or the repository.',
    );
  }
}
