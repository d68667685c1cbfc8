export { createKafka, decodeHeaders, type Kafka } from './client';
export { EventPublisher, type OutgoingRecord, type PublisherOptions } from './publisher';
export { runConsumer, backoff, PoisonMessageError, type ConsumedRecord, type RunningConsumer, type ConsumerHooks } from './consumer';
