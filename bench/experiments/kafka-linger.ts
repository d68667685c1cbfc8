// `npx tsx bench/experiments/kafka-linger.ts`: the publisher's linger on the real broker (docs/benchmarks.md).
// Its own Kafka broker in a temp folder; ack latency paced at 200/s and 64-publisher throughput, per linger, three rounds.
import path from 'node:path';
import os from 'node:os';
import fs from 'node:fs';
import { createLogger } from '@regflow/common';
import { EventPublisher, createKafka } from '@regflow/common/kafka';
import { parseCli } from '../../scripts/stack/lib/cli';
import { startStack } from '../../scripts/stack/stack';

parseCli({
  usage: 'npx tsx bench/experiments/kafka-linger.ts',
  about:
    "The publisher's linger on a Kafka broker of its own: ack latency at 200/s and 64-publisher throughput, per linger.",
  options: {},
});

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linger-'));
fs.chmodSync(dataDir, 0o755);
const stack = await startStack({ dataDir, skip: { postgres: true, redis: true, activemq: true, elasticsearch: true } });
const logger = createLogger('exp', 'silent');
const brokers = stack.env.KAFKA_BROKERS.split(',');
const pct = (a: number[], p: number) => {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};
const value = JSON.stringify({ pad: 'x'.repeat(400) });
try {
  for (let round = 1; round <= 3; round++)
    for (const linger of [0, 2, 5, 10]) {
      const topic = `exp.${linger}.${round}`;
      const pub = new EventPublisher(createKafka({ clientId: 'exp', brokers, logger }), logger, {
        lingerMs: linger,
        topics: [{ topic, partitions: 4, replicationFactor: 1 }],
      });
      await pub.publish(topic, { key: 'warm', value });
      // paced: 200/s for 3 s
      const lat: number[] = [];
      const sends: Promise<void>[] = [];
      const t0 = performance.now();
      for (let i = 0; i < 600; i++) {
        const at = t0 + i * 5;
        const wait = at - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const s = performance.now();
        sends.push(
          pub.publish(topic, { key: `k${i}`, value }).then(() => {
            lat.push(performance.now() - s);
          }),
        );
      }
      await Promise.all(sends);
      // closed loop: 64 concurrent, 3 s
      let done = 0;
      const end = performance.now() + 3000;
      await Promise.all(
        Array.from({ length: 64 }, async (_, w) => {
          while (performance.now() < end) {
            await pub.publish(topic, { key: `c${w}.${done}`, value });
            done++;
          }
        }),
      );
      await pub.close();
      console.log(
        `round ${round} linger ${linger}: paced 200/s ack p50 ${pct(lat, 0.5).toFixed(1)} p99 ${pct(lat, 0.99).toFixed(1)} ms; closed loop 64: ${Math.round(done / 3)}/s; load ${(os.loadavg()[0] ?? 0).toFixed(1)}`,
      );
    }
} finally {
  await stack.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
