import { createLogger } from '@regflow/common';
import { runService } from '@regflow/common/http';
import { loadAccessApiConfig } from './config';
import { startAccessApi } from './service';

await runService('access-api', async () => {
  const config = loadAccessApiConfig();
  return startAccessApi(config, createLogger('access-api', config.LOG_LEVEL));
});
