import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { which } from '../stack/lib/programs';
import { KafkaProxy } from './kafka-proxy';

const kcat = which('kcat') ?? which('kafkacat');

describe.runIf(kcat)('the Kafka proxy in front of a real kcat mock broker', () => {
  let broker: ChildProcess;
  let proxy: KafkaProxy;
  let producer: Producer;

  const send = async (value: string) => {
    await producer.send({ topic: 'proxy-test', acks: -1, messages: [{ key: 'k', value }] });
  };

  beforeAll(async () => {
    broker = spawn(kcat as string, ['-q', '-b', '127.0.0.1:1', '-C', '-t', '_keepalive', '-X', 'test.mock.num.brokers=1'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const address = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('kcat printed no address')), 15_000);
      broker.stderr?.on('data', (chunk: Buffer) => {
        const match = /(127\.0\.0\.1:\d+)/.exec(chunk.toString());
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
    });
    proxy = await KafkaProxy.start(address);
    const kafka = new Kafka({
      clientId: 'proxy-test',
      brokers: [proxy.address],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1000,
      requestTimeout: 2000,
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 500 },
    });
    producer = kafka.producer({ allowAutoTopicCreation: true });
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect().catch(() => undefined);
    await proxy?.close();
    broker?.kill('SIGKILL');
  });

  it('when a client bootstraps through it, then the broker address it learns is the proxy', async () => {
    await send('first');
    expect(proxy.rewritten).toBeGreaterThan(0);
    expect(proxy.unparsed).toBe(0);
  });

  it('when it refuses, then a publish fails (no client went around it), and succeeds again once it is up', async () => {
    await send('before');
    await proxy.setMode('refuse');
    await expect(send('during')).rejects.toThrow();
    await proxy.setMode('up');
    await expect(send('after')).resolves.toBeUndefined();
  });

  it('when it drops all traffic, then a publish does not complete until it is back', async () => {
    await proxy.setMode('blackhole');
    const started = Date.now();
    await expect(send('during')).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    await proxy.setMode('up');
    await expect(send('after')).resolves.toBeUndefined();
  });
});
