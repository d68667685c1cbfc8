import { TransientError, type RegistrationStatus } from '@regflow/common';
import type { Problem } from '@regflow/common/http';
import type { IndexedRegistration, SearchResult } from '../domain/model';

export interface SearchParams {
  q?: string;
  status?: RegistrationStatus;
  from?: number;
  size?: number;
}

/** A page of results, or the orchestrator's refusal of the query (its problem, e.g. a page past the window). */
export type SearchAnswer = { ok: true; result: SearchResult } | { ok: false; refused: Problem };

/**
 * The orchestrator owns the search index; the admin API reaches it over HTTP only. When the orchestrator
 * cannot answer (unreachable, 5xx), every call rejects with a TransientError.
 */
export class SearchClient {
  constructor(private readonly orchestratorUrl: string) {}

  async search(params: SearchParams, correlationId: string): Promise<SearchAnswer> {
    const query = new URLSearchParams(
      Object.entries(params).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)] as [string, string]])),
    );
    const res = await this.call(`/users/search?${query.toString()}`, correlationId);
    if (res.ok) return { ok: true, result: (await res.json()) as SearchResult };
    return { ok: false, refused: (await res.json()) as Problem };
  }

  /** The indexed registration, or null while it is not indexed. */
  async get(id: string, correlationId: string): Promise<IndexedRegistration | null> {
    const res = await this.call(`/users/${encodeURIComponent(id)}`, correlationId);
    if (res.status === 404) return null;
    if (!res.ok) throw new TransientError(`The orchestrator answered ${res.status} for a registration`);
    return (await res.json()) as IndexedRegistration;
  }

  private async call(path: string, correlationId: string): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(`${this.orchestratorUrl}${path}`, {
        headers: { accept: 'application/json', 'x-correlation-id': correlationId },
        signal: AbortSignal.timeout(5000),
      });
    } catch (err) {
      throw new TransientError('The orchestrator is not reachable', { cause: err });
    }
    // Overloaded or broken: the same as unreachable for the caller. 404 and other refusals are answers.
    if (res.status >= 500 || res.status === 429) throw new TransientError(`The orchestrator answered ${res.status}`);
    return res;
  }
}
