import { RestartableProcess } from '../stack/lib/processes';
import { buildServicesIfStale, serviceSpec } from '../system';

export type Workspace = 'access-api' | 'orchestrator-api' | 'consumer-mq';

/**
 * One service replica, run as production runs it and as `npm start` does (`serviceSpec`: node on the
 * bundle, its own process group), started again after each kill. A single process, so a SIGKILL to it
 * is a real crash: no shutdown hook runs. Exits the suite did not cause are kept in `crashes`.
 */
export class ServiceProcess extends RestartableProcess {
  readonly url: string;

  constructor(
    name: string,
    readonly workspace: Workspace,
    readonly port: number,
    env: Record<string, string>,
    logFile: string,
  ) {
    const url = `http://127.0.0.1:${port}`;
    super(serviceSpec({ name, workspace, port, env, logFile }), (proc) => proc.waitForHttp(`${url}/healthz`, 120_000));
    this.url = url;
  }

  /** Starts the process and waits until /healthz answers. */
  override async start(): Promise<void> {
    // Checked once per process: restarts during the faults run what was built.
    await buildServicesIfStale([this.workspace]);
    return super.start();
  }
}
