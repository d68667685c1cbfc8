import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { HOST } from '../stack/lib/net';

export type ProxyMode = 'up' | 'refuse' | 'blackhole';

/** Kafka API keys: Produce, and those whose responses carry broker addresses. */
export const PRODUCE = 0;
const METADATA = 3;
const FIND_COORDINATOR = 10;

interface Link {
  client: net.Socket;
  broker: net.Socket;
  /** Requests in flight on this connection: correlation id -> api key and version. */
  requests: Map<number, { apiKey: number; apiVersion: number }>;
}

/** One listening port of the proxy, standing for one broker. */
interface Route {
  brokerPort: number;
  port: number;
  server: net.Server | null;
}

/**
 * A TCP proxy between the services and the Kafka cluster: one listening port per broker, so the
 * network between them can be cut (refused or blackholed) while the brokers keep running.
 *
 * Clients learn broker addresses from Metadata and FindCoordinator responses and then connect there
 * directly, which would bypass the proxy after the first request. So the proxy rewrites each broker's
 * port in those two responses to the port that stands for that broker; the host (127.0.0.1, the
 * brokers' advertised host) stays the same. kafkajs only uses the non-flexible versions of both APIs
 * (Metadata v0-v6, FindCoordinator v0-v2), whose layouts are fixed; an unknown version, or a broker
 * port the proxy does not know, is passed through untouched and counted in `unparsed`.
 *
 * Modes: `up` forwards; `refuse` closes every connection and stops listening (connect() gets
 * ECONNREFUSED, like broker hosts that are down); `blackhole` keeps connections open but drops every
 * byte both ways (like a network partition: requests time out), and resets them when it ends.
 */
export class KafkaProxy {
  private readonly links = new Set<Link>();
  private mode: ProxyMode = 'up';
  /** Responses the proxy could not rewrite: must stay 0, or clients may bypass it. */
  unparsed = 0;
  rewritten = 0;
  private loseNext: { apiKey: number; done: () => void } | null = null;

  private constructor(private readonly routes: Route[]) {}

  /**
   * @param brokers the cluster's bootstrap list (`host:port,host:port`), every broker of it
   * @param basePort the first of one port per broker (consecutive); 0 picks free ones
   */
  static async start(brokers: string, basePort = 0): Promise<KafkaProxy> {
    const brokerPorts = brokers.split(',').map((b) => Number(b.trim().split(':')[1]));
    const proxy = new KafkaProxy(
      brokerPorts.map((brokerPort, i) => ({ brokerPort, port: basePort === 0 ? 0 : basePort + i, server: null })),
    );
    try {
      for (const route of proxy.routes) route.port = await proxy.listen(route, route.port);
    } catch (err) {
      await proxy.close();
      throw err;
    }
    return proxy;
  }

  /** The bootstrap list the services get: one address per broker, all through the proxy. */
  get address(): string {
    return this.routes.map((r) => `${HOST}:${r.port}`).join(',');
  }

  get currentMode(): ProxyMode {
    return this.mode;
  }

  private listen(route: Route, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = net.createServer((client) => this.accept(client, route));
      server.once('error', reject);
      server.listen({ port, host: HOST, exclusive: true }, () => {
        server.removeListener('error', reject);
        server.on('error', () => undefined);
        route.server = server;
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
      await this.closeServers();
    } else if (mode === 'up') {
      // Connections that lived through a blackhole have lost bytes mid-frame: only a reset is safe.
      if (previous === 'blackhole') this.dropAll();
      for (const route of this.routes) {
        if (route.server) continue;
        for (let attempt = 1; ; attempt++) {
          try {
            await this.listen(route, route.port);
            break;
          } catch (err) {
            if (attempt >= 20) throw err;
            await sleep(250);
          }
        }
      }
    }
  }

  /**
   * The broker's next answer to a request of this API is swallowed (the request itself went through):
   * the client waits for it until its request timeout. Resolves when that answer arrived.
   */
  loseNextAnswer(apiKey: number): Promise<void> {
    return new Promise((resolve) => {
      this.loseNext = { apiKey, done: resolve };
    });
  }

  private dropAll(): void {
    for (const link of this.links) {
      link.client.destroy();
      link.broker.destroy();
    }
    this.links.clear();
  }

  private async closeServers(): Promise<void> {
    await Promise.all(
      this.routes.map(async (route) => {
        const server = route.server;
        route.server = null;
        await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      }),
    );
  }

  private accept(client: net.Socket, route: Route): void {
    if (this.mode === 'refuse') {
      client.destroy();
      return;
    }
    // A broker that is down (killed, stopped) resets the client's connection: what a client sees
    // when it connects to that broker directly, give or take the accept.
    const broker = net.connect({ port: route.brokerPort, host: HOST });
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
        if (request && this.loseNext?.apiKey === request.apiKey) {
          const { done } = this.loseNext;
          this.loseNext = null;
          done();
          return;
        }
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

  /** Rewrites, in place, every broker port in a Metadata or FindCoordinator response to its proxy port. */
  private rewrite(frame: Buffer, apiKey: number, version: number): void {
    try {
      // After the 4-byte size and the 4-byte correlation id (response header v0).
      let at = 8;
      const swapPort = (offset: number) => {
        const brokerPort = frame.readInt32BE(offset);
        const route = this.routes.find((r) => r.brokerPort === brokerPort);
        if (route) {
          frame.writeInt32BE(route.port, offset);
          this.rewritten++;
        } else {
          this.unparsed++;
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
        const errorCode = frame.readInt16BE(at);
        at += 2;
        if (version >= 1) skipString(); // error_message
        at += 4; // node_id
        skipString(); // host
        // An error answer (coordinator not available yet) carries port -1: nothing to rewrite.
        if (errorCode === 0) swapPort(at);
      }
    } catch {
      this.unparsed++;
    }
  }

  async close(): Promise<void> {
    this.dropAll();
    await this.closeServers();
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
