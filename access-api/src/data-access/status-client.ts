import { TransientError, type RegistrationStatus } from '@regflow/common';
import type { RegistrationContact } from '../domain/request-confirmation-email';

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
    const found = await this.contact(id, correlationId);
    return found ? { id: found.id, status: found.status } : null;
  }

  /** The registration's status, name, email and language (for the confirmation email); null while not indexed. */
  async contact(id: string, correlationId: string): Promise<RegistrationContact | null> {
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
    const body = (await res.json()) as RegistrationContact;
    return {
      id: body.id,
      status: body.status,
      name: body.name,
      email: body.email,
      ...(body.locale ? { locale: body.locale } : {}),
    };
  }
}
