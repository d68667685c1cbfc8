import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per service; `metricsHandler` serves it at GET /metrics. */
export function createMetrics(service: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const httpMetrics: RequestHandler = (req, res, next) => {
    const end = httpDuration.startTimer();
    res.on('finish', () => {
      // The matched route pattern, never the raw URL, so ids do not explode label cardinality.
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      end({ method: req.method, route });
    });
    next();
  };
  const metricsHandler: RequestHandler = async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  };
  return { registry, httpMetrics, metricsHandler, pipeline: pipelineMetrics(registry) };
}

/** Counters of the message flow; every service registers them, each fills the ones it uses. */
function pipelineMetrics(registry: Registry) {
  const registers = [registry];
  const kafkaRecords = new Counter({
    name: 'kafka_records_total',
    help: 'Kafka records handled, by topic and outcome (processed, retried, dead_lettered)',
    labelNames: ['topic', 'outcome'] as const,
    registers,
  });
  const kafkaLag = new Gauge({
    name: 'kafka_consumer_lag',
    help: 'Records behind the high watermark after the last batch',
    labelNames: ['topic', 'partition'] as const,
    registers,
  });
  const queueMessages = new Counter({
    name: 'queue_messages_total',
    help: 'ActiveMQ messages by destination and event (received, redelivered, ack, nack)',
    labelNames: ['destination', 'event'] as const,
    registers,
  });
  return {
    kafkaHooks: {
      onLag: (topic: string, partition: number, lag: number) =>
        kafkaLag.set({ topic, partition: String(partition) }, lag),
      onProcessed: (r: { topic: string }) => kafkaRecords.inc({ topic: r.topic, outcome: 'processed' }),
      onRetry: (r: { topic: string }) => kafkaRecords.inc({ topic: r.topic, outcome: 'retried' }),
      onDeadLetter: (r: { topic: string }) => kafkaRecords.inc({ topic: r.topic, outcome: 'dead_lettered' }),
    },
    stompHooks: {
      onReceived: (destination: string, redelivered: boolean) => {
        queueMessages.inc({ destination, event: 'received' });
        if (redelivered) queueMessages.inc({ destination, event: 'redelivered' });
      },
      onSettled: (destination: string, outcome: 'ack' | 'nack') => queueMessages.inc({ destination, event: outcome }),
    },
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
