import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

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
  await assertPortsFree(ports);
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

/** Fails up front, naming the port and the variable to change, instead of talking to a stranger's server. */
async function assertPortsFree(ports: Record<string, number>): Promise<void> {
  const vars: Record<string, string> = {
    access: 'ACCESS_API_PORT',
    orchestrator: 'ORCHESTRATOR_API_PORT',
    consumer: 'CONSUMER_MQ_PORT',
    console: 'CONSOLE_PORT',
  };
  for (const [name, port] of Object.entries(ports)) {
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (!free)
      throw new Error(
        `port ${port} (${name}) is already in use by another program; stop it or set ${vars[name]} to another port`,
      );
  }
}

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

/** Runs `node <name>/dist/main.js`, building the bundle first when it is missing or older than its sources. */
export async function startService(
  name: string,
  port: number,
  env: Record<string, string>,
  dataDir: string,
): Promise<ManagedProcess> {
  const logFile = path.join(dataDir, 'logs', `${name}.log`);
  await buildServicesIfStale([name]);
  const out = createWriteStream(logFile, { flags: 'a' });
  const nodeOptions = [
    process.env.SERVICE_NODE_OPTIONS ?? SERVICE_NODE_OPTIONS,
    env.NODE_OPTIONS ?? process.env.NODE_OPTIONS ?? '',
  ]
    .join(' ')
    .trim();
  // node itself is the child (no tsx launcher in between): its pid is the service's, signals reach it directly.
  const child = spawn(process.execPath, [path.join(ROOT, name, 'dist', 'main.js')], {
    cwd: ROOT,
    env: { ...process.env, ...env, NODE_OPTIONS: nodeOptions, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  const managed = managedProcess(name, child);
  await waitForHttp(`http://127.0.0.1:${port}/healthz`, child, logFile, 120_000);
  return managed;
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
  const child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'build-services.mjs'), '--if-stale', ...names], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    // 'close', not 'exit': the output may still be arriving when the process exits.
    child.once('close', resolve);
  });
  if (code !== 0)
    throw new Error(
      `building ${names.join(', ')} failed (node scripts/build-services.mjs ${names.join(' ')}):\n${`${stdout}${stderr}`.trim()}`,
    );
  for (const name of names) upToDate.add(name);
  return stdout;
}

async function startConsole(port: number, adminApiUrl: string, dataDir: string): Promise<ManagedProcess> {
  const logFile = path.join(dataDir, 'logs', 'admin-web.log');
  const out = createWriteStream(logFile, { flags: 'a' });
  const webDir = path.join(ROOT, 'admin-web');
  if (!existsSync(path.join(webDir, 'dist', 'index.html')) || process.env.REBUILD_CONSOLE !== '0') {
    await run(path.join(ROOT, 'node_modules/.bin/vite'), ['build', '--logLevel', 'warn'], webDir, out);
  }
  const child = spawn(
    path.join(ROOT, 'node_modules/.bin/vite'),
    ['preview', '--port', String(port), '--strictPort', '--host', '127.0.0.1'],
    {
      cwd: webDir,
      env: { ...process.env, ADMIN_API_URL: adminApiUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  const managed = managedProcess('admin-web', child);
  await waitForHttp(`http://127.0.0.1:${port}/`, child, logFile, 60_000);
  return managed;
}

function managedProcess(name: string, child: ChildProcess): ManagedProcess {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.once('exit', () => child.kill('SIGKILL'));
  return {
    name,
    child,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function run(cmd: string, args: string[], cwd: string, out: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(out, { end: false });
    child.stderr.pipe(out, { end: false });
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(cmd)} ${args.join(' ')} exited ${code}`)),
    );
  });
}

export async function waitForHttp(url: string, child: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${url}: process exited with ${child.exitCode}; see ${logFile}:\n${tail(logFile)}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms; see ${logFile}:\n${tail(logFile)}`);
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
