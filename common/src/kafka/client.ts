import { Kafka, logLevel as KafkaLogLevel, type LogEntry } from 'kafkajs';
import type { Logger } from 'pino';

/**
 * kafkajs is unmaintained since 2023: every use of it goes through this folder, so replacing it means
 * rewriting these files only. Nothing outside `common/src/kafka` imports kafkajs.
 */
/**
 * kafkajs messages that are not worth a line at their level:
 * - "Response <Api>": kafkajs logs every error response at ERROR, also those it retries by itself (a
 *   coordinator still loading, a topic that already exists). What it cannot retry reaches our code as an
 *   error, which is logged there; here they go to debug.
 * - The idempotent producer's note that bounded retries "may invalidate EoS": after a failed send our
 *   publisher takes a new producer id (publisher.ts says why) and tells the caller the outcome instead of
 *   resending, so no sequence number is ever reused.
 */
const QUIETER = [/^Response /, /^Limiting retries for the idempotent producer/];

export function createKafka(opts: { clientId: string; brokers: string[]; logger: Logger }): Kafka {
  const log = opts.logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: opts.clientId,
    brokers: opts.brokers,
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    // Few quick retries: a publish that cannot reach Kafka must fail fast enough to answer 503.
    retry: { initialRetryTime: 100, retries: 3, maxRetryTime: 2000 },
    logLevel: KafkaLogLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        if (QUIETER.some((pattern) => pattern.test(message))) log.debug(rest, message);
        else if (level <= KafkaLogLevel.ERROR) log.error(rest, message);
        else if (level === KafkaLogLevel.WARN) log.warn(rest, message);
        else log.debug(rest, message);
      },
  });
}

export type { Kafka };

/** Kafka headers arrive as Buffers (or arrays of them); we only ever send single strings. */
export function decodeHeaders(raw: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!raw) return out;
  for (const [key, value] of Object.entries(raw)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first === undefined || first === null) continue;
    out[key] = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  }
  return out;
}
