import { Partitioners, type Admin, type Kafka, type Producer, type TopicMessages } from 'kafkajs';
import type { Logger } from 'pino';
import { TransientError } from '../errors';
import { ensureTopics, type TopicSpec } from './topics';

export interface OutgoingRecord {
  key: string;
  value: string;
  headers?: Record<string, string>;
}

interface Pending {
  topic: string;
  record: OutgoingRecord;
  resolve: () => void;
  reject: (err: Error) => void;
  /** When this publish must have settled (publish time + timeoutMs), however long it queued. */
  deadline: number;
}

export interface PublisherOptions {
  /** How long a record may wait for others to share its request (the producer's "linger"). */
  lingerMs?: number;
  maxBatchSize?: number;
  /** A publish not acknowledged by then fails with a TransientError. */
  timeoutMs?: number;
  /** The topics this publisher's service owns: created (if missing) on every connect. */
  topics?: readonly TopicSpec[];
}

/**
 * Publishes records with acks from all in-sync replicas. Records published within `lingerMs` of each
 * other travel in one produce request, and each caller's promise settles when that request is acked:
 * concurrent HTTP requests share round trips without any of them being answered early.
 * The producer is idempotent (a retried request is not written twice) and sends one request at a
 * time, which keeps per-key order across retries. While that request is in flight, new records wait
 * and all go out together in the next one as soon as it is acked (Nagle-style): under load the
 * batches grow by themselves instead of queueing many small requests behind each other inside
 * kafkajs, which costs CPU per request on both sides.
 *
 * A failed send leaves the producer's sequence numbers unusable: the broker may have appended a
 * request whose answer was lost (a broker killed, a connection cut), and kafkajs then gives that
 * request's sequence numbers to the next, different records. The broker takes those for a retry of
 * the appended ones and acknowledges them without writing them (lost behind a success), or answers
 * OUT_OF_ORDER_SEQUENCE_NUMBER to every later request (no publish ever succeeds again). So after a
 * failed send the next one goes through a new producer (a new producer id), and a send never starts
 * while the previous one is still running inside kafkajs (it can outlive its callers' deadline).
 */
export class EventPublisher {
  private producer: Producer;
  /** The producer's current sendBatch, settled (never rejects); the next send waits for it. */
  private producing: Promise<void> | undefined;
  /** A send failed: the next one needs a new producer (see the class comment). */
  private renewProducer = false;
  private readonly admin: Admin;
  private adminConnected: Promise<void> | undefined;
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private connected = false;
  private connecting: Promise<void> | undefined;
  private inFlight: Promise<void> | undefined;
  private readonly lingerMs: number;
  private readonly maxBatchSize: number;
  private readonly timeoutMs: number;
  private readonly topics: readonly TopicSpec[];

  constructor(
    private readonly kafka: Kafka,
    private readonly logger: Logger,
    opts: PublisherOptions = {},
  ) {
    this.admin = kafka.admin();
    this.producer = this.newProducer();
    this.lingerMs = opts.lingerMs ?? 2;
    this.maxBatchSize = opts.maxBatchSize ?? 500;
    this.timeoutMs = opts.timeoutMs ?? 8000;
    this.topics = opts.topics ?? [];
  }

  private newProducer(): Producer {
    // The default partitioner, named so kafkajs does not warn that its default changed in v2.
    const producer = this.kafka.producer({
      allowAutoTopicCreation: false,
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    producer.on(producer.events.DISCONNECT, () => {
      if (producer === this.producer) this.connected = false;
    });
    return producer;
  }

  /**
   * Connects and creates the topics this publisher owns, or rejects quickly when Kafka is unreachable
   * (callers may retry later).
   */
  async connect(): Promise<void> {
    if (this.connected) return;
    this.connecting ??= (async () => {
      if (this.topics.length > 0) await ensureTopics(await this.connectedAdmin(), this.topics, this.logger);
      await this.producer.connect();
      this.connected = true;
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  isConnected(): boolean {
    return this.connected;
  }

  /**
   * A real round trip to the cluster, for readiness. (kafkajs' connect() resolves even against a
   * broker that never answers, so "connected" alone proves nothing.)
   */
  async ping(): Promise<void> {
    await (await this.connectedAdmin()).describeCluster();
  }

  private async connectedAdmin(): Promise<Admin> {
    this.adminConnected ??= this.admin.connect().catch((err: unknown) => {
      this.adminConnected = undefined;
      throw err;
    });
    await this.adminConnected;
    return this.admin;
  }

  publish(topic: string, record: OutgoingRecord): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ topic, record, resolve, reject, deadline: Date.now() + this.timeoutMs });
      // With a request in flight, its completion sends what queued meanwhile: no timer needed.
      if (this.inFlight) return;
      if (this.queue.length >= this.maxBatchSize) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.lingerMs);
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.inFlight) return;
    const now = Date.now();
    // A record whose deadline passed while it queued has waited its whole timeout (behind a hung
    // request): fail it now, unsent, as the caller was promised.
    const expired = this.queue.filter((p) => p.deadline <= now);
    if (expired.length > 0) {
      this.queue = this.queue.filter((p) => p.deadline > now);
      const error = new TransientError('Kafka did not acknowledge the event', {
        cause: new Error(`not sent within ${this.timeoutMs} ms`),
        outcome: 'not-sent',
      });
      for (const p of expired) p.reject(error);
    }
    const batch = this.queue.splice(0, this.maxBatchSize);
    if (batch.length === 0) return;
    this.inFlight = this.send(batch).finally(() => {
      this.inFlight = undefined;
      this.afterSend();
    });
  }

