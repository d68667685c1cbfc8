import { which } from '../lib/programs';
import { startFailure, StartError, tcpAccepts, waitUntil } from '../lib/net';
import type { ServerContext } from './context';

const START_TIMEOUT_MS = 30_000;
// librdkafka prints the mock cluster address as a notice ("... replaced with 127.0.0.1:PORT"),
// or with -d mock as "bootstrap.servers=127.0.0.1:PORT".
const ADDRESS = /(?:bootstrap\.servers=|replaced with )(127\.0\.0\.1:\d+)/;

/**
 * No Kafka package exists for Debian; librdkafka's built-in mock cluster (reachable through kcat)
 * speaks the real protocol. It lives inside the kcat process, so it keeps nothing across restarts.
 */
export async function startKafka(ctx: ServerContext): Promise<string> {
  const kcat = which('kcat') ?? which('kafkacat');
  if (!kcat) throw new StartError('kafka: kcat not found (Debian package kcat)');
  let address: string | null = null;
  const proc = ctx.spawn({
    name: 'kafka',
    command: kcat,
    // A consumer that never ends keeps the process, and so the mock cluster, alive; -q keeps its
    // per-message chatter out of the log.
    args: ['-q', '-b', '127.0.0.1:1', '-C', '-t', '_stack_keepalive', '-X', 'test.mock.num.brokers=1'],
    cwd: ctx.dataDir,
    onLine: (line) => {
      address ??= ADDRESS.exec(line)?.[1] ?? null;
    },
  });
  await waitUntil(proc, 'printing the mock cluster address', async () => address !== null, START_TIMEOUT_MS, 50);
  const broker = address as string | null;
  if (!broker) throw startFailure(proc, 'printed no address');
  const port = Number(broker.split(':')[1]);
  await waitUntil(proc, `accepting TCP on ${broker}`, () => tcpAccepts(port), START_TIMEOUT_MS);
  return broker;
}
