import net from 'node:net';
import { HOST } from '../stack/lib/net';

export type ProxyMode = 'up' | 'refuse' | 'blackhole';

/** Kafka API keys whose responses carry broker addresses. */
const METADATA = 3;
const FIND_COORDINATOR = 10;

interface Link {
  client: net.Socket;
  broker: net.Socket;
  /** Requests in flight on this connection: correlation id -> api key and version. */
  requests: Map<number, { apiKey: number; apiVersion: number }>;
}

/**
 * A TCP proxy in front of the Kafka broker, so Kafka can be made unreachable without restarting it
 * (the local mock cluster keeps nothing across a restart).
 *
 * Clients learn broker addresses from Metadata and FindCoordinator responses and then connect there
 * directly, which would bypass the proxy after the first request. So the proxy rewrites the broker's
 * port in those two responses to its own; the host (127.0.0.1) stays the same. kafkajs only uses the
 * non-flexible versions of both APIs (Metadata v0-v6, FindCoordinator v0-v2), whose layouts are fixed;
 * an unknown version is passed through untouched and counted.
 *
 * Modes: `up` forwards; `refuse` closes every connection and stops listening (connect() gets
 * ECONNREFUSED, like a broker host that is down); `blackhole` keeps connections open but drops every
 * byte both ways (like a network partition: requests time out), and resets them when it ends.
 */
export class KafkaProxy {
  private server: net.Server | null = null;
  private readonly links = new Set<Link>();
  private mode: ProxyMode = 'up';
  /** Responses whose version the proxy could not parse: must stay 0, or clients may bypass it. */
  unparsed = 0;
  rewritten = 0;

  private constructor(
    public port: number,
    private readonly brokerPort: number,
  ) {}

  static async start(brokerAddress: string, port = 0): Promise<KafkaProxy> {
    const brokerPort = Number(brokerAddress.split(':')[1]);
    const proxy = new KafkaProxy(port, brokerPort);
    proxy.port = await proxy.listen(port);
    return proxy;
  }

  get address(): string {
    return `${HOST}:${this.port}`;
  }

  get currentMode(): ProxyMode {
    return this.mode;
  }

  private listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = net.createServer((client) => this.accept(client));
      server.once('error', reject);
      server.listen({ port, host: HOST, exclusive: true }, () => {
        server.removeListener('error', reject);
        server.on('error', () => undefined);
        this.server = server;
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  }

  async setMode(mode: ProxyMode): Promise<void> {
    const previous = this.mode;
    if (mode === previous) return;
    this.mode = mode;
    if (mode === 'refuse') {
      this.dropAll();
      const server = this.server;
      this.server = null;
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    } else if (mode === 'up') {
      if (previous === 'blackhole') {
        // Connections that lived through a blackhole have lost bytes mid-frame: only a reset is safe.
        // Refusing for a moment after it lets the broker see every close before a client reconnects:
        // librdkafka's mock aborts (assertion `!member->resp` in rd_kafka_mock_cgrp_member_add) when
        // a group member re-joins on a new connection while its old one still holds a parked JoinGroup.
        this.mode = 'refuse';
        this.dropAll();
        const server = this.server;
        this.server = null;
        await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
        await new Promise((r) => setTimeout(r, 1500));
        this.mode = 'up';
      }
      if (!this.server) {
        for (let attempt = 1; ; attempt++) {
          try {
            await this.listen(this.port);
            break;
          } catch (err) {
            if (attempt >= 20) throw err;
            await new Promise((r) => setTimeout(r, 250));
          }
        }
      }
    }
  }

  private dropAll(): void {
    for (const link of this.links) {
      link.client.destroy();
      link.broker.destroy();
    }
    this.links.clear();
  }

  private accept(client: net.Socket): void {
    if (this.mode === 'refuse') {
      client.destroy();
      return;
    }
    const broker = net.connect({ port: this.brokerPort, host: HOST });
    const link: Link = { client, broker, requests: new Map() };
    this.links.add(link);
    const close = () => {
      this.links.delete(link);
      client.destroy();
      broker.destroy();
    };
    client.on('error', close);
    broker.on('error', close);
    client.on('close', close);
    broker.on('close', close);
    client.setNoDelay(true);
    broker.setNoDelay(true);

    const fromClient = new Framer((frame) => {
      if (frame.length >= 12) {
        link.requests.set(frame.readInt32BE(8), { apiKey: frame.readInt16BE(4), apiVersion: frame.readInt16BE(6) });
      }
      broker.write(frame);
    });
    const fromBroker = new Framer((frame) => {
      if (frame.length >= 8) {
        const correlationId = frame.readInt32BE(4);
        const request = link.requests.get(correlationId);
        link.requests.delete(correlationId);
        if (request) this.rewrite(frame, request.apiKey, request.apiVersion);
      }
      client.write(frame);
    });
    client.on('data', (chunk: Buffer) => {
      if (this.mode === 'up' && this.links.has(link)) fromClient.push(chunk);
    });
    broker.on('data', (chunk: Buffer) => {
      if (this.mode === 'up' && this.links.has(link)) fromBroker.push(chunk);
    });
  }

  /** Rewrites, in place, the broker port in a Metadata or FindCoordinator response. */
  private rewrite(frame: Buffer, apiKey: number, version: number): void {
    try {
      // After the 4-byte size and the 4-byte correlation id (response header v0).
      let at = 8;
      const swapPort = (offset: number) => {
        if (frame.readInt32BE(offset) === this.brokerPort) {
          frame.writeInt32BE(this.port, offset);
          this.rewritten++;
        }
      };
      const skipString = () => {
        const len = frame.readInt16BE(at);
        at += 2 + Math.max(0, len);
      };
      if (apiKey === METADATA) {
        if (version > 8) {
          this.unparsed++;
          return;
        }
        if (version >= 3) at += 4; // throttle_time_ms
        const brokers = frame.readInt32BE(at);
        at += 4;
        for (let i = 0; i < brokers; i++) {
          at += 4; // node_id
          skipString(); // host
          swapPort(at);
          at += 4;
          if (version >= 1) skipString(); // rack (nullable: length -1)
        }
      } else if (apiKey === FIND_COORDINATOR) {
        if (version > 2) {
          this.unparsed++;
          return;
        }
        if (version >= 1) at += 4; // throttle_time_ms
        at += 2; // error_code
        if (version >= 1) skipString(); // error_message
        at += 4; // node_id
        skipString(); // host
        swapPort(at);
      }
    } catch {
      this.unparsed++;
    }
  }

  async close(): Promise<void> {
    this.dropAll();
    const server = this.server;
    this.server = null;
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

/** Splits a byte stream into Kafka frames (int32 size + payload), each handed over whole. */
class Framer {
  private buffer: Buffer = Buffer.alloc(0);

  constructor(private readonly onFrame: (frame: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= 4) {
      const size = this.buffer.readInt32BE(0);
      if (this.buffer.length < 4 + size) return;
      const frame = Buffer.from(this.buffer.subarray(0, 4 + size));
      this.buffer = this.buffer.subarray(4 + size);
      this.onFrame(frame);
    }
  }
}
