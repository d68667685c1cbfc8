import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { REPO_ROOT } from '../stack/stack';
import { buildServicesIfStale, SERVICE_NODE_OPTIONS } from '../system';

export type Workspace = 'access-api' | 'orchestrator-api' | 'consumer-mq';

const live = new Set<ServiceProcess>();
let exitHandlerInstalled = false;

/**
 * One service replica as its own process group, run as production runs it: `node <workspace>/dist/main.js`
 * (the bundle, built first when stale) with the services' heap settings. A single process, so a
 * SIGKILL to it is a real crash: no shutdown hook runs.
 */
export class ServiceProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  /** Set when the suite itself kills or stops the process; any other exit is the service's own. */
  private exitExpected = false;
  starts = 0;
  /** Exits nobody asked for (a crash of the service itself): when, how, and the log's last lines. */
  readonly crashes: Array<{ at: number; how: string; tail: string }> = [];

  constructor(
    readonly name: string,
    readonly workspace: Workspace,
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly logFile: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Down because it exited on its own (not killed or stopped by the suite). */
  get crashedAndDown(): boolean {
    return this.child !== null && !this.isRunning && !this.exitExpected;
  }

  get isRunning(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the process and waits until /healthz answers. */
  async start(timeoutMs = 120_000): Promise<void> {
    if (this.isRunning) throw new Error(`${this.name} is already running`);
    this.starts++;
    fs.mkdirSync(path.dirname(this.logFile), { recursive: true });
    fs.appendFileSync(
      this.logFile,
      `\n[faults] ${new Date().toISOString()} start #${this.starts} of ${this.name} on port ${this.port}\n`,
    );
    // Checked once per process: restarts during the faults run what was built.
    await buildServicesIfStale([this.workspace]);
    const fd = fs.openSync(this.logFile, 'a');
    try {
      this.child = spawn(process.execPath, [path.join(REPO_ROOT, this.workspace, 'dist', 'main.js')], {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          NODE_OPTIONS: SERVICE_NODE_OPTIONS,
          ...this.env,
          PORT: String(this.port),
          HOST: '127.0.0.1',
        },
        detached: true,
        stdio: ['ignore', fd, fd],
      });
    } finally {
      fs.closeSync(fd);
    }
    const child = this.child;
    this.exitExpected = false;
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        if (!this.exitExpected)
          this.crashes.push({ at: Date.now(), how: describe(child), tail: tail(this.logFile, 40) });
        resolve();
      }),
    );
    live.add(this);
    void this.exited.then(() => live.delete(this));
    installExitHandler();
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.isRunning)
        throw new Error(
          `${this.name} exited during start-up (${describe(child)}); see ${this.logFile}:\n${tail(this.logFile)}`,
        );
      try {
        const res = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(1000) });
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await sleep(200);
    }
    throw new Error(
      `${this.name} did not answer /healthz within ${timeoutMs} ms; see ${this.logFile}:\n${tail(this.logFile)}`,
    );
  }

  /** SIGKILL to the whole group, then waits until the process is gone. */
  async kill(): Promise<void> {
    this.exitExpected = true;
    if (!this.isRunning || this.child?.pid === undefined) return;
    fs.appendFileSync(this.logFile, `[faults] ${new Date().toISOString()} SIGKILL\n`);
    signalGroup(this.child.pid, 'SIGKILL');
    await this.exited;
  }

  /** SIGTERM (the service's ordered shutdown), SIGKILL after `graceMs`. */
  async stop(graceMs = 30_000): Promise<void> {
    this.exitExpected = true;
    if (!this.isRunning || this.child?.pid === undefined) return;
    const pid = this.child.pid;
    signalGroup(pid, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** If the runner dies without stopping them, the services must not outlive it (they hold the ports). */
function installExitHandler(): void {
  if (exitHandlerInstalled) return;
  exitHandlerInstalled = true;
  process.on('exit', () => {
    for (const service of live) if (service.pid !== undefined) signalGroup(service.pid, 'SIGKILL');
  });
}

export async function assertPortsFree(ports: number[]): Promise<void> {
  for (const port of ports) {
    const free = await new Promise<boolean>((resolve) => {
      const probe = net.createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (!free) throw new Error(`port ${port} is in use by another program; stop it or pass --base-port`);
  }
}

function describe(child: ChildProcess): string {
  return child.signalCode ? `killed by ${child.signalCode}` : `exit code ${String(child.exitCode)}`;
}

function tail(file: string, lines = 20): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
