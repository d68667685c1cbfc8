import { createLogger } from '@regflow/common';
import { runService } from '@regflow/common/http';
import { loadConsumerConfig } from './config';
import { startConsumer } from './service';

await runService('consumer-mq', async () => {
  const config = loadConsumerConfig();
  return startConsumer(config, createLogger('consumer-mq', config.LOG_LEVEL));
});
