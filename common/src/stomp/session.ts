import stompit from 'stompit';
import type { Logger } from 'pino';
import { TransientError } from '../errors';

/**
 * stompit is unmaintained since 2021: every use of it goes through this file.
 *
 * Why not stompit's Channel: it acks on whichever connection is current, so after a reconnect it would
 * ack a message on a connection that never delivered it. Here each message is acked or nacked on the
 * client that received it (after a reconnect the broker redelivers anything unacked), subscriptions are
 * re-made on every new connection, and a send resolves only when the broker's RECEIPT arrives.
 */

type StompClient = stompit.Client;
type Frame = stompit.Client.Message;

export interface IncomingMessage {
  headers: Record<string, string>;
  body: string;
  /** The broker delivered this message before (ActiveMQ's `redelivered` header). */
  redelivered: boolean;
  ack(): void;
  nack(): void;
}

export interface StompHooks {
  onReceived?(destination: string, redelivered: boolean): void;
  onSettled?(destination: string, outcome: 'ack' | 'nack'): void;
}

export interface SubscribeOptions {
  /** ActiveMQ's `activemq.prefetchSize`: how many unacked messages the broker pushes at once. */
  prefetch?: number;
}

interface Subscription {
  destination: string;
  opts: SubscribeOptions;
  handler: (message: IncomingMessage) => Promise<void>;
  live?: { unsubscribe(): void };
}

export function parseStompUrl(url: string): { host: string; port: number; login?: string; passcode?: string } {
  const parsed = new URL(url);
  if (parsed.protocol !== 'stomp:' && parsed.protocol !== 'tcp:')
    throw new Error(`STOMP_URL must start with stomp:// (got ${parsed.protocol})`);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 61613),
    login: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    passcode: parsed.password ? decodeURIComponent(parsed.password) : undefined,
  };
}

export class StompSession {
  private client: StompClient | null = null;
  private connector: { abort(): void } | undefined;
  private readonly subscriptions: Subscription[] = [];
  private readonly waiters: Array<(client: StompClient) => void> = [];
  private readonly pendingReceipts = new Map<StompClient, Set<(err: Error) => void>>();
  private readonly inFlight = new Set<Promise<void>>();
  private closing = false;

  constructor(
    private readonly url: string,
    private readonly logger: Logger,
    private readonly hooks: StompHooks = {},
  ) {}

  start(): void {
    const { host, port, login, passcode } = parseStompUrl(this.url);
    const connectHeaders: Record<string, string> = { host: '/', 'heart-beat': '10000,10000' };
    if (login) connectHeaders.login = login;
    if (passcode) connectHeaders.passcode = passcode;
    const failover = new stompit.ConnectFailover([{ host, port, connectHeaders, connectTimeout: 5000 } as never], {
      initialReconnectDelay: 100,
      maxReconnectDelay: 5000,
      useExponentialBackOff: true,
      maxReconnects: -1,
    });
    failover.on('error', (err: Error) => this.logger.warn({ err: err.message }, 'stomp connect failed; retrying'));
    this.connector = failover.connect((error, client, reconnect) => {
      if (error) {
        this.logger.error({ err: error }, 'stomp gave up connecting');
        return;
      }
      client.on('error', (err: Error) => {
        // After an error a stompit client is dead: fail what waits on it, then reconnect and resubscribe.
        this.logger.warn({ err: err.message }, 'stomp connection lost');
        this.client = null;
        this.failPending(client, new TransientError(`ActiveMQ connection lost: ${err.message}`));
        if (!this.closing) reconnect();
      });
      this.client = client;
      this.logger.info({ host, port }, 'stomp connected');
      for (const sub of this.subscriptions) this.attach(client, sub);
      for (const wake of this.waiters.splice(0)) wake(client);
    }) as unknown as { abort(): void };
  }

  /** Readiness: rejects while there is no connection to the broker. */
  async ping(): Promise<void> {
    if (!this.client) throw new Error('not connected');
  }

  private failPending(client: StompClient, err: Error): void {
    const pending = this.pendingReceipts.get(client);
    this.pendingReceipts.delete(client);
    for (const fail of pending ?? []) fail(err);
  }

