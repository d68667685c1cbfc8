import { ConfigError } from '../config';
import { createLogger } from '../logger';

/** What each service's `start…()` returns: where it listens, and an ordered stop. */
export interface RunningService {
  url: string;
  /** Stops taking work, finishes and commits or acks what is in flight, then closes its clients. */
  stop(): Promise<void>;
}

/**
 * The shared tail of every `main.ts`: start the service, then on SIGTERM/SIGINT stop it in order
 * (stop taking work, finish what is in flight, commit or ack it) and exit. A config error prints its
 * readable list and exits 78 (EX_CONFIG) without a stack trace.
 */
export async function runService(name: string, start: () => Promise<RunningService>): Promise<void> {
  const logger = createLogger(name);
  let service: RunningService;
  try {
    service = await start();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${name}: ${err.message}\n`);
      process.exit(78);
    }
    logger.fatal({ err }, 'start-up failed');
    process.exit(1);
  }
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, 25_000);
    force.unref();
    try {
      await service.stop();
      logger.info('stopped');
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
