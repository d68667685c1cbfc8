import { mkdirSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertPortsFree } from './stack/lib/net';
import {
  readLogTail,
  runCommand,
  runToLog,
  startProcess,
  type ManagedProcess,
  type SpawnSpec,
} from './stack/lib/processes';
import { startStack } from './stack/stack';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface SystemOptions {
  dataDir: string;
  ports?: Partial<Record<'access' | 'orchestrator' | 'consumer' | 'console', number>>;
  log?: (line: string) => void;
  /** Extra environment for the services (rate limits in tests, for example). */
  serviceEnv?: Record<string, string>;
  console?: boolean;
}

export interface RunningSystem {
  urls: { access: string; orchestrator: string; consumer: string; console?: string };
  admin: { email: string; password: string };
  env: Record<string, string>;
  services: Map<string, ManagedProcess>;
  stop(): Promise<void>;
}

export type { ManagedProcess };

/**
 * The whole system on this machine: the real servers (scripts/stack), the three services as child
 * processes (so they can be killed and restarted like in production), and the console.
 */
export async function startSystem(opts: SystemOptions): Promise<RunningSystem> {
  const log = opts.log ?? ((line: string) => console.log(line));
  mkdirSync(path.join(opts.dataDir, 'logs'), { recursive: true });
  const ports = {
    access: Number(process.env.ACCESS_API_PORT ?? 3001),
    orchestrator: Number(process.env.ORCHESTRATOR_API_PORT ?? 3002),
    consumer: Number(process.env.CONSUMER_MQ_PORT ?? 3003),
    console: Number(process.env.CONSOLE_PORT ?? 8080),
    ...opts.ports,
  };
  await assertPortsFree(ports, (name) => `set ${PORT_VARIABLES[name]} to another port`);
  // Before the servers start, so a build error costs seconds, not a stack start and stop.
  for (const line of (await buildServicesIfStale(['orchestrator-api', 'consumer-mq', 'access-api']))
    .split('\n')
    .filter(Boolean))
    log(line);
  const stack = await startStack({ dataDir: opts.dataDir, log });
  const admin = adminAccount(opts.dataDir);
  const emailTokenSecret = process.env.EMAIL_TOKEN_SECRET ?? keptSecret(opts.dataDir, 'email-token-secret');
  const urls = {
    access: `http://127.0.0.1:${ports.access}`,
    orchestrator: `http://127.0.0.1:${ports.orchestrator}`,
    consumer: `http://127.0.0.1:${ports.consumer}`,
  };
  const env: Record<string, string> = {
    ...stack.env,
    ORCHESTRATOR_URL: urls.orchestrator,
    ADMIN_EMAIL: admin.email,
    ADMIN_PASSWORD: admin.password,
    CONSOLE_ORIGIN: `http://127.0.0.1:${ports.console}`,
    EMAIL_TOKEN_SECRET: emailTokenSecret,
    // The confirmation links in the emails point at the access API as the applicant reaches it.
    PUBLIC_ACCESS_API_URL: process.env.PUBLIC_ACCESS_API_URL ?? urls.access,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    ...opts.serviceEnv,
  };
  const services = new Map<string, ManagedProcess>();
  const stopAll = async () => {
    await Promise.allSettled([...services.values()].reverse().map((s) => s.stop()));
    await stack.stop();
  };
  try {
    const started = await Promise.all([
      startService('orchestrator-api', ports.orchestrator, env, opts.dataDir),
      startService('consumer-mq', ports.consumer, env, opts.dataDir),
      startService('access-api', ports.access, env, opts.dataDir),
    ]);
    for (const s of started) services.set(s.name, s);
    let consoleUrl: string | undefined;
    if (opts.console !== false) {
      const consoleProcess = await startConsole(ports.console, urls.consumer, opts.dataDir);
      services.set('admin-web', consoleProcess);
      consoleUrl = `http://127.0.0.1:${ports.console}`;
    }
    return { urls: { ...urls, console: consoleUrl }, admin, env, services, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** The variable that moves each service's port elsewhere, for the message when the port is taken. */
const PORT_VARIABLES: Record<string, string> = {
  access: 'ACCESS_API_PORT',
  orchestrator: 'ORCHESTRATOR_API_PORT',
  consumer: 'CONSUMER_MQ_PORT',
  console: 'CONSOLE_PORT',
};

/** The admin account for local runs: from the environment, or generated once and kept in the data folder. */
function adminAccount(dataDir: string): { email: string; password: string } {
  if (process.env.ADMIN_EMAIL && process.env.ADMIN_PASSWORD)
    return { email: process.env.ADMIN_EMAIL, password: process.env.ADMIN_PASSWORD };
  const file = path.join(dataDir, 'admin.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as { email: string; password: string };
  const account = { email: 'admin@regflow.local', password: `Rf-${randomBytes(12).toString('base64url')}9a` };
  writeFileSync(file, JSON.stringify(account), { mode: 0o600 });
  return account;
}

/** A secret for local runs, generated once and kept in the data folder (so links sent before a restart still work). */
function keptSecret(dataDir: string, name: string): string {
  const file = path.join(dataDir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(24).toString('hex');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/**
 * Heap settings for the services (issue 6: every service < 150 MB RSS at peak; figures in
 * docs/benchmarks.md). 8 MB semi-spaces instead of 16 halve the young generation at no measurable CPU
 * cost. The old-space limit is far above what the services use: it is there because V8 grows the old
 * generation less eagerly under a smaller limit (the default here is about 4 GB), which took peak RSS
 * from about 150 to 110 MB for about 4 % more CPU per request. Lower limits or semi-spaces of 4 MB or
 * less saved little more and cost 20-50 % more CPU.
 * Keep in step with the Dockerfile's NODE_OPTIONS and the workspaces' start scripts.
 * SERVICE_NODE_OPTIONS replaces them (empty: node's own defaults); a caller's NODE_OPTIONS comes after
 * them, so its flags win (the bench's --service-node-options).
 */
export const SERVICE_NODE_OPTIONS = '--max-semi-space-size=8 --max-old-space-size=1536';

/**
 * `node <workspace>/dist/main.js` with the services' heap settings, on 127.0.0.1:port, output to
 * logFile. node itself is the child (no tsx launcher in between): its pid is the service's, signals
 * reach it directly, and a SIGKILL is a real crash (the fault suite).
 */
export function serviceSpec(opts: {
  name: string;
  workspace: string;
  port: number;
  env: Record<string, string>;
  logFile: string;
}): SpawnSpec {
  const nodeOptions = [
    process.env.SERVICE_NODE_OPTIONS ?? SERVICE_NODE_OPTIONS,
    opts.env.NODE_OPTIONS ?? process.env.NODE_OPTIONS ?? '',
  ]
    .join(' ')
    .trim();
  return {
    name: opts.name,
    command: process.execPath,
    args: [path.join(ROOT, opts.workspace, 'dist', 'main.js')],
    cwd: ROOT,
    env: { ...process.env, ...opts.env, NODE_OPTIONS: nodeOptions, PORT: String(opts.port), HOST: '127.0.0.1' },
    logFile: opts.logFile,
    // Its ordered shutdown: stop taking work, finish what is in flight, close the clients.
    stopTimeoutMs: 30_000,
  };
}

/** Starts a service (building its bundle first when it is missing or older than its sources) and waits for /healthz. */
export async function startService(
  name: string,
  port: number,
  env: Record<string, string>,
  dataDir: string,
): Promise<ManagedProcess> {
  await buildServicesIfStale([name]);
  const proc = startProcess(
    serviceSpec({ name, workspace: name, port, env, logFile: path.join(dataDir, 'logs', `${name}.log`) }),
  );
  await readyOrStopped(proc, `http://127.0.0.1:${port}/healthz`, 120_000);
  return proc;
}

/** Services whose bundle this process has already brought up to date. */
const upToDate = new Set<string>();

/**
 * `node scripts/build-services.mjs --if-stale`, as a separate process because the build script is plain
 * JavaScript that must also run without tsx. Returns what it printed (a line per bundle it built).
 * Once per service and process: `startSystem` checks all three before the servers start, so its
 * `startService` calls (and a restart by the fault suite) run that bundle without checking again.
 */
export async function buildServicesIfStale(requested: string[]): Promise<string> {
  const names = requested.filter((name) => !upToDate.has(name));
  if (names.length === 0) return '';
  const { code, stdout, stderr } = await runCommand(
    process.execPath,
    [path.join(ROOT, 'scripts', 'build-services.mjs'), '--if-stale', ...names],
    { cwd: ROOT, timeoutMs: 10 * 60_000 },
  );
  if (code !== 0)
    throw new Error(
      `building ${names.join(', ')} failed (node scripts/build-services.mjs ${names.join(' ')}):\n${`${stdout}${stderr}`.trim()}`,
    );
  for (const name of names) upToDate.add(name);
  return stdout;
}

async function startConsole(port: number, adminApiUrl: string, dataDir: string): Promise<ManagedProcess> {
  const logFile = path.join(dataDir, 'logs', 'admin-web.log');
  const webDir = path.join(ROOT, 'admin-web');
  const vite = path.join(ROOT, 'node_modules/.bin/vite');
  if (!existsSync(path.join(webDir, 'dist', 'index.html')) || process.env.REBUILD_CONSOLE !== '0') {
    const code = await runToLog(vite, ['build', '--logLevel', 'warn'], { logFile, cwd: webDir });
    if (code !== 0) throw new Error(`vite build exited ${String(code)}; see ${logFile}:\n${readLogTail(logFile)}`);
  }
  const proc = startProcess({
    name: 'admin-web',
    command: vite,
    args: ['preview', '--port', String(port), '--strictPort', '--host', '127.0.0.1'],
    cwd: webDir,
    env: { ...process.env, ADMIN_API_URL: adminApiUrl },
    logFile,
  });
  await readyOrStopped(proc, `http://127.0.0.1:${port}/`, 60_000);
  return proc;
}

/** Waits until url answers; a process that does not get there is stopped, not left behind. */
async function readyOrStopped(proc: ManagedProcess, url: string, timeoutMs: number): Promise<void> {
  try {
    await proc.waitForHttp(url, timeoutMs);
  } catch (err) {
    await proc.stop();
    throw err;
  }
}
