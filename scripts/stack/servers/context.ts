import path from 'node:path';
import { startProcess, type Log, type ManagedProcess, type SpawnSpec } from '../lib/processes';

export interface ServerContext {
  dataDir: string;
  repoRoot: string;
  log: Log;
  logFile(name: string): string;
  /** Spawns a server process that the stack will stop (also on failure of another server). */
  spawn(spec: Omit<SpawnSpec, 'logFile' | 'runDir'> & { logName?: string }): ManagedProcess;
}

export function createContext(opts: {
  dataDir: string;
  repoRoot: string;
  log: Log;
  track: (proc: ManagedProcess) => void;
}): ServerContext {
  const logsDir = path.join(opts.dataDir, 'logs');
  const runDir = path.join(opts.dataDir, 'run');
  const logFile = (name: string): string => path.join(logsDir, `${name}.log`);
  return {
    dataDir: opts.dataDir,
    repoRoot: opts.repoRoot,
    log: opts.log,
    logFile,
    spawn(spec) {
      const proc = startProcess({ ...spec, logFile: logFile(spec.logName ?? spec.name), runDir });
      opts.track(proc);
      return proc;
    },
  };
}
