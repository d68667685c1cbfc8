import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ManagedProcess } from '../stack/lib/processes';
import { createContext } from '../stack/servers/context';
import { startKafka } from '../stack/servers/kafka';
import { REPO_ROOT } from '../stack/stack';
import { KafkaProxy } from './kafka-proxy';

/**
 * For the suite's own tests: a real Kafka broker of its own in a temp folder, behind a KafkaProxy.
 * stop() closes the proxy, stops the broker and removes the folder.
 */
export async function brokerBehindProxy(
  name: string,
): Promise<{ broker: string; proxy: KafkaProxy; stop(): Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `regflow-${name}-`));
  const procs: ManagedProcess[] = [];
  let proxy: KafkaProxy | undefined;
  const stop = async (): Promise<void> => {
    await proxy?.close();
    await Promise.allSettled(procs.map((p) => p.stop()));
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const ctx = createContext({ dataDir, repoRoot: REPO_ROOT, log: () => undefined, track: (p) => procs.push(p) });
    const broker = await startKafka(ctx);
    proxy = await KafkaProxy.start(broker);
    return { broker, proxy, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
