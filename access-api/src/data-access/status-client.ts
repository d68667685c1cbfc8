import { TransientError, type RegistrationStatus } from '@regflow/common';

export interface RegistrationStatusView {
  id: string;
  status: RegistrationStatus;
}

/**
 * Reads a registration's status from the search index, through the orchestrator (which owns it).
 * Returns null while the registration is not indexed yet; rejects with a TransientError when the
 * orchestrator cannot answer.
 */
export class StatusClient {
  constructor(private readonly orchestratorUrl: string) {}

  async get(id: string, correlationId: string): Promise<RegistrationStatusView | null> {
    let res: Response;
    try {
      res = await fetch(`${this.orchestratorUrl}/users/${encodeURIComponent(id)}`, {
        headers: { 'x-correlation-id': correlationId, accept: 'application/json' },
        signal: AbortSignal.timeout(3000),
      });
    } catch (err) {
      throw new TransientError('The search index is not reachable', { cause: err });
    }
    if (res.status === 404) return null;
    if (!res.ok) throw new TransientError(`The orchestrator answered ${res.status} for a status`);
    const body = (await res.json()) as RegistrationStatusView;
    return { id: body.id, status: body.status };
  }
}
