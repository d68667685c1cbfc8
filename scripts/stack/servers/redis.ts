import fs from 'node:fs';
import path from 'node:path';
import { which } from '../lib/programs';
import { freePort, HOST, runCommand, StartError, waitUntil } from '../lib/net';
import type { ServerContext } from './context';

const START_TIMEOUT_MS = 30_000;

function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export async function startRedis(ctx: ServerContext): Promise<string> {
  const server = which('redis-server');
  const cli = which('redis-cli');
  if (!server || !cli) throw new StartError('redis: redis-server or redis-cli not found (Debian package redis-server)');
  const dir = path.join(ctx.dataDir, 'redis');
  fs.mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const confFile = path.join(dir, 'redis.conf');
  // Regenerated on each start because the port changes; the data files stay.
  fs.writeFileSync(
    confFile,
    [
      `bind ${HOST}`,
      `port ${port}`,
      'protected-mode yes',
      'daemonize no',
      'supervised no',
      `dir ${quote(dir)}`,
      'logfile ""',
      'appendonly yes',
      'appendfsync everysec',
      // The append-only file is the persistence; RDB snapshots on top only cost disk writes.
      'save ""',
      '',
    ].join('\n'),
  );
  const proc = ctx.spawn({ name: 'redis', command: server, args: [confFile], cwd: dir, stopTimeoutMs: 15_000 });
  await waitUntil(
    proc,
    'answering PING',
    async () => {
      const result = await runCommand(cli, ['-h', HOST, '-p', String(port), 'ping'], { timeoutMs: 3_000 });
      return result.stdout.trim() === 'PONG';
    },
    START_TIMEOUT_MS,
  );
  return `redis://${HOST}:${port}`;
}
