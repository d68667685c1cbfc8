import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort, HOST, stompConnect, tcpAccepts } from '../../scripts/stack/lib/net';
import { startProcess, type ManagedProcess } from '../../scripts/stack/lib/processes';

/**
 * Experiment only (`npm run bench -- --experiment broker-tcp-nodelay`): a second ActiveMQ, configured
 * like the stack's own (its generated activemq.xml, copied) except that its STOMP connector sets
 * `transport.tcpNoDelay=true`. Without it the broker's small RECEIPT frames wait on Nagle's algorithm
 * for the client's delayed ACK (about 40 ms on Linux) whenever sends come in bursts.
 */
export async function startNoDelayBroker(dataDir: string, log: (line: string) => void): Promise<{ url: string; proc: ManagedProcess }> {
  const stackConf = path.join(dataDir, 'activemq', 'conf');
  const base = path.join(dataDir, 'activemq-nodelay');
  const dirs = { conf: path.join(base, 'conf'), data: path.join(base, 'data'), tmp: path.join(base, 'tmp') };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  const [stomp, openwire] = [await freePort(), await freePort()];
  const xml = readFileSync(path.join(stackConf, 'activemq.xml'), 'utf8')
    .replaceAll(path.join(dataDir, 'activemq', 'data'), dirs.data)
    .replace(/uri="tcp:\/\/[^"]+"/, `uri="tcp://${HOST}:${openwire}"`)
    .replace(/uri="stomp:\/\/[^"?]+\?([^"]*)"/, `uri="stomp://${HOST}:${stomp}?$1&amp;transport.tcpNoDelay=true"`);
  if (!xml.includes('transport.tcpNoDelay=true')) throw new Error('broker-tcp-nodelay: the STOMP connector was not found in the stack configuration');
  writeFileSync(path.join(dirs.conf, 'activemq.xml'), xml);
  writeFileSync(path.join(dirs.conf, 'log4j.properties'), readFileSync(path.join(stackConf, 'log4j.properties')));
  // The stack's own command line, with this folder instead of its own.
  const stackArgs = readFileSync(`/proc/${activeMqPid(dataDir)}/cmdline`, 'utf8').split('\0').filter(Boolean);
  const args = stackArgs.slice(1).map((a) => a.replaceAll(path.join(dataDir, 'activemq'), base));
  const proc = startProcess({ name: 'activemq-nodelay', command: stackArgs[0]!, args, logFile: path.join(dataDir, 'logs', 'activemq-nodelay.log'), runDir: path.join(dataDir, 'run'), cwd: base, stopTimeoutMs: 30_000 });
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (!proc.isRunning) throw new Error(`broker-tcp-nodelay: the broker ${proc.describeExit()}`);
    if ((await stompConnect(stomp).catch(() => '')).startsWith('CONNECTED') && (await tcpAccepts(openwire))) {
      log(`experiment: ActiveMQ with transport.tcpNoDelay=true at stomp://${HOST}:${stomp} (${pathToFileURL(dirs.conf).href})`);
      return { url: `stomp://${HOST}:${stomp}`, proc };
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  await proc.stop();
  throw new Error('broker-tcp-nodelay: the broker did not start within 90 s');
}

function activeMqPid(dataDir: string): number {
  return (JSON.parse(readFileSync(path.join(dataDir, 'run', 'activemq.pid'), 'utf8')) as { pid: number }).pid;
}
