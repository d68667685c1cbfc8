import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  isAlive,
  poll,
  processStartTime,
  RestartableProcess,
  runCommand,
  runInTerminal,
  runToLog,
  startProcess,
  stopLeftovers,
  type ManagedProcess,
  type SpawnSpec,
} from './lib/processes';
import { assertPortsFree, freePort } from './lib/net';

/** The process manager that npm start, the tests, the benchmark and the fault suite share, on real processes. */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regflow-processes-test-'));
const started: ManagedProcess[] = [];

function nodeSpec(name: string, script: string, extra: Partial<SpawnSpec> = {}): SpawnSpec {
  return {
    name,
    command: process.execPath,
    args: ['-e', script],
    logFile: path.join(dir, 'logs', `${name}.log`),
    ...extra,
  };
}

function start(spec: SpawnSpec): ManagedProcess {
  const proc = startProcess(spec);
  started.push(proc);
  return proc;
}

/** Prints "ready" after it has set itself up; with a file argument, writes its child's pid there. */
const IGNORES_SIGTERM = `process.on('SIGTERM', () => console.log('ignoring SIGTERM')); console.log('ready'); setInterval(() => {}, 1000);`;

afterAll(async () => {
  await Promise.allSettled(started.map((proc) => proc.kill()));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('one process', () => {
  it('when it dies before it is ready, then the wait fails at once with how it ended and its last lines', async () => {
    const proc = start(nodeSpec('dies-early', `console.error('config: PORT is not a number'); process.exit(3);`));
    const t0 = Date.now();
    const error = (await proc.waitUntil('answering', async () => false, 30_000).catch((err: unknown) => err)) as Error;
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(error.message).toMatch(/^dies-early exited with code 3 before answering\. Last lines of .*dies-early\.log:/);
    expect(error.message).toContain('config: PORT is not a number');
  });

  it('when it never gets ready, then the wait fails after its timeout and the process is still there to stop', async () => {
    const proc = start(nodeSpec('never-ready', 'setInterval(() => {}, 1000);'));
    await expect(proc.waitUntil('ready', async () => false, 300, 50)).rejects.toThrow(
      /^never-ready was still not ready after 0 s\./,
    );
    expect(proc.isRunning).toBe(true);
    await proc.stop();
    expect(proc.isRunning).toBe(false);
  });

  it('when it ignores the stop signal, then stop() sends SIGKILL after the stop timeout and says so in its log', async () => {
    const proc = start(nodeSpec('stubborn', IGNORES_SIGTERM, { stopTimeoutMs: 500 }));
    await proc.waitUntil('ready', async () => proc.logTail(1) === 'ready', 10_000, 50);
    const t0 = Date.now();
    await proc.stop();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(500);
    expect(proc.describeExit()).toBe('was killed by SIGKILL');
    expect(proc.logTail(5)).toMatch(/ignoring SIGTERM[\s\S]*no exit 500 ms after SIGTERM, sending SIGKILL/);
    expect(proc.exitedOnItsOwn).toBe(false);
  });

  it('when stopped, then a helper it started in its group is gone too', async () => {
    const pidFile = path.join(dir, 'helper.pid');
    const helper = `require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })`;
    const proc = start(
      nodeSpec(
        'with-helper',
        `const c = ${helper}; require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(c.pid)); setInterval(() => {}, 1000);`,
      ),
    );
    await proc.waitUntil('starting its helper', async () => fs.existsSync(pidFile), 10_000, 50);
    const helperPid = Number(fs.readFileSync(pidFile, 'utf8'));
    expect(isAlive(helperPid)).toBe(true);
    await proc.stop();
    await poll(() => !isAlive(helperPid), { timeoutMs: 5_000, intervalMs: 50 });
  });

  it('when given a run folder, then its pid file is there while it runs and gone after it exits; without one there is none', async () => {
    const runDir = path.join(dir, 'run');
    const withFile = start(nodeSpec('with-pid-file', 'setInterval(() => {}, 1000);', { runDir }));
    const record = JSON.parse(fs.readFileSync(path.join(runDir, 'with-pid-file.pid'), 'utf8')) as { pid: number };
    expect(record.pid).toBe(withFile.pid);
    const without = start(nodeSpec('without-pid-file', 'setInterval(() => {}, 1000);'));
    expect(fs.readdirSync(runDir)).toEqual(['with-pid-file.pid']);
    await Promise.all([withFile.stop(), without.stop()]);
    expect(fs.readdirSync(runDir)).toEqual([]);
  });

  it('when a pid file names a process left over from a killed parent, then stopLeftovers stops it and removes the file', async () => {
    const runDir = path.join(dir, 'leftovers');
    fs.mkdirSync(runDir, { recursive: true });
    // What a killed parent leaves: a process in its own group, and its pid file.
    const orphan = start(nodeSpec('orphan', 'setInterval(() => {}, 1000);'));
    const pid = orphan.pid as number;
    fs.writeFileSync(
      path.join(runDir, 'orphan.pid'),
      JSON.stringify({
        pid,
        startTime: processStartTime(pid),
        stopSignal: 'SIGTERM',
        stopSignalToGroup: true,
        command: 'node',
      }),
    );
    const said: string[] = [];
    await stopLeftovers(runDir, (line) => said.push(line));
    expect(said).toEqual([`orphan: stopping pid ${pid} left over from an earlier run on this data dir`]);
    expect(isAlive(pid)).toBe(false);
    expect(fs.readdirSync(runDir)).toEqual([]);
  });
});

describe('a process restarted again and again (the fault suite)', () => {
  it('when killed, then it is down but no crash is recorded; when it exits on its own, then the crash is recorded with its last lines', async () => {
    const flag = path.join(dir, 'crash-now');
    const script = `console.log('up'); setInterval(() => { if (require('node:fs').existsSync(${JSON.stringify(flag)})) { console.error('FATAL out of cheese'); process.exit(70); } }, 20);`;
    const service = new RestartableProcess(nodeSpec('replica', script), (proc) =>
      proc.waitUntil('up', async () => proc.logTail(1) === 'up', 10_000, 20),
    );
    await service.start();
    await expect(service.start()).rejects.toThrow('replica is already running');
    const firstPid = service.pid;
    await service.kill();
    expect(service.isRunning).toBe(false);
    expect(service.crashedAndDown).toBe(false);
    expect(service.crashes).toEqual([]);

    await service.start();
    expect(service.pid).not.toBe(firstPid);
    expect(service.starts).toBe(2);
    fs.writeFileSync(flag, '');
    await poll(() => service.crashedAndDown, { timeoutMs: 10_000, intervalMs: 20 });
    expect(service.crashes).toHaveLength(1);
    expect(service.crashes[0]?.how).toBe('exited with code 70');
    expect(service.crashes[0]?.tail).toContain('FATAL out of cheese');

    fs.rmSync(flag);
    await service.start();
    expect(service.isRunning).toBe(true);
    await service.stop();
    expect(service.crashedAndDown).toBe(false);
    expect(service.crashes).toHaveLength(1);
  });
});

describe('ports', () => {
  it('when a port is taken, then the check names it and says how to choose another', async () => {
    const port = await freePort();
    const holder = start(
      nodeSpec(
        'port-holder',
        `require('node:net').createServer().listen(${port}, '127.0.0.1', () => console.log('listening'));`,
      ),
    );
    await holder.waitUntil('listening', async () => holder.logTail(1) === 'listening', 10_000, 20);
    await expect(assertPortsFree({ access: port }, () => 'set ACCESS_API_PORT to another port')).rejects.toThrow(
      `port ${port} (access) is already in use by another program; stop it or set ACCESS_API_PORT to another port`,
    );
    await holder.stop();
    await expect(assertPortsFree({ access: port }, () => 'unused')).resolves.toBeUndefined();
  });
});

describe('one-shot commands', () => {
  it('when a command runs to its end, then its exit code comes back (its output in the log, or captured); one that cannot run gives null', async () => {
    const logFile = path.join(dir, 'logs', 'one-shot.log');
    expect(await runToLog(process.execPath, ['-e', 'console.log("to the log"); process.exit(4)'], { logFile })).toBe(4);
    expect(fs.readFileSync(logFile, 'utf8')).toMatch(/running: .*node -e[\s\S]*\nto the log\n$/);
    expect(await runInTerminal(process.execPath, ['-e', 'process.exit(0)'])).toBe(0);
    expect(await runInTerminal(path.join(dir, 'no-such-program'), [])).toBeNull();
    expect(
      await runCommand(process.execPath, ['-e', 'console.log("out"); console.error("err"); process.exit(5)']),
    ).toEqual({
      code: 5,
      stdout: 'out\n',
      stderr: 'err\n',
    });
  });
});