  private connected(timeoutMs: number): Promise<StompClient> {
    if (this.client) return Promise.resolve(this.client);
    return new Promise<StompClient>((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(wake);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new TransientError(`ActiveMQ not reachable within ${timeoutMs} ms`));
      }, timeoutMs);
      const wake = (client: StompClient) => {
        clearTimeout(timer);
        resolve(client);
      };
      this.waiters.push(wake);
    });
  }

  /** Sends a persistent message and resolves once the broker has stored it (its RECEIPT). */
  async send(
    destination: string,
    body: string,
    headers: Record<string, string> = {},
    timeoutMs = 10_000,
  ): Promise<void> {
    const client = await this.connected(timeoutMs);
    await new Promise<void>((resolve, reject) => {
      let pending = this.pendingReceipts.get(client);
      if (!pending) {
        pending = new Set();
        this.pendingReceipts.set(client, pending);
      }
      const fail = (err: Error) => {
        clearTimeout(timer);
        reject(err);
      };
      const timer = setTimeout(() => {
        pending.delete(fail);
        reject(new TransientError(`ActiveMQ did not confirm the message within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.add(fail);
      const frame = client.send(
        {
          ...headers,
          destination,
          persistent: 'true',
          'content-type': 'application/json;charset=utf-8',
        },
        {
          onReceipt: () => {
            clearTimeout(timer);
            pending.delete(fail);
            resolve();
          },
          onError: (err: Error) => {
            pending.delete(fail);
            fail(new TransientError(`ActiveMQ refused the message: ${err.message}`));
          },
        },
      );
      frame.write(body);
      frame.end();
    });
  }

  subscribe(destination: string, opts: SubscribeOptions, handler: (message: IncomingMessage) => Promise<void>): void {
    const sub: Subscription = { destination, opts, handler };
    this.subscriptions.push(sub);
    if (this.client) this.attach(this.client, sub);
  }

  private attach(client: StompClient, sub: Subscription): void {
    const headers: Record<string, string> = {
      destination: sub.destination,
      ack: 'client-individual',
      'activemq.prefetchSize': String(sub.opts.prefetch ?? 50),
    };
    sub.live = client.subscribe(headers, (err, frame) => {
      if (err) return; // the client 'error' handler reconnects
      const handling = this.handle(client, sub, frame);
      this.inFlight.add(handling);
      void handling.finally(() => this.inFlight.delete(handling));
    });
  }

  private async handle(client: StompClient, sub: Subscription, frame: Frame): Promise<void> {
    const body = await new Promise<string>((resolve, reject) => {
      frame.readString('utf-8', (err, text) => (err ? reject(err) : resolve(text ?? '')));
    }).catch(() => null);
    const headers = (frame as unknown as { headers: Record<string, string> }).headers;
    let settled = false;
    const settle = (kind: 'ack' | 'nack') => {
      if (settled || this.client !== client) return; // a dead connection's messages are redelivered anyway
      settled = true;
      if (kind === 'ack') client.ack(frame);
      else client.nack(frame);
      this.hooks.onSettled?.(sub.destination, kind);
    };
    this.hooks.onReceived?.(sub.destination, headers.redelivered === 'true');
    if (body === null) {
      settle('nack');
      return;
    }
    const message: IncomingMessage = {
      headers,
      body,
      redelivered: headers.redelivered === 'true',
      ack: () => settle('ack'),
      nack: () => settle('nack'),
    };
    try {
      await sub.handler(message);
    } catch (err) {
      this.logger.error({ err, destination: sub.destination }, 'stomp handler threw; message will be redelivered');
      settle('nack');
    }
  }

  /** Stops taking messages, lets the ones in hand finish (and ack), then disconnects. */
  async close(): Promise<void> {
    this.closing = true;
    for (const sub of this.subscriptions) sub.live?.unsubscribe();
    await Promise.allSettled([...this.inFlight]);
    const client = this.client;
    this.client = null;
    this.connector?.abort();
    if (client) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2000);
        client.disconnect(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}