  /**
   * What queued during the request goes next, once its oldest record has lingered `lingerMs` (as a
   * Kafka producer's linger.ms): under load that is at once, and the batches stay as large as the
   * linger allows instead of shrinking to whatever arrived during one short round trip.
   */
  private afterSend(): void {
    const oldest = this.queue[0];
    if (!oldest) return;
    const wait = oldest.deadline - this.timeoutMs + this.lingerMs - Date.now();
    if (wait <= 0 || this.queue.length >= this.maxBatchSize) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), wait);
  }

  private async send(batch: Pending[]): Promise<void> {
    const byTopic = new Map<string, TopicMessages>();
    for (const { topic, record } of batch) {
      let entry = byTopic.get(topic);
      if (!entry) {
        entry = { topic, messages: [] };
        byTopic.set(topic, entry);
      }
      entry.messages.push({ key: record.key, value: record.value, headers: record.headers ?? {} });
    }
    let timer: NodeJS.Timeout | undefined;
    let sent = false;
    let timedOut = false;
    try {
      // The oldest record's deadline bounds the whole attempt, connecting (and creating topics) included,
      // so time spent queued counts too.
      const wait = Math.max(0, batch[0]!.deadline - Date.now());
      await Promise.race([
        (async () => {
          await this.ready();
          // Past its deadline the caller has been told "not sent": it must stay true.
          if (timedOut) return;
          sent = true;
          const sending = this.producer.sendBatch({ acks: -1, topicMessages: [...byTopic.values()] });
          const settled = sending.then(
            () => undefined,
            () => {
              this.renewProducer = true;
            },
          );
          this.producing = settled;
          void settled.then(() => {
            if (this.producing === settled) this.producing = undefined;
          });
          await sending;
        })(),
        new Promise((_, reject) => {
          timer = setTimeout(() => {
            timedOut = true;
            reject(new Error(`not acknowledged within ${this.timeoutMs} ms`));
          }, wait);
        }),
      ]);
      for (const p of batch) p.resolve();
    } catch (err) {
      this.logger.warn({ err, records: batch.length }, 'kafka publish failed');
      // Once the request was handed to the producer, a broker may have appended it, even if kafkajs'
      // last retry was refused: the caller must not be told it was not saved. Before that it was not:
      // a renewed producer first gets its producer id from a broker.
      const outcome = sent ? 'unknown' : 'not-sent';
      const error = new TransientError('Kafka did not acknowledge the event', { cause: err, outcome });
      for (const p of batch) p.reject(error);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Waits until the previous send has ended inside kafkajs, replaces the producer after a failed
   * one, and connects.
   */
  private async ready(): Promise<void> {
    while (this.producing) await this.producing;
    if (this.renewProducer) {
      this.renewProducer = false;
      const old = this.producer;
      this.producer = this.newProducer();
      this.connected = false;
      this.logger.warn('kafka producer renewed after a failed send: the next records get a new producer id');
      // Nothing runs on it any more (see above).
      old.disconnect().catch(() => undefined);
    }
    await this.connect();
  }

  /** Sends what is queued, waits for every request in flight, then disconnects. */
  async close(): Promise<void> {
    // What is queued goes now, without waiting out its linger.
    while (this.queue.length > 0 || this.inFlight) {
      this.flush();
      if (this.inFlight) await this.inFlight;
    }
    while (this.producing) await this.producing;
    await this.producer.disconnect();
    await this.admin.disconnect();
    this.connected = false;
  }
}
