export { createKafka, decodeHeaders, type Kafka } from './client';
export { EventPublisher, type OutgoingRecord, type PublisherOptions } from './publisher';
export { createTopics, ensureTopics, topicSpecs, type TopicSettings, type TopicSpec } from './topics';
export {
  runConsumer,
  backoff,
  PoisonMessageError,
  type ConsumedRecord,
  type RunningConsumer,
  type RunConsumerOptions,
  type ConsumerHooks,
} from './consumer';
export { parseRecord, type ListenerOptions } from './listener';
