import net from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventPublisher, createKafka } from '@regflow/common/kafka';
import { findJava } from '../stack/lib/programs';
import { KafkaProxy } from './kafka-proxy';
import { brokerBehindProxy } from './test-broker';

const quiet = pino({ level: 'silent' });
const TOPIC = 'proxy-test';

describe.runIf(findJava())('the Kafka proxy in front of a real Kafka broker', () => {
  let proxy: KafkaProxy;
  let publisher: EventPublisher;
  let stop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ proxy, stop } = await brokerBehindProxy('proxy-test'));
    const kafka = createKafka({ clientId: 'proxy-test', brokers: proxy.address.split(','), logger: quiet });
    publisher = new EventPublisher(kafka, quiet, {
      timeoutMs: 3000,
      topics: [{ topic: TOPIC, partitions: 1, replicationFactor: 1 }],
    });
    await publisher.connect();
  }, 180_000);

  afterAll(async () => {
    await publisher?.close().catch(() => undefined);
    await stop?.();
  }, 60_000);

  const send = (value: string) => publisher.publish(TOPIC, { key: 'k', value });

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
    expect(proxy.unparsed).toBe(0);
  });
});

describe('the Kafka proxy in front of several brokers', () => {
  it('when a Metadata answer lists three brokers, then each port becomes the proxy port standing for that broker', async () => {
    const brokers = await Promise.all([0, 1, 2].map(() => fakeBroker()));
    const proxy = await KafkaProxy.start(brokers.map((b) => `127.0.0.1:${b.port}`).join(','));
    try {
      const proxyPorts = proxy.address.split(',').map((a) => Number(a.split(':')[1]));
      const answer = await metadataThrough(proxyPorts[1] as number);
      expect(answer).toEqual(proxyPorts);
      expect(proxy.rewritten).toBe(3);
      expect(proxy.unparsed).toBe(0);
    } finally {
      await proxy.close();
      for (const b of brokers) b.server.close();
    }
  });

  /** Answers any request with a Metadata v6 response naming the three fake brokers' ports. */
  let fakes: number[] = [];
  async function fakeBroker(): Promise<{ server: net.Server; port: number }> {
    const server = net.createServer((socket) => {
      socket.once('data', (request: Buffer) => {
        const correlationId = request.readInt32BE(8);
        socket.write(metadataV6Response(correlationId, fakes));
      });
    });
    const port = await new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)),
    );
    fakes = [...fakes, port];
    return { server, port };
  }
});

function metadataV6Response(correlationId: number, ports: number[]): Buffer {
  const parts: Buffer[] = [];
  const int32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    parts.push(b);
  };
  const string = (s: string | null) => {
    const b = Buffer.alloc(2);
    b.writeInt16BE(s === null ? -1 : s.length);
    parts.push(b);
    if (s !== null) parts.push(Buffer.from(s));
  };
  int32(correlationId);
  int32(0); // throttle_time_ms
  int32(ports.length);
  ports.forEach((port, i) => {
    int32(i + 1);
    string('127.0.0.1');
    int32(port);
    string(null); // rack
  });
  string('cluster'); // cluster_id
  int32(1); // controller_id
  int32(0); // no topics
  const body = Buffer.concat(parts);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

/** Sends a Metadata v6 request through the given port and returns the broker ports of the answer. */
async function metadataThrough(port: number): Promise<number[]> {
  const socket = net.connect({ port, host: '127.0.0.1' });
  const clientId = Buffer.from('test');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length + 4);
  let at = 0;
  at = body.writeInt16BE(3, at); // api key Metadata
  at = body.writeInt16BE(6, at); // version
  at = body.writeInt32BE(42, at); // correlation id
  at = body.writeInt16BE(clientId.length, at);
  at += clientId.copy(body, at);
  body.writeInt32BE(0, at); // no topics
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  socket.write(Buffer.concat([size, body]));
  const frame = await new Promise<Buffer>((resolve, reject) => {
    let buffer = Buffer.alloc(0);
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (buffer.length >= 4 && buffer.length >= 4 + buffer.readInt32BE(0)) resolve(buffer);
    });
  });
  socket.destroy();
  const ports: number[] = [];
  let pos = 12; // size, correlation id, throttle
  const count = frame.readInt32BE(pos);
  pos += 4;
  for (let i = 0; i < count; i++) {
    pos += 4;
    pos += 2 + frame.readInt16BE(pos);
    ports.push(frame.readInt32BE(pos));
    pos += 4;
    const rack = frame.readInt16BE(pos);
    pos += 2 + Math.max(0, rack);
  }
  return ports;
}
