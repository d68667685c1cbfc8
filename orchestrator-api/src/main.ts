import { createLogger } from '@regflow/common';
import { runService } from '@regflow/common/http';
import { loadOrchestratorConfig } from './config';
import { startOrchestrator } from './service';

await runService('orchestrator-api', async () => {
  const config = loadOrchestratorConfig();
  return startOrchestrator(config, createLogger('orchestrator-api', config.LOG_LEVEL));
});
