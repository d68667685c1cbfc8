import path from 'node:path';
import { parseCli } from './stack/lib/cli';
import { ROOT, startSystem } from './system';

/** `npm start`: the whole system on loopback, its URLs printed, everything stopped on Ctrl-C. */
parseCli({
  usage: 'npm start',
  about:
    'The whole system on loopback (servers, services, console), its URLs printed, everything stopped on Ctrl-C.\n' +
    'Its ports come from ACCESS_API_PORT, ORCHESTRATOR_API_PORT, CONSUMER_MQ_PORT and CONSOLE_PORT (README.md),\n' +
    'its data folder from REGFLOW_DATA_DIR (default .local/dev).',
  options: {},
});
const dataDir = process.env.REGFLOW_DATA_DIR ?? path.join(ROOT, '.local', 'dev');
console.log(`Starting the servers and services (data and logs in ${path.relative(ROOT, dataDir)}/)...`);
let system;
try {
  system = await startSystem({ dataDir, log: (line) => console.log(`  ${line}`) });
} catch (err) {
  console.error(`\nCould not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
const { urls, admin, env } = system;
console.log(`
regflow is running.

  Admin console     ${urls.console}   (sign in as ${admin.email} / ${admin.password})
  Access API        ${urls.access}    (POST /users; its API docs at ${urls.access}/docs)
  Orchestrator API  ${urls.orchestrator}    (GET /users/search)
  Admin API         ${urls.consumer}    (its API docs at ${urls.consumer}/docs)
  Mail inbox        ${env.MAIL_INBOX_URL}   (every email the system sends, e.g. the confirmation links)

  Kafka             ${env.KAFKA_BROKERS}
  ActiveMQ STOMP    ${env.STOMP_URL}
  Redis             ${env.REDIS_URL}
  Postgres          ${env.DATABASE_URL}
  Elasticsearch     ${env.ELASTICSEARCH_URL}
  SMTP              ${env.SMTP_URL}

Logs: ${path.relative(ROOT, path.join(dataDir, 'logs'))}/   Press Ctrl-C to stop everything.
`);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping...');
  await system.stop();
  console.log('Stopped.');
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
